/*
 * Apply and revert hooks, which replace hvd's own writing of the jumps:
 * they only log, so the extraversion patch named here is never written
 * and the guest keeps reading "-hv" while the payload is applied.
 */
#include <stdint.h>
#include <hvpatch.h>
#include <xen/lib.h>

struct vcpu;
long action_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long action_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    (void)v, (void)arg;
    return -1;
}
HVPATCH_REPLACE(xen_version_extraversion, action_xen_version_extraversion);

static int own_apply(void)
{
    printk("livepatch-test: apply hook");
    return 0;
}
static int own_revert(void)
{
    printk("livepatch-test: revert hook");
    return 0;
}
HVPATCH_APPLY_HOOK(own_apply);
HVPATCH_REVERT_HOOK(own_revert);
