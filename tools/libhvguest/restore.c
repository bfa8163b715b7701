/*
 * The restore engine: read a save stream (docs/specs/save-stream.md),
 * create the domain its config describes, fill its memory and hand each
 * state record to hvd.  A restore that fails for any reason destroys the
 * half-built domain and says which record was bad and why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <hvsave.h>
#include <hv/public/privcmd.h>
#include "image_config.h"
#include "memory.h"
#include "restorer.h"

struct restorer {
    hvctl_t *h;
    const struct restore_opts *o;
    hvguest_progress_fn *progress;
    void *arg;
    struct hvsave_reader *r;
    const struct hvsave_domain_header *dh;
    struct xen_domctl_createdomain cd;
    uint32_t domid;
    bool created;
    struct guest_memory mem;
    uint8_t *populated;        /* bitmap: gfns backed in the new domain */
    uint8_t *in_stream;        /* bitmap: gfns whose last page or hole record was a page */
    uint64_t stream_populated; /* bits set in in_stream */
    bool pages_finished;       /* a state record came: no more page records */
    uint64_t *frames;          /* HV_P2M_QUERY_MAX entries */
    uint64_t pages_done;
    uint32_t rounds;              /* ROUND_END records applied */
    uint8_t image_handle[16];     /* the image's identity, when o->name_suffix */
    char image_name[HV_NAME_MAX]; /* replaces it while the domain is built */
    struct hvsave_run_state run;  /* as the image records it */
    char why[768];                /* the failure, in words */
};

#define restore_fail(t, rc, ...) guest_fail((t)->why, sizeof((t)->why), rc, __VA_ARGS__)

