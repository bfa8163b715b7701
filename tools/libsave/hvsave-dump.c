/*
 * hvsave-dump: print an hv save image's headers and every record, as text
 * or as JSON (--json).  Reads a file or standard input, front to back.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include <hv/public/xen.h>
#include "hvsave.h"

static const char usage[] =
    "Usage: hvsave-dump [--json] [FILE|-]\n"
    "Print the headers and records of an hv save image (standard input if FILE\n"
    "is - or missing).\n"
    "  -j, --json   print JSON instead of text\n"
    "  -h, --help   print this help\n";

/* One record's summary: text and JSON are written from the same facts. */
struct summary {
    char text[160];
    uint64_t first_gfn, last_gfn; /* page and hole records */
};

/* The lowest and highest of count gfns. */
static void gfn_range(const uint64_t *gfns, uint32_t count, struct summary *s)
{
    s->first_gfn = UINT64_MAX;
    s->last_gfn = 0;
    for (uint32_t i = 0; i < count; i++) {
        s->first_gfn = gfns[i] < s->first_gfn ? gfns[i] : s->first_gfn;
        s->last_gfn = gfns[i] > s->last_gfn ? gfns[i] : s->last_gfn;
    }
}

static void page_range(const struct hvsave_record *rec, struct summary *s)
{
    gfn_range(rec->u.pages.gfns, rec->u.pages.count, s);
    snprintf(s->text, sizeof(s->text), "%" PRIu32 " pages, gfns %#" PRIx64 "-%#" PRIx64,
             rec->u.pages.count, s->first_gfn, s->last_gfn);
}

static void hole_range(const struct hvsave_record *rec, struct summary *s)
{
    gfn_range(rec->u.holes.gfns, rec->u.holes.count, s);
    snprintf(s->text, sizeof(s->text), "%" PRIu32 " gfns, %#" PRIx64 "-%#" PRIx64,
             rec->u.holes.count, s->first_gfn, s->last_gfn);
}

/* "round 2: 120 gfns, 4096 populated, final" */
static void describe_round_end(const struct hv_save_round_end *e, struct summary *s)
{
    snprintf(s->text, sizeof(s->text),
             "round %" PRIu32 ": %" PRIu64 " gfns, %" PRIu64 " populated%s", e->round, e->pages,
             e->populated, e->flags & HV_SAVE_ROUND_FINAL ? ", final" : "");
}

/* "running", "paused" or "shutdown" (for the JSON) and the reason's name. */
static const char *run_state_name(uint32_t state)
{
    return state == HVSAVE_RUN_PAUSED     ? "paused"
           : state == HVSAVE_RUN_SHUTDOWN ? "shutdown"
                                          : "running";
}

static const char *shutdown_reason_name(uint32_t reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog" };
    return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown";
}

/* "running", "paused" or "shut down (crash)". */
static void describe_run_state(const struct hvsave_run_state *rs, char *buf, size_t len)
{
    if (rs->state == HVSAVE_RUN_SHUTDOWN)
        snprintf(buf, len, "shut down (%s)", shutdown_reason_name(rs->shutdown_reason));
    else
        snprintf(buf, len, "%s", run_state_name(rs->state));
}

