/* A pre-apply hook that fails (-EIO): nothing of this payload is applied. */
#include <stdint.h>
#include <string.h>
#include <hvpatch.h>
#include <hv/public/version.h>
#include <xen/guest_access.h>

long failhook_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long failhook_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    struct xen_extraversion e;
    memset(&e, 0, sizeof(e));
    strcpy(e.extraversion, "-failhook");
    return copy_to_guest(v, arg, &e, sizeof(e));
}
HVPATCH_REPLACE(xen_version_extraversion, failhook_xen_version_extraversion);

static int refuse(void)
{
    return -5; /* -EIO */
}
HVPATCH_PREAPPLY_HOOK(refuse);
