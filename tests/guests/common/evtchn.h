/*
 * Event channels: the shared-info page, the upcall (callback vector) with
 * per-port handlers, one wrapper per event_channel_op sub-op, and ways to
 * wait for an upcall.
 */
#ifndef XTF_EVTCHN_H
#define XTF_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/public/event_channel.h>
#include <hv/public/xen.h>

/* The vector hvd injects for upcalls (HVM_PARAM_CALLBACK_IRQ). */
#define EVTCHN_UPCALL_VECTOR 0xf3u

/* Mapped by evtchn_init(); NULL before. */
extern struct shared_info *volatile shared_info;

/* Place the shared-info page at a page of our .bss (XENMEM_add_to_physmap),
 * install the upcall vector and ask hvd for it.  Returns 0 or hvd's error. */
long evtchn_init(void);

/* Called in the upcall, on the vCPU the port notifies, after the port's
 * pending bit is cleared. */
typedef void (*evtchn_handler_fn)(uint32_t port, void *data);
void evtchn_set_handler(uint32_t port, evtchn_handler_fn fn, void *data);

/* Upcalls handled for port so far, and on which vCPU the last one ran. */
unsigned long evtchn_handled(uint32_t port);
unsigned int evtchn_last_vcpu(uint32_t port);

/* The pending and mask bits of shared info, read and set directly. */
bool evtchn_is_pending(uint32_t port);
bool evtchn_is_masked(uint32_t port);
void evtchn_mask(uint32_t port);
void evtchn_clear_pending(uint32_t port);

/* event_channel_op wrappers: hvd's result; out-parameters on success.
 * The framework remembers which vCPU each port notifies, so the upcall
 * on each vCPU handles only its own ports. */
long evtchn_alloc_unbound(domid_t remote_dom, uint32_t *port);
long evtchn_bind_interdomain(domid_t remote_dom, uint32_t remote_port, uint32_t *local_port);
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, uint32_t *port);
long evtchn_bind_ipi(uint32_t vcpu, uint32_t *port);
long evtchn_bind_vcpu(uint32_t port, uint32_t vcpu);
long evtchn_send(uint32_t port);
long evtchn_close(uint32_t port);
long evtchn_unmask(uint32_t port);
long evtchn_status(uint32_t port, struct evtchn_status *status);
long evtchn_reset(void);

/* SCHEDOP_poll on one port until deadline (system time ns, 0: none). */
long sched_poll_port(uint32_t port, uint64_t deadline_ns);

/*
 * Wait until more than `seen` upcalls were handled for port, for at most
 * timeout_ns: SCHEDOP_poll with interrupts off, then an interrupt window
 * to take the upcall.  Needs time_init().  Returns true if it came.
 */
bool evtchn_wait(uint32_t port, unsigned long seen, uint64_t timeout_ns);

/* Same without a timeout, sleeping in sti;hlt: an upcall wakes the hlt
 * (or, taken just before it, makes the upcall entry skip it). */
void evtchn_wait_halted(uint32_t port, unsigned long seen);

#endif
