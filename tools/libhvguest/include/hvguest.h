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

/* ---- live migration (docs/specs/save-stream.md, sections 13 and 14) ----- */

/* How the sender decides when to stop the guest (docs/migration.md). */
struct hvguest_live_policy {
    uint32_t downtime_ms;   /* 0: HVGUEST_DEFAULT_DOWNTIME_MS */
    uint32_t max_rounds;    /* live rounds before the final one; 0: HVGUEST_DEFAULT_MAX_ROUNDS */
    uint64_t max_bandwidth; /* octets per second the stream may use; 0: no limit */
    uint32_t timeout_ms;    /* the longest the peer may stall; 0: HVGUEST_DEFAULT_TIMEOUT_MS */
    uint32_t flags;         /* HVGUEST_MIGRATE_* */
};
#define HVGUEST_DEFAULT_DOWNTIME_MS 30u
#define HVGUEST_DEFAULT_MAX_ROUNDS  30u
#define HVGUEST_DEFAULT_TIMEOUT_MS  60000u
#define HVGUEST_MIGRATE_PAUSED      (1u << 0) /* keep it paused at the destination */
#define HVGUEST_MIGRATE_ZLIB        (1u << 1) /* compress page data */

/* One round, as the sender reports it when the round has ended. */
struct hvguest_round {
    uint32_t round;    /* 0, 1, ... */
    uint32_t throttle; /* percent of its vCPU time the guest was denied during it */
    uint32_t final;    /* 1: the final round, with the guest paused */
    uint32_t pad;
    uint64_t pages;       /* pages sent in it */
    uint64_t holes;       /* gfns sent as holes in it */
    uint64_t octets;      /* stream octets it took */
    uint64_t ns;          /* how long it took */
    uint64_t bandwidth;   /* octets per second it achieved */
    uint64_t dirtied;     /* gfns the guest dirtied meanwhile: the next round's */
    uint64_t dirty_rate;  /* gfns per second */
    uint64_t downtime_ns; /* expected downtime if the next round were the final one */
};
/* Called after each round; non-zero stops the migration (-EINTR). */
typedef int hvguest_round_fn(void *arg, const struct hvguest_round *r);

/* What a migration did (the sender's view). */
struct hvguest_migrate_report {
    uint32_t rounds;       /* rounds, the final one included */
    uint32_t max_throttle; /* the highest throttle applied, percent */
    uint32_t dest_domid;   /* the domain's id at the destination */
    uint32_t pad;
    uint64_t pages_sent; /* pages in all rounds (a page dirtied again is counted again) */
    uint64_t holes_sent;
    uint64_t guest_pages; /* pages the guest held when it was paused */
    uint64_t octets;      /* stream octets */
    uint64_t total_ns;    /* from HELLO to the end */
    uint64_t downtime_ns; /* source pause to destination unpause (14.1 DONE: estimated) */
    uint64_t final_ns;    /* of that, the final round and the state records */
};

/*
 * Live-migrate domid through a connected channel (in_fd: from the
 * receiver, out_fd: to it; the same socket twice is fine): the handshake
 * and stream of sections 13 and 14 of docs/specs/save-stream.md.  token
 * is the receiver's one-time token, or NULL.  On success the domain runs
 * at the destination under its own name and UUID and the local copy is
 * destroyed.  On failure the return is negative and st->error one line
 * that says where the domain is:
 * - before GO (nearly every failure): the local domain runs on as before,
 *   same name, UUID and domid, log-dirty and throttling off;
 * - -EREMOTEIO: GO was sent and no answer came; the local copy is kept
 *   paused as NAME--migratedaway, and the domain may run at the
 *   destination (docs/migration.md says how to find out and recover).
 * progress (may be NULL) is called after each batch of pages, round (may
 * be NULL) after each round, both with arg; either stops the migration
 * (-EINTR) by returning non-zero.  rep may be NULL.  The caller ignores
 * SIGPIPE.
 */
int hvguest_migrate_send(hvctl_t *h, uint32_t domid, int in_fd, int out_fd, const char *token,
                         const struct hvguest_live_policy *policy, hvguest_progress_fn *progress,
                         hvguest_round_fn *round, void *arg, struct hvguest_migrate_report *rep,
                         struct hvguest_status *st);

/* What the receiving end did. */
struct hvguest_receive_report {
    uint32_t domid;  /* the domain's id here */
    uint32_t rounds; /* rounds the stream held */
    uint64_t pages;  /* pages received (all rounds) */
    uint64_t octets; /* stream octets */
    uint64_t go_to_unpause_ns;
    char name[64]; /* the domain's name */
};

/*
 * Receive a live migration on a connected channel (in_fd: from the
 * sender, out_fd: to it).  token: the one-time token the sender must
 * present, or NULL for none (a channel the caller trusts, as ssh's).
 * timeout_ms: the longest the sender may stall (0: the default).  The
 * domain is built paused as NAME--incoming, held transient (hvd destroys
 * it if this process dies), checked to END, and taken over only on GO.
 * On failure nothing is left here; st->error says what went wrong and,
 * after GO, where the domain is.
 */
int hvguest_migrate_receive(hvctl_t *h, int in_fd, int out_fd, const char *token,
                            uint32_t timeout_ms, struct hvguest_receive_report *rep,
                            struct hvguest_status *st);

#ifdef __cplusplus
}
#endif

#endif
