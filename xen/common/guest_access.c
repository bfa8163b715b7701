/*
 * Guest access: checked copies between hvd and the calling vCPU's virtual
 * address space, for hypercall arguments and results.  Every page of a
 * guest buffer is translated (and its permissions checked) on its own.
 */
#include <string.h>
#include <hv/public/errno.h>
#include <xen/arch.h>
#include <xen/guest_access.h>
#include <xen/memory.h>
#include <xen/sched.h>

/* Copy page by page: each page of the guest buffer is translated on its own. */
static int copy_guest(struct vcpu *v, uint64_t gva, void *hbuf, size_t len, bool to_guest)
{
    uint8_t *h = hbuf;
    while (len) {
        size_t chunk = XEN_PAGE_SIZE - (gva & (XEN_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint64_t gpa;
        if (arch_translate(v, gva, to_guest, &gpa) < 0)
            return -XEN_EFAULT;
        /* Held across the copy: a concurrent decrease_reservation on another
         * vCPU must not unmap the page under memcpy. */
        pthread_rwlock_rdlock(&v->domain->p2m_lock);
        uint8_t *p = gpa_to_hva(v->domain, gpa, chunk);
        if (p && to_guest) {
            memcpy(p, h, chunk);
            paging_mark_dirty_gpa(v->domain, gpa, chunk); /* KVM does not see hvd's writes */
        } else if (p)
            memcpy(h, p, chunk);
        pthread_rwlock_unlock(&v->domain->p2m_lock);
        if (!p)
            return -XEN_EFAULT;
        gva += chunk;
        h += chunk;
        len -= chunk;
    }
    return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
    return copy_guest(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
    return copy_guest(v, gva, (void *)src, len, true);
}
