/*
 * libhvsave: write and read hv save streams (docs/specs/save-stream.md),
 * record by record, on any file descriptor: a file, a pipe, a socket.  The
 * library never seeks, never prints and never exits.
 *
 * Every function that can fail returns 0 on success and a negative errno:
 *   -EINVAL          a bad argument, or a record the caller asked the
 *                    writer to write that the spec does not allow
 *   -EBADMSG         corrupt input: bad magic, a reserved field or padding
 *                    not zero, a length that does not match its counts, a
 *                    count or gfn out of range, records out of order, a
 *                    zlib body that does not inflate to exactly its pages
 *   -E2BIG           a length over its limit (a record body above
 *                    HV_SAVE_MAX_BODY, a config above HV_SAVE_CONFIG_MAX),
 *                    rejected before anything is allocated or read for it
 *   -EPROTONOSUPPORT a stream version, byte order or page size this
 *                    library does not implement
 *   -EOPNOTSUPP      an unknown mandatory record type
 *   -ENODATA         the input ends before the END record (truncated),
 *                    whether between records or inside one
 *   -ENOMEM          out of memory
 *   -ETIMEDOUT       a reader or writer opened with a timeout waited that
 *                    long for its fd: no data came, or the reader of the
 *                    stream stopped reading
 *   other            the errno of a failed read() or write(); writing to a
 *                    closed pipe or socket is -EPIPE if the caller ignores
 *                    SIGPIPE (the library does not change signal handling)
 * Reads and writes are retried after EINTR and after short transfers; on
 * an O_NONBLOCK fd, EAGAIN is waited out with poll() (for ever, or up to
 * the timeout), so any fd works, blocking or not.
 *
 * After a failure the reader or writer is stuck in it: every later call
 * returns the same error, and hvsave_reader_error() /
 * hvsave_writer_error() say what went wrong in one line, naming the
 * record (index, type name, stream offset) for the reader.
 *
 * A reader and a writer are not thread-safe; use one per thread.
 */
#ifndef HVSAVE_H
#define HVSAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/public/save.h>

