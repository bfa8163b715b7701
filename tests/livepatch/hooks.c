/*
 * Every hook that runs on the main loop, each logging its name to hvd's
 * log ("livepatch-test: NAME hook"), around a patch of extraversion
 * ("-hooks").
 */
#include <hvpatch.h>
#include "extraversion.h"
#include <xen/lib.h>

long hooks_xen_version_extraversion(struct vcpu *v, uint64_t arg);

long hooks_xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    return put_extraversion(v, arg, "-hooks");
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
