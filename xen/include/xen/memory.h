/* hvd internal: guest memory, the memory file and the p2m. */
#ifndef HV_XEN_MEMORY_H
#define HV_XEN_MEMORY_H

#include <stdint.h>
#include <stdbool.h>

/* The VMAs a domain's guest-physical window may take in hvd (--domain-mappings). */
#define MEMORY_DEFAULT_WINDOW_MAPPINGS 1024u

/* At start-up: read vm.max_map_count for the host's mapping budget; set
 * the window bound (0: the default). */
void memory_init(uint64_t window_mappings);
/* Pages all domains hold, charged when populated; never above the host limit. */
uint64_t memory_host_pages_used(void);

struct domain;
/* Reserves the domain's mappings from the host budget (-ENOMEM if it
 * cannot), then builds the memory file, p2m and window. */
int p2m_init(struct domain *d, uint64_t max_pages);
bool p2m_release_chunk(struct domain *d, uint64_t *pos, uint64_t chunk);
void p2m_teardown(struct domain *d);
/* Back gfns [gfn, gfn+nr) with fresh zeroed frames, all or none.  -ENOMEM
 * past max_pages, the host limit or the domain's mapping bound. */
int p2m_populate(struct domain *d, uint64_t gfn, uint64_t nr);
uint64_t p2m_lookup(struct domain *d, uint64_t gfn);
int p2m_depopulate(struct domain *d, uint64_t gfn, uint64_t nr);
int p2m_map_shared_info(struct domain *d, uint64_t gfn);
struct vcpu;
struct hypercall_continuation;
long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg, struct hypercall_continuation *cont);
/* hvd's pointer to guest-physical [gpa, gpa+len) when all backed, else NULL. */
void *gpa_to_hva(struct domain *d, uint64_t gpa, uint64_t len);
/* Zero every frame (hole punch) and refill from the boot extents. */
int memory_reset_to_boot(struct domain *d);
int memory_capture_boot(struct domain *d);
void memory_free_boot(struct domain *d);

#endif
