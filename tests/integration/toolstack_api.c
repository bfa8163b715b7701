/*
 * libhvctl's issue-4 control operations against a live hvd: vCPU info,
 * time offset, balloon target, the host's end of event channels and the
 * dom_exc descriptor, each with its documented error returns.  Run by
 * toolstack_api.sh, which starts hvd and passes the hello guest's path.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hv/public/event_channel.h>
#include <hv/public/sysctl.h>
#include "hvctl.h"
#include "hvguest.h"
#include "check.h"

#define MAX_PAGES  8192u
#define INIT_PAGES 4096u
#define NO_DOMAIN  4242u
#define GUEST_PORT 5u /* a port the idle guest never allocates */

int failures;

static void unknown_domain_is_esrch(hvctl_t *h)
{
    struct xen_domctl_getvcpuinfo vi;
    int fd = -1;

    CHECK(hvctl_vcpu_getinfo(h, NO_DOMAIN, 0, &vi) == -ESRCH, "getvcpuinfo");
    CHECK(hvctl_domain_settimeoffset(h, NO_DOMAIN, 0) == -ESRCH, "settimeoffset");
    CHECK(hvctl_domain_set_target(h, NO_DOMAIN, 1) == -ESRCH, "set_target");
    CHECK(hvctl_evtchn_host_bind(h, NO_DOMAIN, GUEST_PORT, &fd) == -ESRCH && fd == -1,
          "evtchn bind (fd %d)", fd);
    CHECK(hvctl_evtchn_host_send(h, NO_DOMAIN, GUEST_PORT) == -ESRCH, "evtchn send");
    CHECK(hvctl_evtchn_host_close(h, NO_DOMAIN, GUEST_PORT) == -ESRCH, "evtchn close");
    CHECK(hvctl_vcpu_getinfo(h, 70000, 0, &vi) == -ESRCH, "a domid beyond 16 bits");
}

/* A paused 2-vCPU domain built from the guest image, running "idle". */
static int create_idle_domain(hvctl_t *h, const char *elf, uint32_t *id)
{
    struct xen_domctl_createdomain c = { .max_vcpus = 2, .max_pages = MAX_PAGES,
                                         .init_pages = INIT_PAGES,
                                         .on_poweroff = HV_ACTION_preserve,
                                         .on_crash = HV_ACTION_preserve };
    struct hvguest_build_info bi;

    snprintf(c.name, sizeof(c.name), "toolstack-api-%d", (int)getpid());
    int rc = hvctl_domain_create(h, &c, id);
    CHECK(rc == 0, "create: %d", rc);
    if (rc < 0)
        return rc;
    rc = hvguest_build_elf_file(h, *id, elf, "idle", &bi);
    CHECK(rc == 0, "build: %d", rc);
    return rc;
}

static void vcpu_info_after_build(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getvcpuinfo vi;
    int rc = hvctl_vcpu_getinfo(h, id, 0, &vi);

    CHECK(rc == 0 && vi.online == 1, "vCPU 0 is online after build: rc %d online %u", rc,
          vi.online);
    CHECK(rc == 0 && vi.running == 0, "vCPU 0 of a paused domain is not running");
    rc = hvctl_vcpu_getinfo(h, id, 1, &vi);
    CHECK(rc == 0 && vi.online == 0, "vCPU 1 is down: rc %d online %u", rc, vi.online);
    CHECK(hvctl_vcpu_getinfo(h, id, 2, &vi) == -EINVAL, "vcpu 2 of 2");
    CHECK(hvctl_vcpu_getinfo(h, id, UINT32_MAX, &vi) == -EINVAL, "vcpu UINT32_MAX");
}

/* Poll vCPU 0 for up to 20 s until the idle guest blocks in SCHEDOP_block. */
static void vcpu_blocks_when_idle(hvctl_t *h, uint32_t id)
{
    const struct timespec tick = { .tv_sec = 0, .tv_nsec = 50000000 };
    struct xen_domctl_getvcpuinfo vi = { 0 };
    int rc = -1;

    for (int i = 0; i < 400; i++) {
        rc = hvctl_vcpu_getinfo(h, id, 0, &vi);
        if (rc < 0 || vi.blocked)
            break;
        nanosleep(&tick, NULL);
    }
    CHECK(rc == 0 && vi.blocked == 1 && vi.online == 1, "the idle guest's vCPU 0 blocks: rc %d",
          rc);
    CHECK(vi.cpu_time_ns > 0, "vCPU 0 has used CPU time");
}

static void time_offset(hvctl_t *h, uint32_t id)
{
    CHECK(hvctl_domain_settimeoffset(h, id, 0) == 0, "offset 0");
    CHECK(hvctl_domain_settimeoffset(h, id, 3600) == 0, "offset +1 h");
    CHECK(hvctl_domain_settimeoffset(h, id, -86400) == 0, "offset -1 day");
}

