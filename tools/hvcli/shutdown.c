/* hvcli shutdown: shut a domain down as if the guest had asked, and
 * optionally wait for it. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <hv/public/sched.h>
#include "hvcli.h"

#define WAIT_POLL_NS 100000000L /* getinfo every 100 ms while waiting */

struct shutdown_opts {
    bool wait;
    double timeout_s; /* 0: wait for ever */
    uint32_t reason;  /* SHUTDOWN_* */
    const char *dom;
};

enum { OPT_WAIT, OPT_TIMEOUT, OPT_REBOOT, OPT_CRASH };

static const struct hvcli_opt shutdown_options[] = {
    [OPT_WAIT] = { "wait", 'w', NULL, "wait until the domain is gone or shut down" },
    [OPT_TIMEOUT] = { "timeout", 't', "SECS", "with -w, give up after SECS seconds (implies -w)" },
    [OPT_REBOOT] = { "reboot", 'R', NULL, "shut down with reason reboot" },
    [OPT_CRASH] = { "crash", 'C', NULL, "shut down with reason crash" },
    { NULL, 0, NULL, NULL },
};

/* The options' values.  Returns 0 or -EINVAL (reported). */
static int read_shutdown_args(const struct hvcli_ctx *ctx, const struct hvcli_args *args,
                              struct shutdown_opts *o)
{
    const char *timeout = args->value[OPT_TIMEOUT];

    if (args->value[OPT_REBOOT] && args->value[OPT_CRASH]) {
        hvcli_err(ctx, "-R and -C exclude each other");
        return -EINVAL;
    }
    if (args->value[OPT_REBOOT])
        o->reason = SHUTDOWN_reboot;
    if (args->value[OPT_CRASH])
        o->reason = SHUTDOWN_crash;
    o->wait = args->value[OPT_WAIT] || timeout;
    if (timeout && hvcli_parse_timeout(ctx, timeout, &o->timeout_s) < 0)
        return -EINVAL;
    o->dom = args->operands[0];
    return 0;
}

/* The on_* action hvd takes for this shutdown reason. */
static uint8_t action_for(const struct xen_domctl_getdomaininfo *info, uint32_t reason)
{
    if (reason == SHUTDOWN_reboot)
        return info->on_reboot;
    if (reason == SHUTDOWN_crash)
        return info->on_crash;
    return info->on_poweroff;
}

/* Poll until the domain is gone (or its domid belongs to another domain)
 * or shows the shutdown flag. */
static int wait_for_shutdown(const struct hvcli_ctx *ctx, hvctl_t *h, uint32_t domid,
                             const uint8_t uuid[16], const struct shutdown_opts *o)
{
    const struct timespec poll_interval = { .tv_sec = 0, .tv_nsec = WAIT_POLL_NS };
    double deadline = hvcli_monotonic_s() + o->timeout_s;
    struct xen_domctl_getdomaininfo info;

    for (;;) {
        int rc = hvctl_domain_getinfo(h, domid, &info);

        if (rc == -ESRCH || (rc == 0 && memcmp(info.handle, uuid, 16) != 0))
            return 0;
        if (rc < 0) {
            hvcli_err(ctx, "cannot query domain '%s' while waiting: %s", o->dom, strerror(-rc));
            return rc;
        }
        if (info.flags & XEN_DOMINF_shutdown)
            return 0;
        if (o->timeout_s > 0 && hvcli_monotonic_s() >= deadline) {
            hvcli_err(ctx, "domain '%s' did not shut down within %g s", o->dom, o->timeout_s);
            return -ETIMEDOUT;
        }
        nanosleep(&poll_interval, NULL);
    }
}

static int shutdown_domain(const struct hvcli_ctx *ctx, hvctl_t *h, const void *arg)
{
    const struct shutdown_opts *o = arg;
    struct xen_domctl_getdomaininfo info;
    uint32_t domid;
    int rc = hvcli_lookup_info(ctx, h, o->dom, &domid, &info);

    if (rc < 0)
        return rc;
    rc = hvctl_domain_shutdown(h, domid, o->reason);
    if (rc < 0) {
        hvcli_err(ctx, "cannot shut down domain '%s': %s", o->dom, strerror(-rc));
        return rc;
    }
    /* With a restart action hvd boots the domain again in place, so the
     * shut-down state may never be seen: the accepted request is the end. */
    if (!o->wait || action_for(&info, o->reason) == HV_ACTION_restart)
        return 0;
    return wait_for_shutdown(ctx, h, domid, info.handle, o);
}

static int exec_shutdown(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct shutdown_opts o = { .wait = false, .timeout_s = 0, .reason = SHUTDOWN_poweroff };

    if (read_shutdown_args(ctx, args, &o) < 0)
        return HVCLI_EXIT_USAGE;
    return hvcli_run(ctx, shutdown_domain, &o);
}

const struct hvcli_verb hvcli_verb_shutdown = {
    .name = "shutdown",
    .summary = "shut a domain down (poweroff, reboot or crash)",
    .opts = shutdown_options,
    .operands = "DOM",
    .min_operands = 1,
    .max_operands = 1,
    .details = "hvd then takes the domain's on_poweroff, on_reboot or on_crash action.\n",
    .exec = exec_shutdown,
};
