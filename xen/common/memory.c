/*
 * Guest memory: one memory file per domain, a gfn -> frame p2m, and the
 * guest-physical window that hvd maps and registers with KVM.
 *
 * The window is reserved PROT_NONE for all nr_gfns pages; each populated
 * run of gfns is mapped over it with MAP_FIXED from the frames that back
 * it.  Frames are taken lowest-free-first so a fresh domain's RAM is one
 * contiguous run (one VMA), and a gfn range given back and taken again in
 * order gets consecutive frames again.
 *
 * What a domain makes hvd hold through its memory is bounded and charged:
 * each populated page against the host limit (--max-memory) when it is
 * populated, and the window's VMAs against a bound the domain reserved
 * from the host's mapping budget (vm.max_map_count) when it was created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/public/memory.h>
#include <xen/guest_access.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/sched.h>

/* Mappings hvd keeps for itself: code, libraries, heap, malloc arenas. */
#define HVD_OWN_MAPPINGS 1024u
/* A domain's mappings outside its window: the shared-info page, large
 * dalloc blocks (p2m, frame bitmap, console rings, restart image). */
#define DOMAIN_FIXED_MAPPINGS 16u
/* Per vCPU: its kvm_run mapping and its thread's stack, with slack. */
#define VCPU_MAPPINGS               4u
#define LINUX_DEFAULT_MAX_MAP_COUNT 65530u

static uint64_t host_pages_used;        /* atomic; <= domain_host_pages() */
static uint64_t host_mapping_budget;    /* vm.max_map_count less HVD_OWN_MAPPINGS */
static uint64_t host_mappings_reserved; /* main thread only (creation, teardown) */
static uint64_t window_mapping_bound = MEMORY_DEFAULT_WINDOW_MAPPINGS;

static uint64_t read_max_map_count(void)
{
    unsigned long long n = LINUX_DEFAULT_MAX_MAP_COUNT;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
    if (f) {
        if (fscanf(f, "%llu", &n) != 1)
            n = LINUX_DEFAULT_MAX_MAP_COUNT;
        fclose(f);
    }
    return n;
}

void memory_init(uint64_t window_mappings)
{
    uint64_t max = read_max_map_count();
    host_mapping_budget = max > HVD_OWN_MAPPINGS ? max - HVD_OWN_MAPPINGS : 0;
    if (window_mappings)
        window_mapping_bound = window_mappings;
    printk("hvd: mapping budget %llu of vm.max_map_count %llu; a domain's memory may take "
           "%llu mappings",
           (unsigned long long)host_mapping_budget, (unsigned long long)max,
           (unsigned long long)window_mapping_bound);
}

uint64_t memory_host_pages_used(void)
{
    return __atomic_load_n(&host_pages_used, __ATOMIC_RELAXED);
}