static void summarize(const struct hvsave_record *rec, struct summary *s)
{
    const struct hv_save_vcpu *v = rec->u.vcpu.vcpu;
    s->text[0] = '\0';
    if (rec->skipped) {
        snprintf(s->text, sizeof(s->text), "unknown optional record, skipped");
        return;
    }
    switch (rec->type) {
    case HV_SAVE_TYPE_PAGE_DATA:
    case HV_SAVE_TYPE_PAGE_DATA_ZLIB:
        page_range(rec, s);
        break;
    case HV_SAVE_TYPE_VM_STATE:
        snprintf(s->text, sizeof(s->text), "irqchip %s, PIT %s, clock %" PRIu64 " ns",
                 rec->u.vm_state->flags & HV_SAVE_VM_IRQCHIP ? "yes" : "no",
                 rec->u.vm_state->flags & HV_SAVE_VM_PIT ? "yes" : "no",
                 rec->u.vm_state->clock.clock_ns);
        break;
    case HV_SAVE_TYPE_VCPU:
        snprintf(s->text, sizeof(s->text),
                 "vCPU %" PRIu32 " %s, rip %#" PRIx64 ", rsp %#" PRIx64 ", mp_state %" PRIu32
                 ", %" PRIu32 " MSRs, XSAVE %" PRIu32 " octets",
                 v->vcpu_id, v->flags & HV_SAVE_VCPU_ONLINE ? "online" : "offline", v->regs.rip,
                 v->regs.rsp, v->mp_state, v->nr_msrs, v->xsave_len);
        break;
    case HV_SAVE_TYPE_SHARED_INFO:
        snprintf(s->text, sizeof(s->text), "at gfn %#" PRIx64, rec->u.shared_info->gfn);
        break;
    case HV_SAVE_TYPE_EVENT_CHANNELS:
        snprintf(s->text, sizeof(s->text), "%" PRIu32 " channels, upcall vector %#" PRIx32,
                 rec->u.evtchn.hdr->nr_channels, rec->u.evtchn.hdr->upcall_vector);
        break;
    case HV_SAVE_TYPE_TIMERS:
        snprintf(s->text, sizeof(s->text), "%" PRIu32 " timers", rec->u.timers.hdr->nr_timers);
        break;
    case HV_SAVE_TYPE_RUN_STATE:
        describe_run_state(&(struct hvsave_run_state){ rec->u.run_state->state,
                                                       rec->u.run_state->shutdown_reason },
                           s->text, sizeof(s->text));
        break;
    case HV_SAVE_TYPE_CONSOLE_RING:
        snprintf(s->text, sizeof(s->text), "%" PRIu32 " octets, %" PRIu64 " lost",
                 rec->u.console.hdr->len, rec->u.console.hdr->lost);
        break;
    case HV_SAVE_TYPE_PAGE_HOLES:
        hole_range(rec, s);
        break;
    case HV_SAVE_TYPE_ROUND_END:
        describe_round_end(rec->u.round_end, s);
        break;
    case HV_SAVE_TYPE_FINAL_ROUND:
        snprintf(s->text, sizeof(s->text), "round %" PRIu32 " begins", rec->u.final_round->round);
        break;
    default: /* END */
        break;
    }
}

/* ---- text ----------------------------------------------------------------- */

static void text_headers(const struct hvsave_reader *r)
{
    const struct hvsave_domain_header *dh = hvsave_reader_domain(r);
    printf("image: version %" PRIu32 ", little-endian, page size %u\n", hvsave_reader_version(r),
           HV_SAVE_PAGE_SIZE);
    printf("domain: hvd %" PRIu32 ".%" PRIu32 ", %" PRIu32 " vCPUs, %" PRIu64 " pages (%" PRIu64
           " MiB), %" PRIu64 " populated\n",
           dh->hvd_version >> 16, dh->hvd_version & 0xffff, dh->nr_vcpus, dh->nr_pages,
           dh->nr_pages / XEN_PAGES_PER_MIB, dh->tot_pages);
    printf("config: %s\n", dh->config && dh->config[0] ? dh->config : "(none)");
}

static void text_record(const struct hvsave_record *rec, const struct summary *s)
{
    const char *name = hvsave_type_name(rec->type);
    char type[32];
    if (name)
        snprintf(type, sizeof(type), "%s", name);
    else
        snprintf(type, sizeof(type), "0x%08" PRIx32, rec->type);
    printf("#%-4" PRIu64 " offset %-10" PRIu64 " %-15s ", rec->index, rec->offset, type);
    if (s->text[0])
        printf("length %-8" PRIu32 "  %s\n", rec->length, s->text);
    else
        printf("length %" PRIu32 "\n", rec->length);
}

