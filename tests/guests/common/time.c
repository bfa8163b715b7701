/* The KVM clock: one pvclock structure per vCPU, read the standard way. */
#include "cpu.h"
#include "time.h"
#include "vcpu.h"
#include "xtf.h"

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define KVM_SYSTEM_TIME_ENABLE  1u

/* The layout KVM writes (the pvclock ABI): 32 bytes. */
struct pvclock_time_info {
    uint32_t version;       /* odd while KVM updates the rest */
    uint32_t pad0;
    uint64_t tsc_timestamp; /* TSC when system_time was taken */
    uint64_t system_time;   /* ns */
    uint32_t tsc_to_system_mul; /* ns per TSC tick, 32.32 fixed point ... */
    int8_t   tsc_shift;         /* ... after shifting the tick delta by this */
    uint8_t  flags;
    uint8_t  pad[2];
};
_Static_assert(sizeof(struct pvclock_time_info) == 32, "pvclock_time_info");

static struct pvclock_time_info clocks[VCPU_MAX] __attribute__((aligned(32)));

int time_init(void)
{
    unsigned int id = vcpu_self();

    if (id >= VCPU_MAX)
        return -XEN_EINVAL;
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&clocks[id] | KVM_SYSTEM_TIME_ENABLE);
    return __atomic_load_n(&clocks[id].version, __ATOMIC_ACQUIRE) ? 0 : -XEN_ENODEV;
}

static uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t now_ns(void)
{
    const volatile struct pvclock_time_info *c = &clocks[vcpu_self() % VCPU_MAX];
    uint32_t version;
    uint64_t ns;

    do {
        version = c->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint64_t delta = rdtsc() - c->tsc_timestamp;
        ns = c->system_time + pvclock_scale(delta, c->tsc_to_system_mul, c->tsc_shift);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((version & 1) || version != c->version);
    return ns;
}
