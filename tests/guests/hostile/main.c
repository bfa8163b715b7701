/*
 * A hostile guest for tests/integration/hostile_guest.sh: hypercalls with
 * random numbers, sub-ops and arguments (pointers good, bad, non-canonical
 * and straddling the end of RAM; random sizes, ports, vCPUs), plus raw
 * hypercall exits with out-of-range numbers and writes to unhandled I/O
 * ports.  Command line: seed=S count=N seconds=T — stop after N calls or
 * T seconds, whichever comes first.
 *
 * It leaves out what would legitimately end or wreck itself: shutdown,
 * block and unbounded poll, decrease_reservation (its own pages),
 * add_to_physmap except onto its shared-info page, VCPUOP_initialise and
 * VCPUOP_down, the callback vector, and console writes of our memory (they
 * would fill the console).  Interrupts stay off throughout, so no upcall
 * is ever taken.  Every result must be >= 0 or a known -XEN_Exxx other
 * than -ERESTART.
 */
#include <hv/public/hvm_op.h>
#include <hv/public/memory.h>
#include <hv/public/vcpu.h>

#include "check.h"
#include "cmdline.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "hostile: random hypercalls";

#define SCRATCH_SIZE (64 * 1024)
#define SCRATCH_SLACK 4096 /* room after any pointer into scratch: every output fits */
#define PROGRESS_EVERY 10000ul
#define CLOCK_EVERY 256ul
#define XEN_ERRNO_MAX 133 /* the largest Linux errno value */
#define UNHANDLED_PORT 0x80

