/*
 * A bare KVM VM for bench/hypercall's reference run.  It uses KVM the way
 * hvd does (the same CPUID leaves, MSR filter, hypercall stubs and
 * KVM_CAP_SYNC_REGS exchange of registers), but answers each hypercall
 * inline on the thread that called KVM_RUN, with no dispatch, locking or
 * accounting: the difference from hvd is hvd's own overhead.
 */
#include "raw_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/public/errno.h>
#include <hv/public/sched.h>
#include <hv/public/xen.h>

#include "../tools/libhvguest/x86_boot.h"

#define RAW_CPUID_MAX   256
#define RAW_PAGE_SIZE   4096u
#define RAW_RAM_SLOT    0

/* KVM's supported leaves, with hv's 0x40000000 range in place of KVM's own. */
static int raw_kvm_set_cpuid(struct raw_kvm *k)
{
    uint32_t n = 0;

    k->cpuid = calloc(1, sizeof(*k->cpuid) + RAW_CPUID_MAX * sizeof(k->cpuid->entries[0]));
    if (!k->cpuid)
        return -ENOMEM;
    k->cpuid->nent = RAW_CPUID_MAX;
    if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, k->cpuid) < 0)
        return -errno;
    for (uint32_t i = 0; i < k->cpuid->nent; i++) {
        if ((k->cpuid->entries[i].function & 0xffff0000u) != HV_CPUID_BASE)
            k->cpuid->entries[n++] = k->cpuid->entries[i];
    }
    if (n + 3 > RAW_CPUID_MAX)
        return -E2BIG;
    k->cpuid->entries[n++] = (struct kvm_cpuid_entry2){
        .function = HV_CPUID_BASE, .eax = HV_CPUID_BASE + 2, .ebx = HV_CPUID_SIGNATURE_EBX,
        .ecx = HV_CPUID_SIGNATURE_ECX, .edx = HV_CPUID_SIGNATURE_EDX };
    k->cpuid->entries[n++] = (struct kvm_cpuid_entry2){ .function = HV_CPUID_BASE + 1 };
    k->cpuid->entries[n++] = (struct kvm_cpuid_entry2){
        .function = HV_CPUID_BASE + 2, .eax = 1, .ebx = HV_HYPERCALL_MSR };
    k->cpuid->nent = n;
    return 0;
}

int raw_kvm_open(struct raw_kvm *k)
{
    int rc;

    k->cpuid = NULL;
    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0)
        return -errno;
    k->run_size = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    rc = k->run_size > 0 ? raw_kvm_set_cpuid(k) : -ENOSYS;
    if (rc)
        raw_kvm_close(k);
    return rc;
}

void raw_kvm_close(struct raw_kvm *k)
{
    free(k->cpuid);
    k->cpuid = NULL;
    if (k->kvm_fd >= 0)
        close(k->kvm_fd);
    k->kvm_fd = -1;
}

/* Guest accesses to the hypercall-page MSR exit to us, as they exit to hvd. */
static int raw_vm_filter_hypercall_msr(int vm_fd)
{
    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR,
                                  .args[0] = KVM_MSR_EXIT_REASON_FILTER };
    static uint8_t deny; /* bit clear: the access is denied, so it exits */
    struct kvm_msr_filter filter = {
        .flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
        .ranges[0] = { .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
                       .nmsrs = 1, .base = HV_HYPERCALL_MSR, .bitmap = &deny },
    };

    if (ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 || ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0)
        return -errno;
    return 0;
}

static int raw_vm_add_ram(struct raw_vm *vm, uint64_t ram_size)
{
    void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (ram == MAP_FAILED)
        return -errno;
    vm->ram = ram;
    vm->ram_size = ram_size;
    struct kvm_userspace_memory_region region = {
        .slot = RAW_RAM_SLOT, .memory_size = ram_size, .userspace_addr = (uintptr_t)ram,
    };
    return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

static int raw_vm_add_vcpu(struct raw_vm *vm, const struct raw_kvm *k)
{
    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0ul);
    if (vm->vcpu_fd < 0)
        return -errno;
    void *run = mmap(NULL, (size_t)k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
    if (run == MAP_FAILED)
        return -errno;
    vm->run = run;
    vm->run_size = (size_t)k->run_size;
    return ioctl(vm->vcpu_fd, KVM_SET_CPUID2, k->cpuid) < 0 ? -errno : 0;
}

int raw_vm_create(struct raw_vm *vm, const struct raw_kvm *k, uint64_t ram_size)
{
    int rc;

    *vm = (struct raw_vm){ .vm_fd = -1, .vcpu_fd = -1 };
    if (!ram_size || ram_size % RAW_PAGE_SIZE)
        return -EINVAL;
    vm->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0ul);
    if (vm->vm_fd < 0)
        return -errno;
    rc = raw_vm_filter_hypercall_msr(vm->vm_fd);
    if (rc == 0)
        rc = raw_vm_add_ram(vm, ram_size);
    if (rc == 0)
        rc = raw_vm_add_vcpu(vm, k);
    if (rc)
        raw_vm_destroy(vm);
    return rc;
}

void raw_vm_destroy(struct raw_vm *vm)
{
    if (vm->run)
        munmap(vm->run, vm->run_size);
    if (vm->vcpu_fd >= 0)
        close(vm->vcpu_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->ram)
        munmap(vm->ram, vm->ram_size);
    *vm = (struct raw_vm){ .vm_fd = -1, .vcpu_fd = -1 };
}

