/*
 * The save-stream reader.  Trusts nothing: every length and count is
 * checked against the spec before anything is allocated or read for it,
 * every octet of padding is checked, and the end of input anywhere before
 * END is an error.
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

struct hvsave_reader {
    struct hvsave_io io;
    uint64_t offset; /* octets consumed */
    uint64_t index;  /* index of the next record */
    uint32_t version;
    struct hvsave_domain_header dh;
    char *config; /* NUL-terminated copy of the config text */
    struct hvsave_order order;
    bool ended;                  /* END read */
    struct hvsave_run_state run; /* from RUN_STATE; running without one */
    int failed;                  /* sticky error, 0 if none */
    char err[320];
    unsigned int flags; /* HVSAVE_READ_* */
    uint64_t *body;     /* record body; uint64_t keeps it 8-aligned */
    size_t body_cap;
    uint8_t *pages; /* a page record's pages, unless the caller takes them */
    size_t pages_cap;
    z_stream zs;
    bool zs_ready;
    bool zs_ended; /* the zlib data ended exactly at the last page taken */
    /* The page record whose pages are still in the stream (or, for
     * PAGE_DATA_ZLIB, in zs): its type, length, offset and pages left. */
    struct open_pages {
        uint32_t type;
        uint32_t length;
        uint64_t offset;
        uint32_t count;
        uint32_t left;
    } open_pages;
};

__attribute__((format(printf, 3, 4))) static int reader_fail(struct hvsave_reader *r, int rc,
                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof(r->err), fmt, ap);
    va_end(ap);
    r->failed = rc;
    return rc;
}

/* Put a reason in why and return rc. */
__attribute__((format(printf, 3, 4))) static int because(char *why, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, HVSAVE_WHY_MAX, fmt, ap);
    va_end(ap);
    return rc;
}

/* Fail naming the record being read: index, type, offset of its header. */
static int record_fail(struct hvsave_reader *r, int rc, uint32_t type, uint64_t offset,
                       const char *why)
{
    if (hvsave_type_name(type))
        return reader_fail(r, rc, "record %" PRIu64 " (%s) at offset %" PRIu64 ": %s", r->index,
                           hvsave_type_label(type), offset, why);
    return reader_fail(r, rc, "record %" PRIu64 " (type 0x%08" PRIx32 ") at offset %" PRIu64 ": %s",
                       r->index, type, offset, why);
}

/* Read len octets of `what`; a short stream is -ENODATA, named. */
static int reader_read(struct hvsave_reader *r, void *buf, size_t len, char *what)
{
    size_t got;
    int rc = hvsave_read_full(&r->io, buf, len, &got);
    uint64_t at = r->offset;
    r->offset += got;
    if (rc == -ENODATA)
        snprintf(what + strlen(what), HVSAVE_WHY_MAX - strlen(what),
                 ": truncated, the stream ends at offset %" PRIu64 " (%zu of %zu octets)",
                 r->offset, got, len);
    else if (rc == -ETIMEDOUT && r->io.timed_out)
        snprintf(what + strlen(what), HVSAVE_WHY_MAX - strlen(what),
                 ": no data for %g s at offset %" PRIu64 " (%zu of %zu octets came)",
                 r->io.timeout_ms / 1000.0, r->offset, got, len);
    else if (rc)
        snprintf(what + strlen(what), HVSAVE_WHY_MAX - strlen(what),
                 ": read error at offset %" PRIu64 ": %s", at + got, strerror(-rc));
    return rc;
}

/* Read and check padding after a body of len octets. */
static int read_padding(struct hvsave_reader *r, uint64_t len, char *why)
{
    uint8_t pad[8];
    uint32_t n = hvsave_pad(len);
    snprintf(why, HVSAVE_WHY_MAX, "padding");
    int rc = reader_read(r, pad, n, why);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < n; i++)
        if (pad[i])
            return because(why, -EBADMSG, "padding octet %" PRIu32 " is %#x, not zero", i, pad[i]);
    return 0;
}

