/* 64-bit guests' hypercall convention: arguments in rdi, rsi, rdx, r10, r8. */
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
