/*
 * The guest of bench/hypercall.  Its command line picks what it does:
 *
 *   N                     make N null hypercalls (xen_version
 *                         XENVER_version, hvd's cheapest) in a tight ring-0
 *                         loop, then power off.
 *   pong peer=A           reserve an event channel for domain A, print
 *                         "port=P", then answer every event on it with a
 *                         send back, forever (the benchmark destroys it).
 *   ping dom=B port=P n=N bind B's port P, make N round trips (send, sleep
 *                         until B's answer arrives as an upcall), power off.
 *
 * Ring-0 code is interpreted on this project's nested KVM (1 to 1.5 us per
 * instruction), so the measured loops are a few instructions of inline
 * assembly and the upcall handler only acknowledges and counts; nothing is
 * printed inside them.
 */
#include <hv/public/hvm_op.h>
#include <hv/public/memory.h>

#include "cmdline.h"
#include "cpu.h"
#include "evtchn.h"
#include "xtf.h"

const char test_title[] = "hcbench";

#define HCBENCH_MAX_CALLS 100000000ul

/* The decimal number that is all of s, or 0 if s is not one (or too big). */
static unsigned long parse_count(const char *s)
{
    unsigned long n = 0;

    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        n = n * 10 + (unsigned long)(*s - '0');
        if (n > HCBENCH_MAX_CALLS)
            return 0;
    }
    return n;
}

static void null_hypercalls(unsigned long n)
{
    /* A direct call into the stub: no table lookup, no bounds check.
     * The calling convention lets hvd clobber the argument registers,
     * rax, rcx and r11, so the sub-op is reloaded every time. */
    __asm__ volatile("1:\n\t"
                     "xor %%edi, %%edi\n\t"
                     "call hypercall_page + %c[stub]\n\t"
                     "dec %[n]\n\t"
                     "jnz 1b"
                     : [n] "+r"(n)
                     : [stub] "i"(__HYPERVISOR_xen_version * HV_HYPERCALL_STUB_SIZE)
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r10", "r11", "memory",
                       "cc");
}

/* ---- event channel round trips ----------------------------------------- */

/*
 * Our own shared-info page rather than the framework's: at a link-time
 * address, the upcall handler and the loops reach its fields with absolute
 * operands, without loading a pointer (each instruction counts).
 */
static union {
    struct shared_info si;
    uint8_t page[PAGE_SIZE];
} echo_shared __attribute__((aligned(PAGE_SIZE)));

/* The send both loops make, on our end of the channel. */
static struct evtchn_port_op echo_send;
/* Upcalls taken so far. */
static volatile unsigned long echo_upcalls;

struct interrupt_frame {
    uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * The upcall: acknowledge it (the flag, and the selector: the only port is
 * ours) and count it.  The loops find and clear the port's pending bit.
 * Taken just before the loops' hlt (an emulated CPU may ignore sti's
 * shadow), it returns past the hlt, which waited for this very upcall.
 */
__attribute__((interrupt)) static void echo_upcall(struct interrupt_frame *frame)
{
    if (*(const volatile uint8_t *)frame->rip == 0xf4)
        frame->rip++;
    echo_shared.si.vcpu_info[0].evtchn_upcall_pending = 0;
    echo_shared.si.vcpu_info[0].evtchn_pending_sel = 0;
    __asm__ volatile("incq %0" : "+m"(echo_upcalls)); /* one instruction, not three */
}

/* event_channel_op(EVTCHNOP_send, &echo_send). */
#define ECHO_SEND                                  \
    "mov %[send_cmd], %%edi\n\t"                   \
    "mov %[op], %%rsi\n\t"                         \
    "call hypercall_page + %c[stub]\n\t"

/*
 * Sleep until our port is pending, and clear it (lock btr tests and clears
 * in one): sti's shadow covers hlt, so an upcall that is already pending
 * wakes it; interrupts are off again after, so the next event cannot slip
 * in before the next hlt.
 */
#define ECHO_WAIT                                  \
    "2: sti\n\t"                                   \
    "hlt\n\t"                                      \
    "cli\n\t"                                      \
    "lock btrq %[port], %[pending]\n\t"            \
    "jnc 2b\n\t"

