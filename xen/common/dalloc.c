/*
 * dalloc: every allocation hvd makes for a domain goes through here, so
 * each domain's hypervisor overhead is known (count and bytes) and a
 * domain destroyed with allocations outstanding is caught.
 *
 * Each block carries a header with its size, so dfree() can uncharge it
 * without the caller remembering the size.  Counters are atomics: vCPU
 * threads may allocate while the main thread reads them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xen/dalloc.h>
#include <xen/sched.h>

struct dalloc_header {
    uint64_t size;
    uint64_t magic; /* catches dfree() of memory dalloc() did not hand out */
};
#define DALLOC_MAGIC 0x64616c6c6f63ull /* "dalloc" */

static struct dalloc_account host;

/*
 * Built with -DDALLOC_NO_ACCOUNTING (bench/fault-sweep only), the counters
 * are left alone, to measure what accounting costs.
 */
static void account_add(struct dalloc_account *a, int64_t count, int64_t bytes)
{
#ifndef DALLOC_NO_ACCOUNTING
    __atomic_add_fetch(&a->count, (uint64_t)count, __ATOMIC_RELAXED);
    __atomic_add_fetch(&a->bytes, (uint64_t)bytes, __ATOMIC_RELAXED);
#else
    (void)a, (void)count, (void)bytes;
#endif
}

static void account_read(const struct dalloc_account *a, struct dalloc_account *out)
{
    out->count = __atomic_load_n(&a->count, __ATOMIC_RELAXED);
    out->bytes = __atomic_load_n(&a->bytes, __ATOMIC_RELAXED);
}

static void *block_alloc(size_t size, bool zero)
{
    if (size > SIZE_MAX - sizeof(struct dalloc_header))
        return NULL;
    struct dalloc_header *h = zero ? calloc(1, sizeof(*h) + size) : malloc(sizeof(*h) + size);
    if (!h)
        return NULL;
    h->size = size;
    h->magic = DALLOC_MAGIC;
    account_add(&host, 1, (int64_t)size);
    return h + 1;
}

static uint64_t block_free(void *p)
{
    struct dalloc_header *h = (struct dalloc_header *)p - 1;
    if (h->magic != DALLOC_MAGIC)
        abort(); /* a foreign pointer: continuing would corrupt the heap */
    uint64_t size = h->size;
    h->magic = 0;
    account_add(&host, -1, -(int64_t)size);
    free(h);
    return size;
}

static void *dalloc_block(struct domain *d, size_t size, bool zero)
{
    if (fault_point(d))
        return NULL;
    void *p = block_alloc(size, zero);
    if (p)
        account_add(&d->dalloc, 1, (int64_t)size);
    return p;
}

void *dalloc(struct domain *d, size_t size)
{
    return dalloc_block(d, size, true);
}

void *dalloc_nozero(struct domain *d, size_t size)
{
    return dalloc_block(d, size, false);
}

void *dalloc_array(struct domain *d, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return NULL;
    return dalloc(d, total);
}

void dfree(struct domain *d, void *p)
{
    if (!p)
        return;
    uint64_t size = block_free(p);
    account_add(&d->dalloc, -1, -(int64_t)size);
}

struct domain *dalloc_domain(void)
{
    struct domain *d = block_alloc(sizeof(*d), true);
    if (d)
        account_add(&d->dalloc, 1, sizeof(*d));
    return d;
}

void dfree_domain(struct domain *d)
{
    account_add(&d->dalloc, -1, -(int64_t)sizeof(*d));
    if (d->dalloc.count || d->dalloc.bytes)
        printk("BUG: d%u freed with %llu allocations (%llu bytes) outstanding", d->domid,
               (unsigned long long)d->dalloc.count, (unsigned long long)d->dalloc.bytes);
    block_free(d);
}

void dalloc_host_totals(struct dalloc_account *out)
{
    account_read(&host, out);
}

void dalloc_domain_totals(const struct domain *d, struct dalloc_account *out)
{
    account_read(&d->dalloc, out);
}

int fault_point_ttl(struct fault_ttl *f)
{
    if (!f)
        return 0;
    f->passed++;
    return f->ttl && f->passed == f->ttl ? -ENOMEM : 0;
}

int fault_point(struct domain *d)
{
    return fault_point_ttl(d->fault);
}
