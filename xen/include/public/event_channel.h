/*
 * hv public ABI: event_channel_op(cmd, arg) — two-level event channels.
 *
 * Port p is pending when bit p of shared_info.evtchn_pending is set and
 * masked when bit p of evtchn_mask is.  Sending sets the pending bit; if
 * the port is not masked and was not already pending, the bound vCPU's
 * evtchn_pending_sel gets bit p / 64 and evtchn_upcall_pending is set, and
 * unless its evtchn_upcall_mask is set hvd injects the callback vector
 * (HVM_PARAM_CALLBACK_IRQ) into that vCPU.  Every op returns 0 or -XEN_Exxx.
 */
#ifndef HV_PUBLIC_EVENT_CHANNEL_H
#define HV_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>
#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset            10

#define HV_EVTCHN_PORTS 1024u /* ports per domain: 1..1023 (port 0 is never valid) */

/* alloc_unbound: a port that remote_dom may bind to. */
struct evtchn_alloc_unbound {
    domid_t dom;        /* in: DOMID_SELF */
    domid_t remote_dom; /* in: the domain allowed to bind (DOMID_SELF, or 0 for the host) */
    uint32_t port;      /* out */
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound");

/* bind_interdomain: connect to remote_dom's unbound port reserved for us. */
struct evtchn_bind_interdomain {
    domid_t remote_dom;   /* in */
    uint16_t pad;         /* in: zero */
    uint32_t remote_port; /* in */
    uint32_t local_port;  /* out */
    uint32_t pad2;        /* zero */
};
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 16, "evtchn_bind_interdomain");

#define VIRQ_TIMER   0 /* per vCPU: the singleshot timer fired */
#define VIRQ_CONSOLE 2 /* global: console input arrived */
#define VIRQ_DOM_EXC 3 /* global: a domain shut down (meaningful to the host side) */
#define NR_VIRQS     24

/* bind_virq: a port that receives virq on vcpu. */
struct evtchn_bind_virq {
    uint32_t virq; /* in: VIRQ_* */
    uint32_t vcpu; /* in: VIRQ_TIMER: any vCPU; global VIRQs: 0 */
    uint32_t port; /* out */
    uint32_t pad;  /* zero */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 16, "evtchn_bind_virq");

/* bind_ipi: a port whose sends go to vcpu of this domain. */
struct evtchn_bind_ipi {
    uint32_t vcpu; /* in */
    uint32_t port; /* out */
};
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi");

/* close, send, unmask: the port. */
struct evtchn_port_op {
    uint32_t port;
};
_Static_assert(sizeof(struct evtchn_port_op) == 4, "evtchn_port_op");

#define EVTCHNSTAT_closed      0
#define EVTCHNSTAT_unbound     1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_virq        4
#define EVTCHNSTAT_ipi         5

struct evtchn_status {
    domid_t dom;        /* in: DOMID_SELF */
    uint16_t pad;       /* zero */
    uint32_t port;      /* in */
    uint32_t status;    /* out: EVTCHNSTAT_* */
    uint32_t vcpu;      /* out: the vCPU it notifies */
    domid_t remote_dom; /* out: unbound (who may bind), interdomain (peer) */
    uint16_t pad2;
    uint32_t remote_port; /* out: interdomain: the peer's port; virq: the VIRQ */
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");

/* bind_vcpu: notify another vCPU (interdomain, unbound and global-VIRQ ports). */
struct evtchn_bind_vcpu {
    uint32_t port;
    uint32_t vcpu;
};
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu");

/* reset: close every port of the domain. */
struct evtchn_reset {
    domid_t dom; /* DOMID_SELF */
    uint16_t pad;
};
_Static_assert(sizeof(struct evtchn_reset) == 4, "evtchn_reset");

#endif
