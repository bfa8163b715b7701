/*
 * Guest memory: one memory file per domain, a gfn -> frame p2m, and the
 * guest-physical window that hvd maps and registers with KVM.
 *
 * The window is reserved PROT_NONE for all nr_gfns pages; each populated
 * run of gfns is mapped over it with MAP_FIXED from the frames that back
 * it.  Frames are taken lowest-free-first so a fresh domain's RAM is one
 * contiguous run (one VMA).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/public/memory.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/sched.h>

static bool frame_is_used(const struct domain *d, uint64_t f)
{
    return d->frame_used[f / 8] & (1u << (f % 8));
}

static void frame_set_used(struct domain *d, uint64_t f, bool used)
{
    if (used)
        d->frame_used[f / 8] |= (uint8_t)(1u << (f % 8));
    else
        d->frame_used[f / 8] &= (uint8_t)~(1u << (f % 8));
}

int p2m_init(struct domain *d, uint64_t max_pages)
{
    if (fault_point(d))
        return -ENOMEM;
    d->mem_fd = memfd_create("hv-guest-ram", MFD_CLOEXEC);
    if (d->mem_fd < 0)
        return -errno;
    if (fault_point(d))
        return -ENOMEM;
    /* Frames 0..max_pages-1 back RAM; frame max_pages is the shared-info page. */
    if (ftruncate(d->mem_fd, (off_t)((max_pages + 1) * HV_PAGE_SIZE)) < 0)
        return -errno;
    d->nr_gfns = max_pages;
    d->shared_info_gfn = HV_INVALID_FRAME;
    if (fault_point(d))
        return -ENOMEM;
    void *si = mmap(NULL, HV_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->mem_fd,
                    (off_t)(max_pages * HV_PAGE_SIZE));
    if (si == MAP_FAILED)
        return -errno;
    d->shared_info = si;
    d->p2m = dalloc_array(d, max_pages, sizeof(*d->p2m));
    if (!d->p2m)
        return -ENOMEM;
    memset(d->p2m, 0xff, max_pages * sizeof(*d->p2m)); /* HV_INVALID_FRAME */
    d->frame_used = dalloc(d, (max_pages + 7) / 8);
    if (!d->frame_used || fault_point(d))
        return -ENOMEM;
    void *w = mmap(NULL, max_pages * HV_PAGE_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (w == MAP_FAILED)
        return -errno;
    d->ram = w;
    return 0;
}

/*
 * Free the frames behind [*pos, *pos + chunk) of the memory file; true
 * once the whole file has been released.  The window's mappings of those
 * frames are dropped with them.
 */
bool p2m_release_chunk(struct domain *d, uint64_t *pos, uint64_t chunk)
{
    uint64_t size = (d->nr_gfns + 1) * HV_PAGE_SIZE; /* RAM and the shared-info frame */
    if (d->mem_fd < 0 || *pos >= size)
        return true;
    uint64_t len = size - *pos < chunk ? size - *pos : chunk;
    if (fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)*pos, (off_t)len) < 0)
        *pos = size; /* cannot happen on a memfd; closing the file frees it anyway */
    else
        *pos += len;
    return *pos >= size;
}

void p2m_teardown(struct domain *d)
{
    if (d->shared_info)
        munmap(d->shared_info, HV_PAGE_SIZE);
    d->shared_info = NULL;
    if (d->ram)
        munmap(d->ram, d->nr_gfns * HV_PAGE_SIZE);
    d->ram = NULL;
    dfree(d, d->p2m);
    d->p2m = NULL;
    dfree(d, d->frame_used);
    d->frame_used = NULL;
    if (d->mem_fd >= 0)
        close(d->mem_fd);
    d->mem_fd = -1;
}

