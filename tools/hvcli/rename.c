/* hvcli rename: give a domain another name (xl rename). */
#include <errno.h>
#include <string.h>
#include <hv/public/names.h>
#include "hvcli.h"

static int rename_domain(const struct hvcli_ctx *ctx, hvctl_t *h, const void *arg)
{
    char *const *names = arg;
    uint32_t domid;
    int rc;

    if (hv_name_check(names[1], strlen(names[1])) != HV_NAME_OK) {
        hvcli_err(ctx,
                  "invalid domain name '%s': use up to %d of A-Z a-z 0-9 _ . -, "
                  "not all digits",
                  names[1], HV_NAME_MAX - 1);
        return -EINVAL;
    }
    if (hvcli_lookup(ctx, h, names[0], &domid) < 0)
        return -ESRCH;
    rc = hvctl_domain_rename(h, domid, names[1]);
    if (rc == -EEXIST)
        hvcli_err(ctx, "cannot rename domain '%s': another domain is called '%s'", names[0],
                  names[1]);
    else if (rc < 0)
        hvcli_err(ctx, "cannot rename domain '%s': %s", names[0], strerror(-rc));
    return rc;
}

static int exec_rename(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    return hvcli_run(ctx, rename_domain, args->operands);
}

const struct hvcli_verb hvcli_verb_rename = {
    .name = "rename",
    .summary = "give a domain another name",
    .operands = "DOM NEWNAME",
    .min_operands = 2,
    .max_operands = 2,
    .exec = exec_rename,
};
