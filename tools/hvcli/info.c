/* hvcli info: the host as hvd sees it, as JSON. */
#include <string.h>
#include "hvcli.h"

static int exec_info(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct xen_sysctl_physinfo pi;
    char *json;
    hvctl_t *h;
    int rc;

    (void)args;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvctl_physinfo(h, &pi);
    hvctl_close(h);
    if (rc < 0) {
        hvcli_err(ctx, "cannot read host information: %s", strerror(-rc));
        return HVCLI_EXIT_FAILURE;
    }
    rc = hvcfg_json_physinfo(&pi, HVCLI_VERSION, hvcli_socket(ctx), &json);
    return hvcli_put_json(ctx, rc, json) < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_info = {
    .name = "info",
    .summary = "show the host: CPUs, domains, guest memory, versions (JSON)",
    .details = "Memory is the limit hvd keeps for all guests (hvd --max-memory) and what\n"
               "of it is free, in MiB and in 4 KiB pages.\n",
    .exec = exec_info,
};
