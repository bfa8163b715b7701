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

/* arg: a bool, whether to follow. */
static int print_log(const struct hvcli_ctx *ctx, hvctl_t *h, const void *arg)
{
    bool follow = *(const bool *)arg;
    const struct timespec poll_interval = { .tv_sec = 0, .tv_nsec = FOLLOW_POLL_NS };
    char buf[DMESG_CHUNK];
    uint64_t index = 0;
    int rc;

    while ((rc = print_available(ctx, h, &index, buf)) == 0 && follow)
        nanosleep(&poll_interval, NULL);
    return rc;
}

enum { OPT_FOLLOW };

static const struct hvcli_opt dmesg_options[] = {
    [OPT_FOLLOW] = { "follow", 'f', NULL,
                     "keep printing new lines as hvd logs them (until interrupted)" },
    { NULL, 0, NULL, NULL },
};

static int exec_dmesg(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    bool follow = args->value[OPT_FOLLOW] != NULL;

    return hvcli_run(ctx, print_log, &follow);
}

const struct hvcli_verb hvcli_verb_dmesg = {
    .name = "dmesg",
    .summary = "print hvd's log (the oldest lines the ring still holds first)",
    .opts = dmesg_options,
    .exec = exec_dmesg,
};
