/* hvcli pause / unpause: stop and restart a domain's vCPUs. */
#include "hvcli.h"

static int exec_pause(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    return hvcli_run_domain_op(ctx, args, hvctl_domain_pause, "pause");
}

static int exec_unpause(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    return hvcli_run_domain_op(ctx, args, hvctl_domain_unpause, "unpause");
}

const struct hvcli_verb hvcli_verb_pause = {
    .name = "pause",
    .summary = "pause all of a domain's vCPUs",
    .operands = "DOM",
    .min_operands = 1,
    .max_operands = 1,
    .exec = exec_pause,
};

const struct hvcli_verb hvcli_verb_unpause = {
    .name = "unpause",
    .summary = "let a paused domain run again (also starts one created with -p)",
    .operands = "DOM",
    .min_operands = 1,
    .max_operands = 1,
    .exec = exec_unpause,
};
