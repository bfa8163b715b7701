/*
 * The save-stream writer: headers, records, page and hole batches (pages
 * optionally zlib), the rounds of a migration stream, END.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "private.h"

#define ZLIB_LEVEL 1 /* fastest: page data is mostly zero or incompressible */

struct hvsave_writer {
    struct hvsave_io io;
    unsigned int flags;
    uint64_t offset; /* octets written */
    struct hvsave_order order;
    bool finished; /* END written */
    int failed;    /* sticky error, 0 if none */
    char err[256];
    z_stream zs;   /* with HVSAVE_ZLIB */
    uint8_t *zbuf; /* HV_SAVE_PAGES_PER_RECORD pages: only smaller output is kept */
    /* Scratch for one page record, kept here rather than on the stack. */
    uint64_t gfns[HV_SAVE_PAGES_PER_RECORD];        /* little-endian copy */
    const void *pages[HV_SAVE_PAGES_PER_RECORD];    /* hvsave_write_pages() */
    struct iovec iov[HV_SAVE_PAGES_PER_RECORD + 4]; /* header, body parts, padding */
};

static const uint8_t zeros[8];

__attribute__((format(printf, 3, 4))) static int writer_fail(struct hvsave_writer *w, int rc,
                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof(w->err), fmt, ap);
    va_end(ap);
    w->failed = rc;
    return rc;
}

/* A record the caller should not have asked for: refused, the writer stays usable. */
static int writer_refuse(struct hvsave_writer *w, uint32_t type, const char *why)
{
    snprintf(w->err, sizeof(w->err), "%s record refused: %s", hvsave_type_label(type), why);
    return -EINVAL;
}

static int writer_output(struct hvsave_writer *w, struct iovec *iov, int cnt, const char *what)
{
    uint64_t len = 0;
    for (int i = 0; i < cnt; i++)
        len += iov[i].iov_len;
    int rc = hvsave_writev_full(&w->io, iov, cnt);
    if (rc == -ETIMEDOUT && w->io.timed_out)
        return writer_fail(w, rc,
                           "writing %s at offset %" PRIu64 ": the reader stopped reading for %g s",
                           what, w->offset, w->io.timeout_ms / 1000.0);
    if (rc)
        return writer_fail(w, rc, "writing %s at offset %" PRIu64 ": %s", what, w->offset,
                           strerror(-rc));
    w->offset += len;
    return 0;
}

static int write_headers(struct hvsave_writer *w, const struct hvsave_domain_header *dh,
                         uint32_t config_len)
{
    struct hv_save_image_header ih = {
        .version = htobe32(HV_SAVE_VERSION),
        .options = htobe32(0),
        .page_size = htobe32(HV_SAVE_PAGE_SIZE),
    };
    memcpy(ih.magic, HV_SAVE_MAGIC, HV_SAVE_MAGIC_LEN);
    struct hv_save_domain_header d = {
        .hvd_version = htole32(dh->hvd_version),
        .nr_vcpus = htole32(dh->nr_vcpus),
        .nr_pages = htole64(dh->nr_pages),
        .tot_pages = htole64(dh->tot_pages),
        .config_len = htole32(config_len),
    };
    struct iovec iov[] = {
        { &ih, sizeof(ih) },
        { &d, sizeof(d) },
        { (void *)(config_len ? dh->config : ""), config_len },
        { (void *)zeros, hvsave_pad(config_len) },
    };
    return writer_output(w, iov, 4, "the headers");
}

static int writer_init_zlib(struct hvsave_writer *w)
{
    w->zbuf = malloc((size_t)HV_SAVE_PAGES_PER_RECORD * HV_SAVE_PAGE_SIZE);
    if (!w->zbuf)
        return -ENOMEM;
    if (deflateInit(&w->zs, ZLIB_LEVEL) != Z_OK) {
        free(w->zbuf);
        w->zbuf = NULL;
        return -ENOMEM;
    }
    return 0;
}