static uint8_t scratch[SCRATCH_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t rng_state;
static uint64_t ram_bytes;
static uint64_t image_start, image_end; /* our code, data, start info and page tables */
static uint64_t shared_info_gfn;

struct call {
    unsigned int nr;
    unsigned long a[5];
};

struct tally {
    unsigned long calls, ok, errors, raw, port_writes, bad;
    struct call first_bad;
    long first_bad_rc;
    unsigned long per_errno[XEN_ERRNO_MAX + 1];
};
static struct tally tally;

/* xorshift64*: fast, and a given seed replays the same run. */
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Whether addr (or a buffer of up to a page there) reaches our image. */
static bool hits_image(uint64_t addr)
{
    return addr < image_end && addr + PAGE_SIZE > image_start;
}

static bool in_ram(uint64_t addr)
{
    return addr < ram_bytes;
}

/*
 * Ring 0 is interpreted (about 1 us an instruction), so each call is built
 * from a few random words sliced into fields: no division, no loops.
 */
static const uint64_t edges[32] = {
    0, 1, 2, 3, 31, 32, 63, 64, 127, 128, 129, 1023, 1024, 1025, 4095, 4096, 4097,
    0x7fef, 0x7ff0, 0x7ff4, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
    0x7fffffffffffffff, 0x8000000000000000, ~0ull, ~0ull - 1, 0xfffffffffffff000,
    0xffff800000000000, 0x0000800000000000,
};
#define SCRATCH_OFFSET_MASK ((SCRATCH_SIZE - SCRATCH_SLACK - 1) & ~7ul)

static uint64_t scratch_pointer(uint64_t v)
{
    return (uintptr_t)scratch + (v & SCRATCH_OFFSET_MASK);
}

static uint64_t unmapped_pointer(uint64_t v)
{
    return (v & 0x7fffffffffffull) | 0x100000000000ull; /* canonical, beyond RAM */
}

/*
 * An argument of kind k (0..7) from random word v: a pointer into scratch
 * (writable, ours to lose), unmapped, non-canonical or straddling the end
 * of RAM (free memory), an edge-case number, a small one, or anything.
 * Never an address in our own code, data or tables.
 */
static uint64_t rnd_arg(unsigned int k, uint64_t v)
{
    switch (k) {
    case 0:
    case 1:
        return scratch_pointer(v);
    case 2:
        return unmapped_pointer(v);
    case 3:
        return (v & 0xffffffffffffull) | 0x8000000000000000ull; /* non-canonical */
    case 4:
        return ram_bytes - (v & 255);
    case 5:
        return edges[v & 31];
    case 6:
        return v & 2047;
    default:
        return hits_image(v) ? v | 0x100000000000ull : v;
    }
}

/* Half the table twice: 1 in 16 picks any hypercall number instead. */
static const unsigned int implemented[16] = {
    __HYPERVISOR_memory_op,  __HYPERVISOR_set_timer_op, __HYPERVISOR_xen_version,
    __HYPERVISOR_console_io, __HYPERVISOR_vcpu_op,      __HYPERVISOR_sched_op,
    __HYPERVISOR_event_channel_op, __HYPERVISOR_hvm_op,
    __HYPERVISOR_memory_op,  __HYPERVISOR_event_channel_op, __HYPERVISOR_xen_version,
    __HYPERVISOR_console_io, __HYPERVISOR_vcpu_op,      __HYPERVISOR_sched_op,
    __HYPERVISOR_event_channel_op, __HYPERVISOR_hvm_op,
};

/* ---- the parts of a call that would wreck this guest, made harmless ---- */

static bool subop_is(uint64_t cmd, unsigned int op)
{
    return (cmd & 0xffff) == op;
}

/* memory_op's cmd carries a start extent above MEMOP_EXTENT_SHIFT. */
static bool memop_is(uint64_t cmd, unsigned int op)
{
    return (cmd & MEMOP_CMD_MASK) == op;
}

static void defuse_memory_op(struct call *c, uint64_t v)
{
    if (memop_is(c->a[0], XENMEM_decrease_reservation))
        c->a[0] = XENMEM_current_reservation;
    if (memop_is(c->a[0], XENMEM_add_to_physmap) && in_ram(c->a[1])) {
        struct xen_add_to_physmap *x = (struct xen_add_to_physmap *)scratch_pointer(v);

        if (v & 1)
            *x = (struct xen_add_to_physmap){ .domid = DOMID_SELF,
                                              .space = XENMAPSPACE_shared_info };
        x->gpfn = v & 2 ? shared_info_gfn : ram_bytes / PAGE_SIZE + (v >> 20 & 1023);
        c->a[1] = (uintptr_t)x;
    }
}

static void defuse_sched_op(struct call *c, uint64_t v)
{
    if (subop_is(c->a[0], SCHEDOP_block) || subop_is(c->a[0], SCHEDOP_shutdown))
        c->a[0] = SCHEDOP_yield;
    if (subop_is(c->a[0], SCHEDOP_poll)) {
        struct sched_poll *p = (struct sched_poll *)scratch_pointer(v);

        p->ports = v & 1 ? scratch_pointer(v >> 17) : unmapped_pointer(v);
        p->nr_ports = (uint32_t)(v >> 32 & 255);
        p->pad = v & 2 ? 0 : (uint32_t)(v >> 40);
        p->timeout = 1; /* long past: poll returns at once */
        c->a[1] = (uintptr_t)p;
    }
}

/* set_param of anything but the callback vector. */
static void defuse_hvm_op(struct call *c, uint64_t v)
{
    if (subop_is(c->a[0], HVMOP_set_param) && in_ram(c->a[1])) {
        struct xen_hvm_param *p = (struct xen_hvm_param *)scratch_pointer(v);

        if (v & 1)
            *p = (struct xen_hvm_param){ .domid = DOMID_SELF, .value = edges[v >> 8 & 31] };
        p->index = 1 + (uint32_t)(v >> 20 & 63);
        c->a[1] = (uintptr_t)p;
    }
}

/* v: a fresh random word for whatever the fix needs. */
static void defuse(struct call *c, uint64_t v)
{
    switch (c->nr) {
    case __HYPERVISOR_memory_op:
        defuse_memory_op(c, v);
        break;
    case __HYPERVISOR_sched_op:
        defuse_sched_op(c, v);
        break;
    case __HYPERVISOR_vcpu_op:
        if (subop_is(c->a[0], VCPUOP_initialise) || subop_is(c->a[0], VCPUOP_down))
            c->a[0] = VCPUOP_is_up;
        break;
    case __HYPERVISOR_hvm_op:
        defuse_hvm_op(c, v);
        break;
    case __HYPERVISOR_console_io:
        if (subop_is(c->a[0], CONSOLEIO_write) && in_ram(c->a[2]))
            c->a[2] = unmapped_pointer(v);
        break;
    default:
        break;
    }
}

/* r decides the shape; three more words give the argument values. */
static void make_call(struct call *c, uint64_t r)
{
    uint64_t v1 = rnd(), v2 = rnd(), v3 = rnd();

    c->nr = r >> 4 & 15 ? implemented[r & 15] : (unsigned int)(r >> 8 & (NR_hypercalls - 1));
    c->a[0] = r >> 14 & 7 ? r >> 17 & 15 : rnd_arg(r >> 21 & 7, v3);
    c->a[1] = c->nr == __HYPERVISOR_vcpu_op && r >> 24 & 3 ? r >> 26 & 3 /* a vcpuid */
                                                           : rnd_arg(r >> 28 & 7, v1);
    c->a[2] = rnd_arg(r >> 31 & 7, v2);
    c->a[3] = rnd_arg(r >> 34 & 7, v3 >> 7);
    c->a[4] = v1 ^ v2;
    /* Keep scratch's contents changing: one word per call. */
    ((uint64_t *)scratch)[v3 >> 40 & (SCRATCH_SIZE / 8 - 1)] = rnd_arg(r >> 37 & 7, v2 >> 3);
    defuse(c, rnd());
}

static void record(const struct call *c, long rc)
{
    tally.calls++;
    if (rc >= 0) {
        tally.ok++;
        return;
    }
    if (-rc <= XEN_ERRNO_MAX && rc != -XEN_ERESTART) {
        tally.errors++;
        tally.per_errno[-rc]++;
        return;
    }
    if (!tally.bad++) {
        tally.first_bad = *c;
        tally.first_bad_rc = rc;
    }
}

/* A hypercall exit with a number no stub has: out of the table. */
static long raw_hypercall(uint32_t nr)
{
    long rax;

    __asm__ volatile("out %%eax, %[port]"
                     : "=a"(rax)
                     : "a"(nr), [port] "i"(HV_HYPERCALL_PORT)
                     : "rcx", "r11", "rdi", "rsi", "rdx", "r8", "r10", "memory");
    return rax;
}

/* One random action; returns false if it was not a hypercall. */
static bool one_step(void)
{
    struct call c = { 0 };
    uint64_t r = rnd();
    unsigned int dice = (unsigned int)(r >> 56); /* 0..255 */

    if (dice < 2) {
        /* hvd logs these, rate-limited. */
        __asm__ volatile("outb %%al, %[port]" :: "a"(0), [port] "i"(UNHANDLED_PORT));
        tally.port_writes++;
        return false;
    }
    if (dice < 10) {
        c.nr = NR_hypercalls + (uint32_t)(r & 0xffffff);
        tally.raw++;
        record(&c, raw_hypercall(c.nr));
        return true;
    }
    make_call(&c, r);
    record(&c, hypercall(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]));
    return true;
}