static int check_image_header(struct hvsave_reader *r, const struct hv_save_image_header *ih)
{
    if (memcmp(ih->magic, HV_SAVE_MAGIC, HV_SAVE_MAGIC_LEN) != 0)
        return reader_fail(r, -EBADMSG, "not an hv save image: bad magic");
    r->version = be32toh(ih->version);
    if (r->version != HV_SAVE_VERSION)
        return reader_fail(r, -EPROTONOSUPPORT,
                           "image header: stream version %" PRIu32 " is not supported (this reader "
                           "reads version %u)",
                           r->version, HV_SAVE_VERSION);
    uint32_t options = be32toh(ih->options);
    if (options & HV_SAVE_OPT_BIG_ENDIAN)
        return reader_fail(r, -EPROTONOSUPPORT,
                           "image header: big-endian streams are not supported");
    if (options)
        return reader_fail(r, -EBADMSG, "image header: reserved options %#" PRIx32 " set", options);
    if (be32toh(ih->page_size) != HV_SAVE_PAGE_SIZE)
        return reader_fail(r, -EPROTONOSUPPORT,
                           "image header: page size %" PRIu32 " is not supported",
                           be32toh(ih->page_size));
    if (ih->pad)
        return reader_fail(r, -EBADMSG, "image header: pad is not zero");
    return 0;
}

static int read_config(struct hvsave_reader *r, uint32_t len)
{
    char why[HVSAVE_WHY_MAX] = "";
    r->config = malloc((size_t)len + 1);
    if (!r->config)
        return reader_fail(r, -ENOMEM, "domain header: out of memory for the config");
    int rc = reader_read(r, r->config, len, why);
    if (!rc && memchr(r->config, 0, len))
        return reader_fail(r, -EBADMSG, "domain header: the config contains a NUL octet");
    if (!rc)
        rc = read_padding(r, len, why);
    if (rc)
        return reader_fail(r, rc, "domain header: config%s%s", why[0] == ':' ? "" : " ", why);
    r->config[len] = '\0';
    r->dh.config = r->config;
    return 0;
}

static int read_headers(struct hvsave_reader *r)
{
    struct hv_save_image_header ih;
    struct hv_save_domain_header d;
    char why[HVSAVE_WHY_MAX] = "image header";
    int rc = reader_read(r, &ih, sizeof(ih), why);
    if (rc)
        return reader_fail(r, rc, "%s", why);
    rc = check_image_header(r, &ih);
    if (rc)
        return rc;
    snprintf(why, sizeof(why), "domain header");
    rc = reader_read(r, &d, sizeof(d), why);
    if (rc)
        return reader_fail(r, rc, "%s", why);
    r->dh = (struct hvsave_domain_header){
        .hvd_version = le32toh(d.hvd_version),
        .nr_vcpus = le32toh(d.nr_vcpus),
        .nr_pages = le64toh(d.nr_pages),
        .tot_pages = le64toh(d.tot_pages),
    };
    uint32_t config_len = le32toh(d.config_len);
    rc = hvsave_check_domain(&r->dh, config_len, why);
    if (!rc && d.pad)
        rc = because(why, -EBADMSG, "pad is not zero");
    if (rc)
        return reader_fail(r, rc, "domain header: %s", why);
    hvsave_order_init(&r->order, &r->dh);
    return read_config(r, config_len);
}

HVSAVE_EXPORT int hvsave_reader_open_timeout(struct hvsave_reader **rp, int fd, int timeout_ms)
{
    if (!rp)
        return -EINVAL;
    *rp = NULL;
    if (fd < 0 || timeout_ms < 0)
        return -EINVAL;
    struct hvsave_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    hvsave_io_init(&r->io, fd, timeout_ms);
    *rp = r;
    return read_headers(r);
}

HVSAVE_EXPORT int hvsave_reader_open(struct hvsave_reader **rp, int fd)
{
    return hvsave_reader_open_timeout(rp, fd, 0);
}

/* Make room for len octets of body (len is already bounded by the spec). */
static int reserve(void **buf, size_t *cap, size_t len)
{
    if (len <= *cap)
        return 0;
    void *p = realloc(*buf, len);
    if (!p)
        return -ENOMEM;
    *buf = p;
    *cap = len;
    return 0;
}

/* Consume an unknown optional record's body and padding without storing it. */
static int skip_body(struct hvsave_reader *r, uint32_t length, char *why)
{
    uint8_t scratch[4096];
    for (uint32_t left = length; left;) {
        uint32_t n = left < sizeof(scratch) ? left : (uint32_t)sizeof(scratch);
        snprintf(why, HVSAVE_WHY_MAX, "body");
        int rc = reader_read(r, scratch, n, why);
        if (rc)
            return rc;
        left -= n;
    }
    return read_padding(r, length, why);
}

/* Start inflating a checked PAGE_DATA_ZLIB body (its zlib data is at data). */
static int inflate_start(struct hvsave_reader *r, const struct hv_save_page_data_zlib *h,
                         const uint8_t *data, char *why)
{
    if (!r->zs_ready && inflateInit(&r->zs) != Z_OK)
        return because(why, -ENOMEM, "out of memory for zlib");
    r->zs_ready = true;
    inflateReset(&r->zs);
    r->zs.next_in = (Bytef *)data;
    r->zs.avail_in = h->zlib_len;
    r->zs_ended = false;
    return 0;
}

