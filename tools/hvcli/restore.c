/*
 * hvcli restore: make a domain from a save image in a file or standard
 * input with libhvguest's restore engine, start it and follow its console.
 * A restore that fails leaves no domain behind and names the bad record.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "domstream.h"
#include "hvcli.h"

struct restore_opts {
    bool paused;  /* -p: leave it paused */
    bool no_wait; /* -e: do not follow its console */
    const char *path;
};

enum { OPT_PAUSED, OPT_NO_WAIT };

static const struct hvcli_opt restore_options[] = {
    [OPT_PAUSED] = { "paused", 'p', NULL, "leave the domain paused (start it with hvcli unpause)" },
    [OPT_NO_WAIT] = { "no-wait", 'e', NULL,
                      "do not follow the console: exit once the domain runs" },
    { NULL, 0, NULL, NULL },
};

static bool is_stdin(const struct restore_opts *o)
{
    return strcmp(o->path, "-") == 0;
}

static const char *source(const struct restore_opts *o)
{
    return is_stdin(o) ? "standard input" : o->path;
}

/* Run the engine on the image (p: progress on a terminal). */
static int read_image(const struct hvcli_ctx *ctx, hvctl_t *h, const struct restore_opts *o,
                      struct progress *p, uint32_t *domid, struct hvguest_status *st)
{
    int fd = is_stdin(o) ? STDIN_FILENO : open(o->path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0) {
        int err = errno;
        hvcli_err(ctx, "cannot restore from %s: cannot open it: %s", o->path, strerror(err));
        return -err;
    }
    rc = domstream_engine_done(p, hvguest_restore(h, fd, 0, progress_report, p, domid, st), st);
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc < 0)
        hvcli_err(ctx, "cannot restore from %s: %s", source(o), st->error);
    return rc;
}

/* Attach the console (unless -e, or the image's domain was not running)
 * and unpause (unless -p: a paused image's domain stays paused anyway, a
 * shut-down one is not unpaused); on failure the new domain goes. */
static int start_domain(const struct hvcli_ctx *ctx, hvctl_t *h, const struct restore_opts *o,
                        uint32_t domid, uint32_t run_state, int *console_fd)
{
    const char *what = "attach to its console";
    int rc = 0;

    *console_fd = -1;
    if (run_state == HVGUEST_RUN_SHUTDOWN)
        return 0; /* hvd has taken its on_* action; there is nothing to start */
    if (!o->no_wait && run_state == HVGUEST_RUN_RUNNING)
        rc = hvctl_console_attach(h, domid, console_fd);
    if (rc == 0 && !o->paused && (rc = hvctl_domain_unpause(h, domid)) < 0)
        what = "unpause it";
    if (rc == 0)
        return 0;
    if (*console_fd >= 0)
        close(*console_fd);
    *console_fd = -1;
    int drc = hvctl_domain_destroy(h, domid);
    hvcli_err(ctx, "cannot restore from %s: cannot %s: %s%s", source(o), what, strerror(-rc),
              drc < 0 ? " (and destroying the new domain failed)" : "");
    return rc;
}

/* Follow the console until the domain is gone.  A stream read from
 * standard input leaves nothing there to type to the guest. */
static int follow_console(const struct hvcli_ctx *ctx, const struct restore_opts *o, int fd)
{
    if (is_stdin(o)) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            close(null);
        }
    }
    return hvcli_console_run(ctx, fd);
}

/* The closing line's tail: the state the domain is in now. */
static const char *restored_state(const struct restore_opts *o, const struct hvguest_status *st)
{
    if (st->run_state == HVGUEST_RUN_SHUTDOWN)
        return ", shut down as it was when saved";
    if (st->run_state == HVGUEST_RUN_PAUSED)
        return ", paused as it was when saved (hvcli unpause starts it)";
    return o->paused ? ", paused" : "";
}

static int exec_restore(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct restore_opts o = { .paused = args->value[OPT_PAUSED] != NULL,
                              .no_wait = args->value[OPT_NO_WAIT] != NULL,
                              .path = args->operands[0] };
    struct xen_domctl_getdomaininfo info = { .domain = 0 };
    struct hvguest_status st = { .octets = 0 };
    struct progress p;
    hvctl_t *h;
    uint32_t domid;
    int console_fd = -1, rc;

    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    /* Signals are caught until the new domain runs or is gone: none can
     * leave it half-built or paused. */
    domstream_begin(&p, "restoring");
    rc = read_image(ctx, h, &o, &p, &domid, &st);
    if (rc == 0 && hvctl_domain_getinfo(h, domid, &info) < 0) /* its name, for the message */
        snprintf(info.name, sizeof(info.name), "(gone: its on_* action destroyed it)");
    if (rc == 0)
        rc = start_domain(ctx, h, &o, domid, st.run_state, &console_fd);
    domstream_end();
    if (rc == 0)
        fprintf(stderr, "Restored domain %s (domid %" PRIu32 ")%s\n", info.name, domid,
                restored_state(&o, &st));
    hvctl_close(h);
    if (rc < 0)
        return HVCLI_EXIT_FAILURE;
    return console_fd >= 0 ? follow_console(ctx, &o, console_fd) : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_restore = {
    .name = "restore",
    .summary = "restore a domain from a save image and run it",
    .opts = restore_options,
    .operands = "FILE|-",
    .min_operands = 1,
    .max_operands = 1,
    .details = "Reads an hv save image (as hvcli save writes it) from FILE, or from\n"
               "standard input if FILE is -, creates the domain its configuration\n"
               "describes (same name and UUID), fills its memory, restores its vCPUs,\n"
               "event channels and timers and unpauses it.  Then, like create -c, it\n"
               "shows the domain's console until the domain is destroyed.  A domain\n"
               "that was paused when saved stays paused, and one that had shut down\n"
               "is shut down again (its on_* action applies).  If anything fails the\n"
               "new domain is destroyed, and the error names the bad record (index,\n"
               "type, stream offset) and why.  Shows progress when standard error is\n"
               "a terminal.\n",
    .exec = exec_restore,
};
