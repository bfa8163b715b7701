/*
 * A live patch stacked on hello.livepatch (built with --depends): the
 * same function again, now "-stack"; reverting it brings back hello's.
 */
#include <stdint.h>
#include <string.h>
#include <hvpatch.h>
#include <hv/public/version.h>
#include <xen/guest_access.h>

long stack_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long stack_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    struct xen_extraversion e;
    memset(&e, 0, sizeof(e));
    strcpy(e.extraversion, "-stack");
    return copy_to_guest(v, arg, &e, sizeof(e));
}
HVPATCH_REPLACE(xen_version_extraversion, stack_xen_version_extraversion);
