/*
 * A domain's RAM frames, mapped from its memory file in one go for the
 * save/restore engine: frame f is at base + f * XEN_PAGE_SIZE.
 */
#ifndef HVGUEST_MEMORY_H
#define HVGUEST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include <hvctl.h>
#include <hv/public/xen.h>

/* As many frames as the guest-physical window has gfns (the size
 * hvctl_memory_fd reports); the shared-info frame that follows them in the
 * file is hvd's and is not mapped. */
struct guest_memory {
    uint8_t *base;
    uint64_t nr_gfns;
};

/* Map the RAM frames of domid with prot (PROT_READ, or PROT_READ |
 * PROT_WRITE).  -EPROTO: hvd sent no RAM or a size not in pages. */
int guest_memory_map(hvctl_t *h, uint32_t domid, int prot, struct guest_memory *m);
void guest_memory_unmap(struct guest_memory *m);

/* The page of frame f, or NULL when f is not a RAM frame of the file. */
uint8_t *guest_memory_frame(const struct guest_memory *m, uint64_t frame);

/* Map the backed frames [frame, frame + nr) in one go before they are
 * read (write: written) page by page: one call instead of a page fault
 * per page.  Only a speed-up: a kernel without it just faults later. */
void guest_memory_prefault(const struct guest_memory *m, uint64_t frame, uint64_t nr, bool write);

#endif