/* Charge nr pages to the host limit; false (nothing charged) past it. */
static bool host_pages_charge(uint64_t nr)
{
    uint64_t used = __atomic_load_n(&host_pages_used, __ATOMIC_RELAXED);
    do {
        if (nr > domain_host_pages() - used)
            return false;
    } while (!__atomic_compare_exchange_n(&host_pages_used, &used, used + nr, true,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return true;
}

static void host_pages_uncharge(uint64_t nr)
{
    __atomic_fetch_sub(&host_pages_used, nr, __ATOMIC_RELAXED);
}

/* What a domain reserves from the host's mapping budget. */
static uint64_t domain_mapping_reservation(const struct domain *d)
{
    return window_mapping_bound + DOMAIN_FIXED_MAPPINGS + VCPU_MAPPINGS * (uint64_t)d->max_vcpus;
}

static int domain_mappings_reserve(struct domain *d)
{
    uint64_t n = domain_mapping_reservation(d);
    if (n > host_mapping_budget - host_mappings_reserved)
        return -ENOMEM;
    host_mappings_reserved += n;
    d->mappings_reserved = n;
    return 0;
}

static void domain_mappings_release(struct domain *d)
{
    host_mappings_reserved -= d->mappings_reserved;
    d->mappings_reserved = 0;
}

#define FRAME_WORD_BITS 64u

/*
 * Mark frames [f, f+n) used or free.  The hint stays at or below the
 * lowest free frame, so allocation never rescans what it knows is in use.
 */
static void frames_set_used(struct domain *d, uint64_t f, uint64_t n, bool used)
{
    if (!used && f < d->free_frame_hint)
        d->free_frame_hint = f;
    while (n) {
        uint64_t bit = f % FRAME_WORD_BITS;
        uint64_t len = n < FRAME_WORD_BITS - bit ? n : FRAME_WORD_BITS - bit;
        uint64_t mask = (len == FRAME_WORD_BITS ? ~0ull : (1ull << len) - 1) << bit;
        if (used)
            d->frame_used[f / FRAME_WORD_BITS] |= mask;
        else
            d->frame_used[f / FRAME_WORD_BITS] &= ~mask;
        f += len;
        n -= len;
    }
}

int p2m_init(struct domain *d, uint64_t max_pages)
{
    if (domain_mappings_reserve(d) || fault_point(d))
        return -ENOMEM;
    d->mem_fd = memfd_create("hv-guest-ram", MFD_CLOEXEC);
    if (d->mem_fd < 0)
        return -errno;
    if (fault_point(d))
        return -ENOMEM;
    /* Frames 0..max_pages-1 back RAM; frame max_pages is the shared-info page. */
    if (ftruncate(d->mem_fd, (off_t)((max_pages + 1) * XEN_PAGE_SIZE)) < 0)
        return -errno;
    d->nr_gfns = max_pages;
    d->shared_info_gfn = HV_INVALID_FRAME;
    if (fault_point(d))
        return -ENOMEM;
    void *si = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->mem_fd,
                    (off_t)(max_pages * XEN_PAGE_SIZE));
    if (si == MAP_FAILED)
        return -errno;
    d->shared_info = si;
    d->p2m = dalloc_array(d, max_pages, sizeof(*d->p2m));
    if (!d->p2m)
        return -ENOMEM;
    memset(d->p2m, 0xff, max_pages * sizeof(*d->p2m)); /* HV_INVALID_FRAME */
    d->frame_used = dalloc_array(d, (max_pages + FRAME_WORD_BITS - 1) / FRAME_WORD_BITS,
                                 sizeof(*d->frame_used));
    if (!d->frame_used || fault_point(d))
        return -ENOMEM;
    void *w = mmap(NULL, max_pages * XEN_PAGE_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (w == MAP_FAILED)
        return -errno;
    d->ram = w;
    d->window_mappings = 1;
    return 0;
}

/*
 * Free the frames behind [*pos, *pos + chunk) of the memory file; true
 * once the whole file has been released.  The window's mappings of those
 * frames are dropped with them.
 */
bool p2m_release_chunk(struct domain *d, uint64_t *pos, uint64_t chunk)
{
    uint64_t size = (d->nr_gfns + 1) * XEN_PAGE_SIZE; /* RAM and the shared-info frame */
    if (d->mem_fd < 0 || *pos >= size)
        return true;
    uint64_t len = size - *pos < chunk ? size - *pos : chunk;
    if (fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)*pos, (off_t)len) <
        0)
        *pos = size; /* cannot happen on a memfd; closing the file frees it anyway */
    else
        *pos += len;
    return *pos >= size;
}

void p2m_teardown(struct domain *d)
{
    if (d->shared_info)
        munmap(d->shared_info, XEN_PAGE_SIZE);
    d->shared_info = NULL;
    if (d->ram)
        munmap(d->ram, d->nr_gfns * XEN_PAGE_SIZE);
    d->ram = NULL;
    dfree(d, d->p2m);
    d->p2m = NULL;
    dfree(d, d->frame_used);
    d->frame_used = NULL;
    if (d->mem_fd >= 0)
        close(d->mem_fd);
    d->mem_fd = -1;
    host_pages_uncharge(d->tot_pages);
    d->tot_pages = 0;
    domain_mappings_release(d);
}

/* The first free frame at or after f (d->nr_gfns if none). */
static uint64_t frame_next_free(const struct domain *d, uint64_t f)
{
    uint64_t words = (d->nr_gfns + FRAME_WORD_BITS - 1) / FRAME_WORD_BITS;
    for (uint64_t w = f / FRAME_WORD_BITS; f < d->nr_gfns && w < words; w++) {
        uint64_t free = ~d->frame_used[w];
        if (w == f / FRAME_WORD_BITS)
            free &= ~0ull << (f % FRAME_WORD_BITS);
        if (free) {
            uint64_t r = w * FRAME_WORD_BITS + (uint64_t)__builtin_ctzll(free);
            return r < d->nr_gfns ? r : d->nr_gfns;
        }
    }
    return d->nr_gfns;
}

