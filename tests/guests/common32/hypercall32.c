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
