/*
 * hvcli restore: read a save stream (docs/specs/save-stream.md) from a
 * file or standard input, create the domain its config describes, fill
 * its memory and hand each state record to hvd, then run it.  A restore
 * that fails for any reason destroys the half-built domain and says which
 * record was bad and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hvsave.h>
#include <hv/public/privcmd.h>
#include "config.h"
#include "domstream.h"
#include "hvcli.h"

struct restore_opts {
    bool paused;  /* -p: leave it paused */
    bool no_wait; /* -e: do not follow its console */
    const char *path;
};

struct restorer {
    const struct restore_opts *o;
    hvctl_t *h;
    int fd;
    struct hvsave_reader *r;
    const struct hvsave_domain_header *dh;
    struct hv_domain_config cfg;
    uint32_t domid;
    bool created;
    struct dom_memory mem;
    uint8_t *populated;     /* bitmap: gfns backed in the new domain */
    bool gfn0_in_stream;    /* gfn 0 (backed at creation) came in PAGE_DATA */
    bool pages_finished;    /* a state record came: no more page records */
    uint64_t *frames;       /* HV_P2M_QUERY_MAX entries */
    uint64_t pages_done;
    struct progress progress;
    char why[768];          /* the failure, in words */
};

static int restore_fail(struct restorer *t, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int restore_fail(struct restorer *t, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->why, sizeof(t->why), fmt, ap);
    va_end(ap);
    return rc;
}

