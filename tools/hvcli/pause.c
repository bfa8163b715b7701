/* hvcli pause / unpause: stop and restart a domain's vCPUs. */
#include "hvcli.h"

static int run_pause(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    return hvcli_run_domain_op(ctx, argc, argv, hvctl_domain_pause, "pause");
}

static int run_unpause(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    return hvcli_run_domain_op(ctx, argc, argv, hvctl_domain_unpause, "unpause");
}

const struct hvcli_verb hvcli_verb_pause = {
    .name = "pause",
    .synopsis = "pause DOM",
    .summary = "pause all of a domain's vCPUs",
    .help = "Options:\n"
            "  -h, --help  show this help\n",
    .run = run_pause,
};

const struct hvcli_verb hvcli_verb_unpause = {
    .name = "unpause",
    .synopsis = "unpause DOM",
    .summary = "let a paused domain run again (also starts one created with -p)",
    .help = "Options:\n"
            "  -h, --help  show this help\n",
    .run = run_unpause,
};
