/*
 * The 32-bit IDT and exception dispatch: every exception is reported on
 * the console and crashes the domain.  The 32-bit framework runs only in
 * ring 0: it has no TSS and no exec_user() (traps.h's ring-3 functions are
 * 64-bit only).
 */
#include <stdint.h>

#include "arch32.h"
#include "hypercall.h"
#include "libc.h"
#include "traps.h"

/* The stack frame head32.S builds, lowest address first: pusha's registers,
 * the stub's vector and error code, then what the CPU pushed (no esp/ss: an
 * exception in ring 0 stays on the same stack). */
struct cpu_regs32 {
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
};
_Static_assert(sizeof(struct cpu_regs32) == 13 * 4, "cpu_regs32 matches head32.S");

struct idt_gate32 {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t reserved;
    uint8_t type_attr;
    uint16_t offset_high;
};
_Static_assert(sizeof(struct idt_gate32) == 8, "32-bit IDT gate size");

struct desc_ptr32 {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

#define GATE_INTERRUPT32_DPL0 0x8e /* present, DPL 0, 32-bit interrupt gate */

static struct idt_gate32 idt[X86_NR_EXCEPTIONS32] __attribute__((aligned(8)));

/* From head32.S. */
extern const uint32_t exception_stubs[X86_NR_EXCEPTIONS32];

void traps_init(void)
{
    struct desc_ptr32 ptr = { .limit = sizeof(idt) - 1, .base = (uintptr_t)idt };

    for (unsigned int v = 0; v < X86_NR_EXCEPTIONS32; v++)
        idt[v] = (struct idt_gate32){
            .offset_low = (uint16_t)exception_stubs[v],
            .selector = GDT32_KERN_CS,
            .type_attr = GATE_INTERRUPT32_DPL0,
            .offset_high = (uint16_t)(exception_stubs[v] >> 16),
        };
    __asm__ volatile("lidt %0" :: "m"(ptr) : "memory");
}

const char *exception_name(unsigned int vector)
{
    static const char *const names[X86_NR_EXCEPTIONS32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
        "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#SPV",
        "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    };

    if (vector < X86_NR_EXCEPTIONS32 && names[vector])
        return names[vector];
    return "reserved";
}

/* Called by head32.S for every exception, with the frame it built. */
_Noreturn void do_exception32(struct cpu_regs32 *regs);
void do_exception32(struct cpu_regs32 *regs)
{
    static bool crashing;

    /* A fault while reporting one (the console itself broken): just stop. */
    if (crashing)
        halt_forever();
    crashing = true;
    printf("Unexpected exception: vector %u (%s), error code 0x%x, eip 0x%x, cs 0x%x\n",
           regs->vector, exception_name(regs->vector), regs->error_code, regs->eip, regs->cs);
    domain_shutdown(SHUTDOWN_crash);
}
