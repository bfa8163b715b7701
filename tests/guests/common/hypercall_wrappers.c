/*
 * One wrapper per hypercall the guests use, the same for 64-bit and 32-bit
 * guests: hypercall() (hypercall.c, or common32/hypercall32.c) puts the
 * arguments where the guest's mode wants them.
 */
#include "hypercall.h"

long hypercall_xen_version(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_xen_version, cmd, (uintptr_t)arg, 0, 0, 0);
}

long hypercall_console_io(unsigned int cmd, unsigned long count, const void *buf)
{
    return hypercall(__HYPERVISOR_console_io, cmd, count, (uintptr_t)buf, 0, 0);
}

long hypercall_console_write(const char *buf, size_t len)
{
    return hypercall_console_io(CONSOLEIO_write, len, buf);
}

long hypercall_sched_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_sched_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

long hypercall_shutdown(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };

    return hypercall_sched_op(SCHEDOP_shutdown, &shutdown);
}

long hypercall_memory_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_memory_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

long hypercall_event_channel_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

long hypercall_vcpu_op(unsigned int cmd, unsigned int vcpuid, void *arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpuid, (uintptr_t)arg, 0, 0);
}

long hypercall_hvm_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_hvm_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

long hypercall_set_timer_op(uint64_t timeout_abs_ns)
{
    /* A 32-bit guest passes the 64-bit time in two halves (ebx, ecx). */
    unsigned long high = sizeof(long) < sizeof(uint64_t) ? (unsigned long)(timeout_abs_ns >> 32) : 0;
    return hypercall(__HYPERVISOR_set_timer_op, (unsigned long)timeout_abs_ns, high, 0, 0, 0);
}

void halt_forever(void)
{
    for (;;)
        __asm__ volatile("hlt");
}

void domain_shutdown(unsigned int reason)
{
    hypercall_shutdown(reason);
    halt_forever();
}