static void print_errno_summary(void)
{
    char line[256];
    size_t n = 0;

    for (unsigned int e = 1; e <= XEN_ERRNO_MAX; e++) {
        if (tally.per_errno[e] && n < sizeof(line))
            n += (size_t)snprintf(line + n, sizeof(line) - n, " %s:%lu", rc_name(-(long)e),
                                  tally.per_errno[e]);
    }
    printf("errors by kind:%s\n", n ? line : " none");
}

static void run(uint64_t count, uint64_t seconds)
{
    uint64_t t0 = now_ns(), deadline = t0 + seconds * NSEC_PER_SEC, elapsed;

    while (tally.calls < count) {
        if (!one_step())
            continue;
        /* The clock costs dozens of instructions: look at it now and then. */
        if (tally.calls % CLOCK_EVERY == 0 && now_ns() >= deadline)
            break;
        if (tally.calls % PROGRESS_EVERY == 0)
            printf("progress: %lu calls in %lu ms\n", tally.calls,
                   (now_ns() - t0) / NSEC_PER_MSEC);
    }
    elapsed = now_ns() - t0;
    printf("made %lu hypercalls (%lu raw out-of-table) and %lu port writes in %lu ms, "
           "%lu us each\n", tally.calls, tally.raw, tally.port_writes, elapsed / NSEC_PER_MSEC,
           tally.calls ? elapsed / 1000 / tally.calls : 0);
    printf("%lu succeeded, %lu failed with a known error\n", tally.ok, tally.errors);
    print_errno_summary();
}

void test_main(const struct hv_start_info *si)
{
    uint64_t seed, count, seconds;
    long rc;

    if (!cmdline_get_u64(si->cmdline, "seed", &seed) ||
        !cmdline_get_u64(si->cmdline, "count", &count) ||
        !cmdline_get_u64(si->cmdline, "seconds", &seconds))
        xtf_error("cmdline \"%s\": want seed=S count=N seconds=T", si->cmdline);
    rng_state = seed | 1; /* xorshift must not start at 0 */
    ram_bytes = si->nr_pages * PAGE_SIZE;
    image_start = si->image_start;
    image_end = si->free_start;
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc)
        xtf_failure("evtchn_init: %s", rc_name(rc));
    shared_info_gfn = (uintptr_t)shared_info / PAGE_SIZE;
    printf("seed %lu, up to %lu calls or %lu s\n", seed, count, seconds);
    run(count, seconds);
    check(tally.bad == 0, "every_result_is_success_or_a_known_errno",
          "%lu bad; first: hypercall %u (0x%lx, 0x%lx, ...) = %ld", tally.bad,
          tally.first_bad.nr, tally.first_bad.a[0], tally.first_bad.a[1], tally.first_bad_rc);
    check_rc("xen_version_still_answers", hypercall_xen_version(XENVER_pagesize, NULL),
             PAGE_SIZE);
    checks_done();
}
