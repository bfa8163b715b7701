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
#include <xen/arch.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/sched.h>

static void handle_hypercall(struct vcpu *v)
{
    struct kvm_regs *r = &v->run->s.regs.regs;
    struct hypercall_args args = {
        .nr = r->rax & 0xffffffffu,
        .a = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 },
    };
    long rc = arch_vcpu_cpl(v) ? -XEN_EPERM : hypercall_dispatch(v, &args);
    r->rax = (uint64_t)rc;
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

/* The hypercall-page MSR: a write of (gfn << 12) fills that frame with stubs. */
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
    uint64_t gpa = run->msr.data & ~0xfffull;
    uint8_t *page = (run->msr.data & 0xfff) ? NULL : gpa_to_hva(d, gpa, HV_PAGE_SIZE);
    if (!page) {
        gprintk(&d->log_rl, "d%u: bad hypercall page address 0x%llx", d->domid,
                (unsigned long long)run->msr.data);
        return;
    }
    arch_write_hypercall_page(page);
    run->msr.error = 0;
}

static void crash(struct vcpu *v, const char *why, unsigned long long detail)
{
    printk("d%u v%u: crashed: %s (%#llx) at rip %#llx", v->domain->domid, v->vcpu_id, why, detail,
           (unsigned long long)v->run->s.regs.regs.rip);
    domain_shutdown(v->domain, SHUTDOWN_crash);
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
        pthread_mutex_lock(&v->domain->lock);
        v->blocked = true;
        pthread_mutex_unlock(&v->domain->lock);
        break;
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

void arch_vcpu_run_once(struct vcpu *v)
{
    v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    uint64_t t0 = now_ns();
    int r = ioctl(v->fd, KVM_RUN, 0);
    int err = errno;
    __atomic_store_n(&v->cpu_time_ns, v->cpu_time_ns + (now_ns() - t0), __ATOMIC_RELAXED);
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
