/*
 * x86 vCPU state as KVM holds it: conversion to and from the toolstack's
 * struct hv_vcpu_context (get/setvcpucontext) and the save stream's VCPU
 * and clock records, the guest-virtual to guest-physical translation used
 * by the hypercall copies, and the list of MSRs a save carries.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/ioctl.h>
#include <xen/arch.h>
#include <hv/public/save.h>
#include <xen/sched.h>

/*
 * A segment register's fields, the same in KVM's struct kvm_segment, our
 * struct hv_segment (vCPU context) and struct hv_save_segment (save
 * stream).  COPY_SEGMENT(), in a function whose parameters are dst and src,
 * copies them after zeroing dst's padding.
 */
/* clang-format off */
#define SEGMENT_FIELDS(X) \
    X(base) X(limit) X(selector) X(type) X(present) X(dpl) X(db) X(s) X(l) X(g) X(avl) \
    X(unusable)
/* clang-format on */
#define COPY_FIELD(f) dst->f = src->f;
#define COPY_SEGMENT()                                                                             \
    do {                                                                                           \
        memset(dst, 0, sizeof(*dst));                                                              \
        SEGMENT_FIELDS(COPY_FIELD)                                                                 \
    } while (0)

static void seg_from_kvm(struct hv_segment *dst, const struct kvm_segment *src)
{
    COPY_SEGMENT();
}

static void seg_to_kvm(struct kvm_segment *dst, const struct hv_segment *src)
{
    COPY_SEGMENT();
}

/* One register per X, in struct kvm_regs' order. */
/* clang-format off */
#define GPRS(X) \
    X(rax) X(rbx) X(rcx) X(rdx) X(rsi) X(rdi) X(rsp) X(rbp) \
    X(r8) X(r9) X(r10) X(r11) X(r12) X(r13) X(r14) X(r15) X(rip) X(rflags)
/* clang-format on */
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
    v->events_fresh = false; /* KVM_SET_SREGS may queue an interrupt */
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
    /* KVM_TRANSLATE ignores bits 63:48: a non-canonical address would alias
     * a low one.  Bits 63:47 must all be equal (4-level paging). */
    if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
        return -EFAULT;
    struct kvm_translation t = { .linear_address = gva };
    if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
        return -EFAULT;
    if (write && !t.writeable)
        return -EFAULT;
    *gpa = t.physical_address;
    return 0;
}

/*
 * Whole-vCPU state for the save stream (common/save.c builds the records).
 * KVM's own structs are copied field by field into the stream's, whose
 * layout is fixed by docs/specs/save-stream.md.
 */

/* MSRs worth saving; only those KVM reports are used, in ascending order. */
static const uint32_t msr_candidates[] = {
    0x00000010,                                     /* TSC */
    0x0000003b,                                     /* TSC_ADJUST */
    0x00000174, 0x00000175, 0x00000176,             /* SYSENTER_CS/ESP/EIP */
    0x000001a0,                                     /* MISC_ENABLE */
    0x00000277,                                     /* PAT */
    0x4b564d00, 0x4b564d01,                         /* KVM wall clock, system time (kvmclock) */
    0x4b564d02, 0x4b564d03, 0x4b564d04,             /* async PF, steal time, PV EOI */
    0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR, LSTAR, CSTAR, SFMASK */
    0xc0000102, 0xc0000103,                         /* KERNEL_GS_BASE, TSC_AUX */
};
static uint32_t msr_list[ARRAY_SIZE(msr_candidates)];
static uint32_t nr_msr_list;

/* Called once /dev/kvm is open: keep the candidates KVM supports. */
int arch_msr_list_init(int kvm_fd)
{
    struct kvm_msr_list *l = calloc(1, sizeof(*l) + 4096 * sizeof(uint32_t));
    if (!l)
        return -ENOMEM;
    l->nmsrs = 4096;
    int rc = ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0 ? -errno : 0;
    for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(msr_candidates); i++) {
        for (uint32_t j = 0; j < l->nmsrs; j++) {
            if (l->indices[j] == msr_candidates[i]) {
                msr_list[nr_msr_list++] = msr_candidates[i];
                break;
            }
        }
    }
    free(l);
    return rc;
}

bool arch_msr_saveable(uint32_t index)
{
    for (uint32_t i = 0; i < nr_msr_list; i++) {
        if (msr_list[i] == index)
            return true;
    }
    return false;
}

static void seg_to_save(struct hv_save_segment *dst, const struct kvm_segment *src)
{
    COPY_SEGMENT();
}

static void seg_from_save(struct kvm_segment *dst, const struct hv_save_segment *src)
{
    COPY_SEGMENT();
}

static void sregs_to_save(struct hv_save_sregs *o, const struct kvm_sregs *s)
{
#define SAVE_SEG(n) seg_to_save(&o->n, &s->n);
    SEGS(SAVE_SEG)
    o->gdt = (struct hv_save_dtable){ .base = s->gdt.base, .limit = s->gdt.limit };
    o->idt = (struct hv_save_dtable){ .base = s->idt.base, .limit = s->idt.limit };
    o->cr0 = s->cr0, o->cr2 = s->cr2, o->cr3 = s->cr3, o->cr4 = s->cr4, o->cr8 = s->cr8;
    o->efer = s->efer, o->apic_base = s->apic_base;
}