/* Free frames from f on, at most max of them. */
static uint64_t frame_free_run(const struct domain *d, uint64_t f, uint64_t max)
{
    uint64_t limit = d->nr_gfns - f < max ? d->nr_gfns - f : max, n = 0;
    while (n < limit) {
        uint64_t bit = (f + n) % FRAME_WORD_BITS;
        uint64_t used = d->frame_used[(f + n) / FRAME_WORD_BITS] >> bit;
        uint64_t len = used ? (uint64_t)__builtin_ctzll(used) : FRAME_WORD_BITS - bit;
        n += len;
        if (used)
            break; /* a used frame ends the run */
    }
    return n < limit ? n : limit;
}

/*
 * Whether hvd's mapping of the window has a VMA boundary between two
 * neighbouring gfns backed by frames a and b (HV_INVALID_FRAME: unbacked).
 * Linux merges two unbacked neighbours (both PROT_NONE anonymous) and two
 * backed by consecutive frames of the memory file.
 */
static bool frames_split(uint64_t a, uint64_t b)
{
    if (a == HV_INVALID_FRAME || b == HV_INVALID_FRAME)
        return a != b;
    return b != a + 1;
}

/* VMA boundaries at gfns lo..hi (boundary g lies between gfns g-1 and g). */
static uint64_t window_splits(const struct domain *d, uint64_t lo, uint64_t hi)
{
    uint64_t n = 0;
    for (uint64_t g = lo ? lo : 1; g <= hi && g < d->nr_gfns; g++)
        n += frames_split(d->p2m[g - 1], d->p2m[g]);
    return n;
}

/* The boundary between gfn g-1 (backed by frame a) and g (frame b), if g
 * is inside the window. */
static uint64_t edge_split(const struct domain *d, uint64_t g, uint64_t a, uint64_t b)
{
    return g > 0 && g < d->nr_gfns && frames_split(a, b);
}

static uint64_t p2m_at(const struct domain *d, uint64_t gfn)
{
    return gfn < d->nr_gfns ? d->p2m[gfn] : HV_INVALID_FRAME;
}

/* The frame p2m gives the gfn before g (g > 0 unless the edge is outside). */
static uint64_t p2m_before(const struct domain *d, uint64_t g)
{
    return g ? d->p2m[g - 1] : HV_INVALID_FRAME;
}

/*
 * The window's VMAs once gfns [gfn, gfn+nr), all unbacked now, are backed
 * by the frames p2m_populate() would pick: the same walk, changing nothing.
 */
static uint64_t mappings_after_populate(const struct domain *d, uint64_t gfn, uint64_t nr)
{
    uint64_t splits = 0, prev = p2m_before(d, gfn), f = d->free_frame_hint;
    for (uint64_t g = gfn; g < gfn + nr;) {
        f = frame_next_free(d, f);
        uint64_t run = frame_free_run(d, f, gfn + nr - g);
        splits += edge_split(d, g, prev, f);
        prev = f + run - 1;
        f += run;
        g += run;
    }
    splits += edge_split(d, gfn + nr, prev, p2m_at(d, gfn + nr));
    return d->window_mappings - window_splits(d, gfn, gfn + nr) + splits;
}

/* The window's VMAs once gfns [gfn, gfn+nr) are unbacked. */
static uint64_t mappings_after_depopulate(const struct domain *d, uint64_t gfn, uint64_t nr)
{
    uint64_t splits = edge_split(d, gfn, p2m_before(d, gfn), HV_INVALID_FRAME) +
                      edge_split(d, gfn + nr, HV_INVALID_FRAME, p2m_at(d, gfn + nr));
    return d->window_mappings - window_splits(d, gfn, gfn + nr) + splits;
}

static int window_mappings_check(struct domain *d, uint64_t after)
{
    if (after <= window_mapping_bound)
        return 0;
    gprintk(&d->log_rl,
            "d%u: memory op refused: its memory would take %llu mappings in hvd "
            "(the bound is %llu)",
            d->domid, (unsigned long long)after, (unsigned long long)window_mapping_bound);
    return -ENOMEM;
}

