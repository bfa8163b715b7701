/* Hypercall page set-up and one wrapper per hypercall the guests use. */
#include "hypercall.h"

long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
               unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long rax;

    if (nr >= NR_hypercalls)
        return -XEN_ENOSYS;
    /* Xen's convention lets a hypercall clobber its argument registers,
     * rcx and r11; assume the same of hvd. */
    __asm__ volatile("call *%[stub]"
                     : "=a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
                     : [stub] "r"(hypercall_page + nr * HV_HYPERCALL_STUB_SIZE)
                     : "rcx", "r11", "memory");
    return rax;
}

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
    return hypercall(__HYPERVISOR_set_timer_op, timeout_abs_ns, 0, 0, 0, 0);
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
