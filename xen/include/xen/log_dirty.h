/*
 * hvd internal: log-dirty mode (XEN_DOMCTL_shadow_op), for live migration.
 *
 * While it is on, a domain has a bitmap of its gfns, one bit each, into
 * which KVM's dirty log is merged when the toolstack reads it, and where
 * hvd marks what KVM cannot see: its own writes to guest memory and every
 * change of a gfn's p2m entry.
 */
#ifndef HV_XEN_LOG_DIRTY_H
#define HV_XEN_LOG_DIRTY_H

#include <stdint.h>
#include <hv/public/domctl.h>

struct domain;
struct privcmd_reply_extra;

/* A domain's log-dirty state (struct domain's log_dirty). */
struct log_dirty {
    /* hvd's bitmap (dalloc), NULL while off.  Set and cleared with
     * p2m_lock held for writing, so a marker holding p2m_lock sees it
     * stay; read and written with atomics, as vCPU threads mark it. */
    uint64_t *bitmap;
    uint64_t *kvm_log; /* KVM_GET_DIRTY_LOG's buffer (dalloc), NULL while off */
    const void *owner; /* the control connection that turned it on */
};

/*
 * Mark gfns [gfn, gfn + nr) dirty if log-dirty is on; gfns past the window
 * are ignored.  The caller holds d->p2m_lock (either way) or is the main
 * thread, the only one that turns log-dirty off.
 */
void paging_mark_dirty_range(struct domain *d, uint64_t gfn, uint64_t nr);
static inline void paging_mark_dirty(struct domain *d, uint64_t gfn)
{
    paging_mark_dirty_range(d, gfn, 1);
}
/* The gfns that guest-physical [gpa, gpa + len) touches. */
void paging_mark_dirty_gpa(struct domain *d, uint64_t gpa, uint64_t len);

/* XEN_DOMCTL_shadow_op from the control connection client (main thread). */
long log_dirty_domctl(struct domain *d, struct xen_domctl_shadow_op *op,
                      struct privcmd_reply_extra *out, const void *client);
/* Turn log-dirty off for every domain client owns: its connection closed. */
void log_dirty_client_gone(const void *client);
/* Turn it off and free it (domain teardown). */
void log_dirty_teardown(struct domain *d);

#endif
