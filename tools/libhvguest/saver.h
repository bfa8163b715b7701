/*
 * The save engine's state, shared by the save (save.c) and the live
 * migration sender (live.c), which writes the same stream with its memory
 * in rounds (docs/specs/save-stream.md, section 13).
 */
#ifndef HVGUEST_SAVER_H
#define HVGUEST_SAVER_H

#include <stdbool.h>
#include <stdint.h>
#include <hvsave.h>
#include <hv/public/domctl.h>
#include "memory.h"
#include "private.h"

struct saver {
    hvctl_t *h;
    uint32_t domid;
    int fd;
    unsigned int flags; /* HVGUEST_SAVE_* */
    int timeout_ms;     /* for the writer: 0 waits for ever */
    hvguest_progress_fn *progress;
    void *arg;
    bool paused; /* we hold a pause on the domain */
    struct xen_domctl_getdomaininfo info;
    struct guest_memory mem;
    struct hvsave_writer *w;
    void *ctx;                   /* one context body (HV_PRIVCMD_MAX_BUF octets) */
    uint64_t shared_info_gfn;    /* HV_INVALID_FRAME: the guest never placed it */
    uint64_t pages_done;         /* page records' gfns written */
    uint64_t holes_done;         /* hole records' gfns written */
    uint64_t *sent;              /* live only (else NULL): a bit per gfn the receiver holds */
    uint64_t populated;          /* bits set in sent */
    struct hvsave_run_state run; /* before our pause */
    char why[768];               /* the failure, in words */
};

#define save_fail(s, rc, ...) guest_fail((s)->why, sizeof((s)->why), rc, __VA_ARGS__)

/* A failure of the writer: its own one-line account. */
int saver_writer_fail(struct saver *s, int rc);

/* Tell the caller where we are; -EINTR if it asks us to stop. */
int saver_report_progress(struct saver *s, enum hvguest_phase phase);

/* Map the domain's memory, and allocate what the engine needs. */
int saver_prepare(struct saver *s);

/* Pause the domain and read its info and run state (as before the pause). */
int saver_pause(struct saver *s);

/* Where the shared-info page is (needs the domain paused). */
int saver_find_shared_info(struct saver *s);

/* Write the image header and the domain header (from s->info). */
int saver_open_writer(struct saver *s);

/* The p2m of one chunk of gfns and what is sent of it. */
struct page_batch {
    uint64_t frames[HV_P2M_QUERY_MAX];
    uint64_t gfns[HV_P2M_QUERY_MAX];
    const void *pages[HV_P2M_QUERY_MAX];
    uint64_t holes[HV_P2M_QUERY_MAX];
};

/*
 * Write gfns [gfn, gfn + n), n <= HV_P2M_QUERY_MAX: those that are RAM
 * as pages, and (with s->sent) those that are not but were sent before as
 * holes.  want (NULL: all) is a bitmap whose bit i selects gfn + i.
 */
int saver_write_chunk(struct saver *s, uint64_t gfn, uint32_t n, const uint64_t *want,
                      struct page_batch *b);

/* The records after the pages, in the spec's order (section 7), then END. */
int saver_write_state(struct saver *s);

/* After a failure: drop our pause, so the domain runs as before. */
void saver_undo_pause(struct saver *s);

/* Fill st (may be NULL) and free everything but the domain. */
void saver_finish(struct saver *s, int rc, struct hvguest_status *st);

/* Bitmaps of gfns, 64 to a word. */
static inline bool gfn_bit(const uint64_t *map, uint64_t gfn)
{
    return map[gfn / 64] >> (gfn % 64) & 1;
}

#endif