static void segment_to_kvm(struct kvm_segment *k, const struct hv_segment *s)
{
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
        .present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l,
        .g = s->g, .avl = s->avl, .unusable = s->unusable,
    };
}

/* The boot state the domain builder gives vCPU 0, in KVM's terms. */
static int raw_vm_set_context(struct raw_vm *vm, const struct hv_vcpu_context *c)
{
    struct kvm_sregs s;
    struct kvm_regs r = { .rip = c->rip, .rsi = c->rsi, .rsp = c->rsp, .rflags = c->rflags };

    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    segment_to_kvm(&s.cs, &c->cs);
    segment_to_kvm(&s.ds, &c->ds);
    segment_to_kvm(&s.es, &c->es);
    segment_to_kvm(&s.fs, &c->fs);
    segment_to_kvm(&s.gs, &c->gs);
    segment_to_kvm(&s.ss, &c->ss);
    segment_to_kvm(&s.tr, &c->tr);
    segment_to_kvm(&s.ldt, &c->ldt);
    s.cr0 = c->cr0, s.cr3 = c->cr3, s.cr4 = c->cr4, s.efer = c->efer;
    s.apic_base = c->apic_base;
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0 || ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
        return -errno;
    return 0;
}

int raw_vm_load_elf(struct raw_vm *vm, const void *img, size_t len, const char *cmdline)
{
    struct elf_image elf;
    struct boot_layout l;
    struct hv_vcpu_context ctx;
    int rc = elf_parse(img, len, vm->ram_size, &elf);

    if (rc == 0)
        rc = elf_load(&elf, img, len, &(struct guest_view){ vm->ram, 0, vm->ram_size });
    if (rc == 0)
        rc = boot_layout_compute(vm->ram_size, elf.image_start, elf.image_end, &l);
    if (rc == 0)
        rc = boot_fill_start_info((struct hv_start_info *)(vm->ram + l.start_info), &l,
                                  DOMID_FIRST, 1, cmdline);
    if (rc)
        return rc;
    boot_write_page_tables(vm->ram + l.pt_base, &l);
    boot_vcpu_context(&ctx, elf.entry, l.start_info, l.pt_base);
    return raw_vm_set_context(vm, &ctx);
}

/* The same stubs hvd writes: mov $nr,%eax; out %eax,$port; ret; int3 between. */
static void raw_vm_write_hypercall_page(uint8_t *page)
{
    memset(page, 0xcc, RAW_PAGE_SIZE);
    for (unsigned int nr = 0; nr < NR_hypercalls; nr++) {
        static const uint8_t stub[] = { 0xb8, 0, 0, 0, 0, 0xe7, HV_HYPERCALL_PORT, 0xc3 };
        uint8_t *p = page + nr * HV_HYPERCALL_STUB_SIZE;

        memcpy(p, stub, sizeof(stub));
        p[1] = (uint8_t)nr;
    }
}

static void raw_vm_handle_wrmsr(struct raw_vm *vm)
{
    struct kvm_run *run = vm->run;
    uint64_t gpa = run->msr.data;

    run->msr.error = 1; /* #GP unless it is a good hypercall-page write */
    if (run->msr.index != HV_HYPERCALL_MSR || gpa % RAW_PAGE_SIZE || gpa >= vm->ram_size)
        return;
    raw_vm_write_hypercall_page(vm->ram + gpa);
    run->msr.error = 0;
}

/* Guest RAM is identity-mapped, so a buffer's virtual address is its gpa. */
static void raw_vm_keep_console(struct raw_vm *vm, uint64_t gva, uint64_t count, char *console,
                                size_t size)
{
    size_t used = strnlen(console, size - 1);

    if (gva >= vm->ram_size || count > vm->ram_size - gva)
        return;
    if (count > size - 1 - used)
        count = size - 1 - used;
    memcpy(console + used, vm->ram + gva, count);
    console[used + count] = '\0';
}

/* One hypercall exit: 1 when the guest asked to shut down, else 0. */
static int raw_vm_handle_hypercall(struct raw_vm *vm, char *console, size_t size)
{
    struct kvm_regs *r = &vm->run->s.regs.regs;
    uint32_t nr = (uint32_t)r->rax;

    if (nr == __HYPERVISOR_sched_op && r->rdi == SCHEDOP_shutdown)
        return 1;
    if (nr == __HYPERVISOR_console_io && r->rdi == CONSOLEIO_write) {
        raw_vm_keep_console(vm, r->rdx, r->rsi, console, size);
        r->rax = r->rsi; /* all of it written */
    } else {
        r->rax = nr == __HYPERVISOR_xen_version ? 0 : (uint64_t)-XEN_ENOSYS;
    }
    vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    return 0;
}

int raw_vm_run(struct raw_vm *vm, char *console, size_t size)
{
    struct kvm_run *run = vm->run;

    console[0] = '\0';
    for (;;) {
        run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -errno;
        }
        run->kvm_dirty_regs = 0;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.port != HV_HYPERCALL_PORT || run->io.direction != KVM_EXIT_IO_OUT)
                return -EPROTO;
            if (raw_vm_handle_hypercall(vm, console, size))
                return 0;
            break;
        case KVM_EXIT_X86_WRMSR:
            raw_vm_handle_wrmsr(vm);
            break;
        case KVM_EXIT_X86_RDMSR:
            run->msr.error = 1;
            break;
        default:
            return -EPROTO;
        }
    }
}
