/*
 * One trip into the guest: KVM_RUN and the handling of its exit.  The
 * caller (the vCPU thread in common/vcpu.c) passes check_for_vcpu_work()
 * before every call.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <hv/public/sched.h>
#include <hv/public/xen.h>
#include <hv/public/hvm_op.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/sched.h>

#define EFER_LMA      (1u << 10)
#define X86_EFLAGS_IF (1u << 9)

/* A guest not in 64-bit mode (protected mode, or compat mode under long mode). */
static bool vcpu_is_compat(const struct vcpu *v)
{
    const struct kvm_sregs *s = &v->run->s.regs.sregs;
    return !(s->efer & EFER_LMA) || !s->cs.l;
}

#define NO_INSN UINT64_MAX

/*
 * Where the hypercall instruction that ends at rip began, found from its
 * bytes: `out %eax,$0x9e` (E7 9E, the hypercall page's stub) or
 * `out %eax,%dx` (ED).  NO_INSN if neither ends there, or in 16-bit code
 * (where `out %eax` needs a prefix; not looked for).
 */
static uint64_t hypercall_insn_before(struct vcpu *v, uint64_t rip)
{
    const struct kvm_sregs *s = &v->run->s.regs.sregs;
    bool long_mode = (s->efer & EFER_LMA) && s->cs.l;
    uint64_t mask = long_mode ? UINT64_MAX : UINT32_MAX;
    uint8_t b[2];
    if (!long_mode && !s->cs.db)
        return NO_INSN;
    if (copy_from_guest(v, b, ((long_mode ? 0 : s->cs.base) + rip - 2) & mask, sizeof(b)))
        return NO_INSN;
    if (b[0] == 0xe7 && b[1] == HV_HYPERCALL_PORT)
        return (rip - 2) & mask;
    return b[1] == 0xed ? (rip - 1) & mask : NO_INSN;
}

/*
 * A handler stopped early and left a continuation: make the guest execute
 * its hypercall instruction again, with the new first argument, when the
 * vCPU next runs, so the guest never sees the interruption and a save
 * taken meanwhile holds it in the registers.  KVM completes the `out` at
 * the next KVM_RUN: on its fast path rip still points at the `out` at
 * exit and is moved past it at completion (unless hvd changed rip); on
 * its emulator path rip has already moved at exit.  So complete the exit
 * first, then find the instruction from how rip moved or from its bytes.
 * False if it cannot be found: the handler's partial result stands.
 */
static bool hypercall_restart(struct vcpu *v, const struct hypercall_args *args)
{
    struct kvm_regs *r = &v->run->s.regs.regs;
    uint64_t exit_rip = r->rip;
    arch_vcpu_complete_exit(v); /* refreshes r */
    uint64_t insn = r->rip != exit_rip ? exit_rip : hypercall_insn_before(v, r->rip);
    if (insn == NO_INSN)
        return false;
    r->rip = insn;
    if (args->compat)
        r->rbx = (r->rbx & ~(uint64_t)UINT32_MAX) | (uint32_t)args->cont->arg0;
    else
        r->rdi = args->cont->arg0;
    v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    return true;
}

