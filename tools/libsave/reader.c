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
    int fd;
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
    uint64_t *body; /* record body; uint64_t keeps it 8-aligned */
    size_t body_cap;
    uint8_t *pages; /* inflated PAGE_DATA_ZLIB pages */
    size_t pages_cap;
    z_stream zs;
    bool zs_ready;
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
    int rc = hvsave_read_full(r->fd, buf, len, &got);
    uint64_t at = r->offset;
    r->offset += got;
    if (rc == -ENODATA)
        snprintf(what + strlen(what), HVSAVE_WHY_MAX - strlen(what),
                 ": truncated, the stream ends at offset %" PRIu64 " (%zu of %zu octets)",
                 r->offset, got, len);
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

HVSAVE_EXPORT int hvsave_reader_open(struct hvsave_reader **rp, int fd)
{
    if (!rp)
        return -EINVAL;
    *rp = NULL;
    if (fd < 0)
        return -EINVAL;
    struct hvsave_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->fd = fd;
    *rp = r;
    return read_headers(r);
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

/* Inflate a checked PAGE_DATA_ZLIB body to exactly count pages. */
static int inflate_pages(struct hvsave_reader *r, const struct hv_save_page_data_zlib *h,
                         const uint8_t *data, char *why)
{
    size_t want = (size_t)h->count * HV_SAVE_PAGE_SIZE;
    if (reserve((void **)&r->pages, &r->pages_cap, want))
        return because(why, -ENOMEM, "out of memory");
    if (!r->zs_ready && inflateInit(&r->zs) != Z_OK)
        return because(why, -ENOMEM, "out of memory for zlib");
    r->zs_ready = true;
    inflateReset(&r->zs);
    r->zs.next_in = (Bytef *)data;
    r->zs.avail_in = h->zlib_len;
    r->zs.next_out = r->pages;
    r->zs.avail_out = (uInt)want;
    int zrc = inflate(&r->zs, Z_FINISH);
    if (zrc != Z_STREAM_END && r->zs.avail_out == 0) {
        /* Output is full: the stream must end here, producing nothing more. */
        uint8_t extra;
        r->zs.next_out = &extra;
        r->zs.avail_out = 1;
        zrc = inflate(&r->zs, Z_FINISH);
        if (r->zs.avail_out == 0)
            return because(why, -EBADMSG, "zlib data inflates to more than %" PRIu32 " pages",
                           h->count);
    }
    if (zrc == Z_MEM_ERROR)
        return because(why, -ENOMEM, "out of memory for zlib");
    if (zrc != Z_STREAM_END)
        return because(why, -EBADMSG, "bad zlib data: %s",
                       r->zs.msg ? r->zs.msg : "the stream is incomplete");
    if (r->zs.total_out != want)
        return because(why, -EBADMSG, "zlib data inflates to %lu octets, not %zu", r->zs.total_out,
                       want);
    if (r->zs.avail_in)
        return because(why, -EBADMSG, "%u octets after the end of the zlib data", r->zs.avail_in);
    return 0;
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
        rec->u.pages.data = b + 8 + 8 * (size_t)h->count;
        if (rec->type == HV_SAVE_TYPE_PAGE_DATA)
            return 0;
        int rc = inflate_pages(r, rec->body, b + 8 + 8 * (size_t)h->count, why);
        rec->u.pages.data = r->pages; /* inflate_pages() may have moved it */
        return rc;
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
    default: /* END */
        return 0;
    }
}

/* Read a known record's body and padding, check it and decode it. */
static int read_known_body(struct hvsave_reader *r, struct hvsave_record *rec, char *why)
{
    size_t cap = rec->length ? rec->length : 8;
    if (reserve((void **)&r->body, &r->body_cap, cap))
        return because(why, -ENOMEM, "out of memory for %" PRIu32 " octets", rec->length);
    snprintf(why, HVSAVE_WHY_MAX, "body");
    int rc = reader_read(r, r->body, rec->length, why);
    if (!rc)
        rc = read_padding(r, rec->length, why);
    if (rc)
        return rc;
    rec->body = r->body;
    rc = hvsave_check_body(&r->order, rec->type, rec->body, rec->length, why);
    return rc ? rc : decode_body(r, rec, why);
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
    rec->index = r->index;
    rec->offset = r->offset;
    int rc = read_record_header(r, rec, why);
    if (rc)
        goto fail;
    if (hvsave_type_name(rec->type)) {
        rc = read_known_body(r, rec, why);
    } else {
        rec->skipped = true;
        rc = skip_body(r, rec->length, why);
    }
    if (rc) {
        record_fail(r, rc, rec->type, rec->offset, why);
        goto fail;
    }
    r->index++;
    r->ended = rec->type == HV_SAVE_TYPE_END;
    return 0;
fail:
    memset(rec, 0, sizeof(*rec));
    return rc;
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