static int inflate_failed(struct hvsave_reader *r, int zrc, char *why)
{
    if (zrc == Z_MEM_ERROR)
        return because(why, -ENOMEM, "out of memory for zlib");
    return because(why, -EBADMSG, "bad zlib data: %s",
                   r->zs.msg ? r->zs.msg : "the stream is incomplete");
}

static int inflated_too_little(struct hvsave_reader *r, char *why)
{
    return because(why, -EBADMSG, "zlib data inflates to %lu octets, not %" PRIu32 " pages",
                   r->zs.total_out, r->open_pages.count);
}

/* Inflate the next n pages of the record into dst.  All of the zlib data
 * is in memory, so one inflate() either fills dst or says why not. */
static int inflate_pages(struct hvsave_reader *r, uint8_t *dst, uint32_t n, char *why)
{
    size_t want = (size_t)n * HV_SAVE_PAGE_SIZE;
    if (r->zs_ended)
        return inflated_too_little(r, why);
    r->zs.next_out = dst;
    r->zs.avail_out = (uInt)want;
    int zrc = inflate(&r->zs, Z_NO_FLUSH);
    r->zs_ended = zrc == Z_STREAM_END;
    if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
        return inflate_failed(r, zrc, why);
    if (r->zs.avail_out == 0)
        return 0;
    if (r->zs_ended)
        return inflated_too_little(r, why);
    return inflate_failed(r, zrc, why);
}

/* After the last page: the zlib data must end there, with no input left. */
static int inflate_finish(struct hvsave_reader *r, char *why)
{
    if (!r->zs_ended) {
        uint8_t extra;
        r->zs.next_out = &extra;
        r->zs.avail_out = 1;
        int zrc = inflate(&r->zs, Z_FINISH);
        if (r->zs.avail_out == 0)
            return because(why, -EBADMSG, "zlib data inflates to more than %" PRIu32 " pages",
                           r->open_pages.count);
        if (zrc != Z_STREAM_END)
            return inflate_failed(r, zrc, why);
    }
    if (r->zs.avail_in)
        return because(why, -EBADMSG, "%u octets after the end of the zlib data", r->zs.avail_in);
    return 0;
}

/* The next n pages of the open page record into dst; the record's end
 * (zlib end, padding) is checked with its last page, and then the record
 * is done: the index moves on. */
static int take_pages(struct hvsave_reader *r, uint8_t *dst, uint32_t n, char *why)
{
    int rc;
    if (r->open_pages.type == HV_SAVE_TYPE_PAGE_DATA) {
        snprintf(why, HVSAVE_WHY_MAX, "page data");
        rc = reader_read(r, dst, (size_t)n * HV_SAVE_PAGE_SIZE, why);
    } else {
        rc = inflate_pages(r, dst, n, why);
    }
    if (rc || (r->open_pages.left -= n))
        return rc;
    if (r->open_pages.type == HV_SAVE_TYPE_PAGE_DATA_ZLIB && (rc = inflate_finish(r, why)))
        return rc;
    if ((rc = read_padding(r, r->open_pages.length, why)) == 0)
        r->index++;
    return rc;
}

