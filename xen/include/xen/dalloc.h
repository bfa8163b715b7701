/*
 * hvd internal: allocations made on behalf of a domain, counted per domain
 * and host-wide, and the fault points of domain creation.
 */
#ifndef HV_XEN_DALLOC_H
#define HV_XEN_DALLOC_H

#include <stddef.h>
#include <stdint.h>

struct domain;

/* What a domain (or the host) holds through dalloc(). */
struct dalloc_account {
    uint64_t count; /* live allocations */
    uint64_t bytes; /* their requested sizes */
};

/*
 * Zeroed memory charged to d.  A fault point: during creation with
 * fault_ttl set it may fail as if memory were exhausted.  NULL on failure.
 */
void *dalloc(struct domain *d, size_t size);
void *dalloc_array(struct domain *d, size_t n, size_t size);
/* The same, not zeroed: for memory the user fills itself (thread stacks). */
void *dalloc_nozero(struct domain *d, size_t size);
void dfree(struct domain *d, void *p);

/* The domain struct itself: allocated before the domain can be charged. */
struct domain *dalloc_domain(void);
void dfree_domain(struct domain *d);

void dalloc_host_totals(struct dalloc_account *out);
void dalloc_domain_totals(const struct domain *d, struct dalloc_account *out);

/*
 * Fault injection.  Every fail-able action of domain creation calls
 * fault_point() first; with fault_ttl N the N-th call returns -ENOMEM.
 * Outside creation (d->fault == NULL) it never fails.
 */
struct fault_ttl {
    uint32_t ttl;    /* 0: inject nothing */
    uint32_t passed; /* fault points passed so far */
};
int fault_point(struct domain *d);
/* The same before the domain exists (its struct is the first fault point). */
int fault_point_ttl(struct fault_ttl *f);

#endif