/* A failure that concerns one record: name it by index, type and offset. */
static int record_fail(struct restorer *t, const struct hvsave_record *rec, int rc,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int record_fail(struct restorer *t, const struct hvsave_record *rec, int rc,
                       const char *fmt, ...)
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

static int check_interrupted(struct restorer *t)
{
    int sig = domstream_interrupted();

    return sig ? restore_fail(t, -EINTR, "interrupted by signal %d (%s)", sig, strsignal(sig))
               : 0;
}

/* Parse the command line.  Returns -1 to go on, else the exit status. */
static int parse_restore_opts(const struct hvcli_ctx *ctx, int argc, char **argv,
                              struct restore_opts *o)
{
    static const struct option longopts[] = {
        { "paused", no_argument, NULL, 'p' },
        { "no-wait", no_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = hvcli_getopt(ctx, argc, argv, ":peh", longopts)) != -1) {
        switch (c) {
        case 'p': o->paused = true; break;
        case 'e': o->no_wait = true; break;
        case 'h':
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        default:
            return HVCLI_EXIT_USAGE;
        }
    }
    if (hvcli_check_operands(ctx, argc - optind, 1, 1) < 0)
        return HVCLI_EXIT_USAGE;
    o->path = argv[optind];
    return -1;
}

static bool is_stdin(const struct restore_opts *o)
{
    return strcmp(o->path, "-") == 0;
}

/* Open the image and read its headers. */
static int open_image(struct restorer *t)
{
    int rc;

    if (is_stdin(t->o)) {
        t->fd = STDIN_FILENO;
    } else if ((t->fd = open(t->o->path, O_RDONLY | O_CLOEXEC)) < 0) {
        return restore_fail(t, -errno, "cannot open it: %s", strerror(errno));
    }
    rc = hvsave_reader_open(&t->r, t->fd);
    if (rc < 0)
        return restore_fail(t, rc, "%s", t->r ? hvsave_reader_error(t->r) : strerror(-rc));
    t->dh = hvsave_reader_domain(t->r);
    return 0;
}

/* The config the image carries, checked against its domain header. */
static int read_config(struct restorer *t)
{
    const struct hvsave_domain_header *dh = t->dh;
    char err[512];
    int rc;

    if (!dh->config || !dh->config[0])
        return restore_fail(t, -EINVAL, "the image carries no domain configuration");
    rc = hv_config_parse_buffer(dh->config, strlen(dh->config), "its configuration", NULL,
                                &t->cfg, err, sizeof(err));
    if (rc < 0)
        return restore_fail(t, rc, "%s", err[0] ? err : strerror(-rc));
    if (t->cfg.vcpus != dh->nr_vcpus)
        return restore_fail(t, -EINVAL, "its configuration has %" PRIu32 " vCPUs, its domain "
                            "header %" PRIu32, t->cfg.vcpus, dh->nr_vcpus);
    if (dh->nr_pages > t->cfg.maxmem_mib * 256)
        return restore_fail(t, -EINVAL, "its RAM window of %" PRIu64 " pages is larger than "
                            "its configuration's maxmem (%" PRIu64 " MiB)", dh->nr_pages,
                            t->cfg.maxmem_mib);
    return 0;
}

static int create_domain(struct restorer *t)
{
    struct xen_domctl_createdomain cd;
    int rc = hv_config_to_createdomain(&t->cfg, &cd);

    if (rc < 0)
        return restore_fail(t, rc, "its configuration cannot be used: %s", strerror(-rc));
    /* RAM comes from the image; the window is exactly the saved one. */
    cd.init_pages = 1;
    cd.max_pages = t->dh->nr_pages;
    rc = hvctl_domain_create(t->h, &cd, &t->domid);
    if (rc == -EEXIST)
        return restore_fail(t, rc, "a domain named '%s' (or with its UUID) already exists",
                            t->cfg.name);
    if (rc < 0)
        return restore_fail(t, rc, "cannot create domain '%s': %s%s", t->cfg.name,
                            strerror(-rc), rc == -EINVAL || rc == -ENOMEM ?
                            " (hvcli info shows free guest memory)" : "");
    t->created = true;
    rc = dom_memory_map(t->h, t->domid, PROT_READ | PROT_WRITE, &t->mem);
    if (rc < 0)
        return restore_fail(t, rc, "cannot map the new domain's memory: %s", strerror(-rc));
    if (t->mem.nr_gfns != t->dh->nr_pages)
        return restore_fail(t, -EPROTO, "hvd made a RAM window of %" PRIu64 " pages, not %"
                             PRIu64, t->mem.nr_gfns, t->dh->nr_pages);
    t->populated = calloc(t->dh->nr_pages / 8 + 1, 1);
    if (!t->populated)
        return restore_fail(t, -ENOMEM, "out of memory");
    t->populated[0] = 1; /* createdomain backed gfn 0 (init_pages = 1) */
    return 0;
}

static bool is_populated(const struct restorer *t, uint64_t gfn)
{
    return t->populated[gfn / 8] & (1u << (gfn % 8));
}

static void mark_populated(struct restorer *t, uint64_t gfn, bool on)
{
    if (on)
        t->populated[gfn / 8] |= (uint8_t)(1u << (gfn % 8));
    else
        t->populated[gfn / 8] &= (uint8_t)~(1u << (gfn % 8));
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
        int rc = dom_p2m_set(t->h, t->domid, gfn + i, k, true);
        if (rc < 0)
            return record_fail(t, rec, rc, "cannot populate gfn %#" PRIx64 "%s: %s", gfn + i,
                               k > 1 ? " and on" : "", strerror(-rc));
        for (uint32_t j = 0; j < k; j++)
            mark_populated(t, gfn + i + j, true);
        i += k;
    }
    return 0;
}

/* Copy n pages to the frames behind [gfn, gfn + n), one memcpy per run
 * of consecutive frames. */
static int copy_run(struct restorer *t, const struct hvsave_record *rec, uint64_t gfn,
                    uint32_t n, const uint8_t *data)
{
    int rc = dom_p2m_query(t->h, t->domid, gfn, n, t->frames);

    if (rc < 0)
        return record_fail(t, rec, rc, "cannot query the p2m at gfn %#" PRIx64 ": %s", gfn,
                           strerror(-rc));
    for (uint32_t i = 0, k; i < n; i += k) {
        uint8_t *dst = dom_memory_frame(&t->mem, t->frames[i]);
        if (!dst)
            return record_fail(t, rec, -EPROTO, "hvd backs gfn %#" PRIx64 " with frame %#"
                               PRIx64 ", outside its memory file", gfn + i, t->frames[i]);
        for (k = 1; i + k < n && t->frames[i + k] == t->frames[i] + k &&
                    t->frames[i + k] < t->mem.nr_gfns; k++)
            ;
        dom_memory_prefault(&t->mem, t->frames[i], k, true);
        memcpy(dst, data + (size_t)i * DOMSTREAM_PAGE_SIZE, (size_t)k * DOMSTREAM_PAGE_SIZE);
    }
    return 0;
}

