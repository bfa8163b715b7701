/*
 * hvcli save: pause a domain and write its memory and state as a save
 * stream (docs/specs/save-stream.md) to a file or standard output, then
 * destroy it (or, with -c, let it run on).  Whatever fails, the domain is
 * unpaused again and a partial image file is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hvsave.h>
#include <hv/public/privcmd.h>
#include "domstream.h"
#include "hvcli.h"

struct save_opts {
    bool checkpoint; /* -c: keep the domain running */
    bool zlib;       /* -z: compress page data */
    const char *dom, *path;
};

struct saver {
    const struct save_opts *o;
    hvctl_t *h;
    uint32_t domid;
    bool paused;                /* we hold a pause on the domain */
    int fd;                     /* the image, or -1 */
    bool remove_on_failure;     /* a regular file we opened for writing */
    struct xen_domctl_getdomaininfo info;
    struct dom_memory mem;
    struct hvsave_writer *w;
    void *ctx;                  /* one context body (HV_PRIVCMD_MAX_BUF octets) */
    uint64_t shared_info_gfn;   /* HV_INVALID_FRAME: the guest never placed it */
    uint64_t pages_done;
    struct progress progress;
    char why[512];              /* the failure, in words */
};

static int save_fail(struct saver *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int save_fail(struct saver *s, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->why, sizeof(s->why), fmt, ap);
    va_end(ap);
    return rc;
}

/* A failure of the writer: its own one-line account. */
static int writer_fail(struct saver *s, int rc)
{
    const char *msg = hvsave_writer_error(s->w);

    return save_fail(s, rc, "%s", msg[0] ? msg : strerror(-rc));
}

static int check_interrupted(struct saver *s)
{
    int sig = domstream_interrupted();

    return sig ? save_fail(s, -EINTR, "interrupted by signal %d (%s)", sig, strsignal(sig)) : 0;
}

/* Parse the command line.  Returns -1 to go on, else the exit status. */
static int parse_save_opts(const struct hvcli_ctx *ctx, int argc, char **argv,
                           struct save_opts *o)
{
    static const struct option longopts[] = {
        { "checkpoint", no_argument, NULL, 'c' },
        { "compress", no_argument, NULL, 'z' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = hvcli_getopt(ctx, argc, argv, ":czh", longopts)) != -1) {
        switch (c) {
        case 'c': o->checkpoint = true; break;
        case 'z': o->zlib = true; break;
        case 'h':
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        default:
            return HVCLI_EXIT_USAGE;
        }
    }
    if (hvcli_check_operands(ctx, argc - optind, 2, 2) < 0)
        return HVCLI_EXIT_USAGE;
    o->dom = argv[optind];
    o->path = argv[optind + 1];
    return -1;
}

static bool is_stdout(const struct save_opts *o)
{
    return strcmp(o->path, "-") == 0;
}