static void sregs_from_save(struct kvm_sregs *s, const struct hv_save_sregs *o)
{
#define LOAD_SEG(n) seg_from_save(&s->n, &o->n);
    SEGS(LOAD_SEG)
    s->gdt.base = o->gdt.base, s->gdt.limit = o->gdt.limit;
    s->idt.base = o->idt.base, s->idt.limit = o->idt.limit;
    s->cr0 = o->cr0, s->cr2 = o->cr2, s->cr3 = o->cr3, s->cr4 = o->cr4, s->cr8 = o->cr8;
    s->efer = o->efer, s->apic_base = o->apic_base;
}

static void events_to_save(struct hv_save_vcpu_events *o, const struct kvm_vcpu_events *e)
{
    *o = (struct hv_save_vcpu_events){
        .exception_injected = e->exception.injected,
        .exception_nr = e->exception.nr,
        .exception_has_error_code = e->exception.has_error_code,
        .exception_pending = e->exception.pending,
        .exception_error_code = e->exception.error_code,
        .interrupt_injected = e->interrupt.injected,
        .interrupt_nr = e->interrupt.nr,
        .interrupt_soft = e->interrupt.soft,
        .interrupt_shadow = e->interrupt.shadow,
        .nmi_injected = e->nmi.injected,
        .nmi_pending = e->nmi.pending,
        .nmi_masked = e->nmi.masked,
        .sipi_vector = e->sipi_vector,
        .flags = e->flags & HV_SAVE_EVENTS_ALL,
        .smi_smm = e->smi.smm,
        .smi_pending = e->smi.pending,
        .smi_smm_inside_nmi = e->smi.smm_inside_nmi,
        .smi_latched_init = e->smi.latched_init,
        .triple_fault_pending = e->triple_fault.pending,
        .exception_has_payload = e->exception_has_payload,
        .exception_payload = e->exception_payload,
    };
}

static void events_from_save(struct kvm_vcpu_events *e, const struct hv_save_vcpu_events *o)
{
    memset(e, 0, sizeof(*e));
    e->exception.injected = o->exception_injected, e->exception.nr = o->exception_nr;
    e->exception.has_error_code = o->exception_has_error_code;
    e->exception.pending = o->exception_pending, e->exception.error_code = o->exception_error_code;
    e->interrupt.injected = o->interrupt_injected, e->interrupt.nr = o->interrupt_nr;
    e->interrupt.soft = o->interrupt_soft, e->interrupt.shadow = o->interrupt_shadow;
    e->nmi.injected = o->nmi_injected, e->nmi.pending = o->nmi_pending;
    e->nmi.masked = o->nmi_masked, e->sipi_vector = o->sipi_vector, e->flags = o->flags;
    e->smi.smm = o->smi_smm, e->smi.pending = o->smi_pending;
    e->smi.smm_inside_nmi = o->smi_smm_inside_nmi, e->smi.latched_init = o->smi_latched_init;
    e->triple_fault.pending = o->triple_fault_pending;
    e->exception_has_payload = o->exception_has_payload;
    e->exception_payload = o->exception_payload;
}

/* struct kvm_msrs with room for every candidate (its entries are a flexible array). */
union msr_buf {
    struct kvm_msrs h;
    uint8_t
        room[sizeof(struct kvm_msrs) + ARRAY_SIZE(msr_candidates) * sizeof(struct kvm_msr_entry)];
};

static int msrs_get(struct vcpu *v, struct hv_save_msr *out)
{
    union msr_buf m;
    memset(&m, 0, sizeof(m));
    m.h.nmsrs = nr_msr_list;
    for (uint32_t i = 0; i < nr_msr_list; i++)
        m.h.entries[i].index = msr_list[i];
    if (ioctl(v->fd, KVM_GET_MSRS, &m) != (int)nr_msr_list)
        return -EIO;
    for (uint32_t i = 0; i < nr_msr_list; i++)
        out[i] =
            (struct hv_save_msr){ .index = m.h.entries[i].index, .value = m.h.entries[i].data };
    return (int)nr_msr_list;
}

static int msrs_set(struct vcpu *v, const struct hv_save_msr *in, uint32_t n)
{
    union msr_buf m;
    if (n > ARRAY_SIZE(msr_candidates))
        return -EINVAL;
    memset(&m, 0, sizeof(m));
    m.h.nmsrs = n;
    for (uint32_t i = 0; i < n; i++)
        m.h.entries[i] = (struct kvm_msr_entry){ .index = in[i].index, .data = in[i].value };
    return ioctl(v->fd, KVM_SET_MSRS, &m) == (int)n ? 0 : -EINVAL;
}

/*
 * Read the whole vCPU.  Order matters to KVM: MP state first (before a
 * local APIC would be read), pending events last, after everything whose
 * reading could change them.  rec->vcpu_id, flags are the caller's.
 */
