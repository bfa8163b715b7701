/*
 * The KVM backend: /dev/kvm, one VM per domain, one vCPU fd per vCPU, the
 * CPUID leaves that advertise hvd and the MSR filter that routes the
 * hypercall-page MSR to hvd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <hv/public/xen.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/sched.h>

#define CPUID_MAX_ENTRIES 256

static int kvm_fd = -1;
static int kvm_run_size;
static struct kvm_cpuid2 *guest_cpuid; /* what every vCPU sees */

static int cpuid_set_hv_leaves(struct kvm_cpuid2 *c)
{
    /* Drop KVM's own paravirt leaves: the 0x40000000 range is ours. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->nent; i++) {
        if ((c->entries[i].function & 0xffff0000u) != HV_CPUID_BASE)
            c->entries[n++] = c->entries[i];
    }
    if (n + 3 > CPUID_MAX_ENTRIES)
        return -E2BIG;
    struct kvm_cpuid_entry2 leaves[3] = {
        { .function = HV_CPUID_BASE,
          .eax = HV_CPUID_BASE + 2,
          .ebx = HV_CPUID_SIGNATURE_EBX,
          .ecx = HV_CPUID_SIGNATURE_ECX,
          .edx = HV_CPUID_SIGNATURE_EDX },
        { .function = HV_CPUID_BASE + 1, .eax = HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR },
        { .function = HV_CPUID_BASE + 2, .eax = 1, .ebx = HV_HYPERCALL_MSR },
    };
    memcpy(&c->entries[n], leaves, sizeof(leaves));
    c->nent = n + 3;
    return 0;
}

int arch_kvm_open(void)
{
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0)
        return -errno;
    if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
        return -ENOSYS;
    static const int needed[] = { KVM_CAP_USER_MEMORY, KVM_CAP_X86_USER_SPACE_MSR,
                                  KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_SYNC_REGS };
    for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
        if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, needed[i]) <= 0) {
            printk("KVM lacks capability %d", needed[i]);
            return -EOPNOTSUPP;
        }
    }
    kvm_run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (kvm_run_size <= 0)
        return -ENOSYS;
    guest_cpuid =
        calloc(1, sizeof(*guest_cpuid) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    if (!guest_cpuid)
        return -ENOMEM;
    guest_cpuid->nent = CPUID_MAX_ENTRIES;
    if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, guest_cpuid) < 0)
        return -errno;
    int rc = arch_msr_list_init(kvm_fd);
    return rc ? rc : cpuid_set_hv_leaves(guest_cpuid);
}

int arch_kvm_max_vcpus(void)
{
    int n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (n <= 0)
        n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    return n > 0 ? n : 1;
}

/* Make guest accesses to the hypercall-page MSR exit to hvd. */
static int vm_filter_hypercall_msr(int vm_fd)
{
    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR,
                                  .args[0] = KVM_MSR_EXIT_REASON_FILTER };
    if (ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0)
        return -errno;
    static uint8_t deny; /* bit 0 clear: deny, so the access exits */
    struct kvm_msr_filter filter = {
        .flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
        .ranges[0] = { .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
                       .nmsrs = 1,
                       .base = HV_HYPERCALL_MSR,
                       .bitmap = &deny },
    };
    return ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0 ? -errno : 0;
}

/* Where the domain's system time (its KVM clock) stands against CLOCK_BOOTTIME. */
int arch_vm_clock_offset(struct domain *d)
{
    struct kvm_clock_data c = { 0 };
    struct timespec ts;
    if (ioctl(d->vm_fd, KVM_GET_CLOCK, &c) < 0)
        return -errno;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    d->kvmclock_offset_ns =
        (int64_t)((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) - (int64_t)c.clock;
    time_update_wallclock(d);
    return 0;
}

int arch_vm_create(struct domain *d)
{
    if (fault_point(d))
        return -ENOMEM;
    /* A signal arriving during KVM_CREATE_VM makes it fail with EINTR. */
    do
        d->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    while (d->vm_fd < 0 && errno == EINTR);
    if (d->vm_fd < 0)
        return errno == EMFILE || errno == ENFILE ? -errno : -ENOMEM;
    if (fcntl(d->vm_fd, F_SETFD, FD_CLOEXEC) < 0)
        return -errno;
    int rc = fault_point(d) ? -ENOMEM : vm_filter_hypercall_msr(d->vm_fd);
    return rc ? rc : arch_vm_clock_offset(d);
}

/* The domain's one memory slot: its whole guest-physical window. */
#define RAM_SLOT 0

static int vm_set_ram_slot(struct domain *d, uint32_t flags)
{
    struct kvm_userspace_memory_region region = {
        .slot = RAM_SLOT,
        .flags = flags,
        .guest_phys_addr = 0,
        .memory_size = d->nr_gfns * XEN_PAGE_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)d->ram,
    };
    return ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

int arch_vm_set_memory(struct domain *d)
{
    if (fault_point(d))
        return -ENOMEM;
    return vm_set_ram_slot(d, 0);
}

/* Changing only the flags of a slot is allowed while vCPUs run. */
int arch_vm_log_dirty(struct domain *d, bool on)
{
    return vm_set_ram_slot(d, on ? KVM_MEM_LOG_DIRTY_PAGES : 0);
}

int arch_vm_get_dirty_log(struct domain *d, uint64_t *bitmap)
{
    struct kvm_dirty_log log = { .slot = RAM_SLOT, .dirty_bitmap = bitmap };
    return ioctl(d->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0 ? -errno : 0;
}

int arch_vcpu_create(struct vcpu *v)
{
    if (fault_point(v->domain))
        return -ENOMEM;
    do
        v->fd = ioctl(v->domain->vm_fd, KVM_CREATE_VCPU, (unsigned long)v->vcpu_id);
    while (v->fd < 0 && errno == EINTR);
    if (v->fd < 0)
        return -errno;
    if (fcntl(v->fd, F_SETFD, FD_CLOEXEC) < 0)
        return -errno;
    if (fault_point(v->domain))
        return -ENOMEM;
    void *run = mmap(NULL, (size_t)kvm_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (run == MAP_FAILED)
        return -errno;
    v->run = run;
    v->run_size = (size_t)kvm_run_size;
    if (fault_point(v->domain))
        return -ENOMEM;
    if (ioctl(v->fd, KVM_SET_CPUID2, guest_cpuid) < 0)
        return -errno;
    return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    if (v->run)
        munmap(v->run, v->run_size);
    v->run = NULL;
    if (v->fd >= 0)
        close(v->fd);
    v->fd = -1;
}

void arch_write_hypercall_page(uint8_t *page)
{
    memset(page, 0xcc, XEN_PAGE_SIZE); /* int3 between stubs */
    for (unsigned int nr = 0; nr < NR_hypercalls; nr++) {
        uint8_t *p = page + nr * HV_HYPERCALL_STUB_SIZE;
        p[0] = 0xb8; /* mov $nr, %eax */
        p[1] = (uint8_t)nr;
        p[2] = p[3] = p[4] = 0;
        p[5] = 0xe7; /* out %eax, $port */
        p[6] = HV_HYPERCALL_PORT;
        p[7] = 0xc3; /* ret */
    }
}