/* Open FILE (created or truncated) or take standard output. */
static int open_output(struct saver *s)
{
    struct stat st;

    if (is_stdout(s->o)) {
        if (isatty(STDOUT_FILENO))
            return save_fail(s, -EINVAL, "standard output is a terminal: redirect it, or "
                             "name a file");
        s->fd = STDOUT_FILENO;
        return 0;
    }
    s->fd = open(s->o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (s->fd < 0)
        return save_fail(s, -errno, "cannot create %s: %s", s->o->path, strerror(errno));
    s->remove_on_failure = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
    return 0;
}

static int pause_and_describe(struct saver *s)
{
    int rc = hvctl_domain_pause(s->h, s->domid);

    if (rc < 0)
        return save_fail(s, rc, "cannot pause it: %s", strerror(-rc));
    s->paused = true;
    rc = hvctl_domain_getinfo(s->h, s->domid, &s->info);
    if (rc < 0)
        return save_fail(s, rc, "cannot read its info: %s", strerror(-rc));
    rc = dom_memory_map(s->h, s->domid, PROT_READ, &s->mem);
    if (rc < 0)
        return save_fail(s, rc, "cannot map its memory: %s", strerror(-rc));
    return 0;
}

/* Where the shared-info page is (its frame is hvd's, not a RAM page). */
static int find_shared_info(struct saver *s)
{
    uint32_t len;
    int rc = dom_getcontext(s->h, s->domid, HV_SAVE_TYPE_SHARED_INFO, 0, s->ctx,
                            HV_PRIVCMD_MAX_BUF, &len);

    s->shared_info_gfn = HV_INVALID_FRAME;
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return save_fail(s, rc, "cannot read its SHARED_INFO state: %s", strerror(-rc));
    if (len != sizeof(struct hv_save_shared_info))
        return save_fail(s, -EPROTO, "hvd returned a SHARED_INFO body of %" PRIu32 " octets",
                         len);
    s->shared_info_gfn = ((const struct hv_save_shared_info *)s->ctx)->gfn;
    return 0;
}

static int open_writer(struct saver *s)
{
    struct xen_sysctl_physinfo pi;
    char *config = NULL;
    int rc = hvctl_physinfo(s->h, &pi);

    if (rc < 0)
        return save_fail(s, rc, "cannot read hvd's version: %s", strerror(-rc));
    rc = dom_config_json(&s->info, s->mem.nr_gfns, &config);
    if (rc < 0)
        return save_fail(s, rc, "cannot build its config: %s", strerror(-rc));
    struct hvsave_domain_header dh = {
        .hvd_version = pi.hv_version,
        .nr_vcpus = s->info.max_vcpus,
        .nr_pages = s->mem.nr_gfns,
        .tot_pages = s->info.tot_pages,
        .config = config,
    };
    rc = hvsave_writer_open(&s->w, s->fd, &dh, s->o->zlib ? HVSAVE_ZLIB : 0);
    free(config);
    if (rc < 0 && !s->w)
        return save_fail(s, rc, "cannot start the image: %s", strerror(-rc));
    return rc < 0 ? writer_fail(s, rc) : 0;
}

/* Prefault each run of consecutive frames among frames[0..n). */
static void prefault_runs(struct saver *s, uint32_t n, const uint64_t *frames)
{
    for (uint32_t i = 0, k; i < n; i += k) {
        for (k = 1; i + k < n && frames[i] != HV_INVALID_FRAME &&
                    frames[i + k] == frames[i] + k; k++)
            ;
        if (frames[i] != HV_INVALID_FRAME)
            dom_memory_prefault(&s->mem, frames[i], k, false);
    }
}

/* The RAM pages among frames[0..n) (gfns from gfn), skipping holes and
 * the shared-info page.  Returns the count or -EPROTO. */
static int collect_pages(struct saver *s, uint64_t gfn, uint32_t n, const uint64_t *frames,
                         uint64_t *gfns, const void **pages)
{
    int count = 0;

    for (uint32_t i = 0; i < n; i++) {
        if (frames[i] == HV_INVALID_FRAME || gfn + i == s->shared_info_gfn)
            continue;
        pages[count] = dom_memory_frame(&s->mem, frames[i]);
        if (!pages[count])
            return save_fail(s, -EPROTO, "hvd maps gfn %#" PRIx64 " to frame %#" PRIx64
                             ", outside its memory file", gfn + i, frames[i]);
        gfns[count++] = gfn + i;
    }
    return count;
}

/* The p2m of one chunk of gfns and the pages found in it. */
struct page_batch {
    uint64_t frames[HV_P2M_QUERY_MAX];
    uint64_t gfns[HV_P2M_QUERY_MAX];
    const void *pages[HV_P2M_QUERY_MAX];
};

/* Write the backed pages of gfns [gfn, gfn + n), n <= HV_P2M_QUERY_MAX. */
static int save_chunk(struct saver *s, uint64_t gfn, uint32_t n, struct page_batch *b)
{
    int count, rc = check_interrupted(s);

    if (rc < 0)
        return rc;
    if ((rc = dom_p2m_query(s->h, s->domid, gfn, n, b->frames)) < 0)
        return save_fail(s, rc, "cannot query its p2m at gfn %#" PRIx64 ": %s", gfn,
                         strerror(-rc));
    prefault_runs(s, n, b->frames);
    count = collect_pages(s, gfn, n, b->frames, b->gfns, b->pages);
    if (count <= 0)
        return count;
    if ((rc = hvsave_write_page_list(s->w, b->gfns, b->pages, (uint32_t)count)) < 0)
        return writer_fail(s, rc);
    s->pages_done += (uint64_t)count;
    progress_update(&s->progress, s->pages_done);
    return 0;
}

/* Every backed gfn, in gfn order. */
static int save_pages(struct saver *s)
{
    struct page_batch *b = malloc(sizeof(*b));
    int rc = b ? 0 : save_fail(s, -ENOMEM, "out of memory");

    for (uint64_t gfn = 0; rc == 0 && gfn < s->mem.nr_gfns; gfn += HV_P2M_QUERY_MAX) {
        uint64_t left = s->mem.nr_gfns - gfn;

        rc = save_chunk(s, gfn, left < HV_P2M_QUERY_MAX ? (uint32_t)left : HV_P2M_QUERY_MAX, b);
    }
    free(b);
    return rc;
}

/* Read one context record from hvd and write it. */
static int save_context(struct saver *s, uint32_t type, uint32_t index)
{
    uint32_t len;
    int rc = dom_getcontext(s->h, s->domid, type, index, s->ctx, HV_PRIVCMD_MAX_BUF, &len);

    if (rc < 0)
        return save_fail(s, rc, "cannot read its %s state%s: %s", hvsave_type_name(type),
                         type == HV_SAVE_TYPE_VCPU ? " of a vCPU" : "", strerror(-rc));
    rc = check_interrupted(s);
    if (rc == 0 && (rc = hvsave_write_record(s->w, type, s->ctx, len)) < 0)
        writer_fail(s, rc);
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
    int rc = dom_getcontext(s->h, s->domid, type, 0, s->ctx, HV_PRIVCMD_MAX_BUF, &len);

    if (rc < 0)
        return save_fail(s, rc, "cannot read its %s state: %s", hvsave_type_name(type),
                         strerror(-rc));
    if (len >= 4 && context_is_empty(type, s->ctx))
        return 0;
    if ((rc = hvsave_write_record(s->w, type, s->ctx, len)) < 0)
        writer_fail(s, rc);
    return rc;
}

/* The records after the pages, in the spec's order (section 7), then END. */
static int save_state(struct saver *s)
{
    int rc = save_context(s, HV_SAVE_TYPE_VM_STATE, 0);

    for (uint32_t v = 0; rc == 0 && v < s->info.max_vcpus; v++)
        rc = save_context(s, HV_SAVE_TYPE_VCPU, v);
    if (rc == 0 && s->shared_info_gfn != HV_INVALID_FRAME)
        rc = save_context(s, HV_SAVE_TYPE_SHARED_INFO, 0);
    if (rc == 0)
        rc = save_optional_context(s, HV_SAVE_TYPE_EVENT_CHANNELS);
    if (rc == 0)
        rc = save_optional_context(s, HV_SAVE_TYPE_TIMERS);
    if (rc == 0)
        rc = save_context(s, HV_SAVE_TYPE_CONSOLE_RING, 0);
    if (rc == 0 && (rc = hvsave_writer_finish(s->w)) < 0)
        writer_fail(s, rc);
    return rc;
}

static int close_output(struct saver *s)
{
    int fd = s->fd;

    s->fd = -1;
    if (fd == STDOUT_FILENO || close(fd) == 0)
        return 0;
    return save_fail(s, -errno, "cannot write %s: %s", s->o->path, strerror(errno));
}

static int write_image(struct saver *s)
{
    int rc = open_output(s);

    if (rc == 0)
        rc = pause_and_describe(s);
    if (rc == 0)
        rc = find_shared_info(s);
    if (rc == 0)
        rc = open_writer(s);
    if (rc == 0) {
        progress_init(&s->progress, "saving", s->info.tot_pages);
        rc = save_pages(s);
        progress_end(&s->progress);
    }
    if (rc == 0)
        rc = save_state(s);
    if (rc == 0)
        rc = close_output(s);
    return rc;
}

/* After a failure: the domain runs again, the partial image goes. */
static void undo_save(const struct hvcli_ctx *ctx, struct saver *s)
{
    char extra[PATH_MAX + 160] = "";
    int rc = s->paused ? hvctl_domain_unpause(s->h, s->domid) : 0;

    if (rc < 0)
        snprintf(extra, sizeof(extra), "; and unpausing it failed: %s", strerror(-rc));
    if (s->fd >= 0 && s->fd != STDOUT_FILENO)
        close(s->fd);
    if (s->remove_on_failure && unlink(s->o->path) == 0)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
                 "; partial image %s removed", s->o->path);
    else if (is_stdout(s->o) && hvsave_writer_offset(s->w) > 0)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
                 "; %" PRIu64 " octets of an incomplete image went to standard output",
                 hvsave_writer_offset(s->w));
    hvcli_err(ctx, "cannot save domain '%s': %s%s", s->o->dom, s->why, extra);
}

