/*
 * Every hook that runs on the main loop, each logging its name to hvd's
 * log ("livepatch-test: NAME hook"), around a patch of extraversion
 * ("-hooks").
 */
#include <stdint.h>
#include <string.h>
#include <hvpatch.h>
#include <hv/public/version.h>
#include <xen/guest_access.h>
#include <xen/lib.h>

long hooks_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long hooks_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    struct xen_extraversion e;
    memset(&e, 0, sizeof(e));
    strcpy(e.extraversion, "-hooks");
    return copy_to_guest(v, arg, &e, sizeof(e));
}
HVPATCH_REPLACE(xen_version_extraversion, hooks_xen_version_extraversion);

static void on_load(void)
{
    printk("livepatch-test: load hook");
}
static void on_unload(void)
{
    printk("livepatch-test: unload hook");
}
static int before_apply(void)
{
    printk("livepatch-test: preapply hook");
    return 0;
}
static void after_apply(void)
{
    printk("livepatch-test: postapply hook");
}
static int before_revert(void)
{
    printk("livepatch-test: prerevert hook");
    return 0;
}
static void after_revert(void)
{
    printk("livepatch-test: postrevert hook");
}
HVPATCH_LOAD_HOOK(on_load);
HVPATCH_UNLOAD_HOOK(on_unload);
HVPATCH_PREAPPLY_HOOK(before_apply);
HVPATCH_POSTAPPLY_HOOK(after_apply);
HVPATCH_PREREVERT_HOOK(before_revert);
HVPATCH_POSTREVERT_HOOK(after_revert);
