/*
 * The hypercall dispatcher: one table from hypercall number to handler.
 * Each handler lives with its subsystem (version.c, console.c, sched.c,
 * memory.c, timer.c, vcpu.c, event_channel.c, hvm.c) and returns a long:
 * >= 0 success, -XEN_Exxx failure.
 */
#include <stdint.h>
#include <hv/public/xen.h>
#include <xen/event.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/sched.h>

typedef long (*hypercall_fn)(struct vcpu *v, const struct hypercall_args *a);

static long hc_xen_version(struct vcpu *v, const struct hypercall_args *a)
{
    return do_xen_version(v, a->a[0], a->a[1]);
}

static long hc_console_io(struct vcpu *v, const struct hypercall_args *a)
{
    return do_console_io(v, a->a[0], a->a[1], a->a[2]);
}

static long hc_sched_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_sched_op(v, a->a[0], a->a[1]);
}

static long hc_memory_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_memory_op(v, a->a[0], a->a[1], a->cont);
}

static long hc_set_timer_op(struct vcpu *v, const struct hypercall_args *a)
{
    /* A 32-bit guest passes the 64-bit timeout as ebx (low) and ecx (high). */
    return do_set_timer_op(v, a->compat ? a->a[0] | a->a[1] << 32 : a->a[0]);
}

static long hc_vcpu_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_vcpu_op(v, a->a[0], a->a[1], a->a[2]);
}

static long hc_event_channel_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_event_channel_op(v, a->a[0], a->a[1]);
}

static long hc_hvm_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_hvm_op(v, a->a[0], a->a[1]);
}

static const hypercall_fn hypercall_table[NR_hypercalls] = {
    [__HYPERVISOR_memory_op] = hc_memory_op,
    [__HYPERVISOR_set_timer_op] = hc_set_timer_op,
    [__HYPERVISOR_xen_version] = hc_xen_version,
    [__HYPERVISOR_console_io] = hc_console_io,
    [__HYPERVISOR_vcpu_op] = hc_vcpu_op,
    [__HYPERVISOR_sched_op] = hc_sched_op,
    [__HYPERVISOR_event_channel_op] = hc_event_channel_op,
    [__HYPERVISOR_hvm_op] = hc_hvm_op,
};

bool hypercall_preempt_check(struct vcpu *v)
{
    const struct domain *d = v->domain;
    return __atomic_load_n(&v->run->immediate_exit, __ATOMIC_RELAXED) ||
           __atomic_load_n(&d->pause_count, __ATOMIC_RELAXED) ||
           __atomic_load_n(&d->dying, __ATOMIC_RELAXED);
}

long hypercall_dispatch(struct vcpu *v, const struct hypercall_args *args)
{
    if (args->nr >= NR_hypercalls || !hypercall_table[args->nr])
        return -XEN_ENOSYS;
    long rc = hypercall_table[args->nr](v, args);
    /* A 32-bit guest sees eax: a value it cannot hold is an error, never a
     * truncated number (docs/hypercall-abi.md lists the cases). */
    if (args->compat && (rc > INT32_MAX || rc < INT32_MIN))
        return -XEN_ERANGE;
    return rc;
}
