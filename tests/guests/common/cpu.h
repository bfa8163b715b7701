/* Privileged x86 instructions the framework needs, as inline functions. */
#ifndef XTF_CPU_H
#define XTF_CPU_H

#include <stdint.h>

#define MSR_EFER        0xc0000080u
#define MSR_GS_BASE     0xc0000101u

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)value),
                     "d"((uint32_t)(value >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

#define DEFINE_READ_CR(n)                                         \
    static inline uint64_t read_cr##n(void)                       \
    {                                                             \
        uint64_t v;                                               \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));         \
        return v;                                                 \
    }
DEFINE_READ_CR(0)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
#undef DEFINE_READ_CR

static inline void irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* Open a short interrupt window: a pending upcall is taken here, then
 * interrupts are off again.  sti's shadow covers the nop; the jump ends
 * a translated block, where an emulated CPU (QEMU's TCG under a nested
 * KVM) looks for interrupts, so the window is not missed there. */
static inline void irq_window(void)
{
    __asm__ volatile("sti; nop; jmp 1f; 1: cli" ::: "memory");
}

/* Sleep until an interrupt, atomically with enabling interrupts (sti's
 * shadow covers hlt, so one already pending wakes it); off again after. */
static inline void irq_enable_and_halt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Index of the lowest set bit of a non-zero word.  bsf, not the tzcnt
 * a builtin may emit: guest ring 0 is interpreted and lacks some of the
 * newer instructions. */
static inline unsigned int lowest_bit(uint64_t x)
{
    uint64_t i;

    __asm__("bsf %1, %0" : "=r"(i) : "rm"(x) : "cc");
    return (unsigned int)i;
}

#endif