HVSAVE_EXPORT int hvsave_writer_open_timeout(struct hvsave_writer **wp, int fd,
                                             const struct hvsave_domain_header *dh,
                                             unsigned int flags, int timeout_ms)
{
    char why[HVSAVE_WHY_MAX];
    if (!wp)
        return -EINVAL;
    *wp = NULL;
    if (fd < 0 || !dh || (flags & ~HVSAVE_ZLIB) || timeout_ms < 0)
        return -EINVAL;
    size_t config_len = dh->config ? strlen(dh->config) : 0;
    if (config_len > HV_SAVE_CONFIG_MAX || hvsave_check_domain(dh, (uint32_t)config_len, why))
        return -EINVAL;
    struct hvsave_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    hvsave_io_init(&w->io, fd, timeout_ms);
    w->flags = flags;
    hvsave_order_init(&w->order, dh);
    if ((flags & HVSAVE_ZLIB) && writer_init_zlib(w) < 0) {
        free(w);
        return -ENOMEM;
    }
    *wp = w;
    return write_headers(w, dh, (uint32_t)config_len);
}

HVSAVE_EXPORT int hvsave_writer_open(struct hvsave_writer **wp, int fd,
                                     const struct hvsave_domain_header *dh, unsigned int flags)
{
    return hvsave_writer_open_timeout(wp, fd, dh, flags, 0);
}

/* May anything more be written?  0 or the error. */
static int writer_usable(struct hvsave_writer *w, uint32_t type)
{
    if (w->failed)
        return w->failed;
    if (w->finished)
        return writer_refuse(w, type, "the stream is finished");
    return 0;
}

/* Check a record as a reader would; 0 or -EINVAL with w->err set. */
static int writer_check(struct hvsave_writer *w, uint32_t type, const void *body, uint32_t len)
{
    char why[HVSAVE_WHY_MAX];
    int rc = writer_usable(w, type);
    if (rc)
        return rc;
    if (type == HV_SAVE_TYPE_END)
        return writer_refuse(w, type, "END is written by hvsave_writer_finish()");
    if (len && !body)
        return writer_refuse(w, type, "no body");
    if (hvsave_check_header(&w->order, type, len, why) ||
        hvsave_check_body(&w->order, type, body, len, why))
        return writer_refuse(w, type, why);
    return 0;
}

/*
 * Write a record whose body the caller put in w->iov[1..cnt]: adds the
 * record header in w->iov[0] and the padding after the body.
 */
static int write_one(struct hvsave_writer *w, uint32_t type, int cnt, uint32_t len)
{
    struct hv_save_record_header h = { htole32(type), htole32(len) };
    w->iov[0] = (struct iovec){ &h, sizeof(h) };
    w->iov[cnt + 1] = (struct iovec){ (void *)zeros, hvsave_pad(len) };
    return writer_output(w, w->iov, cnt + 2, hvsave_type_label(type));
}

HVSAVE_EXPORT int hvsave_write_record(struct hvsave_writer *w, uint32_t type, const void *body,
                                      uint32_t len)
{
    if (!w)
        return -EINVAL;
    int rc = writer_check(w, type, body, len);
    if (rc)
        return rc;
    w->iov[1] = (struct iovec){ (void *)body, len };
    return write_one(w, type, 1, len);
}