static void balloon_target(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getdomaininfo info;

    CHECK(hvctl_domain_set_target(h, id, 0) == -EINVAL, "target 0");
    CHECK(hvctl_domain_set_target(h, id, MAX_PAGES + 1) == -EINVAL, "target above max_pages");
    CHECK(hvctl_domain_set_target(h, id, UINT64_MAX) == -EINVAL, "target UINT64_MAX");
    CHECK(hvctl_domain_set_target(h, id, MAX_PAGES) == 0, "target = max_pages");
    CHECK(hvctl_domain_set_target(h, id, INIT_PAGES / 2) == 0, "target below tot_pages");
    /* hvd enforces only max_pages: the guest decides whether to balloon. */
    int rc = hvctl_domain_getinfo(h, id, &info);
    CHECK(rc == 0 && info.tot_pages == INIT_PAGES, "tot_pages unchanged by a target: %llu",
          (unsigned long long)info.tot_pages);
}

static void evtchn_host_unallocated_port(hvctl_t *h, uint32_t id)
{
    int fd = -1;

    CHECK(hvctl_evtchn_host_bind(h, id, GUEST_PORT, &fd) == -EINVAL && fd == -1,
          "bind a port the guest never allocated (fd %d)", fd);
    CHECK(hvctl_evtchn_host_bind(h, id, 0, &fd) == -EINVAL, "bind port 0");
    CHECK(hvctl_evtchn_host_bind(h, id, HV_EVTCHN_PORTS, &fd) == -EINVAL, "bind port 1024");
    CHECK(hvctl_evtchn_host_send(h, id, GUEST_PORT) == -EINVAL, "send on an unbound host end");
    CHECK(hvctl_evtchn_host_close(h, id, GUEST_PORT) == -EINVAL, "close an unbound host end");
}

static int readable_within(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Take dom_exc descriptors until hvd refuses; returns how many were had. */
static unsigned int take_all_dom_exc(hvctl_t *h, int *fds, unsigned int max, int *last_rc)
{
    unsigned int n = 0;
    while (n < max && (*last_rc = hvctl_dom_exc_fd(h, &fds[n])) == 0)
        n++;
    return n;
}

/*
 * The dom_exc pipe stays quiet until a domain goes away, then is readable.
 * hvd serves HV_DOM_EXC_MAX subscribers; one whose reader has closed its
 * end is dropped at the next notification at the latest.
 */
static void dom_exc_on_destroy(hvctl_t *h, uint32_t id)
{
    int fds[HV_DOM_EXC_MAX + 1], rc = 0;
    unsigned int n = take_all_dom_exc(h, fds, HV_DOM_EXC_MAX + 1, &rc);

    CHECK(n == HV_DOM_EXC_MAX && rc == -EBUSY, "%u dom_exc descriptors, then %d", n, rc);
    if (n == 0)
        return;
    for (unsigned int i = 1; i < n; i++)
        close(fds[i]);
    CHECK(!readable_within(fds[0], 200), "dom_exc quiet while nothing happens");
    CHECK(hvctl_domain_destroy(h, id) == 0, "destroy");
    CHECK(readable_within(fds[0], 5000), "dom_exc readable after destroy");
    char buf[64];
    ssize_t got = read(fds[0], buf, sizeof(buf));
    CHECK(got >= 1, "dom_exc has a byte to read: %zd", got);
    CHECK(!readable_within(fds[0], 0), "dom_exc quiet again once drained");
    close(fds[0]);
    int fd = -1;
    rc = hvctl_dom_exc_fd(h, &fd);
    CHECK(rc == 0, "closed subscribers were dropped after the notification: %d", rc);
    if (rc == 0)
        close(fd);
    struct xen_domctl_getvcpuinfo vi;
    CHECK(hvctl_vcpu_getinfo(h, id, 0, &vi) == -ESRCH, "getvcpuinfo after destroy");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s GUEST.elf (with HVD_SOCKET set)\n", argv[0]);
        return 2;
    }
    hvctl_t *h;
    int rc = hvctl_open(&h, NULL);
    if (rc) {
        fprintf(stderr, "hvctl_open: %s\n", strerror(-rc));
        return 1;
    }
    unknown_domain_is_esrch(h);
    uint32_t id;
    if (create_idle_domain(h, argv[1], &id) == 0) {
        vcpu_info_after_build(h, id);
        time_offset(h, id);
        balloon_target(h, id);
        evtchn_host_unallocated_port(h, id);
        CHECK(hvctl_domain_unpause(h, id) == 0, "unpause");
        vcpu_blocks_when_idle(h, id);
        dom_exc_on_destroy(h, id);
    }
    hvctl_close(h);
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