/* The first free frame at or after f (d->nr_gfns if none). */
static uint64_t frame_next_free(const struct domain *d, uint64_t f)
{
    while (f < d->nr_gfns) {
        if (f % 8 == 0 && d->frame_used[f / 8] == 0xff)
            f += 8; /* a whole byte in use */
        else if (!frame_is_used(d, f))
            return f;
        else
            f++;
    }
    return d->nr_gfns;
}

/* Free frames from f on, at most max of them. */
static uint64_t frame_free_run(const struct domain *d, uint64_t f, uint64_t max)
{
    uint64_t n = 0;
    while (n < max && f + n < d->nr_gfns) {
        if ((f + n) % 8 == 0 && max - n >= 8 && f + n + 8 <= d->nr_gfns &&
            d->frame_used[(f + n) / 8] == 0)
            n += 8; /* a whole byte free */
        else if (!frame_is_used(d, f + n))
            n++;
        else
            break;
    }
    return n;
}

static void frames_set_used(struct domain *d, uint64_t f, uint64_t n)
{
    for (; n && f % 8; f++, n--)
        frame_set_used(d, f, true);
    memset(d->frame_used + f / 8, 0xff, n / 8);
    for (f += n / 8 * 8, n %= 8; n; f++, n--)
        frame_set_used(d, f, true);
}

/*
 * Back gfns [gfn, gfn+nr) with the lowest free frames, one mmap per run of
 * consecutive frames (a fresh domain's RAM is a single run).
 */
int p2m_populate(struct domain *d, uint64_t gfn, uint64_t nr)
{
    if (gfn > d->nr_gfns || nr > d->nr_gfns - gfn)
        return -EINVAL;
    if (nr > d->max_pages - d->tot_pages)
        return -ENOMEM;
    for (uint64_t i = 0; i < nr; i++) {
        if (d->p2m[gfn + i] != HV_INVALID_FRAME)
            return -EBUSY;
    }
    uint64_t done = 0, f = 0;
    while (done < nr) {
        /* Free frames suffice: tot_pages <= max_pages <= nr_gfns frames. */
        f = frame_next_free(d, f);
        uint64_t run = frame_free_run(d, f, nr - done);
        if (fault_point(d))
            return -ENOMEM;
        void *m = mmap(d->ram + (gfn + done) * HV_PAGE_SIZE, run * HV_PAGE_SIZE,
                       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, d->mem_fd,
                       (off_t)(f * HV_PAGE_SIZE));
        if (m == MAP_FAILED)
            return -errno;
        frames_set_used(d, f, run);
        for (uint64_t k = 0; k < run; k++)
            d->p2m[gfn + done + k] = f + k;
        d->tot_pages += run;
        done += run;
        f += run;
    }
    return 0;
}

uint64_t p2m_lookup(struct domain *d, uint64_t gfn)
{
    return gfn < d->nr_gfns ? d->p2m[gfn] : HV_INVALID_FRAME;
}

void *gpa_to_hva(struct domain *d, uint64_t gpa, uint64_t len)
{
    if (len == 0 || gpa >= d->nr_gfns * HV_PAGE_SIZE || len > d->nr_gfns * HV_PAGE_SIZE - gpa)
        return NULL;
    for (uint64_t g = gpa >> HV_PAGE_SHIFT; g <= (gpa + len - 1) >> HV_PAGE_SHIFT; g++) {
        if (d->p2m[g] == HV_INVALID_FRAME)
            return NULL;
    }
    return d->ram + gpa;
}

void memory_free_boot(struct domain *d)
{
    for (unsigned int i = 0; i < d->nr_boot_extents; i++)
        dfree(d, d->boot_extents[i].data);
    dfree(d, d->boot_extents);
    d->boot_extents = NULL;
    d->nr_boot_extents = 0;
}

