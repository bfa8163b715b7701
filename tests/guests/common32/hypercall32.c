/*
 * hypercall.h for 32-bit guests (the hypercall page is set up by
 * common/hypercall_page.c, as for 64-bit guests) and the compat calling
 * convention: arguments in ebx, ecx, edx, esi, edi, the result in eax.  hvd's stubs
 * (mov $n,%eax; out %eax,$port; ret) run unchanged in 32-bit mode.
 */
#include "hypercall.h"

long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
               unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long ebx __asm__("ebx") = a1;
    register unsigned long ecx __asm__("ecx") = a2;
    register unsigned long edx __asm__("edx") = a3;
    register unsigned long esi __asm__("esi") = a4;
    register unsigned long edi __asm__("edi") = a5;
    long eax;
    const uint8_t *stub = hypercall_page + nr * HV_HYPERCALL_STUB_SIZE;

    if (nr >= NR_hypercalls)
        return -XEN_ENOSYS;
    /* As in Xen's compat convention, a hypercall may clobber its argument
     * registers.  Every general register but ebp and esp is taken, so the
     * stub's address is a memory operand. */
    __asm__ volatile("call *%[stub]"
                     : "=a"(eax), "+r"(ebx), "+r"(ecx), "+r"(edx), "+r"(esi), "+r"(edi)
                     : [stub] "m"(stub)
                     : "memory");
    return eax;
}

/* The wrappers of hypercall.h that 32-bit guests use, as the 64-bit
 * framework has them: pointers and counts travel as 32-bit values.  The
 * event-channel, vCPU, HVM and timer wrappers are not provided yet. */
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