/* Fill rec->u for a known, checked record. */
static int decode_body(struct hvsave_reader *r, struct hvsave_record *rec, char *why)
{
    const uint8_t *b = rec->body;
    switch (rec->type) {
    case HV_SAVE_TYPE_PAGE_DATA:
    case HV_SAVE_TYPE_PAGE_DATA_ZLIB: {
        const struct hv_save_page_data *h = rec->body;
        rec->u.pages.count = h->count;
        rec->u.pages.gfns = (const uint64_t *)(h + 1);
        r->open_pages =
            (struct open_pages){ rec->type, rec->length, rec->offset, h->count, h->count };
        if (rec->type == HV_SAVE_TYPE_PAGE_DATA_ZLIB)
            return inflate_start(r, rec->body, b + 8 + 8 * (size_t)h->count, why);
        return 0;
    }
    case HV_SAVE_TYPE_VM_STATE:
        rec->u.vm_state = rec->body;
        return 0;
    case HV_SAVE_TYPE_VCPU: {
        const struct hv_save_vcpu *v = rec->body;
        rec->u.vcpu.vcpu = v;
        rec->u.vcpu.xsave = b + sizeof(*v);
        rec->u.vcpu.msrs = (const void *)(b + sizeof(*v) + v->xsave_len);
        return 0;
    }
    case HV_SAVE_TYPE_SHARED_INFO:
        rec->u.shared_info = rec->body;
        return 0;
    case HV_SAVE_TYPE_EVENT_CHANNELS:
        rec->u.evtchn.hdr = rec->body;
        rec->u.evtchn.channels = (const void *)(b + sizeof(*rec->u.evtchn.hdr));
        return 0;
    case HV_SAVE_TYPE_TIMERS:
        rec->u.timers.hdr = rec->body;
        rec->u.timers.timers = (const void *)(b + sizeof(*rec->u.timers.hdr));
        return 0;
    case HV_SAVE_TYPE_RUN_STATE:
        rec->u.run_state = rec->body;
        r->run =
            (struct hvsave_run_state){ rec->u.run_state->state, rec->u.run_state->shutdown_reason };
        return 0;
    case HV_SAVE_TYPE_CONSOLE_RING:
        rec->u.console.hdr = rec->body;
        rec->u.console.data = (const char *)(b + sizeof(*rec->u.console.hdr));
        return 0;
    case HV_SAVE_TYPE_PAGE_HOLES:
        rec->u.holes.count = ((const struct hv_save_page_holes *)rec->body)->count;
        rec->u.holes.gfns = (const uint64_t *)(b + sizeof(struct hv_save_page_holes));
        return 0;
    case HV_SAVE_TYPE_ROUND_END:
        rec->u.round_end = rec->body;
        return 0;
    case HV_SAVE_TYPE_FINAL_ROUND:
        rec->u.final_round = rec->body;
        return 0;
    default: /* END */
        return 0;
    }
}

static bool is_page_record(uint32_t type)
{
    return type == HV_SAVE_TYPE_PAGE_DATA || type == HV_SAVE_TYPE_PAGE_DATA_ZLIB;
}

/*
 * How much of a record's body to read before checking it: all of it,
 * except for PAGE_DATA, whose pages stay in the stream until they are
 * taken (take_pages()).  Its count and gfns are read first, or only the
 * count when that is already wrong, for the check to say so.
 */
static uint32_t head_length(const struct hvsave_record *rec, uint32_t count)
{
    uint64_t head = 8 + 8 * (uint64_t)count;
    if (rec->type != HV_SAVE_TYPE_PAGE_DATA)
        return rec->length;
    return count >= 1 && count <= HV_SAVE_PAGES_PER_RECORD && head <= rec->length ? (uint32_t)head
                                                                                  : 8;
}

/* Read a known record's body (up to its pages), check it and decode it. */
static int read_known_body(struct hvsave_reader *r, struct hvsave_record *rec, char *why)
{
    /* The check on the header bounds the length; a PAGE_DATA head is at
     * most its count and HV_SAVE_PAGES_PER_RECORD gfns. */
    size_t cap = rec->type == HV_SAVE_TYPE_PAGE_DATA ? 8 + 8 * HV_SAVE_PAGES_PER_RECORD
                                                     : (rec->length ? rec->length : 8);
    if (reserve((void **)&r->body, &r->body_cap, cap))
        return because(why, -ENOMEM, "out of memory for %" PRIu32 " octets", rec->length);
    uint32_t first = rec->type == HV_SAVE_TYPE_PAGE_DATA ? 8 : rec->length;
    snprintf(why, HVSAVE_WHY_MAX, "body");
    int rc = reader_read(r, r->body, first, why);
    uint32_t head = rc ? first : head_length(rec, le32toh(*(const uint32_t *)r->body));
    if (!rc && head > first)
        rc = reader_read(r, (uint8_t *)r->body + first, head - first, why);
    if (!rc && !is_page_record(rec->type))
        rc = read_padding(r, rec->length, why);
    if (rc)
        return rc;
    rec->body = r->body;
    rc = hvsave_check_body(&r->order, rec->type, rec->body, rec->length, why);
    return rc ? rc : decode_body(r, rec, why);
}

/* Unless the caller takes them, a page record's pages go in r->pages. */
static int read_own_pages(struct hvsave_reader *r, struct hvsave_record *rec, char *why)
{
    uint32_t count = rec->u.pages.count;
    if (reserve((void **)&r->pages, &r->pages_cap, (size_t)count * HV_SAVE_PAGE_SIZE))
        return because(why, -ENOMEM, "out of memory for %" PRIu32 " pages", count);
    rec->u.pages.data = r->pages;
    return take_pages(r, r->pages, count, why);
}

