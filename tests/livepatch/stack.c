/*
 * A live patch stacked on hello.livepatch (built with --depends): the
 * same function again, now "-stack"; reverting it brings back hello's.
 */
#include <hvpatch.h>
#include "extraversion.h"

long stack_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long stack_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    return put_extraversion(v, arg, "-stack");
}
HVPATCH_REPLACE(xen_version_extraversion, stack_xen_version_extraversion);
