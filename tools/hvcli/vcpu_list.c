/* hvcli vcpu-list: every vCPU of every domain (or of the ones named), as
 * a table like xl's, or as JSON with -l. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvcli.h"

/* A growable array of table rows. */
struct row_array {
    struct hvcfg_vcpu_row *v;
    size_t count, cap;
};

/* Append a row for each vCPU of domain d.  -ESRCH: d went away meanwhile. */
static int collect_vcpus(hvctl_t *h, const struct xen_domctl_getdomaininfo *d, struct row_array *a)
{
    struct hvcfg_vcpu_row *v = hvcli_reserve(a->v, &a->cap, a->count, d->max_vcpus, sizeof(*v));
    int rc = v ? 0 : -ENOMEM;

    if (v)
        a->v = v;

    for (uint32_t i = 0; rc == 0 && i < d->max_vcpus; i++) {
        struct hvcfg_vcpu_row *r = &a->v[a->count];

        rc = hvctl_vcpu_getinfo(h, d->domain, i, &r->vcpu);
        r->dom = *d;
        r->vcpu.vcpu = i;
        if (rc == 0)
            a->count++;
    }
    return rc;
}

/* A row per vCPU of each domain; a domain destroyed meanwhile is left out. */
static int collect_rows(const struct hvcli_ctx *ctx, hvctl_t *h, const struct hvcli_domains *doms,
                        struct row_array *a)
{
    for (size_t i = 0; i < doms->count; i++) {
        size_t before = a->count;
        int rc = collect_vcpus(h, &doms->v[i], a);

        if (rc == -ESRCH) {
            a->count = before;
            continue;
        }
        if (rc < 0) {
            hvcli_err(ctx, "cannot query the vCPUs of domain %u: %s",
                      (unsigned int)doms->v[i].domain, strerror(-rc));
            return rc;
        }
    }
    return 0;
}

/* One letter: '-' down, 'p' its domain is paused, 'b' blocked, 'r' running
 * (or about to run: an online vCPU that is not blocked). */
static char vcpu_state(const struct hvcfg_vcpu_row *r)
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
        const struct hvcfg_vcpu_row *r = &a->v[i];

        printf("%-32.*s %5u %5u %5c %10.1f\n", (int)sizeof(r->dom.name), r->dom.name,
               (unsigned int)r->dom.domain, r->vcpu.vcpu, vcpu_state(r),
               (double)r->vcpu.cpu_time_ns / 1e9);
    }
}

enum { OPT_LONG };

static const struct hvcli_opt vcpu_list_options[] = {
    [OPT_LONG] = { "long", 'l', NULL, "print a JSON array, one object per vCPU" },
    { NULL, 0, NULL, NULL },
};

static int exec_vcpu_list(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct row_array a = { .v = NULL, .count = 0, .cap = 0 };
    struct hvcli_domains doms = { .v = NULL, .count = 0, .cap = 0 };
    hvctl_t *h;
    int rc;

    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvcli_collect_domains(ctx, h, args->operands, args->count, &doms);
    if (rc == 0)
        rc = collect_rows(ctx, h, &doms, &a);
    hvctl_close(h);
    free(doms.v);
    if (rc == 0 && args->value[OPT_LONG]) {
        char *out;
        int made = hvcfg_json_vcpus(a.v, a.count, &out);

        rc = hvcli_put_json(ctx, made, out);
    } else if (rc == 0) {
        print_table(&a);
    }
    free(a.v);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_vcpu_list = {
    .name = "vcpu-list",
    .summary = "list the vCPUs of domains (all, or the ones named)",
    .opts = vcpu_list_options,
    .operands = "[DOM...]",
    .min_operands = 0,
    .max_operands = -1,
    .details = "The table shows Name, ID, VCPU, State and Time(s) (CPU time of that vCPU).\n"
               "State: r running, b blocked (waiting for an event), p its domain is\n"
               "paused, - the vCPU is down.\n",
    .exec = exec_vcpu_list,
};
