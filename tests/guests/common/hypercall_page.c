/*
 * Finding hvd and setting up the hypercall page (CPUID leaves, then the
 * MSR), the same for 64-bit and 32-bit guests.
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

/* head.S / head32.S fill the page with ud2 (0f 0b); hvd's stubs start with mov. */
static int hypercall_page_filled(void)
{
    return !(hypercall_page[0] == 0x0f && hypercall_page[1] == 0x0b);
}

int hypercall_page_init(void)
{
    if (!hv_present())
        return -XEN_ENODEV;
    /* RAM is identity-mapped (64-bit) or paging is off (32-bit): the address is the gpa. */
    wrmsr(cpuid(HV_CPUID_BASE + 2).ebx, (uintptr_t)hypercall_page);
    return hypercall_page_filled() ? 0 : -XEN_EIO;
}
