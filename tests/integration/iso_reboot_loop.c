/*
 * Helper of iso_reboot_loop.sh (issue 8, item 7), talking to the hvd at
 * HVD_SOCKET:
 *   iso_reboot_loop limits          createdomain's restart_limit and
 *                                   restart_interval_s: out of range is
 *                                   -EINVAL, 0 takes the defaults and
 *                                   getdomaininfo reports what is in force
 *   iso_reboot_loop baseline FILE   write what hvd holds now to FILE
 *   iso_reboot_loop compare FILE    hvd holds what FILE says again (fds,
 *                                   threads, mappings, dalloc, domains)
 * baseline and compare need HVD_PID.  Exit status 0 when every check held.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "hvd_probe.h"

int failures;

struct limits_case {
    uint32_t limit, interval;       /* given to createdomain */
    int rc;                         /* expected */
    uint32_t want_limit, want_interval; /* getdomaininfo, when created */
};

static const struct limits_case limits_cases[] = {
    { 0, 0, 0, HV_RESTART_LIMIT_DEFAULT, HV_RESTART_INTERVAL_DEFAULT },
    { 1, 1, 0, 1, 1 },
    { HV_RESTART_LIMIT_MAX, HV_RESTART_INTERVAL_MAX, 0, HV_RESTART_LIMIT_MAX,
      HV_RESTART_INTERVAL_MAX },
    { 5, 0, 0, 5, HV_RESTART_INTERVAL_DEFAULT },
    { HV_RESTART_LIMIT_MAX + 1, 60, -EINVAL, 0, 0 },
    { 10, HV_RESTART_INTERVAL_MAX + 1, -EINVAL, 0, 0 },
    { UINT32_MAX, UINT32_MAX, -EINVAL, 0, 0 },
};

static void check_limits_case(hvctl_t *h, const struct limits_case *c)
{
    struct xen_domctl_createdomain cd = { .max_vcpus = 1, .max_pages = 256, .init_pages = 256,
                                          .restart_limit = c->limit,
                                          .restart_interval_s = c->interval };
    snprintf(cd.name, sizeof(cd.name), "limits-%u-%u", c->limit, c->interval);
    uint32_t domid = 0;
    int rc = hvctl_domain_create(h, &cd, &domid);
    CHECK(rc == c->rc, "restart_limit %u, restart_interval_s %u: createdomain gave %d (%s), "
          "want %d", c->limit, c->interval, rc, strerror(-rc), c->rc);
    if (rc != 0)
        return;
    struct xen_domctl_getdomaininfo info;
    rc = hvctl_domain_getinfo(h, domid, &info);
    CHECK(rc == 0 && info.restart_limit == c->want_limit &&
          info.restart_interval_s == c->want_interval,
          "%s: getdomaininfo gave %d, restart limit %u in %u s, want %u in %u s", cd.name, rc,
          info.restart_limit, info.restart_interval_s, c->want_limit, c->want_interval);
    rc = hvctl_domain_destroy(h, domid);
    CHECK(rc == 0, "destroying %s gave %d", cd.name, rc);
}

static int run_limits(hvctl_t *h)
{
    for (size_t i = 0; i < sizeof(limits_cases) / sizeof(limits_cases[0]); i++)
        check_limits_case(h, &limits_cases[i]);
    return failures ? 1 : 0;
}

static int write_baseline(hvctl_t *h, int pid, const char *path)
{
    struct hvd_resources r;
    if (hvd_probe(h, pid, &r)) {
        printf("cannot probe hvd (pid %d)\n", pid);
        return 1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        printf("cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, "%" PRIu64 " %" PRIu64 " %u %u %u %" PRIu32 "\n", r.overhead_bytes,
            r.overhead_allocs, r.fds, r.threads, r.mappings, r.domains);
    return fclose(f) == 0 ? 0 : 1;
}

static int compare_baseline(hvctl_t *h, int pid, const char *path)
{
    struct hvd_resources base = { 0 };
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    int n = fscanf(f, "%" SCNu64 " %" SCNu64 " %u %u %u %" SCNu32, &base.overhead_bytes,
                   &base.overhead_allocs, &base.fds, &base.threads, &base.mappings,
                   &base.domains);
    fclose(f);
    if (n != 6) {
        printf("%s: not a baseline\n", path);
        return 1;
    }
    if (hvd_probe_settled(h, pid, "after the reboot loops", &base))
        return 1;
    printf("ok hvd is back to its baseline: %u fds, %u threads, %u mappings, "
           "%" PRIu64 " bytes in %" PRIu64 " allocations\n",
           base.fds, base.threads, base.mappings, base.overhead_bytes, base.overhead_allocs);
    return 0;
}

int main(int argc, char **argv)
{
    hvctl_t *h;
    bool limits = argc == 2 && !strcmp(argv[1], "limits");
    bool baseline = argc == 3 && !strcmp(argv[1], "baseline");
    bool compare = argc == 3 && !strcmp(argv[1], "compare");
    if (!limits && !baseline && !compare) {
        fprintf(stderr, "usage: iso_reboot_loop limits | baseline FILE | compare FILE\n");
        return 2;
    }
    int pid = hvd_pid_from_env();
    if ((!limits && pid <= 0) || hvctl_open(&h, NULL)) {
        fprintf(stderr, "iso_reboot_loop: needs HVD_PID and a running hvd at HVD_SOCKET\n");
        return 2;
    }
    int rc = limits ? run_limits(h) : baseline ? write_baseline(h, pid, argv[2])
                                               : compare_baseline(h, pid, argv[2]);
    hvctl_close(h);
    return rc;
}
