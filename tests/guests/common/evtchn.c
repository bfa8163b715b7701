/* Event channels: shared info, the upcall handler and the sub-op wrappers. */
#include <hv/public/hvm_op.h>
#include <hv/public/memory.h>
#include <hv/public/sched.h>

#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "vcpu.h"
#include "xtf.h"

#define BITS_PER_WORD 64u

struct shared_info *volatile shared_info;
static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct port_state {
    evtchn_handler_fn fn;
    void *data;
    unsigned long handled;
    uint32_t vcpu;      /* the vCPU this port notifies */
    uint32_t last_vcpu; /* where the last upcall for it ran */
};
static struct port_state ports[HV_EVTCHN_PORTS];

void evtchn_upcall_entry(void); /* head.S */
void evtchn_do_upcall(void);

static struct port_state *port_state(uint32_t port)
{
    return port < HV_EVTCHN_PORTS ? &ports[port] : NULL;
}

static long evtchn_map_shared_info(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (uintptr_t)shared_info_page / PAGE_SIZE,
    };
    long rc = hypercall_memory_op(XENMEM_add_to_physmap, &xatp);

    if (rc == 0)
        shared_info = (struct shared_info *)shared_info_page;
    return rc;
}

long evtchn_init(void)
{
    struct xen_hvm_param param = {
        .domid = DOMID_SELF,
        .index = HVM_PARAM_CALLBACK_IRQ,
        .value = HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | EVTCHN_UPCALL_VECTOR,
    };
    long rc = evtchn_map_shared_info();

    if (rc)
        return rc;
    traps_set_interrupt_gate(EVTCHN_UPCALL_VECTOR, evtchn_upcall_entry);
    return hypercall_hvm_op(HVMOP_set_param, &param);
}

void evtchn_set_handler(uint32_t port, evtchn_handler_fn fn, void *data)
{
    struct port_state *p = port_state(port);

    if (p) {
        p->fn = fn;
        p->data = data;
    }
}

unsigned long evtchn_handled(uint32_t port)
{
    struct port_state *p = port_state(port);

    return p ? __atomic_load_n(&p->handled, __ATOMIC_ACQUIRE) : 0;
}

unsigned int evtchn_last_vcpu(uint32_t port)
{
    struct port_state *p = port_state(port);

    return p ? __atomic_load_n(&p->last_vcpu, __ATOMIC_ACQUIRE) : 0;
}

/* ---- the shared-info bitmaps ------------------------------------------ */

static bool test_bit(const uint64_t *words, uint32_t bit)
{
    return __atomic_load_n(&words[bit / BITS_PER_WORD], __ATOMIC_ACQUIRE) &
           (1ull << (bit % BITS_PER_WORD));
}

bool evtchn_is_pending(uint32_t port)
{
    return shared_info && port < HV_EVTCHN_PORTS && test_bit(shared_info->evtchn_pending, port);
}

bool evtchn_is_masked(uint32_t port)
{
    return shared_info && port < HV_EVTCHN_PORTS && test_bit(shared_info->evtchn_mask, port);
}

void evtchn_mask(uint32_t port)
{
    if (shared_info && port < HV_EVTCHN_PORTS)
        __atomic_fetch_or(&shared_info->evtchn_mask[port / BITS_PER_WORD],
                          1ull << (port % BITS_PER_WORD), __ATOMIC_SEQ_CST);
}

void evtchn_clear_pending(uint32_t port)
{
    if (shared_info && port < HV_EVTCHN_PORTS)
        __atomic_fetch_and(&shared_info->evtchn_pending[port / BITS_PER_WORD],
                           ~(1ull << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

/* ---- the upcall ------------------------------------------------------- */

static void handle_port(uint32_t port, unsigned int cpu)
{
    struct port_state *p = &ports[port];

    __atomic_store_n(&p->last_vcpu, cpu, __ATOMIC_RELEASE);
    __atomic_fetch_add(&p->handled, 1, __ATOMIC_SEQ_CST);
    if (p->fn)
        p->fn(port, p->data);
}

/* Handle the pending, unmasked ports of word w that notify this vCPU. */
static void handle_word(unsigned int w, unsigned int cpu)
{
    uint64_t ready = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];

    while (ready) {
        unsigned int b = lowest_bit(ready);
        uint32_t port = w * BITS_PER_WORD + b;

        ready &= ready - 1;
        if (port >= HV_EVTCHN_PORTS || ports[port].vcpu != cpu)
            continue;
        evtchn_clear_pending(port);
        handle_port(port, cpu);
    }
}

/* Called from evtchn_upcall_entry with interrupts off. */
void evtchn_do_upcall(void)
{
    unsigned int cpu = vcpu_self();
    struct vcpu_info *vi;

    if (!shared_info || cpu >= HV_SHARED_INFO_VCPUS)
        return;
    vi = &shared_info->vcpu_info[cpu];
    /* Level-triggered: clear the flag first, so an event raised while we
     * scan sets it again and we go round once more. */
    while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST)) {
        uint64_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);

        while (sel) {
            unsigned int w = lowest_bit(sel);

            sel &= sel - 1;
            handle_word(w, cpu);
        }
    }
}

