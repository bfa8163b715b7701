/*
 * The save engine: pause a domain and write its memory and state to a file
 * descriptor as a save stream (docs/specs/save-stream.md).  On failure the
 * pause is dropped again, so the domain runs on as before.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <hvsave.h>
#include <hv/public/privcmd.h>
#include "image_config.h"
#include "saver.h"

_Static_assert(HVGUEST_RUN_PAUSED == HVSAVE_RUN_PAUSED &&
                   HVGUEST_RUN_SHUTDOWN == HVSAVE_RUN_SHUTDOWN,
               "one numbering of run states");

int saver_writer_fail(struct saver *s, int rc)
{
    const char *msg = hvsave_writer_error(s->w);

    return save_fail(s, rc, "%s", msg[0] ? msg : strerror(-rc));
}

int saver_report_progress(struct saver *s, enum hvguest_phase phase)
{
    if (!s->progress || s->progress(s->arg, phase, s->pages_done, s->info.tot_pages) == 0)
        return 0;
    return save_fail(s, -EINTR, "stopped by the caller");
}

/* The run state before our pause (spec 6.8): shut down wins over paused. */
static struct hvsave_run_state run_state_of(const struct xen_domctl_getdomaininfo *info)
{
    if (info->flags & XEN_DOMINF_shutdown)
        return (struct hvsave_run_state){ HVSAVE_RUN_SHUTDOWN, info->shutdown_reason };
    if (info->pause_count > 1) /* someone besides this save holds a pause */
        return (struct hvsave_run_state){ HVSAVE_RUN_PAUSED, 0 };
    return (struct hvsave_run_state){ HVSAVE_RUN_RUNNING, 0 };
}

int saver_prepare(struct saver *s)
{
    int rc = hvctl_domain_getinfo(s->h, s->domid, &s->info);

    if (rc < 0)
        return save_fail(s, rc, "cannot read its info: %s", strerror(-rc));
    if (!(s->ctx = malloc(HV_PRIVCMD_MAX_BUF)))
        return save_fail(s, -ENOMEM, "out of memory");
    rc = guest_memory_map(s->h, s->domid, PROT_READ, &s->mem);
    if (rc < 0)
        return save_fail(s, rc, "cannot map its memory: %s", strerror(-rc));
    return 0;
}

int saver_pause(struct saver *s)
{
    int rc = hvctl_domain_pause(s->h, s->domid);

    if (rc < 0)
        return save_fail(s, rc, "cannot pause it: %s", strerror(-rc));
    s->paused = true;
    rc = hvctl_domain_getinfo(s->h, s->domid, &s->info);
    if (rc < 0)
        return save_fail(s, rc, "cannot read its info: %s", strerror(-rc));
    s->run = run_state_of(&s->info);
    return 0;
}

int saver_find_shared_info(struct saver *s)
{
    uint32_t len;
    int rc = hvctl_context_get(s->h, s->domid, HV_SAVE_TYPE_SHARED_INFO, 0, s->ctx,
                               HV_PRIVCMD_MAX_BUF, &len);

    s->shared_info_gfn = HV_INVALID_FRAME;
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return save_fail(s, rc, "cannot read its SHARED_INFO state: %s", strerror(-rc));
    if (len != sizeof(struct hv_save_shared_info))
        return save_fail(s, -EPROTO, "hvd returned a SHARED_INFO body of %" PRIu32 " octets", len);
    s->shared_info_gfn = ((const struct hv_save_shared_info *)s->ctx)->gfn;
    return 0;
}

int saver_open_writer(struct saver *s)
{
    struct xen_sysctl_physinfo pi;
    char *config = NULL;
    int rc = hvctl_physinfo(s->h, &pi);

    if (rc < 0)
        return save_fail(s, rc, "cannot read hvd's version: %s", strerror(-rc));
    rc = image_config_write(s->h, s->domid, &s->info, s->mem.nr_gfns, &config);
    if (rc < 0)
        return save_fail(s, rc, "cannot build its config: %s", strerror(-rc));
    struct hvsave_domain_header dh = {
        .hvd_version = pi.hv_version,
        .nr_vcpus = s->info.max_vcpus,
        .nr_pages = s->mem.nr_gfns,
        .tot_pages = s->info.tot_pages,
        .config = config,
    };
    rc = hvsave_writer_open_timeout(&s->w, s->fd, &dh,
                                    s->flags & HVGUEST_SAVE_ZLIB ? HVSAVE_ZLIB : 0, s->timeout_ms);
    free(config);
    if (rc < 0 && !s->w)
        return save_fail(s, rc, "cannot start the image: %s", strerror(-rc));
    return rc < 0 ? saver_writer_fail(s, rc) : 0;
}

