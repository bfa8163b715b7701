/*
 * hvcli migrate-receive: the receiving end of hvcli migrate.  On its
 * standard input and output (as ssh runs it), or listening on TCP for a
 * sender that presents the one-time token it prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "channel.h"
#include "hvcli.h"

enum { OPT_LISTEN, OPT_TIMEOUT, OPT_JSON };

static const struct hvcli_opt receive_options[] = {
    [OPT_LISTEN] = { "listen", 0, "ADDR:PORT",
                     "listen on TCP there (PORT 0: any) and print a one-time token" },
    [OPT_TIMEOUT] = { "timeout", 0, "SECS",
                      "give up when the sender is silent this long\n"
                      "(default 60)" },
    [OPT_JSON] = { "json", 0, NULL, "with --listen: print where and the token as JSON" },
    { NULL, 0, NULL, NULL },
};

#define TOKEN_OCTETS 16

/* 32 hex digits from the kernel's random source. */
static int make_token(char out[2 * TOKEN_OCTETS + 1])
{
    uint8_t raw[TOKEN_OCTETS];

    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return -errno;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static void say_received(const struct hvguest_receive_report *r)
{
    fprintf(stderr,
            "Received domain %s (domain %" PRIu32 "): %" PRIu32 " rounds, %" PRIu64 " pages\n",
            r->name, r->domid, r->rounds, r->pages);
}

/* One migration on in/out; 0, or -EACCES for a sender with a wrong token. */
static int receive_one(const struct hvcli_ctx *ctx, hvctl_t *h, int in, int out, const char *token,
                       uint32_t timeout_ms)
{
    struct hvguest_receive_report rep;
    struct hvguest_status st;
    int rc = hvguest_migrate_receive(h, in, out, token, timeout_ms, &rep, &st);

    if (rc < 0)
        hvcli_err(ctx, "%s", st.error);
    else
        say_received(&rep);
    return rc;
}

static int print_listening(const struct hvcli_ctx *ctx, const char *where, const char *token,
                           bool json)
{
    const struct hvcfg_json_member m[] = { { "listen", where, 0 }, { "token", token, 0 } };
    char *out = NULL;

    if (!json) {
        printf("listening on %s token %s\n", where, token);
    } else if (hvcli_put_json(ctx, hvcfg_json_report(m, 2, NULL, NULL, 0, 0, &out), out) < 0) {
        return -EIO;
    } else {
        putchar('\n');
    }
    return fflush(stdout) == 0 ? 0 : -errno;
}

/* Senders with a wrong token are turned away; the first with the right
 * one is the migration, and the token is spent. */
static int serve_listener(const struct hvcli_ctx *ctx, hvctl_t *h, int lfd, const char *token,
                          uint32_t timeout_ms)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
            continue;
        if (fd < 0) {
            hvcli_err(ctx, "cannot accept a sender: %s", strerror(errno));
            return -errno;
        }
        int rc = receive_one(ctx, h, fd, fd, token, timeout_ms);
        close(fd);
        if (rc != -EACCES)
            return rc;
    }
}

static int listen_and_receive(const struct hvcli_ctx *ctx, hvctl_t *h, const char *addr,
                              uint32_t timeout_ms, bool json)
{
    char where[128], token[2 * TOKEN_OCTETS + 1];
    int lfd, rc = make_token(token);

    if (rc < 0) {
        hvcli_err(ctx, "cannot make a token: %s", strerror(-rc));
        return rc;
    }
    if ((rc = channel_listen(ctx, addr, &lfd, where, sizeof(where))) < 0)
        return rc;
    rc = print_listening(ctx, where, token, json);
    if (rc == 0)
        rc = serve_listener(ctx, h, lfd, token, timeout_ms);
    close(lfd);
    return rc;
}

static int exec_receive(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    const char *listen = args->value[OPT_LISTEN];
    double secs = 0;
    hvctl_t *h;
    int rc;

    if (args->value[OPT_TIMEOUT] && hvcli_parse_timeout(ctx, args->value[OPT_TIMEOUT], &secs) < 0)
        return HVCLI_EXIT_USAGE;
    if (args->value[OPT_JSON] && !listen) {
        hvcli_err(ctx, "--json goes with --listen (standard output is the channel otherwise)");
        return HVCLI_EXIT_USAGE;
    }
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    signal(SIGPIPE, SIG_IGN); /* a sender gone is -EPIPE, reported */
    uint32_t timeout_ms = (uint32_t)(secs * 1000 + 0.5);
    if (listen)
        rc = listen_and_receive(ctx, h, listen, timeout_ms, args->value[OPT_JSON] != NULL);
    else
        rc = receive_one(ctx, h, STDIN_FILENO, STDOUT_FILENO, NULL, timeout_ms);
    hvctl_close(h);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_migrate_receive = {
    .name = "migrate-receive",
    .summary = "receive a domain that hvcli migrate sends",
    .opts = receive_options,
    .operands = "",
    .min_operands = 0,
    .max_operands = 0,
    .details = "The receiving end of hvcli migrate, which runs it through ssh and speaks\n"
               "on its standard input and output.  The domain is built paused under the\n"
               "name NAME--incoming, checked to its end, and takes its own name and runs\n"
               "only when the sender says go; if anything fails first, nothing of it stays\n"
               "here (hvd destroys it even if this process is killed).\n"
               "\n"
               "With --listen, waits for a sender on TCP instead: prints one line\n"
               "`listening on ADDR:PORT token TOKEN` and receives from the first sender\n"
               "that presents TOKEN (hvcli migrate --tcp ADDR:PORT --token TOKEN DOM);\n"
               "senders with another token are turned away.  For trusted networks only:\n"
               "the stream is neither encrypted nor authenticated beyond the token.\n",
    .exec = exec_receive,
};