static void handle_hypercall(struct vcpu *v)
{
    struct kvm_regs *r = &v->run->s.regs.regs;
    struct hypercall_continuation cont = { .pending = false };
    struct hypercall_args args = { .nr = r->rax & 0xffffffffu, .cont = &cont };
    if (vcpu_is_compat(v)) {
        const uint64_t regs[5] = { r->rbx, r->rcx, r->rdx, r->rsi, r->rdi };
        for (int i = 0; i < 5; i++)
            args.a[i] = regs[i] & 0xffffffffu;
        args.compat = true;
    } else {
        const uint64_t regs[5] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
        memcpy(args.a, regs, sizeof(regs));
    }
    long rc = arch_vcpu_cpl(v) ? -XEN_EPERM : hypercall_dispatch(v, &args);
    if (cont.pending && hypercall_restart(v, &args))
        return; /* rax still holds the hypercall number for the new try */
    r->rax = args.compat ? (uint64_t)(uint32_t)rc : (uint64_t)rc;
    v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

static void handle_io(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    if (run->io.port == HV_HYPERCALL_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
        run->io.size == 4 && run->io.count == 1) {
        handle_hypercall(v);
        return;
    }
    /* No devices yet: reads float high, writes are dropped. */
    if (run->io.direction == KVM_EXIT_IO_IN)
        memset((uint8_t *)run + run->io.data_offset, 0xff, (size_t)run->io.size * run->io.count);
    gprintk(&v->domain->log_rl, "d%u v%u: unhandled port %s 0x%x", v->domain->domid, v->vcpu_id,
            run->io.direction == KVM_EXIT_IO_IN ? "read" : "write", run->io.port);
}

static void handle_mmio(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    if (!run->mmio.is_write)
        memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
    gprintk(&v->domain->log_rl, "d%u v%u: unhandled MMIO %s at 0x%llx", v->domain->domid,
            v->vcpu_id, run->mmio.is_write ? "write" : "read",
            (unsigned long long)run->mmio.phys_addr);
}

/* The hypercall-page MSR: a write of (gfn << XEN_PAGE_SHIFT) fills that frame with stubs. */
static void handle_msr(struct vcpu *v, bool write)
{
    struct kvm_run *run = v->run;
    struct domain *d = v->domain;
    run->msr.error = 1; /* #GP unless handled */
    if (run->msr.index != HV_HYPERCALL_MSR)
        return;
    if (!write) {
        run->msr.data = 0;
        run->msr.error = 0;
        return;
    }
    uint64_t gpa = run->msr.data & ~(XEN_PAGE_SIZE - 1);
    pthread_rwlock_rdlock(&d->p2m_lock);
    bool aligned = (run->msr.data & (XEN_PAGE_SIZE - 1)) == 0;
    uint8_t *page = aligned ? gpa_to_hva(d, gpa, XEN_PAGE_SIZE) : NULL;
    if (page) {
        arch_write_hypercall_page(page);
        paging_mark_dirty(d, gpa >> XEN_PAGE_SHIFT);
    }
    pthread_rwlock_unlock(&d->p2m_lock);
    if (!page) {
        gprintk(&d->log_rl, "d%u: bad hypercall page address 0x%llx", d->domid,
                (unsigned long long)run->msr.data);
        return;
    }
    run->msr.error = 0;
}

/* The callback vector to inject now (upcall pending, unmasked, a vector
 * set), or 0. */
static uint32_t upcall_vector(struct vcpu *v)
{
    uint64_t cb = v->domain->hvm_params[HVM_PARAM_CALLBACK_IRQ];
    return cb && evtchn_upcall_deliverable(v) ? (uint32_t)(cb & 0xff) : 0;
}

static void crash(struct vcpu *v, const char *why, unsigned long long detail)
{
    struct domain *d = v->domain;
    gprintk(&d->lifecycle_rl, "d%u v%u: crashed: %s (%#llx) at rip %#llx", d->domid, v->vcpu_id,
            why, detail, (unsigned long long)v->run->s.regs.regs.rip);
    /* SCHEDOP_shutdown_code lets the guest name the reason for this case. */
    domain_shutdown(d, d->shutdown_code >= 0 ? (uint32_t)d->shutdown_code : SHUTDOWN_crash);
}

static void handle_exit(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        handle_io(v);
        break;
    case KVM_EXIT_MMIO:
        handle_mmio(v);
        break;
    case KVM_EXIT_X86_WRMSR:
        handle_msr(v, true);
        break;
    case KVM_EXIT_X86_RDMSR:
        handle_msr(v, false);
        break;
    case KVM_EXIT_HLT:
        /* hlt waits for an interrupt: block unless an upcall can be taken now. */
        pthread_mutex_lock(&v->domain->lock);
        v->blocked = !(upcall_vector(v) && (run->s.regs.regs.rflags & X86_EFLAGS_IF));
        pthread_mutex_unlock(&v->domain->lock);
        break;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        break; /* the upcall goes in on the way back */
    case KVM_EXIT_SHUTDOWN:
        crash(v, "triple fault", 0);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        crash(v, "KVM internal error (instruction KVM cannot emulate)", run->internal.suberror);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        crash(v, "invalid vCPU state at entry", run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTR:
        break;
    default:
        crash(v, "unexpected KVM exit", run->exit_reason);
        break;
    }
}

/*
 * KVM finishes an I/O or MSR exit (for `out`, skipping the instruction and
 * applying the registers hvd wrote) only at the next KVM_RUN.  Do that now,
 * without running guest code, so the vCPU's state is consistent while it is
 * parked: the toolstack may read it, or replace it, before it runs again.
 */
void arch_vcpu_complete_exit(struct vcpu *v)
{
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    ioctl(v->fd, KVM_RUN, 0); /* returns EINTR once the exit is completed */
    v->run->kvm_dirty_regs = 0;
}

/*
 * Queue vector for the next entry.  KVM stored the vCPU's event state in
 * kvm_run at the last exit (KVM_SYNC_X86_EVENTS): handing it back with the
 * interrupt added costs no system call.  After hvd wrote the vCPU's state
 * (context.c) that copy is old, and KVM_INTERRUPT does it instead; so it
 * does while an exception or NMI is in flight, which handing the state
 * back could change (without KVM_CAP_EXCEPTION_PAYLOAD, a pending
 * exception reads back as an injected one).
 */
static void inject_vector(struct vcpu *v, uint32_t vector)
{
    struct kvm_run *run = v->run;
    const struct kvm_vcpu_events *ev = &run->s.regs.events;
    if (!v->events_fresh || ev->exception.injected || ev->exception.pending || ev->nmi.injected ||
        ev->nmi.pending) {
        struct kvm_interrupt irq = { .irq = vector };
        ioctl(v->fd, KVM_INTERRUPT, &irq);
        return;
    }
    run->s.regs.events.interrupt.injected = 1;
    run->s.regs.events.interrupt.nr = (uint8_t)vector;
    run->s.regs.events.interrupt.soft = 0;
    run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
}

/*
 * The event-channel upcall is level-triggered: while the vCPU's
 * evtchn_upcall_pending is set and unmasked, inject the callback vector as
 * soon as the guest can take an interrupt, asking KVM to exit when it can.
 */
static void deliver_upcall(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    uint32_t vector = upcall_vector(v);
    run->request_interrupt_window = 0;
    if (!vector)
        return;
    if (run->ready_for_interrupt_injection && run->if_flag)
        inject_vector(v, vector);
    else
        run->request_interrupt_window = 1;
}

void arch_vcpu_run_once(struct vcpu *v)
{
    deliver_upcall(v);
    v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
    vcpu_time_enter(v, now_ns());
    /* vcpu_kick() signals the thread only while this is set. */
    __atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
    int r = ioctl(v->fd, KVM_RUN, 0);
    int err = errno;
    __atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
    v->events_fresh = true; /* KVM stored them, on every return */
    vcpu_time_leave(v, now_ns());
    v->run->kvm_dirty_regs = 0;
    if (r < 0) {
        if (err == EINTR || err == EAGAIN)
            return;
        crash(v, err == EFAULT ? "access to unbacked guest memory" : "KVM_RUN failed",
              (unsigned long long)err);
        return;
    }
    handle_exit(v);
}