#define ECHO_OPERANDS(port)                                                          \
    : [pending] "+m"(echo_shared.si.evtchn_pending)                                  \
    : [port] "r"((uint64_t)(port)), [op] "r"(&echo_send), [send_cmd] "i"(EVTCHNOP_send), \
      [stub] "i"(__HYPERVISOR_event_channel_op * HV_HYPERCALL_STUB_SIZE)             \
    : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r10", "r11", "memory", "cc"

/* n round trips: send, sleep until the answer's upcall. */
static void ping_loop(uint32_t port, unsigned long n)
{
    irq_disable();
    while (n--)
        __asm__ volatile(ECHO_SEND ECHO_WAIT ECHO_OPERANDS(port));
}

/* Forever: sleep until an upcall, answer it. */
static _Noreturn void pong_loop(uint32_t port)
{
    irq_disable();
    for (;;)
        __asm__ volatile(ECHO_WAIT ECHO_SEND ECHO_OPERANDS(port));
}

static uint64_t arg(const char *cmdline, const char *key)
{
    uint64_t v;

    if (!cmdline_get_u64(cmdline, key, &v) || v > 0xffffffffu)
        xtf_error("cmdline \"%s\" lacks %s=N", cmdline, key);
    return v;
}

/* Map our shared-info page, install our handler and ask hvd for upcalls. */
static void echo_init(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (uintptr_t)&echo_shared / PAGE_SIZE,
    };
    struct xen_hvm_param param = {
        .domid = DOMID_SELF,
        .index = HVM_PARAM_CALLBACK_IRQ,
        .value = HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | EVTCHN_UPCALL_VECTOR,
    };
    long rc = hypercall_memory_op(XENMEM_add_to_physmap, &xatp);

    if (rc)
        xtf_failure("add_to_physmap(shared info): %ld", rc);
    traps_set_interrupt_gate(EVTCHN_UPCALL_VECTOR, (void (*)(void))echo_upcall);
    rc = hypercall_hvm_op(HVMOP_set_param, &param);
    if (rc)
        xtf_failure("set_param(HVM_PARAM_CALLBACK_IRQ): %ld", rc);
}

static _Noreturn void pong(domid_t peer)
{
    uint32_t port;
    long rc;

    echo_init();
    rc = evtchn_alloc_unbound(peer, &port);
    if (rc)
        xtf_failure("alloc_unbound(%u): %ld", peer, rc);
    echo_send.port = port;
    printf("port=%u\n", port);
    pong_loop(port);
}

static void ping(domid_t dom, uint32_t remote_port, unsigned long n)
{
    uint32_t port;
    long rc;

    if (!n || n > HCBENCH_MAX_CALLS)
        xtf_error("n=%lu is not a round-trip count in 1..%lu", n, HCBENCH_MAX_CALLS);
    echo_init();
    rc = evtchn_bind_interdomain(dom, remote_port, &port);
    if (rc)
        xtf_failure("bind_interdomain(%u, %u): %ld", dom, remote_port, rc);
    echo_send.port = port;
    ping_loop(port, n);
    if (echo_upcalls != n)
        xtf_failure("%lu upcalls for %lu round trips", echo_upcalls, n);
    printf("%lu event round trips made\n", n);
}

static void null_mode(unsigned long n)
{
    long version = hypercall_xen_version(XENVER_version, NULL);

    if (version < 0)
        xtf_failure("xen_version(XENVER_version) returned %ld", version);
    null_hypercalls(n);
    printf("%lu null hypercalls made\n", n);
}

void test_main(const struct hv_start_info *si)
{
    _Static_assert(XENVER_version == 0, "the loop passes XENVER_version as zero");
    const char *cmd = si->cmdline;
    unsigned long n = parse_count(cmd);

    if (n)
        null_mode(n);
    else if (cmdline_has_word(cmd, "pong"))
        pong((domid_t)arg(cmd, "peer"));
    else if (cmdline_has_word(cmd, "ping"))
        ping((domid_t)arg(cmd, "dom"), (uint32_t)arg(cmd, "port"), arg(cmd, "n"));
    else
        xtf_error("cmdline \"%s\": want a call count in 1..%lu, pong or ping", cmd,
                  HCBENCH_MAX_CALLS);
    xtf_success();
}