static int restore_pages(struct restorer *t, const struct hvsave_record *rec)
{
    const uint64_t *gfns = rec->u.pages.gfns;
    uint32_t count = rec->u.pages.count;

    for (uint32_t i = 0, n; i < count; i += n) {
        n = run_length(gfns + i, count - i);
        t->gfn0_in_stream |= gfns[i] == 0;
        int rc = populate_run(t, rec, gfns[i], n);
        if (rc == 0)
            rc = copy_run(t, rec, gfns[i], n, rec->u.pages.data + (size_t)i * DOMSTREAM_PAGE_SIZE);
        if (rc < 0)
            return rc;
    }
    t->pages_done += count;
    progress_update(&t->progress, t->pages_done);
    return 0;
}

/* The memory is complete: gfn 0, backed at creation, goes if the image
 * does not have it (the saved domain had given it back). */
static int finish_pages(struct restorer *t, const struct hvsave_record *rec)
{
    t->pages_finished = true;
    progress_end(&t->progress);
    if (t->gfn0_in_stream)
        return 0;
    int rc = dom_p2m_set(t->h, t->domid, 0, 1, false);
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
        return dom_setcontext(t->h, t->domid, rec->type, 0, rec->body, rec->length);
    struct hv_save_console_ring *trimmed = malloc(HV_PRIVCMD_MAX_BUF);
    if (!trimmed)
        return -ENOMEM;
    *trimmed = (struct hv_save_console_ring){ .lost = c->lost + (c->len - room), .len = room };
    memcpy(trimmed + 1, rec->u.console.data + (c->len - room), room);
    int rc = dom_setcontext(t->h, t->domid, rec->type, 0, trimmed, HV_PRIVCMD_MAX_BUF);
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
        rc = dom_setcontext(t->h, t->domid, rec->type, index, rec->body, rec->length);
    if (rc == -EMSGSIZE)
        return record_fail(t, rec, rc, "%" PRIu32 " octets: hvd takes at most %u per record",
                           rec->length, HV_PRIVCMD_MAX_BUF);
    if (rc < 0)
        return record_fail(t, rec, rc, "hvd refused it: %s (see hvcli dmesg)", strerror(-rc));
    return 0;
}

static int restore_record(struct restorer *t, const struct hvsave_record *rec)
{
    int rc = 0;

    if (rec->skipped) /* an optional record this hvcli does not know */
        return 0;
    if (rec->type == HV_SAVE_TYPE_PAGE_DATA || rec->type == HV_SAVE_TYPE_PAGE_DATA_ZLIB)
        return restore_pages(t, rec);
    /* Optional records may come between page records (spec section 7):
     * only a mandatory one ends the memory. */
    if (!(rec->type & HV_SAVE_TYPE_OPTIONAL) && !t->pages_finished)
        rc = finish_pages(t, rec);
    if (rc == 0 && rec->type != HV_SAVE_TYPE_END)
        rc = restore_state(t, rec);
    return rc;
}

/* Every record up to END. */
static int restore_records(struct restorer *t)
{
    struct hvsave_record rec = { .type = 0 };

    t->frames = malloc(HV_P2M_QUERY_MAX * sizeof(*t->frames));
    if (!t->frames)
        return restore_fail(t, -ENOMEM, "out of memory");
    progress_init(&t->progress, "restoring", t->dh->tot_pages);
    do {
        int rc = check_interrupted(t);
        if (rc == 0 && (rc = hvsave_read_record(t->r, &rec)) < 0)
            restore_fail(t, rc, "%s", hvsave_reader_error(t->r));
        if (rc == 0)
            rc = restore_record(t, &rec);
        if (rc < 0) {
            progress_end(&t->progress);
            return rc;
        }
    } while (rec.type != HV_SAVE_TYPE_END);
    return 0;
}