static int boot_extent_add(struct domain *d, uint64_t off, uint64_t len)
{
    struct boot_extent *n = dalloc_array(d, d->nr_boot_extents + 1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    if (d->nr_boot_extents)
        memcpy(n, d->boot_extents, d->nr_boot_extents * sizeof(*n));
    dfree(d, d->boot_extents);
    d->boot_extents = n;
    struct boot_extent *e = &n[d->nr_boot_extents];
    e->data = dalloc(d, len);
    if (!e->data)
        return -ENOMEM;
    e->offset = off;
    e->len = len;
    d->nr_boot_extents++;
    ssize_t r = pread(d->mem_fd, e->data, len, (off_t)off);
    return r == (ssize_t)len ? 0 : -EIO;
}

/*
 * Save the written parts of the memory file (the builder touched only a
 * few pages; the rest are holes) so on_*=restart can reboot the image.
 */
int memory_capture_boot(struct domain *d)
{
    off_t end = (off_t)(d->nr_gfns * HV_PAGE_SIZE);
    off_t pos = 0;
    memory_free_boot(d);
    while (pos < end) {
        off_t data = lseek(d->mem_fd, pos, SEEK_DATA);
        if (data < 0)
            return errno == ENXIO ? 0 : -errno;
        off_t hole = lseek(d->mem_fd, data, SEEK_HOLE);
        if (hole < 0)
            return -errno;
        int rc = boot_extent_add(d, (uint64_t)data, (uint64_t)(hole - data));
        if (rc < 0)
            return rc;
        pos = hole;
    }
    return 0;
}

int memory_reset_to_boot(struct domain *d)
{
    if (fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                  (off_t)(d->nr_gfns * HV_PAGE_SIZE)) < 0)
        return -errno;
    for (unsigned int i = 0; i < d->nr_boot_extents; i++) {
        const struct boot_extent *e = &d->boot_extents[i];
        if (pwrite(d->mem_fd, e->data, e->len, (off_t)e->offset) != (ssize_t)e->len)
            return -EIO;
    }
    return 0;
}

static uint64_t shared_info_frame(const struct domain *d)
{
    return d->nr_gfns;
}

/* Make gfns [gfn, gfn+nr) unbacked in the window (guest accesses then fault). */
static int window_unmap(struct domain *d, uint64_t gfn, uint64_t nr)
{
    void *m = mmap(d->ram + gfn * HV_PAGE_SIZE, nr * HV_PAGE_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return m == MAP_FAILED ? -errno : 0;
}

/* Free the frames behind gfns [gfn, gfn+nr): all must be backed. */
int p2m_depopulate(struct domain *d, uint64_t gfn, uint64_t nr)
{
    if (gfn > d->nr_gfns || nr > d->nr_gfns - gfn)
        return -EINVAL;
    for (uint64_t i = 0; i < nr; i++) {
        if (d->p2m[gfn + i] == HV_INVALID_FRAME)
            return -EBUSY;
    }
    int rc = window_unmap(d, gfn, nr);
    if (rc)
        return rc;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t f = d->p2m[gfn + i];
        d->p2m[gfn + i] = HV_INVALID_FRAME;
        if (f == shared_info_frame(d)) {
            d->shared_info_gfn = HV_INVALID_FRAME; /* the page lives on in hvd */
            continue;
        }
        fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  (off_t)(f * HV_PAGE_SIZE), (off_t)HV_PAGE_SIZE);
        frame_set_used(d, f, false);
        d->tot_pages--;
    }
    return 0;
}

/* XENMAPSPACE_shared_info: show the shared-info frame at gfn.  p2m_lock held. */
int p2m_map_shared_info(struct domain *d, uint64_t gfn)
{
    if (gfn >= d->nr_gfns)
        return -XEN_EINVAL;
    if (d->p2m[gfn] == shared_info_frame(d))
        return 0;
    if (d->p2m[gfn] != HV_INVALID_FRAME && p2m_depopulate(d, gfn, 1))
        return -XEN_ENOMEM;
    if (d->shared_info_gfn != HV_INVALID_FRAME && p2m_depopulate(d, d->shared_info_gfn, 1))
        return -XEN_ENOMEM;
    void *m = mmap(d->ram + gfn * HV_PAGE_SIZE, HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_FIXED, d->mem_fd, (off_t)(shared_info_frame(d) * HV_PAGE_SIZE));
    if (m == MAP_FAILED)
        return -XEN_ENOMEM;
    d->p2m[gfn] = shared_info_frame(d);
    d->shared_info_gfn = gfn;
    return 0;
}

