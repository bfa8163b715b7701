/*
 * For the C file of a live patch (docs/livepatch.md, patchtool(1)).
 *
 * The file defines each replacement function, not static, under a name of
 * its own, and names the hvd function it replaces:
 *
 *     #include <hvpatch.h>
 *     long fixed_do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg) { ... }
 *     HVPATCH_REPLACE(do_xen_version, fixed_do_xen_version);
 *
 * `patchtool build` reads these records from the compiled object, looks
 * the old functions up in hvd's binary and writes .livepatch.funcs, with
 * each old function's size and first octets, and the build-id notes.
 */
#ifndef HVPATCH_H
#define HVPATCH_H

/* Records for patchtool, in a section hvd never loads: "old new". */
#define HVPATCH_RECORD_(section, text)                                                             \
    __asm__(".pushsection " section ",\"\",@progbits\n\t.asciz \"" text "\"\n\t.popsection")

/* Replace hvd's function old with this file's function new. */
#define HVPATCH_REPLACE(old, new) HVPATCH_RECORD_(".hvpatch.replace", #old " " #new)

/* Overwrite the first n octets (1..31) of hvd's function old with NOPs. */
#define HVPATCH_NOP(old, n) HVPATCH_RECORD_(".hvpatch.nop", #old " " #n)

/* Hooks (docs/livepatch.md, "Sections"): fn is a function of this file. */
#define HVPATCH_HOOK_(kind, fn, ret)                                                               \
    static ret (*const hvpatch_hook_##kind##_##fn)(void)                                           \
        __attribute__((section(".livepatch.hooks." #kind), used)) = fn
/* void fn(void) */
#define HVPATCH_LOAD_HOOK(fn)       HVPATCH_HOOK_(load, fn, void)
#define HVPATCH_UNLOAD_HOOK(fn)     HVPATCH_HOOK_(unload, fn, void)
#define HVPATCH_POSTAPPLY_HOOK(fn)  HVPATCH_HOOK_(postapply, fn, void)
#define HVPATCH_POSTREVERT_HOOK(fn) HVPATCH_HOOK_(postrevert, fn, void)
/* int fn(void): a negative errno stops the action */
#define HVPATCH_PREAPPLY_HOOK(fn)  HVPATCH_HOOK_(preapply, fn, int)
#define HVPATCH_PREREVERT_HOOK(fn) HVPATCH_HOOK_(prerevert, fn, int)
/* int fn(void), at most one each: replaces hvd's own writing (or undoing)
 * of the jumps, in the rendezvous */
#define HVPATCH_APPLY_HOOK(fn)  HVPATCH_HOOK_(apply, fn, int)
#define HVPATCH_REVERT_HOOK(fn) HVPATCH_HOOK_(revert, fn, int)

#endif