/*
 * What follows a complete stream: the run state it records, and for a
 * regular file the octets after END, which are not part of the stream
 * (spec section 6.10): counted, never read.  trailing is -1 for a pipe.
 */
static void text_after_end(const struct hvsave_run_state *rs, int64_t trailing)
{
    char state[64];
    describe_run_state(rs, state, sizeof(state));
    printf("run state: %s\n", state);
    if (trailing > 0)
        printf("after END: %" PRId64 " octets, not part of the stream (ignored)\n", trailing);
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void json_uint(yajl_gen g, const char *key, uint64_t v)
{
    char num[24];
    json_str(g, key);
    snprintf(num, sizeof(num), "%" PRIu64, v);
    yajl_gen_number(g, num, strlen(num));
}

static void json_headers(yajl_gen g, const struct hvsave_reader *r)
{
    const struct hvsave_domain_header *dh = hvsave_reader_domain(r);
    json_str(g, "image");
    yajl_gen_map_open(g);
    json_uint(g, "version", hvsave_reader_version(r));
    json_str(g, "byte_order");
    json_str(g, "little-endian");
    json_uint(g, "page_size", HV_SAVE_PAGE_SIZE);
    yajl_gen_map_close(g);
    json_str(g, "domain");
    yajl_gen_map_open(g);
    json_uint(g, "hvd_version", dh->hvd_version);
    json_uint(g, "nr_vcpus", dh->nr_vcpus);
    json_uint(g, "nr_pages", dh->nr_pages);
    json_uint(g, "tot_pages", dh->tot_pages);
    json_str(g, "config");
    json_str(g, dh->config ? dh->config : "");
    yajl_gen_map_close(g);
}

/* The fields of a migration stream's records: holes, and the rounds. */
static void json_round_fields(yajl_gen g, const struct hvsave_record *rec, const struct summary *s)
{
    if (rec->type == HV_SAVE_TYPE_PAGE_HOLES) {
        json_uint(g, "gfns", rec->u.holes.count);
        json_uint(g, "first_gfn", s->first_gfn);
        json_uint(g, "last_gfn", s->last_gfn);
    } else if (rec->type == HV_SAVE_TYPE_ROUND_END) {
        json_uint(g, "round", rec->u.round_end->round);
        json_uint(g, "pages", rec->u.round_end->pages);
        json_uint(g, "populated", rec->u.round_end->populated);
        json_str(g, "final");
        yajl_gen_bool(g, rec->u.round_end->flags & HV_SAVE_ROUND_FINAL);
    } else if (rec->type == HV_SAVE_TYPE_FINAL_ROUND) {
        json_uint(g, "round", rec->u.final_round->round);
    }
}

static void json_record(yajl_gen g, const struct hvsave_record *rec, const struct summary *s)
{
    const char *name = hvsave_type_name(rec->type);
    yajl_gen_map_open(g);
    json_uint(g, "index", rec->index);
    json_uint(g, "offset", rec->offset);
    json_uint(g, "type", rec->type);
    json_str(g, "name");
    json_str(g, name ? name : "unknown");
    json_uint(g, "length", rec->length);
    json_str(g, "skipped");
    yajl_gen_bool(g, rec->skipped);
    if (!rec->skipped &&
        (rec->type == HV_SAVE_TYPE_PAGE_DATA || rec->type == HV_SAVE_TYPE_PAGE_DATA_ZLIB)) {
        json_uint(g, "pages", rec->u.pages.count);
        json_uint(g, "first_gfn", s->first_gfn);
        json_uint(g, "last_gfn", s->last_gfn);
    }
    if (!rec->skipped && rec->type == HV_SAVE_TYPE_VCPU) {
        json_uint(g, "vcpu", rec->u.vcpu.vcpu->vcpu_id);
        json_uint(g, "rip", rec->u.vcpu.vcpu->regs.rip);
    }
    json_round_fields(g, rec, s);
    if (s->text[0]) {
        json_str(g, "summary");
        json_str(g, s->text);
    }
    yajl_gen_map_close(g);
}

static void json_after_end(yajl_gen g, const struct hvsave_run_state *rs, int64_t trailing)
{
    json_str(g, "run_state");
    yajl_gen_map_open(g);
    json_str(g, "state");
    json_str(g, run_state_name(rs->state));
    if (rs->state == HVSAVE_RUN_SHUTDOWN) {
        json_str(g, "shutdown_reason");
        json_str(g, shutdown_reason_name(rs->shutdown_reason));
    }
    yajl_gen_map_close(g);
    if (trailing >= 0)
        json_uint(g, "trailing_octets", (uint64_t)trailing);
}

static void json_print(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    yajl_gen_clear(g);
}

/* ---- main --------------------------------------------------------------------- */

/* Octets of a regular file after the reader's position (just after END); -1 for anything else. */
static int64_t octets_after(int fd)
{
    struct stat st;
    off_t at = lseek(fd, 0, SEEK_CUR);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || at < 0 || st.st_size < at)
        return -1;
    return (int64_t)(st.st_size - at);
}