/* Attach the console (unless -e) and unpause (unless -p). */
static int start_domain(struct restorer *t, int *console_fd)
{
    int rc = 0;

    *console_fd = -1;
    if (!t->o->no_wait && (rc = hvctl_console_attach(t->h, t->domid, console_fd)) < 0)
        return restore_fail(t, rc, "cannot attach to its console: %s", strerror(-rc));
    if (!t->o->paused && (rc = hvctl_domain_unpause(t->h, t->domid)) < 0) {
        if (*console_fd >= 0)
            close(*console_fd);
        *console_fd = -1;
        return restore_fail(t, rc, "cannot unpause it: %s", strerror(-rc));
    }
    return 0;
}

static int restore_domain(struct restorer *t, int *console_fd)
{
    int rc = open_image(t);

    if (rc == 0)
        rc = read_config(t);
    if (rc == 0)
        rc = create_domain(t);
    if (rc == 0)
        rc = restore_records(t);
    if (rc == 0)
        rc = start_domain(t, console_fd);
    return rc;
}

static void report_failure(const struct hvcli_ctx *ctx, struct restorer *t)
{
    const char *from = is_stdin(t->o) ? "standard input" : t->o->path;
    int rc = t->created ? hvctl_domain_destroy(t->h, t->domid) : 0;

    if (rc < 0)
        hvcli_err(ctx, "cannot restore from %s: %s (and destroying the new domain %" PRIu32
                  " failed: %s)", from, t->why, t->domid, strerror(-rc));
    else
        hvcli_err(ctx, "cannot restore from %s: %s", from, t->why);
}

static void free_restorer(struct restorer *t)
{
    hvsave_reader_close(t->r);
    if (t->fd > STDIN_FILENO)
        close(t->fd);
    dom_memory_unmap(&t->mem);
    free(t->populated);
    free(t->frames);
    hvctl_close(t->h);
}

/* Follow the console until the domain is gone.  A stream read from
 * standard input leaves nothing there to type to the guest. */
static int follow_console(const struct hvcli_ctx *ctx, const struct restorer *t, int fd)
{
    if (is_stdin(t->o)) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            close(null);
        }
    }
    return hvcli_console_run(ctx, fd);
}

static int run_restore(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    struct restore_opts o = { .paused = false };
    struct restorer t = { .o = &o, .fd = -1 };
    int console_fd = -1, rc = parse_restore_opts(ctx, argc, argv, &o);

    if (rc >= 0)
        return rc;
    if (hvcli_open(ctx, &t.h) < 0)
        return HVCLI_EXIT_FAILURE;
    domstream_signals_catch();
    rc = restore_domain(&t, &console_fd);
    if (rc < 0)
        report_failure(ctx, &t);
    domstream_signals_restore();
    if (rc == 0)
        fprintf(stderr, "Restored domain %s (domid %" PRIu32 ")%s\n", t.cfg.name, t.domid,
                o.paused ? ", paused" : "");
    free_restorer(&t);
    if (rc < 0)
        return HVCLI_EXIT_FAILURE;
    return console_fd >= 0 ? follow_console(ctx, &t, console_fd) : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_restore = {
    .name = "restore",
    .synopsis = "restore [-p] [-e] FILE|-",
    .summary = "restore a domain from a save image and run it",
    .help = "Reads an hv save image (as hvcli save writes it) from FILE, or from\n"
            "standard input if FILE is -, creates the domain its configuration\n"
            "describes (same name and UUID), fills its memory, restores its vCPUs,\n"
            "event channels and timers and unpauses it.  Then, like create -c, it\n"
            "shows the domain's console until the domain is destroyed.  If anything\n"
            "fails the new domain is destroyed, and the error names the bad record\n"
            "(index, type, stream offset) and why.  Shows progress when standard\n"
            "error is a terminal.\n"
            "\n"
            "Options:\n"
            "  -p, --paused   leave the domain paused (start it with hvcli unpause)\n"
            "  -e, --no-wait  do not follow the console: exit once the domain runs\n"
            "  -h, --help     show this help\n",
    .run = run_restore,
};
