/* vCPU architectural state: struct hv_vcpu_context <-> KVM regs/sregs. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <xen/arch.h>
#include <xen/sched.h>

static void seg_from_kvm(struct hv_segment *s, const struct kvm_segment *k)
{
    *s = (struct hv_segment){
        .base = k->base, .limit = k->limit, .selector = k->selector, .type = k->type,
        .present = k->present, .dpl = k->dpl, .db = k->db, .s = k->s, .l = k->l,
        .g = k->g, .avl = k->avl, .unusable = k->unusable,
    };
}

static void seg_to_kvm(struct kvm_segment *k, const struct hv_segment *s)
{
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
        .present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l,
        .g = s->g, .avl = s->avl, .unusable = s->unusable,
    };
}

#define GPRS(X) X(rax) X(rbx) X(rcx) X(rdx) X(rsi) X(rdi) X(rsp) X(rbp) \
    X(r8) X(r9) X(r10) X(r11) X(r12) X(r13) X(r14) X(r15) X(rip) X(rflags)
#define SEGS(X) X(cs) X(ds) X(es) X(fs) X(gs) X(ss) X(tr) X(ldt)

int arch_get_vcpu_context(struct vcpu *v, struct hv_vcpu_context *c)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    memset(c, 0, sizeof(*c));
#define GET_GPR(n) c->n = r.n;
    GPRS(GET_GPR)
#define GET_SEG(n) seg_from_kvm(&c->n, &s.n);
    SEGS(GET_SEG)
    c->cr0 = s.cr0, c->cr2 = s.cr2, c->cr3 = s.cr3, c->cr4 = s.cr4, c->cr8 = s.cr8;
    c->efer = s.efer, c->apic_base = s.apic_base;
    c->gdt_base = s.gdt.base, c->gdt_limit = s.gdt.limit;
    c->idt_base = s.idt.base, c->idt_limit = s.idt.limit;
    return 0;
}

int arch_set_vcpu_context(struct vcpu *v, const struct hv_vcpu_context *c)
{
    struct kvm_regs r = { 0 };
    struct kvm_sregs s;
    if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0) /* keeps the interrupt bitmap */
        return -errno;
#define SET_GPR(n) r.n = c->n;
    GPRS(SET_GPR)
#define SET_SEG(n) seg_to_kvm(&s.n, &c->n);
    SEGS(SET_SEG)
    s.cr0 = c->cr0, s.cr2 = c->cr2, s.cr3 = c->cr3, s.cr4 = c->cr4, s.cr8 = c->cr8;
    s.efer = c->efer, s.apic_base = c->apic_base;
    s.gdt.base = c->gdt_base, s.gdt.limit = c->gdt_limit;
    s.idt.base = c->idt_base, s.idt.limit = c->idt_limit;
    if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 || ioctl(v->fd, KVM_SET_REGS, &r) < 0)
        return -EINVAL; /* KVM refuses inconsistent state, e.g. LMA without paging */
    return 0;
}

unsigned int arch_vcpu_cpl(struct vcpu *v)
{
    /* SS.DPL is the CPL on both VMX and SVM. */
    return v->run->s.regs.sregs.ss.dpl;
}

int arch_translate(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
    struct kvm_translation t = { .linear_address = gva };
    if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
        return -EFAULT;
    if (write && !t.writeable)
        return -EFAULT;
    *gpa = t.physical_address;
    return 0;
}
