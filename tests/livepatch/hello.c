/*
 * A live patch: guests asking XENVER_extraversion read "-hello" instead
 * of "-hv".  Built by `patchtool build` against the built hvd.
 */
#include <hvpatch.h>
#include "extraversion.h"

long hello_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long hello_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    return put_extraversion(v, arg, "-hello");
}
HVPATCH_REPLACE(xen_version_extraversion, hello_xen_version_extraversion);
