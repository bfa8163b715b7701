/*
 * A live patch: guests asking XENVER_extraversion read "-hello" instead
 * of "-hv".  Built by `patchtool build` against the built hvd.
 */
#include <stdint.h>
#include <string.h>
#include <hvpatch.h>
#include <hv/public/version.h>
#include <xen/guest_access.h>

long hello_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long hello_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    struct xen_extraversion e;
    memset(&e, 0, sizeof(e));
    strcpy(e.extraversion, "-hello");
    return copy_to_guest(v, arg, &e, sizeof(e));
}
HVPATCH_REPLACE(xen_version_extraversion, hello_xen_version_extraversion);
