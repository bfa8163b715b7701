/* hvcli list: show domains as a table, or as JSON with -l. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/public/sched.h>
#include "hvcli.h"

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

static void print_table(const struct hvcli_domains *a)
{
    printf("%-32s %5s %9s %5s %6s %10s\n", "Name", "ID", "Mem(MiB)", "VCPUs", "State", "Time(s)");
    for (size_t i = 0; i < a->count; i++) {
        const struct xen_domctl_getdomaininfo *d = &a->v[i];
        char state[7];

        format_state(d, state);
        printf("%-32.*s %5u %9llu %5u %6s %10.1f\n", (int)sizeof(d->name), d->name,
               (unsigned int)d->domain, (unsigned long long)(d->tot_pages / XEN_PAGES_PER_MIB),
               d->nr_online_vcpus, state, (double)d->cpu_time_ns / 1e9);
    }
}

enum { OPT_LONG };

static const struct hvcli_opt list_options[] = {
    [OPT_LONG] = { "long", 'l', NULL, "print a JSON array with every field of each domain" },
    { NULL, 0, NULL, NULL },
};

static int exec_list(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct hvcli_domains a = { .v = NULL, .count = 0, .cap = 0 };
    hvctl_t *h;
    int rc;

    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvcli_collect_domains(ctx, h, args->operands, args->count, &a);
    hvctl_close(h);
    if (rc == 0 && args->value[OPT_LONG]) {
        char *out;
        int made = hvcfg_json_domains(a.v, a.count, &out);

        rc = hvcli_put_json(ctx, made, out);
    } else if (rc == 0) {
        print_table(&a);
    }
    free(a.v);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_list = {
    .name = "list",
    .summary = "list domains (all, or the ones named)",
    .opts = list_options,
    .operands = "[DOM...]",
    .min_operands = 0,
    .max_operands = -1,
    .details = "The table shows Name, ID, Mem(MiB), VCPUs (online), State and Time(s)\n"
               "(CPU time).  State letters, '-' when not set: r running, b blocked,\n"
               "p paused, s shut down, c crashed, d dying.\n",
    .exec = exec_list,
};
