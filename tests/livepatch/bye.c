/* A live patch: XENVER_extraversion reads "-bye" (REPLACE's payload in payloads.sh). */
#include <hvpatch.h>
#include "extraversion.h"

long bye_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long bye_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    return put_extraversion(v, arg, "-bye");
}
HVPATCH_REPLACE(xen_version_extraversion, bye_xen_version_extraversion);
