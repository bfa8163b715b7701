/*
 * Helper of iso_reboot_loop.sh (issue 8, item 7), talking to the hvd at
 * HVD_SOCKET:
 *   iso_reboot_loop limits          createdomain's restart_limit and
 *                                   restart_interval_s: out of range is
 *                                   -EINVAL, 0 takes the defaults and
 *                                   getdomaininfo reports what is in force
 * Exit status 0 when every check held.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "hvctl.h"

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

int main(int argc, char **argv)
{
    hvctl_t *h;
    if (argc != 2 || strcmp(argv[1], "limits")) {
        fprintf(stderr, "usage: iso_reboot_loop limits\n");
        return 2;
    }
    if (hvctl_open(&h, NULL)) {
        fprintf(stderr, "iso_reboot_loop: needs a running hvd at HVD_SOCKET\n");
        return 2;
    }
    int rc = run_limits(h);
    hvctl_close(h);
    return rc;
}
