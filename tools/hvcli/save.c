/*
 * hvcli save: write a domain to a file or standard output with libhvguest's
 * save engine, then destroy it (or, with -c, let it run on).  Whatever
 * fails, the domain runs on and a partial image file is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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
    struct xen_domctl_getdomaininfo info; /* before the save */
    int fd;                               /* the image, or -1 */
    bool remove_on_failure;               /* a regular file we opened for writing */
    struct hvguest_status st;
};

enum { OPT_CHECKPOINT, OPT_COMPRESS };

static const struct hvcli_opt save_options[] = {
    [OPT_CHECKPOINT] = { "checkpoint", 'c', NULL, "keep the domain: unpause it after the save" },
    [OPT_COMPRESS] = { "compress", 'z', NULL, "compress the memory pages (zlib)" },
    { NULL, 0, NULL, NULL },
};

static bool is_stdout(const struct save_opts *o)
{
    return strcmp(o->path, "-") == 0;
}

/* Open FILE (created or truncated) or take standard output. */
static int open_output(const struct hvcli_ctx *ctx, struct saver *s)
{
    struct stat st;

    if (is_stdout(s->o)) {
        if (isatty(STDOUT_FILENO)) {
            hvcli_err(ctx,
                      "cannot save domain '%s': standard output is a terminal: "
                      "redirect it, or name a file",
                      s->o->dom);
            return -EINVAL;
        }
        s->fd = STDOUT_FILENO;
        return 0;
    }
    s->fd = open(s->o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (s->fd < 0) {
        int err = errno;
        hvcli_err(ctx, "cannot save domain '%s': cannot create %s: %s", s->o->dom, s->o->path,
                  strerror(err));
        return -err;
    }
    s->remove_on_failure = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
    return 0;
}

/* The image is written: it must also reach its file. */
static int close_output(struct saver *s)
{
    int fd = s->fd;

    s->fd = -1;
    if (fd == STDOUT_FILENO || close(fd) == 0)
        return 0;
    int err = errno;
    snprintf(s->st.error, sizeof(s->st.error), "cannot write %s: %s", s->o->path, strerror(err));
    return -err;
}

/* After a failure: the partial image goes, the domain runs on. */
static void report_failure(const struct hvcli_ctx *ctx, struct saver *s, bool still_paused)
{
    char extra[PATH_MAX + 160] = "";
    int rc = still_paused ? hvctl_domain_unpause(s->h, s->domid) : 0;

    if (rc < 0)
        snprintf(extra, sizeof(extra), "; and unpausing it failed: %s", strerror(-rc));
    if (s->fd >= 0 && s->fd != STDOUT_FILENO)
        close(s->fd);
    if (s->remove_on_failure && unlink(s->o->path) == 0)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "; partial image %s removed",
                 s->o->path);
    else if (is_stdout(s->o) && s->st.octets > 0)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
                 "; %" PRIu64 " octets of an incomplete image went to standard output",
                 s->st.octets);
    hvcli_err(ctx, "cannot save domain '%s': %s%s", s->o->dom, s->st.error, extra);
}

/* What became of the domain, for the closing line. */
static const char *fate(const struct saver *s)
{
    if (!s->o->checkpoint)
        return "";
    if (s->st.run_state == HVGUEST_RUN_SHUTDOWN)
        return "; it stays shut down, as it was";
    return s->st.run_state == HVGUEST_RUN_PAUSED ? "; it stays paused, as it was"
                                                 : "; it keeps running";
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
            hvcli_err(ctx, "saved domain '%s', but cannot destroy it (it stays paused): %s", name,
                      strerror(-rc));
    }
    if (rc == 0)
        fprintf(stderr, "Saved domain %s (domid %" PRIu32 ") to %s%s\n", name, s->domid,
                is_stdout(s->o) ? "standard output" : s->o->path, fate(s));
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

/* Write the image; signals are caught from the engine's start until the
 * domain is destroyed or runs on, so none can leave it paused. */
static int save_domain(const struct hvcli_ctx *ctx, struct saver *s)
{
    struct progress p;
    int saved, status = HVCLI_EXIT_FAILURE, rc = hvctl_domain_getinfo(s->h, s->domid, &s->info);

    if (rc < 0) {
        hvcli_err(ctx, "cannot save domain '%s': cannot read its info: %s", s->o->dom,
                  strerror(-rc));
        return HVCLI_EXIT_FAILURE;
    }
    if (open_output(ctx, s) < 0)
        return HVCLI_EXIT_FAILURE;
    domstream_begin(&p, "saving");
    saved = domstream_engine_done(&p,
                                  hvguest_save(s->h, s->domid, s->fd,
                                               s->o->zlib ? HVGUEST_SAVE_ZLIB : 0, progress_report,
                                               &p, &s->st),
                                  &s->st);
    rc = saved == 0 ? close_output(s) : saved;
    if (rc < 0)
        report_failure(ctx, s, saved == 0); /* after a save, its pause is held */
    else
        status = finish_save(ctx, s);
    domstream_end();
    return status;
}

static int exec_save(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct save_opts o = { .checkpoint = args->value[OPT_CHECKPOINT] != NULL,
                           .zlib = args->value[OPT_COMPRESS] != NULL,
                           .dom = args->operands[0],
                           .path = args->operands[1] };
    struct saver s = { .o = &o, .fd = -1 };
    int rc;

    if (hvcli_open(ctx, &s.h) < 0)
        return HVCLI_EXIT_FAILURE;
    if (hvcli_lookup(ctx, s.h, o.dom, &s.domid) < 0)
        rc = HVCLI_EXIT_FAILURE;
    else
        rc = save_domain(ctx, &s);
    hvctl_close(s.h);
    return rc;
}

const struct hvcli_verb hvcli_verb_save = {
    .name = "save",
    .summary = "save a domain's memory and state to a file, then destroy it",
    .opts = save_options,
    .operands = "DOM FILE|-",
    .min_operands = 2,
    .max_operands = 2,
    .details = "Pauses the domain, writes its memory and state as an hv save image\n"
               "(docs/specs/save-stream.md) to FILE, or to standard output if FILE is -,\n"
               "and destroys the domain.  If anything fails the domain is unpaused and\n"
               "runs on, and a partial FILE is removed.  Shows progress when standard\n"
               "error is a terminal.  hvcli restore reads the image back.\n",
    .exec = exec_save,
};
