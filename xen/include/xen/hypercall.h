/* hvd internal: hypercall dispatch and the handlers the dispatcher calls. */
#ifndef HV_XEN_HYPERCALL_H
#define HV_XEN_HYPERCALL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/*
 * Set by a handler that stopped early because its vCPU must stop (it was
 * kicked for a pause, destroy, shutdown or event): the guest's hypercall
 * instruction is to be executed again, with its first argument replaced
 * by arg0, when the vCPU next runs (run.c).  The handler's result is what
 * the guest sees only if the instruction cannot be found again.
 */
struct hypercall_continuation {
    bool pending;
    uint64_t arg0;
};

struct hypercall_args {
    uint64_t nr;
    uint64_t a[5]; /* rdi, rsi, rdx, r10, r8; compat: ebx, ecx, edx, esi, edi */
    bool compat;   /* a 32-bit guest: results must fit in int32 */
    struct hypercall_continuation *cont; /* out: filled by a preempted handler */
};

/* hvd's own command line, space-separated (setup.c). */
const char *hvd_command_line(void);

/* Dispatch one hypercall made by v; returns the value for the guest's rax. */
long hypercall_dispatch(struct vcpu *v, const struct hypercall_args *args);

/* Whether a long hypercall should stop and leave a continuation: v was
 * kicked, or its domain is paused or dying. */
bool hypercall_preempt_check(struct vcpu *v);

long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg);                /* version.c */
long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf); /* console.c */
long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg);                   /* sched.c */

#endif