/* The image is complete: destroy the domain, or let it run on (-c). */
static int finish_save(const struct hvcli_ctx *ctx, struct saver *s)
{
    const char *name = s->info.name;
    int rc;

    if (s->o->checkpoint) {
        rc = hvctl_domain_unpause(s->h, s->domid);
        if (rc < 0)
            hvcli_err(ctx, "saved domain '%s', but cannot unpause it: %s", name, strerror(-rc));
    } else {
        rc = hvctl_domain_destroy(s->h, s->domid);
        if (rc < 0)
            hvcli_err(ctx, "saved domain '%s', but cannot destroy it (it stays paused): %s",
                      name, strerror(-rc));
    }
    if (rc == 0)
        fprintf(stderr, "Saved domain %s (domid %" PRIu32 ") to %s%s\n", name, s->domid,
                is_stdout(s->o) ? "standard output" : s->o->path,
                s->o->checkpoint ? "; it keeps running" : "");
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

static int run_save(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    struct save_opts o = { .checkpoint = false };
    struct saver s = { .o = &o, .fd = -1, .shared_info_gfn = HV_INVALID_FRAME };
    int rc = parse_save_opts(ctx, argc, argv, &o);

    if (rc >= 0)
        return rc;
    if (hvcli_open(ctx, &s.h) < 0)
        return HVCLI_EXIT_FAILURE;
    if (hvcli_lookup(ctx, s.h, o.dom, &s.domid) < 0) {
        hvctl_close(s.h);
        return HVCLI_EXIT_FAILURE;
    }
    s.ctx = malloc(HV_PRIVCMD_MAX_BUF);
    domstream_signals_catch();
    rc = s.ctx ? write_image(&s) : save_fail(&s, -ENOMEM, "out of memory");
    if (rc < 0) {
        undo_save(ctx, &s);
        rc = HVCLI_EXIT_FAILURE;
    } else {
        rc = finish_save(ctx, &s);
    }
    domstream_signals_restore();
    hvsave_writer_close(s.w);
    dom_memory_unmap(&s.mem);
    free(s.ctx);
    hvctl_close(s.h);
    return rc;
}

const struct hvcli_verb hvcli_verb_save = {
    .name = "save",
    .synopsis = "save [-c] [-z] DOM FILE|-",
    .summary = "save a domain's memory and state to a file, then destroy it",
    .help = "Pauses the domain, writes its memory and state as an hv save image\n"
            "(docs/specs/save-stream.md) to FILE, or to standard output if FILE is -,\n"
            "and destroys the domain.  If anything fails the domain is unpaused and\n"
            "runs on, and a partial FILE is removed.  Shows progress when standard\n"
            "error is a terminal.  hvcli restore reads the image back.\n"
            "\n"
            "Options:\n"
            "  -c, --checkpoint  keep the domain: unpause it after the save\n"
            "  -z, --compress    compress the memory pages (zlib)\n"
            "  -h, --help        show this help\n",
    .run = run_save,
};