static long memory_add_to_physmap(struct vcpu *v, uint64_t arg)
{
    struct xen_add_to_physmap a;
    if (copy_from_guest(v, &a, arg, sizeof(a)))
        return -XEN_EFAULT;
    if (a.domid != DOMID_SELF)
        return -XEN_ESRCH;
    if (a.pad || a.space != XENMAPSPACE_shared_info || a.idx != 0)
        return -XEN_EINVAL;
    struct domain *d = v->domain;
    pthread_rwlock_wrlock(&d->p2m_lock);
    long rc = p2m_map_shared_info(d, a.gpfn);
    pthread_rwlock_unlock(&d->p2m_lock);
    return rc;
}

/* One extent of a reservation op.  p2m_lock held for writing. */
static long reservation_extent(struct domain *d, uint64_t cmd, uint64_t gfn, uint64_t pages)
{
    if (gfn % pages || gfn >= d->nr_gfns || pages > d->nr_gfns - gfn)
        return -XEN_EINVAL;
    if (cmd == XENMEM_decrease_reservation)
        return p2m_depopulate(d, gfn, pages);
    return p2m_populate(d, gfn, pages);
}

#define EXTENT_CHUNK 256u /* gfns copied from the guest at a time */

static long memory_reservation(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    struct xen_memory_reservation r;
    if (copy_from_guest(v, &r, arg, sizeof(r)))
        return -XEN_EFAULT;
    if (r.domid != DOMID_SELF)
        return -XEN_ESRCH;
    if (r.mem_flags || r.pad[0] || r.pad[1] || r.pad[2] ||
        r.extent_order > XENMEM_MAX_EXTENT_ORDER || r.nr_extents > (1u << 20))
        return -XEN_EINVAL;
    struct domain *d = v->domain;
    uint64_t gfns[EXTENT_CHUNK], done = 0;
    long rc = 0;
    while (done < r.nr_extents && rc == 0) {
        uint64_t n = r.nr_extents - done < EXTENT_CHUNK ? r.nr_extents - done : EXTENT_CHUNK;
        if (copy_from_guest(v, gfns, r.extent_start + done * sizeof(uint64_t), n * sizeof(uint64_t)))
            rc = -XEN_EFAULT;
        pthread_rwlock_wrlock(&d->p2m_lock);
        for (uint64_t i = 0; i < n && rc == 0; i++, done += rc == 0)
            rc = reservation_extent(d, cmd, gfns[i], 1ull << r.extent_order);
        pthread_rwlock_unlock(&d->p2m_lock);
    }
    return done ? (long)done : rc;
}

static long memory_query(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    domid_t dom;
    if (copy_from_guest(v, &dom, arg, sizeof(dom)))
        return -XEN_EFAULT;
    if (dom != DOMID_SELF)
        return -XEN_ESRCH;
    struct domain *d = v->domain;
    switch (cmd) {
    case XENMEM_current_reservation:
        return (long)__atomic_load_n(&d->tot_pages, __ATOMIC_RELAXED);
    case XENMEM_maximum_reservation:
        return (long)d->max_pages;
    default: /* XENMEM_maximum_gpfn */
        return (long)(d->nr_gfns - 1);
    }
}

long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return memory_reservation(v, cmd, arg);
    case XENMEM_maximum_ram_page:
        return (long)(domain_host_pages() - 1);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        return memory_query(v, cmd, arg);
    case XENMEM_add_to_physmap:
        return memory_add_to_physmap(v, arg);
    default:
        return -XEN_ENOSYS;
    }
}
