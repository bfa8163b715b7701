/* hvcli destroy: end a domain at once and free everything it holds. */
#include "hvcli.h"

static int exec_destroy(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    return hvcli_run_domain_op(ctx, args, hvctl_domain_destroy, "destroy");
}

const struct hvcli_verb hvcli_verb_destroy = {
    .name = "destroy",
    .summary = "destroy a domain at once (the guest is not asked)",
    .operands = "DOM",
    .min_operands = 1,
    .max_operands = 1,
    .exec = exec_destroy,
};
