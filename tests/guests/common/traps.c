/* TSS, IDT and exception dispatch: expected ring-3 faults are recorded,
 * anything else is reported and crashes the domain. */
#include <stddef.h>

#include "arch.h"
#include "hypercall.h"
#include "libc.h"
#include "traps.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS size");
_Static_assert(offsetof(struct tss64, rsp0) == TSS_RSP0_OFFSET, "head.S writes rsp0");
_Static_assert(sizeof(struct tss64) - 1 == TSS64_LIMIT, "traps.h names the TSS limit");

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate size");

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

#define GATE_INTERRUPT_DPL0 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTERRUPT_DPL3 0xee /* present, DPL 3: reachable by int n at CPL 3 */
#define TSS_TYPE_AVAILABLE  0x89 /* present, 64-bit TSS (available) */

/* Used by head.S: exec_user stores rsp0 into it. */
struct tss64 tss;
static struct idt_gate idt[256] __attribute__((aligned(16)));

/* From head.S. */
extern uint64_t gdt[];
extern const uint64_t exception_stubs[X86_NR_EXCEPTIONS];
extern const char exec_user_exit[];
_Noreturn void exec_user_finish(long result);

/* Set while exec_user_expect_fault() runs; do_exception() fills it. */
static struct user_fault *expected_fault;
static bool expected_fault_taken;

static void set_gate(unsigned int vector, uint64_t handler, uint8_t type_attr)
{
    idt[vector] = (struct idt_gate){
        .offset_low = (uint16_t)handler,
        .selector = GDT_KERN_CS,
        .type_attr = type_attr,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_high = (uint32_t)(handler >> 32),
    };
}

static void install_tss(void)
{
    uint64_t base = (uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    tss.iomap_base = sizeof(tss); /* no I/O bitmap: IOPL alone decides */
    gdt[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
                       (uint64_t)TSS_TYPE_AVAILABLE << 40 |
                       ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[GDT_TSS / 8 + 1] = base >> 32;
    __asm__ volatile("ltr %w0" :: "r"((uint16_t)GDT_TSS) : "memory");
}

static void install_idt(void)
{
    struct desc_ptr ptr = { .limit = sizeof(idt) - 1, .base = (uintptr_t)idt };

    for (unsigned int v = 0; v < X86_NR_EXCEPTIONS; v++)
        set_gate(v, exception_stubs[v], GATE_INTERRUPT_DPL0);
    /* int3 is a software interrupt: the gate's DPL must allow CPL 3. */
    set_gate(X86_EXC_BP, exception_stubs[X86_EXC_BP], GATE_INTERRUPT_DPL3);
    __asm__ volatile("lidt %0" :: "m"(ptr) : "memory");
}

void traps_init(void)
{
    install_tss();
    install_idt();
}

uintptr_t traps_tss_base(void)
{
    return (uintptr_t)&tss;
}

void traps_set_interrupt_gate(unsigned int vector, void (*entry)(void))
{
    if (vector >= X86_NR_EXCEPTIONS && vector < ARRAY_SIZE(idt))
        set_gate(vector, (uintptr_t)entry, GATE_INTERRUPT_DPL0);
}

const char *exception_name(unsigned int vector)
{
    static const char *const names[X86_NR_EXCEPTIONS] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
        "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#SPV",
        "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    };

    if (vector < X86_NR_EXCEPTIONS && names[vector])
        return names[vector];
    return "reserved";
}

static uint64_t read_cr2(void)
{
    uint64_t cr2;

    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

static _Noreturn void crash_on_exception(const struct cpu_regs *regs)
{
    static bool crashing;

    /* A fault while reporting one (the console itself broken): just stop. */
    if (crashing)
        halt_forever();
    crashing = true;
    printf("Unexpected exception: vector %lu (%s), error code 0x%lx, rip 0x%lx, cpl %lu",
           regs->vector, exception_name((unsigned int)regs->vector),
           regs->error_code, regs->rip, regs->cs & 3);
    if (regs->vector == X86_EXC_PF)
        printf(", cr2 0x%lx", read_cr2());
    printf("\n");
    domain_shutdown(SHUTDOWN_crash);
}

/* The #GP of exec_user_exit's hlt: fn has returned, its result is in rax. */
static bool is_exec_user_exit(const struct cpu_regs *regs)
{
    return regs->vector == X86_EXC_GP && (regs->cs & 3) == 3 &&
           regs->rip == (uintptr_t)exec_user_exit;
}

static void record_expected_fault(const struct cpu_regs *regs)
{
    expected_fault->vector = (unsigned int)regs->vector;
    expected_fault->error_code = regs->error_code;
    expected_fault->rip = regs->rip;
    expected_fault->cr2 = regs->vector == X86_EXC_PF ? read_cr2() : 0;
    expected_fault_taken = true;
    expected_fault = NULL;
}

/* Called by head.S for every exception, with the frame it built. */
_Noreturn void do_exception(struct cpu_regs *regs);
void do_exception(struct cpu_regs *regs)
{
    if (is_exec_user_exit(regs))
        exec_user_finish((long)regs->rax);
    if ((regs->cs & 3) != 3 || !expected_fault)
        crash_on_exception(regs);

    /* Abandon fn where it faulted. */
    record_expected_fault(regs);
    exec_user_finish(0);
}

bool exec_user_expect_fault(long (*fn)(void), struct user_fault *fault)
{
    *fault = (struct user_fault){ 0 };
    expected_fault_taken = false;
    expected_fault = fault;
    exec_user(fn);
    expected_fault = NULL;
    return expected_fault_taken;
}
