/*
 * hvcli migrate's channels to the receiver: a TCP connection, or a
 * command (ssh HOST hvcli migrate-receive) run with a socket as its
 * standard input and output.
 */
#ifndef HVCLI_CHANNEL_H
#define HVCLI_CHANNEL_H

#include <stddef.h>
#include <sys/types.h>
#include "hvcli.h"

struct channel {
    int fd;      /* both directions; -1: none */
    pid_t child; /* the command's process, or 0 */
};

/* Connect to HOST:PORT ([V6ADDR]:PORT too) within timeout_ms.  Reports
 * the failure; returns 0 or -errno. */
int channel_connect(const struct hvcli_ctx *ctx, const char *hostport, int timeout_ms,
                    struct channel *c);

/* Run command through /bin/sh with a socket as its stdin and stdout. */
int channel_spawn(const struct hvcli_ctx *ctx, const char *command, struct channel *c);

/* Close the channel and reap the command (killed if it lingers). */
void channel_close(struct channel *c);

/* Listen on ADDR:PORT (PORT 0: any); *bound gets "ADDR:PORT" as bound. */
int channel_listen(const struct hvcli_ctx *ctx, const char *addrport, int *fd, char *bound,
                   size_t len);

#endif
