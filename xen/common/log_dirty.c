/*
 * Log-dirty mode (XEN_DOMCTL_shadow_op), for live migration: which gfns
 * changed since the toolstack last looked.
 *
 * Two sources feed one bitmap per domain.  KVM logs the guest's own
 * writes to its memory slot (KVM_MEM_LOG_DIRTY_PAGES); it cannot see
 * hvd's writes through its mapping of the window, nor a gfn whose backing
 * frame changes, so hvd marks those itself (paging_mark_dirty(), as Xen
 * calls it).  A CLEAN or PEEK first merges KVM's log into the bitmap,
 * then copies the range out.
 *
 * vCPU threads mark while the main thread reads and clears: every access
 * to the bitmap is an atomic operation on a 64-bit word, and CLEAN clears
 * with fetch-and, so a bit set meanwhile is either returned or kept.  The
 * bitmap is installed and removed with p2m_lock held for writing, so a
 * marker holding p2m_lock never sees it freed.
 *
 * Whatever a domain makes hvd hold here is charged to it (dalloc): the
 * bitmap and KVM's buffer, nr_gfns bits each.  The control connection that
 * turned log-dirty on owns it; when it closes, log-dirty goes off, so a
 * toolstack that dies mid-migration leaves the domain as it was.
 */
#include <errno.h>
#include <string.h>
#include <xen/arch.h>
#include <xen/log_dirty.h>
#include <xen/privcmd.h>
#include <xen/sched.h>

#define WORD_BITS 64u

static uint64_t bitmap_words(const struct domain *d)
{
    return (d->nr_gfns + WORD_BITS - 1) / WORD_BITS;
}

/* The bits of word w that lie in gfns [first, first + nr), nr > 0. */
static uint64_t word_range_mask(uint64_t w, uint64_t first, uint64_t nr)
{
    uint64_t base = w * WORD_BITS;
    uint64_t lo = first > base ? first - base : 0;
    uint64_t end = first + nr - base; /* the range ends in or after word w */
    uint64_t hi = end < WORD_BITS ? end : WORD_BITS;
    uint64_t len = hi - lo;
    return (len == WORD_BITS ? ~0ull : (1ull << len) - 1) << lo;
}

void paging_mark_dirty_range(struct domain *d, uint64_t gfn, uint64_t nr)
{
    uint64_t *bitmap = __atomic_load_n(&d->log_dirty.bitmap, __ATOMIC_ACQUIRE);
    if (!bitmap || gfn >= d->nr_gfns || nr == 0)
        return;
    if (nr > d->nr_gfns - gfn)
        nr = d->nr_gfns - gfn;
    for (uint64_t w = gfn / WORD_BITS; w <= (gfn + nr - 1) / WORD_BITS; w++)
        __atomic_fetch_or(&bitmap[w], word_range_mask(w, gfn, nr), __ATOMIC_RELAXED);
}

void paging_mark_dirty_gpa(struct domain *d, uint64_t gpa, uint64_t len)
{
    if (len == 0 || gpa + len < gpa)
        return;
    uint64_t first = gpa >> XEN_PAGE_SHIFT;
    paging_mark_dirty_range(d, first, ((gpa + len - 1) >> XEN_PAGE_SHIFT) - first + 1);
}

/* Install (or, with NULL, remove) the bitmap where markers can see it. */
static void log_dirty_publish(struct domain *d, uint64_t *bitmap)
{
    pthread_rwlock_wrlock(&d->p2m_lock);
    __atomic_store_n(&d->log_dirty.bitmap, bitmap, __ATOMIC_RELEASE);
    pthread_rwlock_unlock(&d->p2m_lock);
}

/* Free what log-dirty holds; bitmap is the one markers no longer see. */
static void log_dirty_free(struct domain *d, uint64_t *bitmap)
{
    dfree(d, bitmap);
    dfree(d, d->log_dirty.kvm_log);
    d->log_dirty.kvm_log = NULL;
    d->log_dirty.owner = NULL;
}

static int log_dirty_enable(struct domain *d, const void *client)
{
    if (d->log_dirty.bitmap)
        return -EBUSY; /* one migration of a domain at a time */
    uint64_t *bitmap = dalloc_array(d, bitmap_words(d), sizeof(uint64_t));
    uint64_t *kvm_log = dalloc_array(d, bitmap_words(d), sizeof(uint64_t));
    int rc = bitmap && kvm_log ? arch_vm_log_dirty(d, true) : -ENOMEM;
    if (rc) {
        dfree(d, bitmap);
        dfree(d, kvm_log);
        return rc;
    }
    d->log_dirty.kvm_log = kvm_log;
    d->log_dirty.owner = client;
    log_dirty_publish(d, bitmap);
    gprintk(&d->log_rl, "d%u: log-dirty on", d->domid);
    return 0;
}

/* Off, if on; why goes to the log. */
static void log_dirty_disable(struct domain *d, const char *why)
{
    if (!d->log_dirty.bitmap)
        return;
    int rc = arch_vm_log_dirty(d, false);
    if (rc) /* KVM goes on logging for nothing: harmless, and cannot happen */
        gprintk(&d->log_rl, "d%u: KVM kept its dirty log: %s", d->domid, strerror(-rc));
    uint64_t *bitmap = d->log_dirty.bitmap;
    log_dirty_publish(d, NULL);
    log_dirty_free(d, bitmap);
    gprintk(&d->log_rl, "d%u: log-dirty off%s", d->domid, why);
}