#ifdef __cplusplus
extern "C" {
#endif

/* hvsave_writer_open() flags. */
#define HVSAVE_ZLIB (1u << 0) /* compress page data (PAGE_DATA_ZLIB) when it saves space */

/* The domain header, as the caller gives it and the reader returns it. */
struct hvsave_domain_header {
    uint32_t hvd_version; /* major << 16 | minor */
    uint32_t nr_vcpus;    /* 1..HV_SAVE_MAX_VCPUS */
    uint64_t nr_pages;    /* 1..HV_SAVE_MAX_PAGES; every gfn is below it */
    uint64_t tot_pages;   /* 0..nr_pages, informative */
    const char *config;   /* JSON text, NUL-terminated; NULL or "" for none */
};

/*
 * The domain's run state at save time (the RUN_STATE record, or its
 * absence).  HVSAVE_RUN_RUNNING is written as no record at all.
 */
#define HVSAVE_RUN_RUNNING  0u
#define HVSAVE_RUN_PAUSED   HV_SAVE_RUN_PAUSED   /* the toolstack held it paused */
#define HVSAVE_RUN_SHUTDOWN HV_SAVE_RUN_SHUTDOWN /* shut down for shutdown_reason */

struct hvsave_run_state {
    uint32_t state;           /* HVSAVE_RUN_* */
    uint32_t shutdown_reason; /* SHUTDOWN: SHUTDOWN_*, 0..HV_SAVE_SHUTDOWN_MAX; else 0 */
};

/* The name of a record type ("PAGE_DATA"...), or NULL for an unknown type. */
const char *hvsave_type_name(uint32_t type);

/* ---- writer ------------------------------------------------------------ */

struct hvsave_writer;

/*
 * Start a stream on fd: writes the image header and the domain header.
 * -EINVAL for a domain header out of range or unknown flags (*w is then
 * NULL); a write error leaves *w set, in the failed state.
 */
int hvsave_writer_open(struct hvsave_writer **w, int fd, const struct hvsave_domain_header *dh,
                       unsigned int flags);

/*
 * As hvsave_writer_open(), for a peer that may stop reading (a live
 * migration over a socket or a pipe): every write of this writer first
 * waits at most timeout_ms for fd to take more octets, and fails with
 * -ETIMEDOUT when it does not.  timeout_ms 0 waits for ever (that is
 * hvsave_writer_open()); a negative one is -EINVAL.  So that no write
 * blocks longer than that, the writer looks at fd once, here: to a socket
 * it writes with MSG_DONTWAIT, and to a pipe that is not O_NONBLOCK
 * PIPE_BUF octets at a time.
 */
int hvsave_writer_open_timeout(struct hvsave_writer **w, int fd,
                               const struct hvsave_domain_header *dh, unsigned int flags,
                               int timeout_ms);

/*
 * Write one record.  A known type's body is checked exactly as a reader
 * checks it, and its place in the order (section 7 of the spec): an
 * invalid record is -EINVAL and nothing is written.  An unknown optional
 * type (bit 31 set) is written as given; an unknown mandatory type, END
 * (see hvsave_writer_finish) and len > HV_SAVE_MAX_BODY are -EINVAL.
 * body is read in place as the struct of its type: keep it 8-aligned.
 */
int hvsave_write_record(struct hvsave_writer *w, uint32_t type, const void *body, uint32_t len);

/*
 * Write count pages: page i is the 4096 octets at pages + 4096 * i and
 * belongs at gfns[i].  Split into records of HV_SAVE_PAGES_PER_RECORD
 * pages; with HVSAVE_ZLIB each record is PAGE_DATA_ZLIB when that is
 * smaller, PAGE_DATA otherwise.  A gfn >= nr_pages is -EINVAL.
 */
int hvsave_write_pages(struct hvsave_writer *w, const uint64_t *gfns, const void *pages,
                       uint32_t count);

/* As hvsave_write_pages(), with page i at pages[i] (no copy is made). */
int hvsave_write_page_list(struct hvsave_writer *w, const uint64_t *gfns, const void *const *pages,
                           uint32_t count);

/*
 * The rounds of a migration stream (spec section 13): each round is pages
 * (hvsave_write_pages(), hvsave_write_page_list()) and holes, then
 * hvsave_write_round_end(); hvsave_write_final_round() begins the last
 * round, whose ROUND_END has HV_SAVE_ROUND_FINAL; then VM_STATE and the
 * other state records.  Only in streams of hvd_version 1.2 or later
 * (HV_SAVE_HVD_1_2).  Whatever a reader would reject is -EINVAL, and
 * nothing is written: a round record in an older stream, FINAL_ROUND in
 * the middle of a round or twice, a ROUND_END whose FINAL flag does not
 * say whether FINAL_ROUND began its round, anything of the rounds after
 * the final ROUND_END, and (hvsave_write_record()) VM_STATE in a stream
 * with rounds before the final ROUND_END.
 */

/*
 * Write count gfns that are not populated (any more): PAGE_HOLES records
 * of up to HV_SAVE_PAGES_PER_RECORD gfns.  A gfn >= nr_pages is -EINVAL,
 * and nothing is written.
 */
int hvsave_write_holes(struct hvsave_writer *w, const uint64_t *gfns, uint32_t count);

/* Begin the final round: FINAL_ROUND, numbered by the writer. */
int hvsave_write_final_round(struct hvsave_writer *w);

/*
 * End the current round: a ROUND_END whose round and pages the writer
 * fills (the ROUND_ENDs so far, the gfns of the pages and holes written
 * since the last one); flags is HV_SAVE_ROUND_FINAL for the final round,
 * else 0; populated is the caller's count of gfns populated now (6.12).
 */
int hvsave_write_round_end(struct hvsave_writer *w, uint32_t flags, uint64_t populated);

/*
 * Record the domain's run state at save time: for HVSAVE_RUN_PAUSED and
 * HVSAVE_RUN_SHUTDOWN a RUN_STATE record, for HVSAVE_RUN_RUNNING nothing
 * (a stream without RUN_STATE restores running).  Call it after the
 * TIMERS record's place and before hvsave_writer_finish(); -EINVAL (and
 * nothing written) for an unknown state or reason, a reason with a state
 * other than SHUTDOWN, a stream whose hvd_version is below 1.1, or a
 * second call that writes a record.
 */
int hvsave_write_run_state(struct hvsave_writer *w, const struct hvsave_run_state *rs);

/*
 * Write END.  -EINVAL if the stream is incomplete (no VM_STATE, fewer
 * VCPU records than nr_vcpus).  Nothing may be written after it.
 */
int hvsave_writer_finish(struct hvsave_writer *w);

/* Octets written so far (for progress display). */
uint64_t hvsave_writer_offset(const struct hvsave_writer *w);

/* One line: what the last failure was, or "" if none. */
const char *hvsave_writer_error(const struct hvsave_writer *w);

/* Free the writer (NULL is fine).  Does not close fd; does not write END. */
void hvsave_writer_close(struct hvsave_writer *w);

/* ---- reader ------------------------------------------------------------ */

struct hvsave_reader;

/* One record, as hvsave_read_record() returns it. */
struct hvsave_record {
    uint32_t type;   /* HV_SAVE_TYPE_*, or an unknown optional type */
    uint32_t length; /* body octets in the stream */
    uint64_t index;  /* 0 for the first record after the domain header */
    uint64_t offset; /* stream offset of the record header */
    bool skipped;    /* an unknown optional record: body is NULL */
    /*
     * The body, 8-aligned, owned by the reader and valid until the next
     * hvsave_read_record() or hvsave_reader_close().  Already checked
     * against every rule of the spec.
     */
    const void *body;
    /* Views into the body for the known types; the member named by type is set. */
    union {
        struct { /* PAGE_DATA and PAGE_DATA_ZLIB (data already inflated) */
            uint32_t count;
            const uint64_t *gfns;
            const uint8_t *data; /* count * 4096 octets; NULL with HVSAVE_READ_PAGES_LATER */
        } pages;
        const struct hv_save_vm_state *vm_state;
        struct {
            const struct hv_save_vcpu *vcpu;
            const uint8_t *xsave;           /* vcpu->xsave_len octets */
            const struct hv_save_msr *msrs; /* vcpu->nr_msrs entries */
        } vcpu;
        const struct hv_save_shared_info *shared_info;
        struct {
            const struct hv_save_event_channels *hdr;
            const struct hv_save_evtchn *channels; /* hdr->nr_channels */
        } evtchn;
        struct {
            const struct hv_save_timers *hdr;
            const struct hv_save_timer *timers; /* hdr->nr_timers */
        } timers;
        const struct hv_save_run_state *run_state;
        struct {
            const struct hv_save_console_ring *hdr;
            const char *data; /* hdr->len octets, not NUL-terminated */
        } console;
        struct { /* PAGE_HOLES */
            uint32_t count;
            const uint64_t *gfns;
        } holes;
        /* round, flags and pages checked; populated is the caller's to check (6.12) */
        const struct hv_save_round_end *round_end;
        const struct hv_save_final_round *final_round;
    } u;
};

/*
 * Read and check the image header and the domain header from fd.
 * On success *r is a reader positioned at the first record.  On failure
 * *r is NULL for -EINVAL (bad arguments) and -ENOMEM; for every other
 * error it is a reader in the failed state, so that hvsave_reader_error()
 * can say what was wrong: close it with hvsave_reader_close() either way.
 */
int hvsave_reader_open(struct hvsave_reader **r, int fd);

/*
 * As hvsave_reader_open(), for a peer that may stop sending (a live
 * migration over a socket or a pipe): every read of this reader first
 * waits at most timeout_ms for data on fd, and fails with -ETIMEDOUT when
 * none comes.  timeout_ms 0 waits for ever (that is hvsave_reader_open());
 * a negative one is -EINVAL.
 */
int hvsave_reader_open_timeout(struct hvsave_reader **r, int fd, int timeout_ms);

/* The image's version (HV_SAVE_VERSION) and its domain header (config NUL-terminated). */
uint32_t hvsave_reader_version(const struct hvsave_reader *r);
const struct hvsave_domain_header *hvsave_reader_domain(const struct hvsave_reader *r);

/*
 * Read the next record into *rec.  An unknown optional record is consumed
 * and returned with rec->skipped set.  At the end, rec->type is
 * HV_SAVE_TYPE_END; the reader never reads past END (whatever follows it,
 * in a file, a pipe or a socket, is not part of the stream and is left
 * unread: the fd is positioned just after END), and later calls return
 * END again.  Errors: see the top of this file.
 */
int hvsave_read_record(struct hvsave_reader *r, struct hvsave_record *rec);

/*
 * The domain's run state at save time: 0 with *rs filled once END has
 * been read (HVSAVE_RUN_RUNNING when the stream has no RUN_STATE record),
 * -EAGAIN before that (RUN_STATE comes last, so it is not known yet),
 * -EINVAL for NULL arguments, the reader's error after a failure.
 */
int hvsave_reader_run_state(const struct hvsave_reader *r, struct hvsave_run_state *rs);

/*
 * Reader flags.  HVSAVE_READ_PAGES_LATER: hvsave_read_record() returns a
 * PAGE_DATA or PAGE_DATA_ZLIB record with its count and gfns checked but
 * its pages left in the stream (rec->u.pages.data is NULL, and rec->body
 * holds the record only up to its page data); the caller takes them with
 * hvsave_read_pages(), straight into its own memory, before the next
 * record.  -EINVAL for an unknown flag, -EBUSY while pages are open.
 */
#define HVSAVE_READ_PAGES_LATER (1u << 0)
int hvsave_reader_set_flags(struct hvsave_reader *r, unsigned int flags);

/*
 * The next count pages of the page record just read, in order, into dst
 * (count * 4096 octets): read() straight into dst for PAGE_DATA, inflated
 * into it for PAGE_DATA_ZLIB.  The record's end (the zlib data ending
 * exactly after its last page, the padding) is checked with its last
 * page.  -EINVAL if count is more than the pages left; stream errors as
 * for hvsave_read_record(), naming that record.  hvsave_read_record()
 * returns -EINVAL while pages are left.
 */
int hvsave_read_pages(struct hvsave_reader *r, void *dst, uint32_t count);

/* Octets consumed so far. */
uint64_t hvsave_reader_offset(const struct hvsave_reader *r);

/* One line: what was wrong with the stream, or "" if nothing (NULL r: "out of memory"). */
const char *hvsave_reader_error(const struct hvsave_reader *r);

/* Free the reader (NULL is fine).  Does not close fd. */
void hvsave_reader_close(struct hvsave_reader *r);

#ifdef __cplusplus
}
#endif

#endif
