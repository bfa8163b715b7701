/*
 * Several vCPUs: which one is running, and bringing up a secondary one
 * with VCPUOP_initialise + VCPUOP_up on a stack of its own.
 */
#ifndef XTF_VCPU_H
#define XTF_VCPU_H

#include <hv/public/domctl.h>
#include <hv/public/vcpu.h>

/* vCPUs the framework has stacks and per-vCPU clocks for. */
#define VCPU_MAX 4u

/* The id of the calling vCPU (0 for the boot vCPU). */
unsigned int vcpu_self(void);

/*
 * Give down vCPU id (1..VCPU_MAX-1) a 64-bit context: the boot vCPU's
 * control registers, GDT, IDT and segments, interrupts off, its own stack,
 * starting in fn(id).  If fn returns, the vCPU takes itself down.
 * Returns hvd's VCPUOP_initialise result, or -XEN_EINVAL for an id the
 * framework has no stack for.
 */
long vcpu_initialise(unsigned int id, void (*fn)(unsigned int id));
/* The context vcpu_initialise() gives, built in *c: 0, or -XEN_EINVAL. */
long vcpu_context(struct hv_vcpu_context *c, unsigned int id, void (*fn)(unsigned int id));

long vcpu_up(unsigned int id);
long vcpu_down(unsigned int id);
long vcpu_is_up(unsigned int id);
long vcpu_runstate(unsigned int id, struct vcpu_runstate_info *info);

#endif