/* Read and check a record header.  -ENODATA: the stream ends before it. */
static int read_record_header(struct hvsave_reader *r, struct hvsave_record *rec, char *why)
{
    struct hv_save_record_header h;
    why[0] = '\0';
    int rc = reader_read(r, &h, sizeof(h), why);
    if (rc == -ENODATA && r->offset == rec->offset)
        return reader_fail(r, rc,
                           "truncated: the stream ends at offset %" PRIu64 " after record %" PRIu64
                           ", without an END record",
                           r->offset, r->index ? r->index - 1 : 0);
    if (rc)
        return reader_fail(r, rc, "record %" PRIu64 " at offset %" PRIu64 ": header%s", r->index,
                           rec->offset, why);
    rec->type = le32toh(h.type);
    rec->length = le32toh(h.length);
    rc = hvsave_check_header(&r->order, rec->type, rec->length, why);
    return rc ? record_fail(r, rc, rec->type, rec->offset, why) : 0;
}

HVSAVE_EXPORT int hvsave_read_record(struct hvsave_reader *r, struct hvsave_record *rec)
{
    char why[HVSAVE_WHY_MAX];
    if (!r || !rec)
        return -EINVAL;
    if (r->failed)
        return r->failed;
    memset(rec, 0, sizeof(*rec));
    rec->type = HV_SAVE_TYPE_END;
    if (r->ended)
        return 0;
    if (r->open_pages.left)
        return -EINVAL; /* the caller has not taken the last record's pages */
    rec->index = r->index;
    rec->offset = r->offset;
    int rc = read_record_header(r, rec, why);
    if (rc)
        goto fail;
    if (hvsave_type_name(rec->type)) {
        rc = read_known_body(r, rec, why);
        if (!rc && is_page_record(rec->type) && !(r->flags & HVSAVE_READ_PAGES_LATER))
            rc = read_own_pages(r, rec, why);
    } else {
        rec->skipped = true;
        rc = skip_body(r, rec->length, why);
    }
    if (rc) {
        record_fail(r, rc, rec->type, rec->offset, why);
        goto fail;
    }
    if (!is_page_record(rec->type))
        r->index++; /* a page record's when its last page is taken */
    r->ended = rec->type == HV_SAVE_TYPE_END;
    return 0;
fail:
    memset(rec, 0, sizeof(*rec));
    return rc;
}

HVSAVE_EXPORT int hvsave_reader_set_flags(struct hvsave_reader *r, unsigned int flags)
{
    if (!r || (flags & ~HVSAVE_READ_PAGES_LATER))
        return -EINVAL;
    if (r->open_pages.left)
        return -EBUSY;
    r->flags = flags;
    return 0;
}

HVSAVE_EXPORT int hvsave_read_pages(struct hvsave_reader *r, void *dst, uint32_t count)
{
    char why[HVSAVE_WHY_MAX];
    if (!r || (count && !dst))
        return -EINVAL;
    if (r->failed)
        return r->failed;
    if (count > r->open_pages.left)
        return -EINVAL;
    if (!count)
        return 0;
    int rc = take_pages(r, dst, count, why);
    if (rc)
        return record_fail(r, rc, r->open_pages.type, r->open_pages.offset, why);
    return 0;
}

HVSAVE_EXPORT uint32_t hvsave_reader_version(const struct hvsave_reader *r)
{
    return r ? r->version : 0;
}

HVSAVE_EXPORT const struct hvsave_domain_header *hvsave_reader_domain(const struct hvsave_reader *r)
{
    return r ? &r->dh : NULL;
}

HVSAVE_EXPORT int hvsave_reader_run_state(const struct hvsave_reader *r,
                                          struct hvsave_run_state *rs)
{
    if (!r || !rs)
        return -EINVAL;
    if (r->failed)
        return r->failed;
    if (!r->ended)
        return -EAGAIN;
    *rs = r->run;
    return 0;
}

HVSAVE_EXPORT uint64_t hvsave_reader_offset(const struct hvsave_reader *r)
{
    return r ? r->offset : 0;
}

HVSAVE_EXPORT const char *hvsave_reader_error(const struct hvsave_reader *r)
{
    return r ? r->err : "out of memory";
}

HVSAVE_EXPORT void hvsave_reader_close(struct hvsave_reader *r)
{
    if (!r)
        return;
    if (r->zs_ready)
        inflateEnd(&r->zs);
    free(r->pages);
    free(r->body);
    free(r->config);
    free(r);
}