/* Compress count pages into w->zbuf; the length, or 0 when that saves nothing. */
static uint32_t deflate_pages(struct hvsave_writer *w, const void *const *pages, uint32_t count)
{
    uint32_t raw = count * HV_SAVE_PAGE_SIZE;
    deflateReset(&w->zs);
    w->zs.next_out = w->zbuf;
    w->zs.avail_out = raw - 1; /* output that does not fit is no gain */
    for (uint32_t i = 0; i < count; i++) {
        w->zs.next_in = (Bytef *)pages[i];
        w->zs.avail_in = HV_SAVE_PAGE_SIZE;
        int rc = deflate(&w->zs, i + 1 == count ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            return raw - 1 - w->zs.avail_out;
        if (rc != Z_OK || w->zs.avail_out == 0)
            return 0;
    }
    return 0;
}

/* One record of 1..HV_SAVE_PAGES_PER_RECORD pages, gfns already checked. */
static int write_page_record(struct hvsave_writer *w, const uint64_t *gfns,
                             const void *const *pages, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        w->gfns[i] = htole64(gfns[i]);
    uint32_t zlen = w->zbuf ? deflate_pages(w, pages, count) : 0;
    /* struct hv_save_page_data or _zlib: count, then pad (0) or zlib_len. */
    uint32_t h[2] = { htole32(count), htole32(zlen) };
    w->iov[1] = (struct iovec){ &h, sizeof(h) };
    w->iov[2] = (struct iovec){ w->gfns, 8 * (size_t)count };
    if (zlen) {
        w->iov[3] = (struct iovec){ w->zbuf, zlen };
        return write_one(w, HV_SAVE_TYPE_PAGE_DATA_ZLIB, 3, 8 + 8 * count + zlen);
    }
    int cnt = 2;
    for (uint32_t i = 0; i < count; i++) {
        struct iovec *last = &w->iov[cnt];
        if (i > 0 && (const char *)last->iov_base + last->iov_len == pages[i])
            last->iov_len += HV_SAVE_PAGE_SIZE; /* adjacent pages: one iovec */
        else
            w->iov[++cnt] = (struct iovec){ (void *)pages[i], HV_SAVE_PAGE_SIZE };
    }
    return write_one(w, HV_SAVE_TYPE_PAGE_DATA, cnt, 8 + count * (8 + HV_SAVE_PAGE_SIZE));
}

/* A batch of pages as one record would carry them: order and gfns. */
static int check_page_batch(struct hvsave_writer *w, const uint64_t *gfns, uint32_t count)
{
    char why[HVSAVE_WHY_MAX];
    int rc = writer_usable(w, HV_SAVE_TYPE_PAGE_DATA);
    if (rc)
        return rc;
    if (hvsave_check_header(&w->order, HV_SAVE_TYPE_PAGE_DATA, 8 + count * (8 + HV_SAVE_PAGE_SIZE),
                            why) ||
        hvsave_check_gfns(&w->order, gfns, count, "page", why))
        return writer_refuse(w, HV_SAVE_TYPE_PAGE_DATA, why);
    return 0;
}

static uint32_t batch_size(uint32_t left)
{
    return left < HV_SAVE_PAGES_PER_RECORD ? left : HV_SAVE_PAGES_PER_RECORD;
}

HVSAVE_EXPORT int hvsave_write_page_list(struct hvsave_writer *w, const uint64_t *gfns,
                                         const void *const *pages, uint32_t count)
{
    if (!w || (count && (!gfns || !pages)))
        return -EINVAL;
    for (uint32_t done = 0, n; done < count; done += n) {
        n = batch_size(count - done);
        int rc = check_page_batch(w, gfns + done, n);
        if (!rc)
            rc = write_page_record(w, gfns + done, pages + done, n);
        if (rc)
            return rc;
        hvsave_order_note(&w->order, HV_SAVE_TYPE_PAGE_DATA, n);
    }
    return 0;
}

HVSAVE_EXPORT int hvsave_write_pages(struct hvsave_writer *w, const uint64_t *gfns,
                                     const void *pages, uint32_t count)
{
    if (!w || (count && (!gfns || !pages)))
        return -EINVAL;
    for (uint32_t done = 0, n; done < count; done += n) {
        n = batch_size(count - done);
        for (uint32_t i = 0; i < n; i++)
            w->pages[i] = (const uint8_t *)pages + (size_t)(done + i) * HV_SAVE_PAGE_SIZE;
        int rc = hvsave_write_page_list(w, gfns + done, w->pages, n);
        if (rc)
            return rc;
    }
    return 0;
}

/* One PAGE_HOLES record of 1..HV_SAVE_PAGES_PER_RECORD gfns, already checked. */
static int write_holes_record(struct hvsave_writer *w, const uint64_t *gfns, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        w->gfns[i] = htole64(gfns[i]);
    struct hv_save_page_holes h = { htole32(count), 0 };
    w->iov[1] = (struct iovec){ &h, sizeof(h) };
    w->iov[2] = (struct iovec){ w->gfns, 8 * (size_t)count };
    return write_one(w, HV_SAVE_TYPE_PAGE_HOLES, 2, (uint32_t)sizeof(h) + 8 * count);
}

HVSAVE_EXPORT int hvsave_write_holes(struct hvsave_writer *w, const uint64_t *gfns, uint32_t count)
{
    char why[HVSAVE_WHY_MAX];
    if (!w || (count && !gfns))
        return -EINVAL;
    int rc = writer_usable(w, HV_SAVE_TYPE_PAGE_HOLES);
    if (rc || !count)
        return rc;
    /* All of it is checked first, so that a refusal writes nothing.  What
     * the first record may be, the later ones may be too. */
    uint32_t first = batch_size(count);
    if (hvsave_check_header(&w->order, HV_SAVE_TYPE_PAGE_HOLES, 8 + 8 * first, why) ||
        hvsave_check_gfns(&w->order, gfns, count, "hole", why))
        return writer_refuse(w, HV_SAVE_TYPE_PAGE_HOLES, why);
    for (uint32_t done = 0, n; done < count; done += n) {
        n = batch_size(count - done);
        if ((rc = write_holes_record(w, gfns + done, n)))
            return rc;
        hvsave_order_note(&w->order, HV_SAVE_TYPE_PAGE_HOLES, n);
    }
    return 0;
}

HVSAVE_EXPORT int hvsave_write_final_round(struct hvsave_writer *w)
{
    if (!w)
        return -EINVAL;
    /* A round number beyond 32 bits does not fit: the check refuses it. */
    struct hv_save_final_round body = { htole32((uint32_t)w->order.rounds), 0 };
    return hvsave_write_record(w, HV_SAVE_TYPE_FINAL_ROUND, &body, sizeof(body));
}

HVSAVE_EXPORT int hvsave_write_round_end(struct hvsave_writer *w, uint32_t flags,
                                         uint64_t populated)
{
    if (!w)
        return -EINVAL;
    struct hv_save_round_end body = {
        .round = htole32((uint32_t)w->order.rounds),
        .flags = htole32(flags),
        .pages = htole64(w->order.round_gfns),
        .populated = htole64(populated),
    };
    return hvsave_write_record(w, HV_SAVE_TYPE_ROUND_END, &body, sizeof(body));
}

HVSAVE_EXPORT int hvsave_write_run_state(struct hvsave_writer *w, const struct hvsave_run_state *rs)
{
    if (!w || !rs)
        return -EINVAL;
    if (rs->state == HVSAVE_RUN_RUNNING && rs->shutdown_reason == 0)
        return writer_usable(w, HV_SAVE_TYPE_RUN_STATE); /* running: no record */
    struct hv_save_run_state body = { htole32(rs->state), htole32(rs->shutdown_reason) };
    return hvsave_write_record(w, HV_SAVE_TYPE_RUN_STATE, &body, sizeof(body));
}

HVSAVE_EXPORT int hvsave_writer_finish(struct hvsave_writer *w)
{
    char why[HVSAVE_WHY_MAX];
    if (!w)
        return -EINVAL;
    int rc = writer_usable(w, HV_SAVE_TYPE_END);
    if (rc)
        return rc;
    if (hvsave_check_complete(&w->order, why))
        return writer_refuse(w, HV_SAVE_TYPE_END, why);
    rc = write_one(w, HV_SAVE_TYPE_END, 0, 0);
    if (!rc)
        w->finished = true;
    return rc;
}

HVSAVE_EXPORT uint64_t hvsave_writer_offset(const struct hvsave_writer *w)
{
    return w ? w->offset : 0;
}

HVSAVE_EXPORT const char *hvsave_writer_error(const struct hvsave_writer *w)
{
    return w ? w->err : "out of memory";
}

HVSAVE_EXPORT void hvsave_writer_close(struct hvsave_writer *w)
{
    if (!w)
        return;
    if (w->zbuf)
        deflateEnd(&w->zs);
    free(w->zbuf);
    free(w);
}
