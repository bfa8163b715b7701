/* hvcli list: show domains as a table, or as JSON with -l. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/public/sched.h>
#include "hvcli.h"

#define PAGES_PER_MIB 256u /* 4 KiB pages */

/* A growable array of domain info entries. */
struct info_array {
    struct xen_domctl_getdomaininfo *v;
    size_t count, cap;
};

static int info_array_reserve(struct info_array *a, size_t more)
{
    struct xen_domctl_getdomaininfo *v;

    if (a->cap - a->count >= more)
        return 0;
    v = realloc(a->v, (a->count + more) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    a->v = v;
    a->cap = a->count + more;
    return 0;
}

/* Every domain, HV_DOMAININFOLIST_MAX per request, so none is dropped. */
static int collect_all(const struct hvcli_ctx *ctx, hvctl_t *h, struct info_array *a)
{
    uint32_t first = 0;

    for (;;) {
        int n, rc = info_array_reserve(a, HV_DOMAININFOLIST_MAX);

        if (rc < 0) {
            hvcli_err(ctx, "%s", strerror(-rc));
            return rc;
        }
        n = hvctl_domain_list(h, first, a->v + a->count, HV_DOMAININFOLIST_MAX);
        if (n < 0) {
            hvcli_err(ctx, "cannot list domains: %s", strerror(-n));
            return n;
        }
        a->count += (size_t)n;
        if ((unsigned int)n < HV_DOMAININFOLIST_MAX)
            return 0;
        first = (uint32_t)a->v[a->count - 1].domain + 1;
    }
}

/* The domains named on the command line, in that order. */
static int collect_named(const struct hvcli_ctx *ctx, hvctl_t *h, char **doms, int count,
                         struct info_array *a)
{
    int rc = info_array_reserve(a, (size_t)count);

    if (rc < 0) {
        hvcli_err(ctx, "%s", strerror(-rc));
        return rc;
    }
    for (int i = 0; i < count; i++) {
        uint32_t domid;

        rc = hvcli_lookup(ctx, h, doms[i], &domid);
        if (rc < 0)
            return rc;
        rc = hvctl_domain_getinfo(h, domid, &a->v[a->count]);
        if (rc == -ESRCH) /* destroyed since the lookup */
            hvcli_err(ctx, "unknown domain '%s'", doms[i]);
        else if (rc < 0)
            hvcli_err(ctx, "cannot query domain '%s': %s", doms[i], strerror(-rc));
        if (rc < 0)
            return rc;
        a->count++;
    }
    return 0;
}

/* xl's state column: r b p s c d, '-' for each flag not set. */
static void format_state(const struct xen_domctl_getdomaininfo *d, char state[7])
{
    bool shut = d->flags & XEN_DOMINF_shutdown;
    bool crashed = shut && d->shutdown_reason == SHUTDOWN_crash;

    state[0] = d->flags & XEN_DOMINF_running ? 'r' : '-';
    state[1] = d->flags & XEN_DOMINF_blocked ? 'b' : '-';
    state[2] = d->flags & XEN_DOMINF_paused ? 'p' : '-';
    state[3] = shut && !crashed ? 's' : '-';
    state[4] = crashed ? 'c' : '-';
    state[5] = d->flags & XEN_DOMINF_dying ? 'd' : '-';
    state[6] = '\0';
}

static void print_table(const struct info_array *a)
{
    printf("%-32s %5s %9s %5s %6s %10s\n", "Name", "ID", "Mem(MiB)", "VCPUs", "State",
           "Time(s)");
    for (size_t i = 0; i < a->count; i++) {
        const struct xen_domctl_getdomaininfo *d = &a->v[i];
        char state[7];

        format_state(d, state);
        printf("%-32.*s %5u %9llu %5u %6s %10.1f\n", (int)sizeof(d->name), d->name,
               (unsigned int)d->domain, (unsigned long long)(d->tot_pages / PAGES_PER_MIB),
               d->nr_online_vcpus, state, (double)d->cpu_time_ns / 1e9);
    }
}

/* Parse the command line.  Returns -1 to go on, else the exit status. */
static int parse_list_opts(const struct hvcli_ctx *ctx, int argc, char **argv, bool *json)
{
    static const struct option longopts[] = {
        { "long", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = hvcli_getopt(ctx, argc, argv, ":lh", longopts)) != -1) {
        switch (c) {
        case 'l': *json = true; break;
        case 'h':
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        default:
            return HVCLI_EXIT_USAGE;
        }
    }
    return -1;
}

static int run_list(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    struct info_array a = { .v = NULL, .count = 0, .cap = 0 };
    bool json = false;
    hvctl_t *h;
    int rc = parse_list_opts(ctx, argc, argv, &json);

    if (rc >= 0)
        return rc;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    if (optind < argc)
        rc = collect_named(ctx, h, argv + optind, argc - optind, &a);
    else
        rc = collect_all(ctx, h, &a);
    hvctl_close(h);
    if (rc == 0 && json) {
        rc = hvcli_json_domains(a.v, a.count);
        if (rc < 0)
            hvcli_err(ctx, "cannot write JSON: %s", strerror(-rc));
    } else if (rc == 0) {
        print_table(&a);
    }
    free(a.v);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_list = {
    .name = "list",
    .synopsis = "list [-l] [DOM...]",
    .summary = "list domains (all, or the ones named)",
    .help = "The table shows Name, ID, Mem(MiB), VCPUs (online), State and Time(s)\n"
            "(CPU time).  State letters, '-' when not set: r running, b blocked,\n"
            "p paused, s shut down, c crashed, d dying.\n"
            "\n"
            "Options:\n"
            "  -l, --long  print a JSON array with every field of each domain\n"
            "  -h, --help  show this help\n",
    .run = run_list,
};
