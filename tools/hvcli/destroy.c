/* hvcli destroy: end a domain at once and free everything it holds. */
#include "hvcli.h"

static int run_destroy(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    return hvcli_run_domain_op(ctx, argc, argv, hvctl_domain_destroy, "destroy");
}

const struct hvcli_verb hvcli_verb_destroy = {
    .name = "destroy",
    .synopsis = "destroy DOM",
    .summary = "destroy a domain at once (the guest is not asked)",
    .help = "Options:\n"
            "  -h, --help  show this help\n",
    .run = run_destroy,
};
