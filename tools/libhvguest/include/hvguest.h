/*
 * libhvguest: what the toolstack does to a guest's memory and state, as
 * libxenguest is to Xen: the domain builder (load a kernel into a new
 * domain) and the save/restore engine (write a domain as a save stream,
 * docs/specs/save-stream.md, and make a domain from one).
 *
 * Every function returns 0 on success and a negative errno on failure;
 * none prints or exits.  They use the caller's libhvctl handle.
 */
#ifndef HVGUEST_H
#define HVGUEST_H

#include <stddef.h>
#include <stdint.h>
#include <hvctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The domain builder.  Loads an ELF64 x86-64 or an ELF32 i386 executable
 * (ET_EXEC, little-endian, segments linked at their load address) into the
 * paused domain's memory, writes the start-info page after it, and sets
 * vCPU 0's context to the image's entry point, with rsi = the start-info
 * page's guest-physical address and rsp = 0.
 * ELF64: 64-bit mode, paging on with identity page tables after the
 * start-info page (pt_base).
 * ELF32: 32-bit protected mode with paging off (CR0 = PE|ET, CR4 = EFER = 0),
 * flat 4 GiB segments (CS 0x08, data 0x10); no page tables (pt_base = 0).
 * Image and start-info page must lie below 4 GiB; RAM above 4 GiB is listed
 * in the memmap but such a guest needs PAE paging of its own to reach it.
 * -ENOEXEC: not an ELF image we can load; -EINVAL: malformed (bad offsets,
 * overlapping segments, an ELF32 segment crossing 4 GiB); -E2BIG: does not
 * fit in RAM (or, ELF32, the start-info page would end above 4 GiB). */
struct hvguest_build_info {
    uint64_t entry;       /* guest-physical entry point */
    uint64_t image_start; /* first byte loaded */
    uint64_t image_end;   /* byte after the last loaded */
    uint64_t start_info;  /* guest-physical address of the start-info page */
    uint64_t pt_base;     /* top page table */
};
int hvguest_build_elf(hvctl_t *h, uint32_t domid, const void *image, size_t len,
                      const char *cmdline, struct hvguest_build_info *info);
int hvguest_build_elf_file(hvctl_t *h, uint32_t domid, const char *path, const char *cmdline,
                           struct hvguest_build_info *info);

/* ---- save and restore ---------------------------------------------------- */

/* Where a save or restore is. */
enum hvguest_phase {
    HVGUEST_PHASE_PAGES = 0, /* memory pages: done and total count pages */
    HVGUEST_PHASE_STATE = 1, /* vCPUs and the rest, after the pages */
};

/*
 * Called after each batch of pages (at most HV_P2M_QUERY_MAX) and once as
 * the state records begin.  total is the domain's tot_pages (a restore: as
 * the image's header says; informative).  Returning non-zero stops the
 * work: the call undoes what it did and fails with -EINTR.
 */
typedef int hvguest_progress_fn(void *arg, enum hvguest_phase phase, uint64_t done, uint64_t total);

/* A domain's run state as a save image records it (its RUN_STATE record). */
#define HVGUEST_RUN_RUNNING  0u /* running (no RUN_STATE record) */
#define HVGUEST_RUN_PAUSED   1u /* held paused by the toolstack */
#define HVGUEST_RUN_SHUTDOWN 2u /* shut down (shutdown_reason says why) */

/* What a save or restore tells besides its return value. */
struct hvguest_status {
    char error[768];          /* after a failure: one line saying what went wrong; a
                                 restore names the record (index, type, stream offset) */
    uint64_t octets;          /* stream octets written (save) or consumed (restore) */
    uint32_t run_state;       /* HVGUEST_RUN_*: recorded (save) or restored */
    uint32_t shutdown_reason; /* with HVGUEST_RUN_SHUTDOWN: SHUTDOWN_* */
};

#define HVGUEST_SAVE_ZLIB (1u << 0) /* compress page data (PAGE_DATA_ZLIB) */

/*
 * Pause domid and write it to fd as a save stream: its config, every
 * backed page, then its vCPUs, shared info, event channels, timers, run
 * state and console ring.  The run state is the domain's before this
 * call's pause: shut down, paused by someone else, or running.  On success the domain stays paused (this call's pause is
 * still held): unpause it to let it run on, or destroy it.  On failure the
 * pause is dropped, so the domain runs as before; the octets already
 * written to fd stay there (st->octets says how many: remove the file).
 * progress (may be NULL) gets arg.  st may be NULL.
 */
int hvguest_save(hvctl_t *h, uint32_t domid, int fd, unsigned int flags,
                 hvguest_progress_fn *progress, void *arg, struct hvguest_status *st);

/*
 * Read a save stream from fd and make the domain it describes: created
 * from the config the image carries (same name and UUID), its memory
 * filled, every state record handed to hvd.  On success *domid is the new
 * domain, paused (creation's pause): unpausing it once puts it in the run
 * state the image records (st->run_state): an image of a running domain
 * runs; of a paused one, it stays paused (the engine added the pause the
 * saved domain had); of a shut-down one, the engine shut it down again
 * for the same reason, and hvd took its on_* action.  On failure no domain
 * is left behind.  The stream is read up to its END record and no further.
 * flags: 0 (none defined yet; others are -EINVAL).
 * -EEXIST: a domain with the image's name or UUID exists; -EINVAL: a bad
 * image (st->error says where); -EINTR: progress asked to stop.
 */
int hvguest_restore(hvctl_t *h, int fd, unsigned int flags, hvguest_progress_fn *progress,
                    void *arg, uint32_t *domid, struct hvguest_status *st);

#ifdef __cplusplus
}
#endif

#endif