/* Map frames [f, f+run) at gfn. */
static int window_map(struct domain *d, uint64_t gfn, uint64_t f, uint64_t run)
{
    if (fault_point(d))
        return -ENOMEM;
    void *m = mmap(d->ram + gfn * XEN_PAGE_SIZE, run * XEN_PAGE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_FIXED, d->mem_fd, (off_t)(f * XEN_PAGE_SIZE));
    return m == MAP_FAILED ? -errno : 0;
}

/* Back gfns [gfn, gfn+nr), all unbacked, with the lowest free frames, one
 * mmap per run of consecutive frames.  Returns the pages backed. */
static uint64_t p2m_back(struct domain *d, uint64_t gfn, uint64_t nr, int *rc)
{
    uint64_t done = 0, f = d->free_frame_hint;
    while (done < nr) {
        /* Free frames suffice: tot_pages <= max_pages <= nr_gfns frames. */
        f = frame_next_free(d, f);
        uint64_t run = frame_free_run(d, f, nr - done);
        *rc = window_map(d, gfn + done, f, run);
        if (*rc)
            break;
        frames_set_used(d, f, run, true);
        for (uint64_t k = 0; k < run; k++)
            d->p2m[gfn + done + k] = f + k;
        paging_mark_dirty_range(d, gfn + done, run); /* a migration sends the new pages */
        done += run;
        f += run;
        d->free_frame_hint = f; /* every frame below f is in use now */
    }
    return done;
}

/*
 * Back gfns [gfn, gfn+nr) with fresh frames, all or none: -ENOMEM past
 * max_pages, the host limit or the domain's mapping bound.
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
    uint64_t splits_before = window_splits(d, gfn, gfn + nr);
    int rc = window_mappings_check(d, mappings_after_populate(d, gfn, nr));
    if (rc)
        return rc;
    if (!host_pages_charge(nr))
        return -ENOMEM;
    uint64_t done = p2m_back(d, gfn, nr, &rc);
    d->tot_pages += done;
    d->window_mappings += window_splits(d, gfn, gfn + nr) - splits_before;
    host_pages_uncharge(nr - done);
    if (rc && done)
        p2m_depopulate(d, gfn, done); /* all or none; fails only if the kernel is out of memory */
    return rc;
}

uint64_t p2m_lookup(struct domain *d, uint64_t gfn)
{
    return gfn < d->nr_gfns ? d->p2m[gfn] : HV_INVALID_FRAME;
}

