/* hv public ABI: hvm_op(cmd, arg) — per-domain parameters. */
#ifndef HV_PUBLIC_HVM_OP_H
#define HV_PUBLIC_HVM_OP_H

#include <stdint.h>
#include "xen.h"

#define HVMOP_set_param 0
#define HVMOP_get_param 1

/*
 * HVM_PARAM_CALLBACK_IRQ: how event-channel upcalls are delivered.
 * value = HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | vector (0x20..0xff) injects
 * that vector into the notified vCPU; 0 disables upcalls (pending bits are
 * still set and sched_op poll still works).
 */
#define HVM_PARAM_CALLBACK_IRQ         0
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2ull
/* HVM_PARAM_BALLOON_TARGET: read-only for the guest; the page target the
 * toolstack set with hvcli mem-set (XEN_DOMCTL_set_target), 0 = none. */
#define HVM_PARAM_BALLOON_TARGET 40
#define HVM_PARAM_NR             41

struct xen_hvm_param {
    domid_t domid;  /* DOMID_SELF */
    uint16_t pad;   /* zero */
    uint32_t index; /* HVM_PARAM_* */
    uint64_t value;
};
_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param");

#endif
