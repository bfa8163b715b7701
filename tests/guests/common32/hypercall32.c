/*
 * hypercall.h for 32-bit guests: the same hypercall-page set-up as the
 * 64-bit framework, and the compat calling convention: arguments in ebx,
 * ecx, edx, esi, edi, the result in eax.  hvd's stubs
 * (mov $n,%eax; out %eax,$port; ret) run unchanged in 32-bit mode.
 */
#include "hypercall.h"

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};

static struct cpuid_result cpuid(uint32_t leaf)
{
    struct cpuid_result r;

    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(0));
    return r;
}

static void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)value),
                     "d"((uint32_t)(value >> 32)));
}

static int hv_present(void)
{
    struct cpuid_result r = cpuid(HV_CPUID_BASE);

    return r.ebx == HV_CPUID_SIGNATURE_EBX && r.ecx == HV_CPUID_SIGNATURE_ECX &&
           r.edx == HV_CPUID_SIGNATURE_EDX && r.eax >= HV_CPUID_BASE + 2;
}

/* head32.S fills the page with ud2 (0f 0b); hvd's stubs start with mov. */
static int hypercall_page_filled(void)
{
    return !(hypercall_page[0] == 0x0f && hypercall_page[1] == 0x0b);
}

int hypercall_page_init(void)
{
    if (!hv_present())
        return -XEN_ENODEV;
    /* Paging is off, so the address is the gpa. */
    wrmsr(cpuid(HV_CPUID_BASE + 2).ebx, (uintptr_t)hypercall_page);
    return hypercall_page_filled() ? 0 : -XEN_EIO;
}

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
