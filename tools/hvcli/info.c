/* hvcli info: the host as hvd sees it, as JSON. */
#include <string.h>
#include "hvcli.h"

static int run_info(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xen_sysctl_physinfo pi;
    char *json;
    hvctl_t *h;
    int c, rc;

    while ((c = hvcli_getopt(ctx, argc, argv, ":h", longopts)) != -1) {
        if (c == 'h') {
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        }
        return HVCLI_EXIT_USAGE;
    }
    if (hvcli_check_operands(ctx, argc - optind, 0, 0) < 0)
        return HVCLI_EXIT_USAGE;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvctl_physinfo(h, &pi);
    hvctl_close(h);
    if (rc < 0) {
        hvcli_err(ctx, "cannot read host information: %s", strerror(-rc));
        return HVCLI_EXIT_FAILURE;
    }
    rc = hvcfg_json_physinfo(&pi, HVCLI_VERSION, hvcli_socket(ctx), &json);
    if (rc == 0)
        rc = hvcli_put_json(json);
    if (rc < 0) {
        hvcli_err(ctx, "cannot write JSON: %s", strerror(-rc));
        return HVCLI_EXIT_FAILURE;
    }
    return HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_info = {
    .name = "info",
    .synopsis = "info",
    .summary = "show the host: CPUs, domains, guest memory, versions (JSON)",
    .help = "Memory is the limit hvd keeps for all guests (hvd --max-memory) and what\n"
            "of it is free, in MiB and in 4 KiB pages.\n"
            "\n"
            "Options:\n"
            "  -h, --help  show this help\n",
    .run = run_info,
};