void *gpa_to_hva(struct domain *d, uint64_t gpa, uint64_t len)
{
    if (len == 0 || gpa >= d->nr_gfns * XEN_PAGE_SIZE || len > d->nr_gfns * XEN_PAGE_SIZE - gpa)
        return NULL;
    for (uint64_t g = gpa >> XEN_PAGE_SHIFT; g <= (gpa + len - 1) >> XEN_PAGE_SHIFT; g++) {
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
    d->nr_boot_extents = d->boot_extents_room = 0;
    host_pages_uncharge(d->boot_pages);
    d->boot_pages = 0;
}

/* Room for one more boot extent; the array doubles, so n extents cost O(n). */
static int boot_extents_grow(struct domain *d)
{
    if (d->nr_boot_extents < d->boot_extents_room)
        return 0;
    unsigned int room = d->boot_extents_room ? 2 * d->boot_extents_room : 8;
    struct boot_extent *n = dalloc_array(d, room, sizeof(*n));
    if (!n)
        return -ENOMEM;
    if (d->nr_boot_extents)
        memcpy(n, d->boot_extents, d->nr_boot_extents * sizeof(*n));
    dfree(d, d->boot_extents);
    d->boot_extents = n;
    d->boot_extents_room = room;
    return 0;
}

/* Copy [off, off+len) of the memory file; the copy counts as guest memory. */
static int boot_extent_add(struct domain *d, uint64_t off, uint64_t len)
{
    uint64_t pages = (len + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;
    int rc = boot_extents_grow(d);
    if (rc)
        return rc;
    if (!host_pages_charge(pages))
        return -ENOMEM;
    struct boot_extent *e = &d->boot_extents[d->nr_boot_extents];
    e->data = dalloc(d, len);
    if (!e->data) {
        host_pages_uncharge(pages);
        return -ENOMEM;
    }
    e->offset = off;
    e->len = len;
    d->nr_boot_extents++;
    d->boot_pages += pages;
    ssize_t r = pread(d->mem_fd, e->data, len, (off_t)off);
    return r == (ssize_t)len ? 0 : -EIO;
}

/*
 * Save the written parts of the memory file (a built domain's are a few
 * pages, the rest holes; a restored one's, every page its image held) so
 * on_*=restart can reboot the image.  On failure nothing stays captured
 * or charged.
 */
int memory_capture_boot(struct domain *d)
{
    off_t end = (off_t)(d->nr_gfns * XEN_PAGE_SIZE);
    off_t pos = 0;
    int rc = 0;
    memory_free_boot(d);
    while (rc == 0 && pos < end) {
        off_t data = lseek(d->mem_fd, pos, SEEK_DATA);
        if (data < 0) {
            rc = errno == ENXIO ? 0 : -errno;
            break;
        }
        if (data >= end)
            break; /* the shared-info page after RAM is not part of the image */
        off_t hole = lseek(d->mem_fd, data, SEEK_HOLE);
        if (hole < 0)
            rc = -errno;
        else
            rc = boot_extent_add(d, (uint64_t)data, (uint64_t)((hole < end ? hole : end) - data));
        pos = hole;
    }
    if (rc)
        memory_free_boot(d);
    return rc;
}

int memory_reset_to_boot(struct domain *d)
{
    if (fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                  (off_t)(d->nr_gfns * XEN_PAGE_SIZE)) < 0)
        return -errno;
    for (unsigned int i = 0; i < d->nr_boot_extents; i++) {
        const struct boot_extent *e = &d->boot_extents[i];
        if (pwrite(d->mem_fd, e->data, e->len, (off_t)e->offset) != (ssize_t)e->len)
            return -EIO;
    }
    paging_mark_dirty_range(d, 0, d->nr_gfns); /* a migration under way sends it all again */
    return 0;
}

static uint64_t shared_info_frame(const struct domain *d)
{
    return d->nr_gfns;
}

/* Make gfns [gfn, gfn+nr) unbacked in the window (guest accesses then fault). */
static int window_unmap(struct domain *d, uint64_t gfn, uint64_t nr)
{
    void *m = mmap(d->ram + gfn * XEN_PAGE_SIZE, nr * XEN_PAGE_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return m == MAP_FAILED ? -errno : 0;
}

/* Give frames [f, f+n) back to the kernel and to the allocator. */
static void frames_release(struct domain *d, uint64_t f, uint64_t n)
{
    fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(f * XEN_PAGE_SIZE),
              (off_t)(n * XEN_PAGE_SIZE));
    frames_set_used(d, f, n, false);
    d->tot_pages -= n;
    host_pages_uncharge(n);
}

/* Drop the p2m entries of gfns [gfn, gfn+nr), releasing their frames a run
 * of consecutive frames at a time. */
static void p2m_clear(struct domain *d, uint64_t gfn, uint64_t nr)
{
    uint64_t run_start = 0, run_len = 0;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t f = d->p2m[gfn + i];
        d->p2m[gfn + i] = HV_INVALID_FRAME;
        if (f == shared_info_frame(d)) {
            d->shared_info_gfn = HV_INVALID_FRAME; /* the page lives on in hvd */
            continue;
        }
        if (run_len && f == run_start + run_len) {
            run_len++;
            continue;
        }
        if (run_len)
            frames_release(d, run_start, run_len);
        run_start = f;
        run_len = 1;
    }
    if (run_len)
        frames_release(d, run_start, run_len);
    paging_mark_dirty_range(d, gfn, nr); /* a migration sends them as holes */
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
    if (nr == 0)
        return 0; /* the edge arithmetic below assumes a range */
    uint64_t after = mappings_after_depopulate(d, gfn, nr);
    int rc = window_mappings_check(d, after);
    if (rc == 0)
        rc = window_unmap(d, gfn, nr);
    if (rc)
        return rc;
    p2m_clear(d, gfn, nr);
    d->window_mappings = after;
    return 0;
}

