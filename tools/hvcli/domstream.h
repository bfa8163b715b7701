/*
 * hvcli save/restore: what both verbs need besides libhvsave — the
 * domain's memory file mapped whole, the p2m and context domctls, the
 * config JSON a save image carries, progress on a terminal, and signals
 * that abort the work cleanly instead of killing hvcli half-way.
 */
#ifndef HVCLI_DOMSTREAM_H
#define HVCLI_DOMSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hvctl.h>

#define DOMSTREAM_PAGE_SIZE 4096u

/*
 * The RAM frames of the domain's memory file, mapped once: frame f is at
 * base + f * 4096.  There are as many as the guest-physical window has
 * gfns (the size get_memory_fd reports); the shared-info frame that
 * follows them in the file is hvd's and is not mapped.
 */
struct dom_memory {
    uint8_t *base;
    uint64_t nr_gfns;
};

/* Map the RAM frames of domid with prot (PROT_READ, or PROT_READ |
 * PROT_WRITE).  -EPROTO: hvd sent no descriptor or no RAM. */
int dom_memory_map(hvctl_t *h, uint32_t domid, int prot, struct dom_memory *m);
void dom_memory_unmap(struct dom_memory *m);

/* The page of frame f, or NULL when f is not a RAM frame of the file. */
uint8_t *dom_memory_frame(const struct dom_memory *m, uint64_t frame);

/* Map the backed frames [frame, frame + nr) in one go before they are
 * read (write: written) page by page: one call instead of a page fault
 * per page.  Only a speed-up: a kernel without it just faults later. */
void dom_memory_prefault(const struct dom_memory *m, uint64_t frame, uint64_t nr, bool write);

/* XEN_DOMCTL_p2m_query of gfns [gfn, gfn + nr), nr <= HV_P2M_QUERY_MAX. */
int dom_p2m_query(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, uint64_t *frames);

/* XEN_DOMCTL_p2m_set: populate (or free) gfns [gfn, gfn + nr), nr <= HV_P2M_QUERY_MAX. */
int dom_p2m_set(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, bool populate);

/* XEN_DOMCTL_getcontext into buf (cap octets: HV_PRIVCMD_MAX_BUF is
 * always enough); *len gets the body's length. */
int dom_getcontext(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index, void *buf,
                   size_t cap, uint32_t *len);

/* XEN_DOMCTL_setcontext.  -EMSGSIZE: the body is larger than one control
 * message can carry. */
int dom_setcontext(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index, const void *body,
                   uint32_t len);

/*
 * The config JSON a save image carries (hvcli(1)'s JSON config syntax):
 * name, uuid, memory (MiB of tot_pages, rounded up), maxmem (the RAM
 * window in MiB, rounded up), vcpus, the three actions, restart_limit and
 * restart_interval, and a kernel placeholder (the config syntax requires
 * one; a restore loads none).
 * *json is malloc'ed and NUL-terminated.
 */
int dom_config_json(const struct xen_domctl_getdomaininfo *info, uint64_t nr_gfns, char **json);

/* The placeholder dom_config_json() writes for "kernel". */
#define DOMSTREAM_NO_KERNEL "(restored from a save image)"

/* Percent progress on stderr, only when stderr is a terminal. */
struct progress {
    bool on;
    const char *what; /* "saving", "restoring" */
    uint64_t total;   /* pages expected (0: unknown) */
    int shown;        /* last percent printed, -1 before any */
};
void progress_init(struct progress *p, const char *what, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
/* Clear the progress line (after success or failure). */
void progress_end(struct progress *p);

/*
 * SIGINT, SIGTERM and SIGHUP set a flag instead of ending hvcli, so a
 * save or restore stops at its next step and leaves no paused or
 * half-built domain behind; SIGPIPE and SIGXFSZ are ignored (the write
 * fails with -EPIPE or -EFBIG instead).
 * domstream_signals_restore() puts the previous handlers back.
 */
void domstream_signals_catch(void);
void domstream_signals_restore(void);
/* The signal that asked us to stop, or 0. */
int domstream_interrupted(void);

#endif
