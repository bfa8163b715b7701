/* hvcli vcpu-list: every vCPU of every domain (or of the ones named), as
 * a table like xl's, or as JSON with -l. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvcli.h"

#define LIST_PAGE 64u /* domains per getdomaininfolist request */

/* A growable array of table rows. */
struct row_array {
    struct hvcli_vcpu_row *v;
    size_t count, cap;
};

static int row_array_reserve(struct row_array *a, size_t more)
{
    struct hvcli_vcpu_row *v;

    if (a->cap - a->count >= more)
        return 0;
    v = realloc(a->v, (a->count + more) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    a->v = v;
    a->cap = a->count + more;
    return 0;
}

/* Append a row for each vCPU of domain d.  -ESRCH: d went away meanwhile. */
static int collect_vcpus(hvctl_t *h, const struct xen_domctl_getdomaininfo *d,
                         struct row_array *a)
{
    int rc = row_array_reserve(a, d->max_vcpus);

    for (uint32_t i = 0; rc == 0 && i < d->max_vcpus; i++) {
        struct hvcli_vcpu_row *r = &a->v[a->count];

        rc = hvctl_vcpu_getinfo(h, d->domain, i, &r->vcpu);
        r->dom = *d;
        r->vcpu.vcpu = i;
        if (rc == 0)
            a->count++;
    }
    return rc;
}

/* Every domain; one destroyed while we look is left out. */
static int collect_all(const struct hvcli_ctx *ctx, hvctl_t *h, struct row_array *a)
{
    struct xen_domctl_getdomaininfo info[LIST_PAGE];
    uint32_t first = 0;
    int n;

    do {
        n = hvctl_domain_list(h, first, info, LIST_PAGE);
        if (n < 0) {
            hvcli_err(ctx, "cannot list domains: %s", strerror(-n));
            return n;
        }
        for (int i = 0; i < n; i++) {
            size_t before = a->count;
            int rc = collect_vcpus(h, &info[i], a);

            if (rc == -ESRCH) {
                a->count = before;
                continue;
            }
            if (rc < 0) {
                hvcli_err(ctx, "cannot query the vCPUs of domain %u: %s",
                          (unsigned int)info[i].domain, strerror(-rc));
                return rc;
            }
        }
        if (n > 0)
            first = info[n - 1].domain + 1u;
    } while ((unsigned int)n == LIST_PAGE);
    return 0;
}

/* The domains named on the command line, in that order. */
static int collect_named(const struct hvcli_ctx *ctx, hvctl_t *h, char **doms, int count,
                         struct row_array *a)
{
    for (int i = 0; i < count; i++) {
        struct xen_domctl_getdomaininfo d;
        uint32_t domid;
        int rc = hvcli_lookup(ctx, h, doms[i], &domid);

        if (rc < 0)
            return rc;
        rc = hvctl_domain_getinfo(h, domid, &d);
        if (rc == 0)
            rc = collect_vcpus(h, &d, a);
        if (rc == -ESRCH) /* destroyed since the lookup */
            hvcli_err(ctx, "unknown domain '%s'", doms[i]);
        else if (rc < 0)
            hvcli_err(ctx, "cannot query the vCPUs of domain '%s': %s", doms[i],
                      strerror(-rc));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* One letter: '-' down, 'p' its domain is paused, 'b' blocked, 'r' running
 * (or about to run: an online vCPU that is not blocked). */
static char vcpu_state(const struct hvcli_vcpu_row *r)
{
    if (!r->vcpu.online)
        return '-';
    if (r->dom.flags & XEN_DOMINF_paused)
        return 'p';
    return r->vcpu.blocked ? 'b' : 'r';
}

static void print_table(const struct row_array *a)
{
    printf("%-32s %5s %5s %5s %10s\n", "Name", "ID", "VCPU", "State", "Time(s)");
    for (size_t i = 0; i < a->count; i++) {
        const struct hvcli_vcpu_row *r = &a->v[i];

        printf("%-32.*s %5u %5u %5c %10.1f\n", (int)sizeof(r->dom.name), r->dom.name,
               (unsigned int)r->dom.domain, r->vcpu.vcpu, vcpu_state(r),
               (double)r->vcpu.cpu_time_ns / 1e9);
    }
}

/* Parse the command line.  Returns -1 to go on, else the exit status. */
static int parse_vcpu_list_opts(const struct hvcli_ctx *ctx, int argc, char **argv, bool *json)
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

static int run_vcpu_list(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    struct row_array a = { .v = NULL, .count = 0, .cap = 0 };
    bool json = false;
    hvctl_t *h;
    int rc = parse_vcpu_list_opts(ctx, argc, argv, &json);

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
        rc = hvcli_json_vcpus(a.v, a.count);
        if (rc < 0)
            hvcli_err(ctx, "cannot write JSON: %s", strerror(-rc));
    } else if (rc == 0) {
        print_table(&a);
    }
    free(a.v);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_vcpu_list = {
    .name = "vcpu-list",
    .synopsis = "vcpu-list [-l] [DOM...]",
    .summary = "list the vCPUs of domains (all, or the ones named)",
    .help = "The table shows Name, ID, VCPU, State and Time(s) (CPU time of that vCPU).\n"
            "State: r running, b blocked (waiting for an event), p its domain is\n"
            "paused, - the vCPU is down.\n"
            "\n"
            "Options:\n"
            "  -l, --long  print a JSON array, one object per vCPU\n"
            "  -h, --help  show this help\n",
    .run = run_vcpu_list,
};