/* A failure that concerns one record: name it by index, type and offset. */
static int record_fail(struct restorer *t, const struct hvsave_record *rec, int rc, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
static int record_fail(struct restorer *t, const struct hvsave_record *rec, int rc, const char *fmt,
                       ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    /* Only known types get here: the reader rejects or skips the others. */
    return restore_fail(t, rc, "record %" PRIu64 " (%s) at offset %" PRIu64 ": %s", rec->index,
                        hvsave_type_name(rec->type), rec->offset, what);
}

/* Tell the caller where we are; -EINTR if it asks us to stop. */
static int report_progress(struct restorer *t, enum hvguest_phase phase)
{
    if (!t->progress || t->progress(t->arg, phase, t->pages_done, t->dh->tot_pages) == 0)
        return 0;
    return restore_fail(t, -EINTR, "stopped by the caller");
}

/* Read the stream's headers and the domain's config. */
static int open_image(struct restorer *t, int fd)
{
    int rc = hvsave_reader_open_timeout(&t->r, fd, (int)t->o->timeout_ms);

    if (rc < 0)
        return restore_fail(t, rc, "%s", t->r ? hvsave_reader_error(t->r) : strerror(-rc));
    /* Pages go from the stream straight into the domain's frames. */
    if ((rc = hvsave_reader_set_flags(t->r, HVSAVE_READ_PAGES_LATER)) < 0)
        return restore_fail(t, rc, "%s", strerror(-rc));
    t->dh = hvsave_reader_domain(t->r);
    rc = image_config_read(t->dh, &t->cd, t->why, sizeof(t->why));
    memcpy(t->image_name, t->cd.name, sizeof(t->image_name));
    memcpy(t->image_handle, t->cd.handle, sizeof(t->image_handle));
    return rc;
}

void name_with_suffix(char out[HV_NAME_MAX], const char *name, const char *suffix)
{
    size_t room = HV_NAME_MAX - 1 - strlen(suffix);

    snprintf(out, HV_NAME_MAX, "%.*s%s", (int)room, name, suffix);
}

int random_handle(uint8_t handle[16])
{
    if (getrandom(handle, 16, 0) != 16)
        return -errno;
    handle[6] = (uint8_t)((handle[6] & 0x0f) | 0x40); /* version 4: random */
    handle[8] = (uint8_t)((handle[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return 0;
}

/* A migration builds the domain under a temporary name and UUID, so that
 * it can arrive in the hvd that runs the source (spec section 14.2). */
static int take_temporary_identity(struct restorer *t)
{
    int rc = t->o->name_suffix ? random_handle(t->cd.handle) : 0;

    if (rc < 0)
        return restore_fail(t, rc, "cannot make a UUID: %s", strerror(-rc));
    if (!t->o->name_suffix)
        return 0;
    name_with_suffix(t->cd.name, t->image_name, t->o->name_suffix);
    if (t->o->transient)
        t->cd.flags |= XEN_DOMCTL_CDF_transient;
    return 0;
}

static int create_domain(struct restorer *t)
{
    int rc = take_temporary_identity(t);

    if (rc == 0)
        rc = hvctl_domain_create(t->h, &t->cd, &t->domid);

    if (rc == -EEXIST)
        return restore_fail(t, rc, "a domain named '%s' (or with its UUID) already exists",
                            t->cd.name);
    if (rc < 0)
        return restore_fail(t, rc, "cannot create domain '%s': %s%s", t->cd.name, strerror(-rc),
                            rc == -EINVAL || rc == -ENOMEM ? " (hvcli info shows free guest memory)"
                                                           : "");
    t->created = true;
    rc = image_config_keep(t->h, t->domid, t->dh);
    if (rc < 0)
        return restore_fail(t, rc, "cannot keep its config with the new domain: %s", strerror(-rc));
    rc = guest_memory_map(t->h, t->domid, PROT_READ | PROT_WRITE, &t->mem);
    if (rc < 0)
        return restore_fail(t, rc, "cannot map the new domain's memory: %s", strerror(-rc));
    if (t->mem.nr_gfns != t->dh->nr_pages)
        return restore_fail(t, -EPROTO, "hvd made a RAM window of %" PRIu64 " pages, not %" PRIu64,
                            t->mem.nr_gfns, t->dh->nr_pages);
    t->populated = calloc(t->dh->nr_pages / 8 + 1, 1);
    t->in_stream = calloc(t->dh->nr_pages / 8 + 1, 1);
    t->frames = malloc(HV_P2M_QUERY_MAX * sizeof(*t->frames));
    if (!t->populated || !t->in_stream || !t->frames)
        return restore_fail(t, -ENOMEM, "out of memory");
    t->populated[0] = 1; /* createdomain backed gfn 0 (init_pages = 1) */
    return 0;
}

static bool bit_is_set(const uint8_t *map, uint64_t gfn)
{
    return map[gfn / 8] & (1u << (gfn % 8));
}

static void set_bit_to(uint8_t *map, uint64_t gfn, bool on)
{
    if (on)
        map[gfn / 8] |= (uint8_t)(1u << (gfn % 8));
    else
        map[gfn / 8] &= (uint8_t) ~(1u << (gfn % 8));
}

static bool is_populated(const struct restorer *t, uint64_t gfn)
{
    return bit_is_set(t->populated, gfn);
}

static void mark_populated(struct restorer *t, uint64_t gfn, bool on)
{
    set_bit_to(t->populated, gfn, on);
}

/* Whether the stream's last word on gfn is a page (spec section 13). */
static void mark_in_stream(struct restorer *t, uint64_t gfn, bool on)
{
    bool was = bit_is_set(t->in_stream, gfn);

    if (on && !was)
        t->stream_populated++;
    else if (!on && was)
        t->stream_populated--;
    set_bit_to(t->in_stream, gfn, on);
}

/* Consecutive gfns from gfns[0], at most max. */
static uint32_t run_length(const uint64_t *gfns, uint32_t max)
{
    uint32_t n = 1;

    while (n < max && n < HV_P2M_QUERY_MAX && gfns[n] == gfns[0] + n)
        n++;
    return n;
}

/* Back the gfns of [gfn, gfn + n) that are not backed yet. */
static int populate_run(struct restorer *t, const struct hvsave_record *rec, uint64_t gfn,
                        uint32_t n)
{
    for (uint32_t i = 0; i < n;) {
        if (is_populated(t, gfn + i)) {
            i++;
            continue;
        }
        uint32_t k = 1;
        while (i + k < n && !is_populated(t, gfn + i + k))
            k++;
        int rc = hvctl_p2m_set(t->h, t->domid, gfn + i, k, 1);
        if (rc < 0)
            return record_fail(t, rec, rc, "cannot populate gfn %#" PRIx64 "%s: %s", gfn + i,
                               k > 1 ? " and on" : "", strerror(-rc));
        for (uint32_t j = 0; j < k; j++)
            mark_populated(t, gfn + i + j, true);
        i += k;
    }
    return 0;
}

/* Read the record's next n pages from the stream straight into the
 * frames behind [gfn, gfn + n), one read per run of consecutive frames. */
static int read_run(struct restorer *t, const struct hvsave_record *rec, uint64_t gfn, uint32_t n)
{
    int rc = hvctl_p2m_query(t->h, t->domid, gfn, n, t->frames);

    if (rc < 0)
        return record_fail(t, rec, rc, "cannot query the p2m at gfn %#" PRIx64 ": %s", gfn,
                           strerror(-rc));
    for (uint32_t i = 0, k; i < n; i += k) {
        uint8_t *dst = guest_memory_frame(&t->mem, t->frames[i]);
        if (!dst)
            return record_fail(t, rec, -EPROTO,
                               "hvd backs gfn %#" PRIx64 " with frame %#" PRIx64
                               ", outside its memory file",
                               gfn + i, t->frames[i]);
        for (k = 1;
             i + k < n && t->frames[i + k] == t->frames[i] + k && t->frames[i + k] < t->mem.nr_gfns;
             k++)
            ;
        guest_memory_prefault(&t->mem, t->frames[i], k, true);
        if ((rc = hvsave_read_pages(t->r, dst, k)) < 0)
            return restore_fail(t, rc, "%s", hvsave_reader_error(t->r));
    }
    return 0;
}

static int restore_pages(struct restorer *t, const struct hvsave_record *rec)
{
    const uint64_t *gfns = rec->u.pages.gfns;
    uint32_t count = rec->u.pages.count;

    for (uint32_t i = 0, n; i < count; i += n) {
        n = run_length(gfns + i, count - i);
        int rc = populate_run(t, rec, gfns[i], n);
        if (rc == 0)
            rc = read_run(t, rec, gfns[i], n);
        if (rc < 0)
            return rc;
        for (uint32_t j = 0; j < n; j++)
            mark_in_stream(t, gfns[i] + j, true);
    }
    t->pages_done += count;
    return report_progress(t, HVGUEST_PHASE_PAGES);
}

/* Free the populated gfns among a hole record's, one request per run. */
static int restore_holes(struct restorer *t, const struct hvsave_record *rec)
{
    const uint64_t *gfns = rec->u.holes.gfns;

    for (uint32_t i = 0, n; i < rec->u.holes.count; i += n) {
        n = run_length(gfns + i, rec->u.holes.count - i);
        for (uint32_t j = 0, k; j < n; j += k) {
            bool backed = is_populated(t, gfns[i] + j);
            for (k = 1; j + k < n && is_populated(t, gfns[i] + j + k) == backed; k++)
                ;
            int rc = backed ? hvctl_p2m_set(t->h, t->domid, gfns[i] + j, k, 0) : 0;
            if (rc < 0)
                return record_fail(t, rec, rc, "cannot free gfn %#" PRIx64 ": %s", gfns[i] + j,
                                   strerror(-rc));
            for (uint32_t m = 0; m < k; m++) {
                mark_populated(t, gfns[i] + j + m, false);
                mark_in_stream(t, gfns[i] + j + m, false);
            }
        }
    }
    return 0;
}

/* The sender and this restore must agree on which gfns exist (spec 6.12). */
static int check_round(struct restorer *t, const struct hvsave_record *rec)
{
    const struct hv_save_round_end *re = rec->u.round_end;

    t->rounds++;
    if (re->populated == t->stream_populated)
        return report_progress(t, HVGUEST_PHASE_PAGES);
    return record_fail(t, rec, -EBADMSG,
                       "the sender counts %" PRIu64 " populated gfns after round %" PRIu32
                       ", the stream gave %" PRIu64,
                       re->populated, re->round, t->stream_populated);
}

/* The memory is complete: gfn 0, backed at creation, goes if the image
 * does not have it (the saved domain had given it back). */
static int finish_pages(struct restorer *t, const struct hvsave_record *rec)
{
    int rc = report_progress(t, HVGUEST_PHASE_STATE);

    t->pages_finished = true;
    if (rc < 0 || bit_is_set(t->in_stream, 0) || !is_populated(t, 0))
        return rc;
    rc = hvctl_p2m_set(t->h, t->domid, 0, 1, 0);
    if (rc < 0)
        return record_fail(t, rec, rc, "cannot free gfn 0, which the image does not have: %s",
                           strerror(-rc));
    mark_populated(t, 0, false);
    return 0;
}

/*
 * CONSOLE_RING is optional history: hvd's ring (and a control message)
 * holds less than a stream may, so keep the newest octets that fit.
 */
static int restore_console(struct restorer *t, const struct hvsave_record *rec)
{
    const struct hv_save_console_ring *c = rec->u.console.hdr;
    uint32_t room = HV_PRIVCMD_MAX_BUF - sizeof(*c);

    if (rec->length <= HV_PRIVCMD_MAX_BUF)
        return hvctl_context_set(t->h, t->domid, rec->type, 0, rec->body, rec->length);
    struct hv_save_console_ring *trimmed = malloc(HV_PRIVCMD_MAX_BUF);
    if (!trimmed)
        return -ENOMEM;
    *trimmed = (struct hv_save_console_ring){ .lost = c->lost + (c->len - room), .len = room };
    memcpy(trimmed + 1, rec->u.console.data + (c->len - room), room);
    int rc = hvctl_context_set(t->h, t->domid, rec->type, 0, trimmed, HV_PRIVCMD_MAX_BUF);
    free(trimmed);
    return rc;
}

/* Hand a state record's body to hvd. */
static int restore_state(struct restorer *t, const struct hvsave_record *rec)
{
    uint32_t index = rec->type == HV_SAVE_TYPE_VCPU ? rec->u.vcpu.vcpu->vcpu_id : 0;
    int rc;

    if (rec->type == HV_SAVE_TYPE_CONSOLE_RING)
        rc = restore_console(t, rec);
    else
        rc = hvctl_context_set(t->h, t->domid, rec->type, index, rec->body, rec->length);
    if (rc == -EMSGSIZE)
        return record_fail(t, rec, rc, "%" PRIu32 " octets: hvd takes at most %u per record",
                           rec->length, HV_PRIVCMD_MAX_BUF);
    if (rc < 0)
        return record_fail(t, rec, rc, "hvd refused it: %s (hvd's log says why)", strerror(-rc));
    return 0;
}

static int restore_record(struct restorer *t, const struct hvsave_record *rec)
{
    int rc = 0;

    if (rec->skipped) /* an optional record this engine does not know */
        return 0;
    if (rec->type == HV_SAVE_TYPE_PAGE_DATA || rec->type == HV_SAVE_TYPE_PAGE_DATA_ZLIB)
        return restore_pages(t, rec);
    if (rec->type == HV_SAVE_TYPE_PAGE_HOLES)
        return restore_holes(t, rec);
    if (rec->type == HV_SAVE_TYPE_ROUND_END)
        return check_round(t, rec);
    if (rec->type == HV_SAVE_TYPE_FINAL_ROUND)
        return 0; /* the reader checked its place; nothing to apply */
    /* Optional records may come between page records (spec section 7):
     * only a mandatory one ends the memory. */
    if (!(rec->type & HV_SAVE_TYPE_OPTIONAL) && !t->pages_finished)
        rc = finish_pages(t, rec);
    /* RUN_STATE is the toolstack's, applied after END (apply_run_state). */
    if (rc == 0 && rec->type != HV_SAVE_TYPE_END && rec->type != HV_SAVE_TYPE_RUN_STATE)
        rc = restore_state(t, rec);
    return rc;
}

/* Every record up to END. */
static int restore_records(struct restorer *t)
{
    struct hvsave_record rec = { .type = 0 };
    int rc = report_progress(t, HVGUEST_PHASE_PAGES);

    while (rc == 0 && rec.type != HV_SAVE_TYPE_END) {
        if ((rc = hvsave_read_record(t->r, &rec)) < 0)
            return restore_fail(t, rc, "%s", hvsave_reader_error(t->r));
        rc = restore_record(t, &rec);
    }
    return rc;
}

/* Put the domain in the run state the image records (spec 6.8); the
 * caller's one unpause then leaves a paused one paused. */
static int apply_run_state(struct restorer *t)
{
    int rc = hvsave_reader_run_state(t->r, &t->run);

    if (rc < 0)
        return restore_fail(t, rc, "%s", hvsave_reader_error(t->r));
    if (t->run.state == HVSAVE_RUN_PAUSED && (rc = hvctl_domain_pause(t->h, t->domid)) < 0)
        return restore_fail(t, rc, "cannot keep it paused as it was: %s", strerror(-rc));
    if (t->run.state == HVSAVE_RUN_SHUTDOWN &&
        (rc = hvctl_domain_shutdown(t->h, t->domid, t->run.shutdown_reason)) < 0)
        return restore_fail(t, rc, "cannot shut it down again as it was: %s", strerror(-rc));
    return 0;
}

static int restore_domain(struct restorer *t, int fd)
{
    int rc = open_image(t, fd);

    if (rc == 0)
        rc = create_domain(t);
    if (rc == 0)
        rc = restore_records(t);
    if (rc == 0)
        rc = apply_run_state(t);
    return rc;
}

/* After a failure no domain is left behind; say so if it cannot go. */
static void undo_create(struct restorer *t)
{
    int rc = t->created ? hvctl_domain_destroy(t->h, t->domid) : 0;
    size_t used = strlen(t->why);

    if (rc < 0)
        snprintf(t->why + used, sizeof(t->why) - used,
                 " (and destroying the new domain %" PRIu32 " failed: %s)", t->domid,
                 strerror(-rc));
}

static void restore_free(struct restorer *t)
{
    hvsave_reader_close(t->r);
    guest_memory_unmap(&t->mem);
    free(t->populated);
    free(t->in_stream);
    free(t->frames);
}

int restore_run(hvctl_t *h, int fd, const struct restore_opts *o, hvguest_progress_fn *progress,
                void *arg, struct restore_result *res, struct hvguest_status *st)
{
    struct restorer t = { .h = h, .o = o, .progress = progress, .arg = arg };
    int rc = restore_domain(&t, fd);

    if (rc < 0)
        undo_create(&t);
    *res = (struct restore_result){ .domid = t.domid, .rounds = t.rounds, .pages = t.pages_done };
    memcpy(res->name, t.image_name, sizeof(res->name));
    memcpy(res->handle, t.image_handle, sizeof(res->handle));
    if (st) {
        snprintf(st->error, sizeof(st->error), "%s", rc < 0 ? t.why : "");
        st->octets = hvsave_reader_offset(t.r);
        st->run_state = t.run.state;
        st->shutdown_reason = t.run.shutdown_reason;
    }
    restore_free(&t);
    return rc < 0 ? rc : 0;
}

HVGUEST_API int hvguest_restore(hvctl_t *h, int fd, unsigned int flags,
                                hvguest_progress_fn *progress, void *arg, uint32_t *domid,
                                struct hvguest_status *st)
{
    static const struct restore_opts plain = { 0 };
    struct restore_result res;
    int rc;

    if (!h || fd < 0 || flags || !domid) {
        if (st)
            *st = (struct hvguest_status){ .error = "bad arguments" };
        return -EINVAL;
    }
    rc = restore_run(h, fd, &plain, progress, arg, &res, st);
    if (rc == 0)
        *domid = res.domid;
    return rc;
}
