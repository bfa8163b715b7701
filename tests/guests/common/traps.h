/* Descriptor tables, exception handling and running code in ring 3. */
#ifndef XTF_TRAPS_H
#define XTF_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

/* The stack frame head.S builds on every exception, lowest address first. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;  /* pushed by the entry stub */
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "cpu_regs matches head.S");

/* Install the TSS and the IDT (exceptions 0-31, #BP reachable from CPL 3). */
void traps_init(void);

/* Where the boot vCPU's 64-bit TSS is (secondary vCPUs share it) and its limit. */
uintptr_t traps_tss_base(void);
#define TSS64_LIMIT 103

/* Route external-interrupt vector (32..255) to entry, an assembly stub
 * that ends in iretq (e.g. evtchn_upcall_entry in head.S). */
void traps_set_interrupt_gate(unsigned int vector, void (*entry)(void));

/* Run fn at CPL 3 with IOPL 3 on a user stack; return what fn returns.
 * An exception in fn crashes the domain, unless exec_user_expect_fault()
 * is the caller. */
long exec_user(long (*fn)(void));

/* An exception taken at CPL 3. */
struct user_fault {
    unsigned int vector;
    uint64_t error_code; /* 0 for vectors without one */
    uint64_t rip;        /* as pushed by the CPU */
    uint64_t cr2;        /* #PF only: the faulting address */
};

/* Run fn at CPL 3 expecting it to raise an exception.  Returns true and
 * fills *fault if it did (fn is abandoned there), false if fn returned. */
bool exec_user_expect_fault(long (*fn)(void), struct user_fault *fault);

/* Short mnemonic of an exception vector, e.g. "#PF". */
const char *exception_name(unsigned int vector);

#endif
