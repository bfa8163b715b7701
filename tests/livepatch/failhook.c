/* A pre-apply hook that fails (-EIO): nothing of this payload is applied. */
#include <hvpatch.h>
#include "extraversion.h"

long failhook_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long failhook_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    return put_extraversion(v, arg, "-failhook");
}
HVPATCH_REPLACE(xen_version_extraversion, failhook_xen_version_extraversion);

static int refuse(void)
{
    return -5; /* -EIO */
}
HVPATCH_PREAPPLY_HOOK(refuse);
