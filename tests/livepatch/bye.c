/* A live patch: XENVER_extraversion reads "-bye" (REPLACE's payload in payloads.sh). */
#include <stdint.h>
#include <string.h>
#include <hvpatch.h>
#include <hv/public/version.h>
#include <xen/guest_access.h>

long bye_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long bye_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    struct xen_extraversion e;
    memset(&e, 0, sizeof(e));
    strcpy(e.extraversion, "-bye");
    return copy_to_guest(v, arg, &e, sizeof(e));
}
HVPATCH_REPLACE(xen_version_extraversion, bye_xen_version_extraversion);
