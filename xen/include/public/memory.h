/*
 * hv public ABI: memory_op(cmd, arg) — a domain's memory reservation.
 *
 * Results are counts of pages or extents (>= 0) or -XEN_Exxx.  From a
 * 32-bit (compat) guest a result above INT32_MAX is -XEN_ERANGE.
 */
#ifndef HV_PUBLIC_MEMORY_H
#define HV_PUBLIC_MEMORY_H

#include <stdint.h>
#include "xen.h"

#define XENMEM_increase_reservation 0  /* arg: struct xen_memory_reservation * */
#define XENMEM_decrease_reservation 1  /* arg: struct xen_memory_reservation * */
#define XENMEM_maximum_ram_page     2  /* arg ignored; highest host frame number */
#define XENMEM_current_reservation  3  /* arg: domid_t * (DOMID_SELF); tot_pages */
#define XENMEM_maximum_reservation  4  /* arg: domid_t * (DOMID_SELF); max_pages */
#define XENMEM_populate_physmap     6  /* arg: struct xen_memory_reservation * */
#define XENMEM_add_to_physmap       7  /* arg: struct xen_add_to_physmap * */
#define XENMEM_maximum_gpfn         14 /* arg: domid_t * (DOMID_SELF); highest gfn */

#define XENMEM_MAX_EXTENT_ORDER 9u /* 2 MiB extents at most */

/*
 * The reservation ops' cmd carries the extent to start from above its low
 * six bits, as in Xen: cmd = op | start_extent << MEMOP_EXTENT_SHIFT.  hvd
 * uses it for its own continuations (a long op stopped so the vCPU can be
 * paused is made again from where it stopped; docs/hypercall-abi.md); a
 * guest may pass it too.  Other ops take no start extent.
 */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1u << MEMOP_EXTENT_SHIFT) - 1)

/*
 * increase_reservation and populate_physmap back each extent's gfns with
 * fresh zeroed frames; decrease_reservation frees them (the gfns become
 * unbacked).  extent_start points to nr_extents uint64_t gfns in the
 * caller's address space, each the first gfn of a 2^extent_order extent.
 * Returns the number of extents done, counted from extent 0 (the start
 * extent included): all of them, or fewer when one failed after others
 * succeeded.  When the first extent fails the result is its error:
 * -XEN_ENOMEM (over max_pages, over hvd's host memory limit, or over the
 * domain's mapping bound), -XEN_EINVAL (gfn outside the domain,
 * misaligned, order too big, mem_flags or pad set, start extent beyond
 * nr_extents),
 * -XEN_EBUSY (already backed, for populate; not backed, for decrease),
 * -XEN_EFAULT (extent_start unreadable), -XEN_ESRCH (domid not DOMID_SELF).
 */
struct xen_memory_reservation {
    uint64_t extent_start; /* guest virtual address of uint64_t gfns[nr_extents] */
    uint64_t nr_extents;   /* <= 2^20 per call */
    uint32_t extent_order; /* 0..XENMEM_MAX_EXTENT_ORDER */
    uint32_t mem_flags;    /* zero */
    domid_t domid;         /* DOMID_SELF */
    uint16_t pad[3];       /* zero */
};
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation");

#define XENMAPSPACE_shared_info 0

/*
 * add_to_physmap: place the domain's shared-info page (struct shared_info,
 * xen.h) at gfn.  Whatever backed gfn before is freed.  Returns 0.
 */
struct xen_add_to_physmap {
    domid_t domid;  /* DOMID_SELF */
    uint16_t pad;   /* zero */
    uint32_t space; /* XENMAPSPACE_shared_info */
    uint64_t idx;   /* zero (the one shared-info page) */
    uint64_t gpfn;  /* gfn inside the domain's guest-physical window */
};
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap");

#endif