/* After a complete stream: the run state and what follows END. */
static int dump_after_end(struct hvsave_reader *r, int fd, yajl_gen g)
{
    struct hvsave_run_state rs;
    int rc = hvsave_reader_run_state(r, &rs);
    if (rc)
        return rc;
    int64_t trailing = octets_after(fd);
    if (g)
        json_after_end(g, &rs, trailing);
    else
        text_after_end(&rs, trailing);
    return 0;
}

/* Print every record up to END; 0, or the reader's error after what came before it. */
static int dump_records(struct hvsave_reader *r, yajl_gen g)
{
    struct hvsave_record rec;
    struct summary s;
    int rc;
    if (g) {
        json_str(g, "records");
        yajl_gen_array_open(g);
    }
    while (!(rc = hvsave_read_record(r, &rec))) {
        summarize(&rec, &s);
        if (g)
            json_record(g, &rec, &s);
        else
            text_record(&rec, &s);
        if (rec.type == HV_SAVE_TYPE_END)
            break;
    }
    if (g)
        yajl_gen_array_close(g);
    return rc;
}

/* Dump the image on fd: 0 or the reader's error, named on stderr (and in the JSON). */
static int dump(int fd, const char *label, bool json)
{
    yajl_gen g = json ? yajl_gen_alloc(NULL) : NULL;
    if (json && !g) {
        fprintf(stderr, "hvsave-dump: out of memory\n");
        return -ENOMEM;
    }
    if (g) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_map_open(g);
    }
    struct hvsave_reader *r;
    int rc = hvsave_reader_open(&r, fd);
    if (!rc) {
        if (g)
            json_headers(g, r);
        else
            text_headers(r);
        rc = dump_records(r, g);
    }
    if (!rc)
        rc = dump_after_end(r, fd, g);
    if (g) {
        if (rc) {
            json_str(g, "error");
            json_str(g, hvsave_reader_error(r));
        }
        yajl_gen_map_close(g);
        json_print(g);
        yajl_gen_free(g);
    }
    if (rc)
        fprintf(stderr, "hvsave-dump: %s: %s\n", label, hvsave_reader_error(r));
    hvsave_reader_close(r);
    return rc;
}

static int open_input(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return STDIN_FILENO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fprintf(stderr, "hvsave-dump: %s: %s\n", path, strerror(errno));
    return fd;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool json = false;
    for (int c; (c = getopt_long(argc, argv, "jh", opts, NULL)) != -1;) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (c != 'j') {
            fputs(usage, stderr);
            return 2;
        }
        json = true;
    }
    if (argc - optind > 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = optind < argc ? argv[optind] : NULL;
    int fd = open_input(path);
    if (fd < 0)
        return 1;
    int rc = dump(fd, fd == STDIN_FILENO ? "standard input" : path, json);
    if (fd != STDIN_FILENO)
        close(fd);
    return rc ? 1 : 0;
}
