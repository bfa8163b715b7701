/* hvcli dmesg: print hvd's log ring, and optionally follow it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "hvcli.h"

#define DMESG_CHUNK    16384      /* bytes per readconsole request */
#define FOLLOW_POLL_NS 200000000L /* -f: look for new lines every 200 ms */

/* Print the log from *index until hvd has nothing more. */
static int print_available(const struct hvcli_ctx *ctx, hvctl_t *h, uint64_t *index, char *buf)
{
    for (;;) {
        int n = hvctl_readconsole(h, index, buf, DMESG_CHUNK);

        if (n < 0) {
            hvcli_err(ctx, "cannot read hvd's log: %s", strerror(-n));
            return n;
        }
        if (n == 0)
            return 0;
        errno = 0;
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout) != 0) {
            int err = errno ? errno : EIO;

            hvcli_err(ctx, "cannot write to standard output: %s", strerror(err));
            return -err;
        }
    }
}

static int print_log(const struct hvcli_ctx *ctx, hvctl_t *h, bool follow)
{
    const struct timespec poll_interval = { .tv_sec = 0, .tv_nsec = FOLLOW_POLL_NS };
    char buf[DMESG_CHUNK];
    uint64_t index = 0;
    int rc;

    while ((rc = print_available(ctx, h, &index, buf)) == 0 && follow)
        nanosleep(&poll_interval, NULL);
    return rc;
}

static int run_dmesg(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "follow", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool follow = false;
    hvctl_t *h;
    int c, rc;

    while ((c = hvcli_getopt(ctx, argc, argv, ":fh", longopts)) != -1) {
        switch (c) {
        case 'f': follow = true; break;
        case 'h':
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        default:
            return HVCLI_EXIT_USAGE;
        }
    }
    if (hvcli_check_operands(ctx, argc - optind, 0, 0) < 0)
        return HVCLI_EXIT_USAGE;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = print_log(ctx, h, follow);
    hvctl_close(h);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_dmesg = {
    .name = "dmesg",
    .synopsis = "dmesg [-f]",
    .summary = "print hvd's log (the oldest lines the ring still holds first)",
    .help = "Options:\n"
            "  -f, --follow  keep printing new lines as hvd logs them (until interrupted)\n"
            "  -h, --help    show this help\n",
    .run = run_dmesg,
};