/* XENMAPSPACE_shared_info: show the shared-info frame at gfn.  p2m_lock held. */
int p2m_map_shared_info(struct domain *d, uint64_t gfn)
{
    if (gfn >= d->nr_gfns)
        return -XEN_EINVAL;
    if (d->p2m[gfn] == shared_info_frame(d))
        return 0;
    /* Two gfns change (gfn, and where the page was); each moves at most
     * two VMA boundaries, so the steps below all stay within the bound. */
    if (window_mappings_check(d, d->window_mappings + 4))
        return -XEN_ENOMEM;
    if (d->p2m[gfn] != HV_INVALID_FRAME && p2m_depopulate(d, gfn, 1))
        return -XEN_ENOMEM;
    if (d->shared_info_gfn != HV_INVALID_FRAME && p2m_depopulate(d, d->shared_info_gfn, 1))
        return -XEN_ENOMEM;
    uint64_t splits_before = window_splits(d, gfn, gfn + 1);
    if (window_map(d, gfn, shared_info_frame(d), 1))
        return -XEN_ENOMEM;
    d->p2m[gfn] = shared_info_frame(d);
    d->shared_info_gfn = gfn;
    paging_mark_dirty(d, gfn); /* its old frame went (and where the page was went, above) */
    d->window_mappings += window_splits(d, gfn, gfn + 1) - splits_before;
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
static long reservation_extent(struct domain *d, uint64_t op, uint64_t gfn, uint64_t pages)
{
    if (gfn % pages || gfn >= d->nr_gfns || pages > d->nr_gfns - gfn)
        return -XEN_EINVAL;
    if (op == XENMEM_decrease_reservation)
        return p2m_depopulate(d, gfn, pages);
    return p2m_populate(d, gfn, pages);
}

#define EXTENT_CHUNK 256u /* gfns copied from the guest at a time */

/*
 * Extents [*done, *done + n) of r, whose gfns are in gfns[].  Stops before
 * an extent when the vCPU must stop (*preempted), unless it is the call's
 * first (start): every call makes progress.
 */
static long reservation_chunk(struct vcpu *v, uint64_t op, const struct xen_memory_reservation *r,
                              const uint64_t *gfns, uint64_t n, uint64_t start, uint64_t *done,
                              bool *preempted)
{
    struct domain *d = v->domain;
    long rc = 0;
    pthread_rwlock_wrlock(&d->p2m_lock);
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        if (*done > start && hypercall_preempt_check(v)) {
            *preempted = true;
            break;
        }
        rc = reservation_extent(d, op, gfns[i], 1ull << r->extent_order);
        *done += rc == 0;
    }
    pthread_rwlock_unlock(&d->p2m_lock);
    return rc;
}

/*
 * increase_reservation, decrease_reservation, populate_physmap, from the
 * start extent in cmd's high bits.  Time is linear in the pages touched;
 * when the vCPU must stop (a pause, destroy or event kicked it) the op
 * stops between extents and leaves a continuation: the same call with the
 * start extent where it stopped.
 */
static long memory_reservation(struct vcpu *v, uint64_t cmd, uint64_t arg,
                               struct hypercall_continuation *cont)
{
    uint64_t op = cmd & MEMOP_CMD_MASK, start = cmd >> MEMOP_EXTENT_SHIFT;
    struct xen_memory_reservation r;
    if (copy_from_guest(v, &r, arg, sizeof(r)))
        return -XEN_EFAULT;
    if (r.domid != DOMID_SELF)
        return -XEN_ESRCH;
    if (r.mem_flags || r.pad[0] || r.pad[1] || r.pad[2] ||
        r.extent_order > XENMEM_MAX_EXTENT_ORDER || r.nr_extents > (1u << 20) ||
        start > r.nr_extents)
        return -XEN_EINVAL;
    uint64_t gfns[EXTENT_CHUNK], done = start;
    bool preempted = false;
    long rc = 0;
    while (done < r.nr_extents && rc == 0 && !preempted) {
        uint64_t n = r.nr_extents - done < EXTENT_CHUNK ? r.nr_extents - done : EXTENT_CHUNK;
        if (copy_from_guest(v, gfns, r.extent_start + done * sizeof(uint64_t),
                            n * sizeof(uint64_t)))
            rc = -XEN_EFAULT;
        else
            rc = reservation_chunk(v, op, &r, gfns, n, start, &done, &preempted);
    }
    if (preempted) {
        cont->pending = true;
        cont->arg0 = op | done << MEMOP_EXTENT_SHIFT;
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

long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg, struct hypercall_continuation *cont)
{
    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return memory_reservation(v, cmd, arg, cont);
    }
    switch (cmd) { /* the other ops take no start extent */
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