int arch_vcpu_save(struct vcpu *v, struct hv_save_vcpu *rec, uint8_t *xsave,
                   struct hv_save_msr *msrs)
{
    struct kvm_mp_state mp;
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_xcrs x;
    struct kvm_debugregs dr;
    struct kvm_vcpu_events ev;
    if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0 || ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(v->fd, KVM_GET_SREGS, &s) < 0 || ioctl(v->fd, KVM_GET_XSAVE, xsave) < 0 ||
        ioctl(v->fd, KVM_GET_XCRS, &x) < 0)
        return -errno;
    int n = msrs_get(v, msrs);
    if (n < 0)
        return n;
    if (ioctl(v->fd, KVM_GET_DEBUGREGS, &dr) < 0 || ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
        return -errno;
    rec->mp_state = mp.mp_state;
#define SAVE_GPR(n) rec->regs.n = r.n;
    GPRS(SAVE_GPR)
    sregs_to_save(&rec->sregs, &s);
    rec->xsave_len = HV_SAVE_XSAVE_LEN_KVM;
    rec->nr_xcrs = x.nr_xcrs < HV_SAVE_MAX_XCRS ? x.nr_xcrs : HV_SAVE_MAX_XCRS;
    for (uint32_t i = 0; i < rec->nr_xcrs; i++)
        rec->xcrs[i] = (struct hv_save_xcr){ .index = x.xcrs[i].xcr, .value = x.xcrs[i].value };
    rec->nr_msrs = (uint32_t)n;
    memcpy(rec->debugregs.db, dr.db, sizeof(dr.db));
    rec->debugregs.dr6 = dr.dr6;
    rec->debugregs.dr7 = dr.dr7;
    events_to_save(&rec->events, &ev);
    return 0;
}

/*
 * Load the whole vCPU: segment and control registers first (the rest is
 * interpreted in that mode), the local APIC's place is after them and
 * before the MSRs, pending events last.
 */
int arch_vcpu_load(struct vcpu *v, const struct hv_save_vcpu *rec, const uint8_t *xsave,
                   const struct hv_save_msr *msrs)
{
    struct kvm_sregs s;
    struct kvm_regs r = { 0 };
    struct kvm_xcrs x = { .nr_xcrs = rec->nr_xcrs };
    struct kvm_mp_state mp = { .mp_state = rec->mp_state };
    struct kvm_debugregs dr = { .dr6 = rec->debugregs.dr6, .dr7 = rec->debugregs.dr7 };
    struct kvm_vcpu_events ev;
    if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0) /* keeps the interrupt bitmap */
        return -errno;
    sregs_from_save(&s, &rec->sregs);
#define LOAD_GPR(n) r.n = rec->regs.n;
    GPRS(LOAD_GPR)
    for (uint32_t i = 0; i < rec->nr_xcrs; i++)
        x.xcrs[i] = (struct kvm_xcr){ .xcr = rec->xcrs[i].index, .value = rec->xcrs[i].value };
    memcpy(dr.db, rec->debugregs.db, sizeof(dr.db));
    events_from_save(&ev, &rec->events);
    v->events_fresh = false; /* the image's events replace KVM's */
    if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 || ioctl(v->fd, KVM_SET_REGS, &r) < 0 ||
        ioctl(v->fd, KVM_SET_XSAVE, xsave) < 0 ||
        (rec->nr_xcrs && ioctl(v->fd, KVM_SET_XCRS, &x) < 0))
        return -EINVAL;
    int rc = msrs_set(v, msrs, rec->nr_msrs);
    if (rc)
        return rc;
    if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0 || ioctl(v->fd, KVM_SET_DEBUGREGS, &dr) < 0 ||
        ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
        return -EINVAL;
    v->run->kvm_dirty_regs = 0; /* nothing stale may overwrite this at the next KVM_RUN */
    return 0;
}

int arch_vm_save_clock(struct domain *d, struct hv_save_clock *c)
{
    struct kvm_clock_data k = { 0 };
    struct timespec rt;
    if (ioctl(d->vm_fd, KVM_GET_CLOCK, &k) < 0)
        return -errno;
    clock_gettime(CLOCK_REALTIME, &rt);
    *c = (struct hv_save_clock){
        .clock_ns = k.clock,
        .realtime_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec,
        .flags = k.flags & KVM_CLOCK_TSC_STABLE ? HV_SAVE_CLOCK_TSC_STABLE : 0,
        .wallclock_offset_s = d->time_offset_seconds,
    };
    return 0;
}

/* The domain's clock continues from clock_ns; system-time offsets follow. */
int arch_vm_load_clock(struct domain *d, const struct hv_save_clock *c)
{
    struct kvm_clock_data k = { .clock = c->clock_ns };
    if (ioctl(d->vm_fd, KVM_SET_CLOCK, &k) < 0)
        return -EINVAL;
    d->time_offset_seconds = c->wallclock_offset_s;
    return arch_vm_clock_offset(d);
}
