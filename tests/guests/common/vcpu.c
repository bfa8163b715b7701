/* Secondary vCPUs: their start context and entry. */
#include <hv/public/domctl.h>

#include "cpu.h"
#include "vcpu.h"
#include "xtf.h"

#define VCPU_STACK_SIZE (16 * 1024)
#define APIC_BASE_ENABLED 0xfee00800ull /* default base, enabled, not the BSP */

static uint8_t vcpu_stacks[VCPU_MAX][VCPU_STACK_SIZE] __attribute__((aligned(16)));

/*
 * The vCPU id lives in GS base: the framework never addresses through
 * %gs, and the boot vCPU starts with base 0, which is its id.
 */
unsigned int vcpu_self(void)
{
    return (unsigned int)rdmsr(MSR_GS_BASE);
}

static _Noreturn void vcpu_secondary_entry(unsigned int id, void (*fn)(unsigned int))
{
    fn(id);
    hypercall_vcpu_op(VCPUOP_down, id, NULL);
    halt_forever();
}

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static void context_set_segments(struct hv_vcpu_context *c, unsigned int id)
{
    const struct hv_segment data = {
        .limit = 0xffffffff, .selector = GDT_KERN_DS, .type = 0x3 /* RW, accessed */,
        .present = 1, .s = 1, .db = 1, .g = 1,
    };

    c->cs = (struct hv_segment){
        .limit = 0xffffffff, .selector = GDT_KERN_CS, .type = 0xb /* RX, accessed */,
        .present = 1, .s = 1, .l = 1, .g = 1,
    };
    c->ds = c->es = c->fs = c->ss = c->gs = data;
    c->gs.base = id;
    /* The boot vCPU's TSS, already marked busy in the GDT; a secondary
     * vCPU stays in ring 0, so it never loads rsp0 from it. */
    c->tr = (struct hv_segment){
        .base = traps_tss_base(), .limit = TSS64_LIMIT, .selector = GDT_TSS,
        .type = 0xb /* busy 64-bit TSS */, .present = 1,
    };
    c->ldt = (struct hv_segment){ .type = 0x2, .unusable = 1 };
}

static void context_set_tables(struct hv_vcpu_context *c)
{
    struct desc_ptr gdtr, idtr;

    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    c->gdt_base = gdtr.base;
    c->gdt_limit = gdtr.limit;
    c->idt_base = idtr.base;
    c->idt_limit = idtr.limit;
}

long vcpu_context(struct hv_vcpu_context *c, unsigned int id, void (*fn)(unsigned int id))
{
    if (id == 0 || id >= VCPU_MAX)
        return -XEN_EINVAL;
    memset(c, 0, sizeof(*c));
    c->rip = (uintptr_t)vcpu_secondary_entry;
    c->rdi = id;
    c->rsi = (uintptr_t)fn;
    /* As if called: rsp + 8 is 16-byte aligned, a zero return address. */
    c->rsp = (uintptr_t)&vcpu_stacks[id][VCPU_STACK_SIZE - 8];
    *(uint64_t *)c->rsp = 0;
    c->rflags = 0x2;
    c->cr0 = read_cr0();
    c->cr3 = read_cr3();
    c->cr4 = read_cr4();
    c->efer = rdmsr(MSR_EFER);
    c->apic_base = APIC_BASE_ENABLED;
    context_set_segments(c, id);
    context_set_tables(c);
    return 0;
}

long vcpu_initialise(unsigned int id, void (*fn)(unsigned int id))
{
    static struct hv_vcpu_context contexts[VCPU_MAX]; /* one per calling vCPU */
    struct hv_vcpu_context *c = &contexts[vcpu_self() % VCPU_MAX];
    long rc = vcpu_context(c, id, fn);

    return rc ? rc : hypercall_vcpu_op(VCPUOP_initialise, id, c);
}

long vcpu_up(unsigned int id)
{
    return hypercall_vcpu_op(VCPUOP_up, id, NULL);
}

long vcpu_down(unsigned int id)
{
    return hypercall_vcpu_op(VCPUOP_down, id, NULL);
}

long vcpu_is_up(unsigned int id)
{
    return hypercall_vcpu_op(VCPUOP_is_up, id, NULL);
}

long vcpu_runstate(unsigned int id, struct vcpu_runstate_info *info)
{
    return hypercall_vcpu_op(VCPUOP_get_runstate_info, id, info);
}
