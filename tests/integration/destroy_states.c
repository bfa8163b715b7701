/*
 * Destroy works whatever state the domain is in, releases everything, a
 * second destroy is -ESRCH, two clients destroying at once leave exactly
 * one success, and a big domain's teardown lets other clients be served.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hv/public/sched.h>
#include "hvd_probe.h"
#include "hvguest.h"

static const char *guest;
static int hvd_pid;

static void sleep_ms(unsigned int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Create and start hello with cmdline; returns the domid or a negative errno. */
static int start_guest(hvctl_t *h, const char *name, const char *cmdline, uint64_t mib,
                       bool unpause)
{
    struct xen_domctl_createdomain cd = { .max_vcpus = 2, .max_pages = mib * 256,
                                          .init_pages = mib * 256,
                                          .on_poweroff = HV_ACTION_preserve,
                                          .on_crash = HV_ACTION_preserve };
    snprintf(cd.name, sizeof(cd.name), "%s", name);
    uint32_t id;
    int rc = hvctl_domain_create(h, &cd, &id);
    if (rc == 0)
        rc = hvguest_build_elf_file(h, id, guest, cmdline, NULL);
    if (rc == 0 && unpause)
        rc = hvctl_domain_unpause(h, id);
    return rc < 0 ? rc : (int)id;
}

/* Wait until the domain's flags have all of want (or 10 s pass, scaled). */
static bool wait_flags(hvctl_t *h, uint32_t id, uint32_t want)
{
    for (unsigned int i = 0; i < 1000 * hv_time_scale(); i++) {
        struct xen_domctl_getdomaininfo info;
        if (hvctl_domain_getinfo(h, id, &info) == 0 && (info.flags & want) == want)
            return true;
        sleep_ms(10);
    }
    return false;
}

static int destroy_and_check(hvctl_t *h, const char *state, uint32_t id,
                             const struct hvd_resources *base)
{
    int rc = hvctl_domain_destroy(h, id);
    int again = hvctl_domain_destroy(h, id);
    bool ok = rc == 0 && again == -ESRCH && hvd_probe_settled(h, hvd_pid, state, base) == 0;
    printf("%s destroy_%s: destroy %d, second destroy %d\n", ok ? "ok" : "not ok", state, rc, again);
    return ok ? 0 : -1;
}

static int destroy_in_each_state(hvctl_t *h, const struct hvd_resources *base)
{
    int failed = 0, id, fd = -1;
    if ((id = start_guest(h, "running", "spin", 16, true)) > 0 &&
        wait_flags(h, (uint32_t)id, XEN_DOMINF_running))
        failed |= destroy_and_check(h, "running", (uint32_t)id, base);
    else
        failed = printf("not ok: could not get a running domain (%d)\n", id);
    if ((id = start_guest(h, "paused", "spin", 16, false)) > 0)
        failed |= destroy_and_check(h, "paused", (uint32_t)id, base);
    else
        failed = printf("not ok: could not get a paused domain (%d)\n", id);
    if ((id = start_guest(h, "blocked", "idle", 16, true)) > 0 &&
        wait_flags(h, (uint32_t)id, XEN_DOMINF_blocked))
        failed |= destroy_and_check(h, "blocked", (uint32_t)id, base);
    else
        failed = printf("not ok: could not get a blocked domain (%d)\n", id);
    if ((id = start_guest(h, "hypercalls", "hypercalls", 16, true)) > 0) {
        sleep_ms(50); /* it is making hypercalls: a destroy lands in one */
        failed |= destroy_and_check(h, "in_hypercall", (uint32_t)id, base);
    } else {
        failed = printf("not ok: could not start the hypercall loop (%d)\n", id);
    }
    if ((id = start_guest(h, "console", "idle", 16, false)) > 0 &&
        hvctl_console_attach(h, (uint32_t)id, &fd) == 0 && hvctl_domain_unpause(h, (uint32_t)id) == 0) {
        wait_flags(h, (uint32_t)id, XEN_DOMINF_blocked);
        failed |= destroy_and_check(h, "console_attached", (uint32_t)id, base);
        char buf[4096];
        ssize_t n, total = 0;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
            total += n; /* hvd closed it: end of file after the output */
        if (n != 0 || total == 0)
            failed = printf("not ok: console gave %zd bytes then %zd\n", total, n);
        close(fd);
    } else {
        failed = printf("not ok: could not attach a console (%d)\n", id);
    }
    if ((id = start_guest(h, "preserved", "bye", 16, true)) > 0 &&
        wait_flags(h, (uint32_t)id, XEN_DOMINF_shutdown))
        failed |= destroy_and_check(h, "shutdown_preserved", (uint32_t)id, base);
    else
        failed = printf("not ok: could not get a preserved domain (%d)\n", id);
    return failed ? -1 : 0;
}

struct destroyer {
    uint32_t id;
    int rc;
};

static void *destroy_thread(void *arg)
{
    struct destroyer *d = arg;
    hvctl_t *h;
    d->rc = hvctl_open(&h, NULL);
    if (d->rc == 0) {
        d->rc = hvctl_domain_destroy(h, d->id);
        hvctl_close(h);
    }
    return NULL;
}

/*
 * Two clients destroy a domain that has 256 MiB of touched RAM at once,
 * while this thread keeps asking for its info on a third connection: it
 * must be answered while the teardown is under way (it sees "dying").
 */
static int destroy_concurrently(hvctl_t *h, const struct hvd_resources *base)
{
    int id = start_guest(h, "big", "touch", 256, true);
    if (id < 0 || !wait_flags(h, (uint32_t)id, XEN_DOMINF_blocked)) {
        printf("not ok: the 256 MiB domain did not start (%d)\n", id);
        return -1;
    }
    struct destroyer d[2] = { { (uint32_t)id, 1 }, { (uint32_t)id, 1 } };
    pthread_t t[2];
    pthread_create(&t[0], NULL, destroy_thread, &d[0]);
    pthread_create(&t[1], NULL, destroy_thread, &d[1]);
    unsigned int seen_dying = 0;
    for (;;) {
        struct xen_domctl_getdomaininfo info;
        int rc = hvctl_domain_getinfo(h, (uint32_t)id, &info);
        if (rc == -ESRCH)
            break;
        seen_dying += rc == 0 && (info.flags & XEN_DOMINF_dying);
    }
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    int successes = (d[0].rc == 0) + (d[1].rc == 0);
    int esrch = (d[0].rc == -ESRCH) + (d[1].rc == -ESRCH);
    bool ok = successes == 1 && esrch == 1 && seen_dying > 0 &&
              hvd_probe_settled(h, hvd_pid, "concurrent", base) == 0;
    printf("%s destroy_concurrent: results %d and %d, answered %u times while dying\n",
           ok ? "ok" : "not ok", d[0].rc, d[1].rc, seen_dying);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    hvctl_t *h;
    hvd_pid = hvd_pid_from_env();
    if (argc != 2 || hvd_pid <= 0 || hvctl_open(&h, NULL)) {
        fprintf(stderr, "usage: HVD_PID=.. HVD_SOCKET=.. %s hello.elf\n", argv[0]);
        return 2;
    }
    guest = argv[1];
    struct hvd_resources base;
    if (hvd_probe(h, hvd_pid, &base))
        return 1;
    int failed = destroy_in_each_state(h, &base);
    failed |= destroy_concurrently(h, &base);
    hvctl_close(h);
    return failed ? 1 : 0;
}