/* ---- event_channel_op ------------------------------------------------- */

static void port_set_vcpu(uint32_t port, uint32_t vcpu)
{
    struct port_state *p = port_state(port);

    if (p)
        p->vcpu = vcpu;
}

long evtchn_alloc_unbound(domid_t remote_dom, uint32_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote_dom };
    long rc = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &op);

    if (rc == 0) {
        *port = op.port;
        port_set_vcpu(op.port, 0);
    }
    return rc;
}

long evtchn_bind_interdomain(domid_t remote_dom, uint32_t remote_port, uint32_t *local_port)
{
    struct evtchn_bind_interdomain op = { .remote_dom = remote_dom, .remote_port = remote_port };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &op);

    if (rc == 0) {
        *local_port = op.local_port;
        port_set_vcpu(op.local_port, 0);
    }
    return rc;
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_virq, &op);

    if (rc == 0) {
        *port = op.port;
        port_set_vcpu(op.port, vcpu);
    }
    return rc;
}

long evtchn_bind_ipi(uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_ipi, &op);

    if (rc == 0) {
        *port = op.port;
        port_set_vcpu(op.port, vcpu);
    }
    return rc;
}

long evtchn_bind_vcpu(uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &op);

    if (rc == 0)
        port_set_vcpu(port, vcpu);
    return rc;
}

static long evtchn_port_op(unsigned int cmd, uint32_t port)
{
    struct evtchn_port_op op = { .port = port };

    return hypercall_event_channel_op(cmd, &op);
}

long evtchn_send(uint32_t port)
{
    return evtchn_port_op(EVTCHNOP_send, port);
}

long evtchn_close(uint32_t port)
{
    return evtchn_port_op(EVTCHNOP_close, port);
}

long evtchn_unmask(uint32_t port)
{
    return evtchn_port_op(EVTCHNOP_unmask, port);
}

long evtchn_status(uint32_t port, struct evtchn_status *status)
{
    *status = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    return hypercall_event_channel_op(EVTCHNOP_status, status);
}

long evtchn_reset(void)
{
    struct evtchn_reset op = { .dom = DOMID_SELF };

    return hypercall_event_channel_op(EVTCHNOP_reset, &op);
}

/* ---- waiting ---------------------------------------------------------- */

long sched_poll_port(uint32_t port, uint64_t deadline_ns)
{
    static uint32_t poll_ports[VCPU_MAX];
    uint32_t *p = &poll_ports[vcpu_self() % VCPU_MAX];
    struct sched_poll poll = { .ports = (uintptr_t)p, .nr_ports = 1, .timeout = deadline_ns };

    *p = port;
    return hypercall_sched_op(SCHEDOP_poll, &poll);
}

bool evtchn_wait(uint32_t port, unsigned long seen, uint64_t timeout_ns)
{
    uint64_t deadline = now_ns() + timeout_ns;

    irq_disable();
    while (evtchn_handled(port) <= seen) {
        if (now_ns() >= deadline)
            return false;
        sched_poll_port(port, deadline);
        /* Not sti; hlt: an emulated CPU (QEMU's TCG under a nested KVM)
         * can deliver the upcall just before the hlt despite sti's shadow,
         * and then nothing wakes the hlt.  While the port stays pending
         * the poll returns at once, so this loop ends soon either way. */
        irq_window();
    }
    return true;
}

/*
 * The upcall entry (head.S) returns past a hlt it interrupted, so an
 * emulated CPU that takes the upcall just before the hlt, despite sti's
 * shadow, does not leave this loop asleep with its event already handled.
 */
void evtchn_wait_halted(uint32_t port, unsigned long seen)
{
    irq_disable();
    while (evtchn_handled(port) <= seen)
        irq_enable_and_halt();
}
