/*
 * The host end of an event channel (XEN_DOMCTL_evtchn_host), driven
 * against the evthost guest by evtchn_host.sh:
 *   evtchn_host DOMID PORT OTHER ROUNDS
 * PORT is reserved for the host, OTHER is not.  Checks the errors (bind of
 * OTHER, send before bind, an unknown domain, a port out of range, a
 * second bind), then ROUNDS round trips (send; the guest's answer makes
 * the eventfd readable), then close and the errors after it.  One line per
 * check; exit status 0 only if all pass.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hvctl.h>
#include <hv/public/event_channel.h>

#define REPLY_TIMEOUT_MS 20000
#define UNKNOWN_DOMID 0x7fef

static unsigned int failures;

static void check(bool ok, const char *name, const char *detail)
{
    if (!ok)
        failures++;
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, *detail ? ": " : "", detail);
}

static void check_rc(const char *name, int rc, int want)
{
    char detail[96];

    snprintf(detail, sizeof(detail), "rc %d (%s), want %d", rc, rc ? strerror(-rc) : "ok", want);
    check(rc == want, name, detail);
}

/* One XEN_DOMCTL_evtchn_host command; fd receives the eventfd of a bind. */
static int evtchn_host(hvctl_t *h, uint32_t domid, uint32_t cmd, uint32_t port, int *fd)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_evtchn_host;
    op.domain = (domid_t)domid;
    op.u.evtchn_host.cmd = cmd;
    op.u.evtchn_host.port = port;
    return hvctl_domctl(h, &op, NULL, 0, NULL, 0, NULL, fd);
}

static void check_errors_before_bind(hvctl_t *h, uint32_t domid, uint32_t port, uint32_t other)
{
    int fd = -1;

    check_rc("host_bind_of_port_not_reserved_for_host_is_einval",
             evtchn_host(h, domid, HV_EVTCHN_HOST_bind, other, &fd), -EINVAL);
    check_rc("host_send_on_port_not_bound_by_host_is_einval",
             evtchn_host(h, domid, HV_EVTCHN_HOST_send, port, NULL), -EINVAL);
    check_rc("host_close_of_port_not_bound_by_host_is_einval",
             evtchn_host(h, domid, HV_EVTCHN_HOST_close, port, NULL), -EINVAL);
    check_rc("host_bind_on_unknown_domain_is_esrch",
             evtchn_host(h, UNKNOWN_DOMID, HV_EVTCHN_HOST_bind, port, &fd), -ESRCH);
    check_rc("host_send_on_unknown_domain_is_esrch",
             evtchn_host(h, UNKNOWN_DOMID, HV_EVTCHN_HOST_send, port, NULL), -ESRCH);
    check_rc("host_bind_of_port_1024_is_einval",
             evtchn_host(h, domid, HV_EVTCHN_HOST_bind, HV_EVTCHN_PORTS, &fd), -EINVAL);
    if (fd >= 0)
        close(fd);
}

/* Wait for the guest's answer: the eventfd becomes readable with a count. */
static int wait_reply(int efd, uint64_t *count)
{
    struct pollfd p = { .fd = efd, .events = POLLIN };
    int n = poll(&p, 1, REPLY_TIMEOUT_MS);

    if (n < 0)
        return -errno;
    if (n == 0)
        return -ETIMEDOUT;
    return read(efd, count, sizeof(*count)) == sizeof(*count) ? 0 : -errno;
}

static void round_trips(hvctl_t *h, uint32_t domid, uint32_t port, int efd, unsigned int rounds)
{
    for (unsigned int i = 1; i <= rounds; i++) {
        char name[64], detail[96];
        uint64_t count = 0;
        int rc = evtchn_host(h, domid, HV_EVTCHN_HOST_send, port, NULL);

        if (rc == 0)
            rc = wait_reply(efd, &count);
        snprintf(name, sizeof(name), "round_trip_%u_host_send_guest_answer", i);
        snprintf(detail, sizeof(detail), "rc %d (%s), eventfd count %" PRIu64, rc,
                 rc ? strerror(-rc) : "ok", count);
        check(rc == 0 && count >= 1, name, detail);
        if (rc)
            return;
    }
}

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(s, &end, 0);
    if (errno || !*s || *end || n > UINT32_MAX)
        return -EINVAL;
    *v = (uint32_t)n;
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t domid, port, other, rounds;
    hvctl_t *h;
    int efd = -1, rc;

    if (argc != 5 || parse_u32(argv[1], &domid) || parse_u32(argv[2], &port) ||
        parse_u32(argv[3], &other) || parse_u32(argv[4], &rounds)) {
        fprintf(stderr, "usage: %s DOMID PORT OTHER ROUNDS\n", argv[0]);
        return 2;
    }
    rc = hvctl_open(&h, NULL);
    if (rc) {
        fprintf(stderr, "cannot connect to hvd: %s\n", strerror(-rc));
        return 1;
    }
    check_errors_before_bind(h, domid, port, other);
    rc = evtchn_host(h, domid, HV_EVTCHN_HOST_bind, port, &efd);
    check_rc("host_bind_of_reserved_port_gives_an_eventfd", rc, 0);
    if (rc == 0) {
        int again = -1;

        check_rc("host_bind_of_bound_port_is_einval",
                 evtchn_host(h, domid, HV_EVTCHN_HOST_bind, port, &again), -EINVAL);
        if (again >= 0)
            close(again);
        round_trips(h, domid, port, efd, rounds);
        check_rc("host_close_succeeds", evtchn_host(h, domid, HV_EVTCHN_HOST_close, port, NULL),
                 0);
        check_rc("host_send_after_close_is_einval",
                 evtchn_host(h, domid, HV_EVTCHN_HOST_send, port, NULL), -EINVAL);
        check_rc("host_close_after_close_is_einval",
                 evtchn_host(h, domid, HV_EVTCHN_HOST_close, port, NULL), -EINVAL);
        close(efd);
    }
    hvctl_close(h);
    printf("%u check(s) failed\n", failures);
    return failures ? 1 : 0;
}