/* OR KVM's log (which KVM clears as it hands it over) into the bitmap. */
static int log_dirty_merge_kvm(struct domain *d)
{
    uint64_t *kvm_log = d->log_dirty.kvm_log;
    int rc = arch_vm_get_dirty_log(d, kvm_log);
    if (rc)
        return rc;
    for (uint64_t w = 0; w < bitmap_words(d); w++) {
        if (kvm_log[w])
            __atomic_fetch_or(&d->log_dirty.bitmap[w], kvm_log[w], __ATOMIC_RELAXED);
    }
    return 0;
}

/* Octets of out-word k (the bits of gfns first + 64k on) that are within len. */
static void octets_put(uint8_t *out, uint64_t len, uint64_t k, uint64_t bits)
{
    for (unsigned int b = 0; b < 8 && k * 8 + b < len; b++)
        out[k * 8 + b] = (uint8_t)(bits >> (8 * b));
}

/*
 * The bits set in x.  Not __builtin_popcountll: without -mpopcnt it calls
 * libgcc's __popcountdi2, which is linked into hvd without the patchable
 * function entry every hvd function has (docs/livepatch.md).
 */
static uint64_t bits_set(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (x * 0x0101010101010101ull) >> 56;
}

/*
 * Copy the bits of gfns [first, first + nr) to out, (nr + 7) / 8 octets,
 * clearing them when clean; returns how many were set.  Each word of the
 * bitmap is read (and cleared) once, atomically; the output is that word
 * shifted down to the range's start, the next word's low bits above it.
 */
static uint64_t log_dirty_copy_out(struct domain *d, uint64_t first, uint64_t nr, bool clean,
                                   uint8_t *out)
{
    uint64_t shift = first % WORD_BITS, w0 = first / WORD_BITS;
    uint64_t last = (first + nr - 1) / WORD_BITS, len = (nr + 7) / 8, count = 0, carry = 0;
    for (uint64_t w = w0; w <= last; w++) {
        uint64_t mask = word_range_mask(w, first, nr), *word = &d->log_dirty.bitmap[w];
        uint64_t bits = mask & (clean ? __atomic_fetch_and(word, ~mask, __ATOMIC_RELAXED)
                                      : __atomic_load_n(word, __ATOMIC_RELAXED));
        count += bits_set(bits);
        if (shift == 0) {
            octets_put(out, len, w - w0, bits);
            continue;
        }
        if (w > w0)
            octets_put(out, len, w - w0 - 1, carry | bits << (WORD_BITS - shift));
        carry = bits >> shift;
    }
    if (shift)
        octets_put(out, len, last - w0, carry);
    return count;
}

static long log_dirty_read(struct domain *d, struct xen_domctl_shadow_op *op,
                           struct privcmd_reply_extra *out)
{
    if (op->nr == 0 || op->nr > HV_DIRTY_QUERY_MAX || op->first_gfn >= d->nr_gfns ||
        op->nr > d->nr_gfns - op->first_gfn)
        return -EINVAL;
    if (!d->log_dirty.bitmap)
        return -ENOENT;
    int rc = log_dirty_merge_kvm(d);
    if (rc)
        return rc;
    bool clean = op->op == XEN_DOMCTL_SHADOW_OP_CLEAN;
    op->dirty_count = log_dirty_copy_out(d, op->first_gfn, op->nr, clean, out->buf);
    out->buf_len = (op->nr + 7) / 8;
    return 0;
}

long log_dirty_domctl(struct domain *d, struct xen_domctl_shadow_op *op,
                      struct privcmd_reply_extra *out, const void *client)
{
    _Static_assert(HV_DIRTY_QUERY_MAX / 8 <= HV_PRIVCMD_MAX_BUF, "a bitmap fits a reply");
    switch (op->op) {
    case XEN_DOMCTL_SHADOW_OP_CLEAN:
    case XEN_DOMCTL_SHADOW_OP_PEEK:
        return log_dirty_read(d, op, out);
    case XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY:
        return op->nr || op->first_gfn ? -EINVAL : log_dirty_enable(d, client);
    case XEN_DOMCTL_SHADOW_OP_OFF:
        if (op->nr || op->first_gfn)
            return -EINVAL;
        log_dirty_disable(d, "");
        return 0;
    default:
        return -EINVAL;
    }
}

void log_dirty_client_gone(const void *client)
{
    for (struct domain *d = domain_first_from(0); d; d = domain_next(d)) {
        if (!d->log_dirty.bitmap || d->log_dirty.owner != client)
            continue;
        if (d->dying) /* its teardown frees it; KVM's VM may be gone already */
            d->log_dirty.owner = NULL;
        else
            log_dirty_disable(d, ": the connection that turned it on closed");
    }
}

/* vCPU threads have left: nothing marks any more, and the VM is closed. */
void log_dirty_teardown(struct domain *d)
{
    uint64_t *bitmap = d->log_dirty.bitmap;
    d->log_dirty.bitmap = NULL;
    log_dirty_free(d, bitmap);
}