/* Prefault each run of consecutive frames among frames[0..n). */
static void prefault_runs(struct saver *s, uint32_t n, const uint64_t *frames)
{
    for (uint32_t i = 0, k; i < n; i += k) {
        for (k = 1; i + k < n && frames[i] != HV_INVALID_FRAME && frames[i + k] == frames[i] + k;
             k++)
            ;
        if (frames[i] != HV_INVALID_FRAME)
            guest_memory_prefault(&s->mem, frames[i], k, false);
    }
}

/*
 * Sort the wanted gfns of the chunk into RAM pages and holes.  A gfn
 * backed by the frame after the RAM frames maps the shared-info page,
 * which is hvd's (the SHARED_INFO record carries it), not RAM.
 */
static int collect_chunk(struct saver *s, uint64_t gfn, uint32_t n, const uint64_t *want,
                         struct page_batch *b, uint32_t *nr_pages, uint32_t *nr_holes)
{
    *nr_pages = *nr_holes = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t f = b->frames[i];
        if (want && !gfn_bit(want, i))
            continue;
        if (f != HV_INVALID_FRAME && f < s->mem.nr_gfns) {
            b->pages[*nr_pages] = guest_memory_frame(&s->mem, f);
            b->gfns[(*nr_pages)++] = gfn + i;
        } else if (f != HV_INVALID_FRAME && f != s->mem.nr_gfns) {
            return save_fail(s, -EPROTO,
                             "hvd maps gfn %#" PRIx64 " to frame %#" PRIx64
                             ", outside its memory file",
                             gfn + i, f);
        } else if (s->sent && gfn_bit(s->sent, gfn + i)) {
            b->holes[(*nr_holes)++] = gfn + i;
        }
    }
    return 0;
}

/* Record what the receiver holds after the chunk: holes gone, pages there. */
static void mark_sent(struct saver *s, const struct page_batch *b, uint32_t nr_pages,
                      uint32_t nr_holes)
{
    for (uint32_t i = 0; s->sent && i < nr_holes; i++) {
        s->sent[b->holes[i] / 64] &= ~(1ull << (b->holes[i] % 64));
        s->populated--;
    }
    for (uint32_t i = 0; s->sent && i < nr_pages; i++) {
        uint64_t bit = 1ull << (b->gfns[i] % 64);
        s->populated += !(s->sent[b->gfns[i] / 64] & bit);
        s->sent[b->gfns[i] / 64] |= bit;
    }
}

int saver_write_chunk(struct saver *s, uint64_t gfn, uint32_t n, const uint64_t *want,
                      struct page_batch *b)
{
    uint32_t nr_pages, nr_holes;
    int rc = hvctl_p2m_query(s->h, s->domid, gfn, n, b->frames);

    if (rc < 0)
        return save_fail(s, rc, "cannot query its p2m at gfn %#" PRIx64 ": %s", gfn, strerror(-rc));
    if ((rc = collect_chunk(s, gfn, n, want, b, &nr_pages, &nr_holes)) < 0)
        return rc;
    if (nr_pages == 0 && nr_holes == 0)
        return 0;
    prefault_runs(s, n, b->frames);
    /* Holes first: the receiver never holds more pages than the guest had. */
    if (nr_holes && (rc = hvsave_write_holes(s->w, b->holes, nr_holes)) < 0)
        return saver_writer_fail(s, rc);
    if (nr_pages && (rc = hvsave_write_page_list(s->w, b->gfns, b->pages, nr_pages)) < 0)
        return saver_writer_fail(s, rc);
    mark_sent(s, b, nr_pages, nr_holes);
    s->pages_done += nr_pages;
    s->holes_done += nr_holes;
    return saver_report_progress(s, HVGUEST_PHASE_PAGES);
}

/* Every backed gfn, in gfn order. */
static int save_pages(struct saver *s)
{
    struct page_batch *b = malloc(sizeof(*b));
    int rc =
        b ? saver_report_progress(s, HVGUEST_PHASE_PAGES) : save_fail(s, -ENOMEM, "out of memory");

    for (uint64_t gfn = 0; rc == 0 && gfn < s->mem.nr_gfns; gfn += HV_P2M_QUERY_MAX) {
        uint64_t left = s->mem.nr_gfns - gfn;

        rc = saver_write_chunk(s, gfn, left < HV_P2M_QUERY_MAX ? (uint32_t)left : HV_P2M_QUERY_MAX,
                               NULL, b);
    }
    free(b);
    return rc;
}

