/* hvcli mem-set: set a domain's balloon target, and optionally wait until
 * the guest has reached it. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hvcli.h"

#define WAIT_POLL_NS 100000000L /* getinfo every 100 ms while waiting */

struct mem_set_opts {
    bool wait;
    double timeout_s; /* 0: wait for ever */
    const char *dom;
    const char *size_arg;
    uint64_t target_pages;
};

/* MiB, a whole decimal number >= 1, into pages. */
static int parse_mib(const struct hvcli_ctx *ctx, const char *arg, uint64_t *pages)
{
    char *end;
    uint64_t mib;

    errno = 0;
    mib = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || mib == 0 ||
        mib > UINT64_MAX / XEN_PAGES_PER_MIB) {
        hvcli_err(ctx, "invalid memory size '%s': expected a whole number of MiB >= 1", arg);
        return -EINVAL;
    }
    *pages = mib * XEN_PAGES_PER_MIB;
    return 0;
}

enum { OPT_WAIT, OPT_TIMEOUT };

static const struct hvcli_opt mem_set_options[] = {
    [OPT_WAIT] = { "wait", 'w', NULL, "wait until the domain holds exactly MiB" },
    [OPT_TIMEOUT] = { "timeout", 't', "SECS", "with -w, give up after SECS seconds (implies -w)" },
    { NULL, 0, NULL, NULL },
};

/* The options' and operands' values.  Returns 0 or -EINVAL (reported). */
static int read_mem_set_args(const struct hvcli_ctx *ctx, const struct hvcli_args *args,
                             struct mem_set_opts *o)
{
    const char *timeout = args->value[OPT_TIMEOUT];

    o->wait = args->value[OPT_WAIT] || timeout;
    if (timeout && hvcli_parse_timeout(ctx, timeout, &o->timeout_s) < 0)
        return -EINVAL;
    o->dom = args->operands[0];
    o->size_arg = args->operands[1];
    return parse_mib(ctx, o->size_arg, &o->target_pages);
}

/* On a terminal, one line "DOM: N MiB, target M MiB" rewritten in place. */
struct progress {
    bool tty;
    bool shown; /* a line is open */
};

static void progress_show(struct progress *p, const struct mem_set_opts *o, uint64_t tot_pages)
{
    if (!p->tty)
        return;
    fprintf(stderr, "\r%s: %" PRIu64 " MiB, target %" PRIu64 " MiB  ", o->dom,
            tot_pages / XEN_PAGES_PER_MIB, o->target_pages / XEN_PAGES_PER_MIB);
    p->shown = true;
}

static void progress_end(struct progress *p)
{
    if (p->shown)
        fputc('\n', stderr);
    p->shown = false;
}

/* Look at the domain once: 0 done, -EAGAIN not yet, else the error
 * (reported).  uuid tells it apart from a new domain with the same domid. */
static int check_target(const struct hvcli_ctx *ctx, hvctl_t *h, uint32_t domid,
                        const uint8_t uuid[16], const struct mem_set_opts *o, struct progress *p,
                        uint64_t *tot_pages)
{
    struct xen_domctl_getdomaininfo info;
    int rc = hvctl_domain_getinfo(h, domid, &info);

    if (rc == 0 && memcmp(info.handle, uuid, 16) != 0)
        rc = -ESRCH;
    if (rc < 0) {
        progress_end(p);
        if (rc == -ESRCH)
            hvcli_err(ctx, "domain '%s' went away while waiting", o->dom);
        else
            hvcli_err(ctx, "cannot query domain '%s' while waiting: %s", o->dom, strerror(-rc));
        return rc;
    }
    *tot_pages = info.tot_pages;
    progress_show(p, o, info.tot_pages);
    return info.tot_pages == o->target_pages ? 0 : -EAGAIN;
}

/* Poll until the domain holds exactly the target, is gone, or time is up. */
static int wait_for_target(const struct hvcli_ctx *ctx, hvctl_t *h, uint32_t domid,
                           const uint8_t uuid[16], const struct mem_set_opts *o)
{
    const struct timespec poll_interval = { .tv_sec = 0, .tv_nsec = WAIT_POLL_NS };
    double deadline = hvcli_monotonic_s() + o->timeout_s;
    struct progress p = { .tty = isatty(STDERR_FILENO), .shown = false };
    uint64_t tot_pages = 0;
    int rc;

    while ((rc = check_target(ctx, h, domid, uuid, o, &p, &tot_pages)) == -EAGAIN) {
        if (o->timeout_s > 0 && hvcli_monotonic_s() >= deadline) {
            progress_end(&p);
            hvcli_err(ctx,
                      "domain '%s' did not reach %s MiB within %g s (it holds %" PRIu64 " MiB)",
                      o->dom, o->size_arg, o->timeout_s, tot_pages / XEN_PAGES_PER_MIB);
            return -ETIMEDOUT;
        }
        nanosleep(&poll_interval, NULL);
    }
    if (rc == 0)
        progress_end(&p);
    return rc;
}

static void report_set_target_error(const struct hvcli_ctx *ctx, const struct mem_set_opts *o,
                                    const struct xen_domctl_getdomaininfo *info, int rc)
{
    if (rc == -ESRCH)
        hvcli_err(ctx, "unknown domain '%s'", o->dom);
    else if (rc == -EINVAL && o->target_pages > info->max_pages)
        hvcli_err(ctx, "%s MiB is above the maximum of domain '%s' (%" PRIu64 " MiB)", o->size_arg,
                  o->dom, info->max_pages / XEN_PAGES_PER_MIB);
    else
        hvcli_err(ctx, "cannot set the memory target of domain '%s': %s", o->dom, strerror(-rc));
}

static int set_memory_target(const struct hvcli_ctx *ctx, hvctl_t *h, const void *arg)
{
    const struct mem_set_opts *o = arg;
    struct xen_domctl_getdomaininfo info;
    uint32_t domid;
    int rc = hvcli_lookup_info(ctx, h, o->dom, &domid, &info);

    if (rc < 0)
        return rc;
    rc = hvctl_domain_set_target(h, domid, o->target_pages);
    if (rc < 0) {
        report_set_target_error(ctx, o, &info, rc);
        return rc;
    }
    return o->wait ? wait_for_target(ctx, h, domid, info.handle, o) : 0;
}

static int exec_mem_set(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct mem_set_opts o = { .wait = false, .timeout_s = 0 };

    if (read_mem_set_args(ctx, args, &o) < 0)
        return HVCLI_EXIT_USAGE;
    return hvcli_run(ctx, set_memory_target, &o);
}

const struct hvcli_verb hvcli_verb_mem_set = {
    .name = "mem-set",
    .summary = "set the memory a domain should hold (its balloon target)",
    .opts = mem_set_options,
    .operands = "DOM MiB",
    .min_operands = 2,
    .max_operands = 2,
    .details = "The guest reads the target with HVMOP_get_param(HVM_PARAM_BALLOON_TARGET)\n"
               "and gives memory back, or takes more, with memory_op.  hvd enforces only\n"
               "the domain's maximum (maxmem): a guest that ignores the target keeps\n"
               "what it holds.  MiB is 1 up to the domain's maximum.\n",
    .exec = exec_mem_set,
};