/* Read one context record from hvd and write it. */
static int save_context(struct saver *s, uint32_t type, uint32_t index)
{
    uint32_t len;
    int rc = hvctl_context_get(s->h, s->domid, type, index, s->ctx, HV_PRIVCMD_MAX_BUF, &len);

    if (rc < 0)
        return save_fail(s, rc, "cannot read its %s state%s: %s", hvsave_type_name(type),
                         type == HV_SAVE_TYPE_VCPU ? " of a vCPU" : "", strerror(-rc));
    if ((rc = hvsave_write_record(s->w, type, s->ctx, len)) < 0)
        saver_writer_fail(s, rc);
    return rc;
}

/* EVENT_CHANNELS and TIMERS are written only when they hold something
 * (spec section 5: what an older hvd can restore stays restorable). */
static bool context_is_empty(uint32_t type, const void *body)
{
    if (type == HV_SAVE_TYPE_EVENT_CHANNELS) {
        const struct hv_save_event_channels *e = body;
        return e->nr_channels == 0 && e->upcall_vector == 0;
    }
    return ((const struct hv_save_timers *)body)->nr_timers == 0;
}

static int save_optional_context(struct saver *s, uint32_t type)
{
    uint32_t len;
    int rc = hvctl_context_get(s->h, s->domid, type, 0, s->ctx, HV_PRIVCMD_MAX_BUF, &len);

    if (rc < 0)
        return save_fail(s, rc, "cannot read its %s state: %s", hvsave_type_name(type),
                         strerror(-rc));
    if (len >= 4 && context_is_empty(type, s->ctx))
        return 0;
    if ((rc = hvsave_write_record(s->w, type, s->ctx, len)) < 0)
        saver_writer_fail(s, rc);
    return rc;
}

int saver_write_state(struct saver *s)
{
    int rc = saver_report_progress(s, HVGUEST_PHASE_STATE);

    if (rc == 0)
        rc = save_context(s, HV_SAVE_TYPE_VM_STATE, 0);
    for (uint32_t v = 0; rc == 0 && v < s->info.max_vcpus; v++)
        rc = save_context(s, HV_SAVE_TYPE_VCPU, v);
    if (rc == 0 && s->shared_info_gfn != HV_INVALID_FRAME)
        rc = save_context(s, HV_SAVE_TYPE_SHARED_INFO, 0);
    if (rc == 0)
        rc = save_optional_context(s, HV_SAVE_TYPE_EVENT_CHANNELS);
    if (rc == 0)
        rc = save_optional_context(s, HV_SAVE_TYPE_TIMERS);
    if (rc == 0 && (rc = hvsave_write_run_state(s->w, &s->run)) < 0)
        saver_writer_fail(s, rc);
    if (rc == 0)
        rc = save_context(s, HV_SAVE_TYPE_CONSOLE_RING, 0);
    if (rc == 0 && (rc = hvsave_writer_finish(s->w)) < 0)
        saver_writer_fail(s, rc);
    return rc;
}

static int write_image(struct saver *s)
{
    int rc = saver_pause(s);

    if (rc == 0)
        rc = saver_prepare(s);
    if (rc == 0)
        rc = saver_find_shared_info(s);
    if (rc == 0)
        rc = saver_open_writer(s);
    if (rc == 0)
        rc = save_pages(s);
    if (rc == 0)
        rc = saver_write_state(s);
    return rc;
}

void saver_undo_pause(struct saver *s)
{
    int rc = s->paused ? hvctl_domain_unpause(s->h, s->domid) : 0;
    size_t used = strlen(s->why);

    s->paused = false;
    if (rc < 0)
        snprintf(s->why + used, sizeof(s->why) - used, "; and unpausing it failed: %s",
                 strerror(-rc));
}

void saver_finish(struct saver *s, int rc, struct hvguest_status *st)
{
    if (st) {
        snprintf(st->error, sizeof(st->error), "%s", rc < 0 ? s->why : "");
        st->octets = hvsave_writer_offset(s->w);
        st->run_state = s->run.state;
        st->shutdown_reason = s->run.shutdown_reason;
    }
    hvsave_writer_close(s->w);
    guest_memory_unmap(&s->mem);
    free(s->ctx);
}

HVGUEST_API int hvguest_save(hvctl_t *h, uint32_t domid, int fd, unsigned int flags,
                             hvguest_progress_fn *progress, void *arg, struct hvguest_status *st)
{
    struct saver s = { .h = h,
                       .domid = domid,
                       .fd = fd,
                       .flags = flags,
                       .progress = progress,
                       .arg = arg,
                       .shared_info_gfn = HV_INVALID_FRAME };
    int rc;

    if (!h || fd < 0 || (flags & ~HVGUEST_SAVE_ZLIB))
        rc = save_fail(&s, -EINVAL, "bad arguments");
    else
        rc = write_image(&s);
    if (rc < 0)
        saver_undo_pause(&s);
    saver_finish(&s, rc, st);
    return rc < 0 ? rc : 0;
}
