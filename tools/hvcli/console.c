/* hvcli console: relay a domain's console to this terminal (or pipe). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "hvcli.h"

#define DETACH_CHAR 0x1d /* Ctrl-] */
#define RELAY_BUF   4096

static volatile sig_atomic_t stop_signal;

static void note_stop_signal(int sig)
{
    stop_signal = sig;
}

/* Catch the signals that end the relay so the terminal can be restored.
 * They stay blocked except inside ppoll(), so none is missed between the
 * check of stop_signal and the wait.  *unblocked gets the mask to wait
 * with; *saved the mask to restore. */
static void catch_stop_signals(sigset_t *unblocked, sigset_t *saved)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;
    sigset_t block;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = note_stop_signal;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&block, sigs[i]);
    }
    /* Write errors (EPIPE) are reported, not fatal signals. */
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_BLOCK, &block, saved);
    *unblocked = *saved;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigdelset(unblocked, sigs[i]);
}

/* Raw input (every key goes to the guest, Ctrl-C included), but keep
 * output processing so that a guest's bare "\n" still starts a new line. */
static int terminal_make_raw(const struct termios *saved)
{
    struct termios raw = *saved;

    cfmakeraw(&raw);
    raw.c_oflag = saved->c_oflag;
    return tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0 ? -errno : 0;
}

/* Write all of buf, through partial writes, EINTR and a non-blocking fd. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };

            poll(&p, 1, -1);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read one side; returns bytes read, 0 at EOF, -EAGAIN to retry, or -errno. */
static ssize_t read_some(int fd, char *buf, size_t len)
{
    ssize_t n = read(fd, buf, len);

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return -EAGAIN;
    return n < 0 ? -errno : n;
}

enum relay_step { RELAY_GO_ON, RELAY_DONE, RELAY_FAILED };

/* Console output to stdout.  hvd closing the stream is the normal end. */
static enum relay_step relay_output(const struct hvcli_ctx *ctx, int fd)
{
    char buf[RELAY_BUF];
    ssize_t n = read_some(fd, buf, sizeof(buf));
    int rc;

    if (n == -EAGAIN)
        return RELAY_GO_ON;
    if (n == 0 || n == -ECONNRESET)
        return RELAY_DONE;
    if (n < 0) {
        hvcli_err(ctx, "cannot read the console: %s", strerror((int)-n));
        return RELAY_FAILED;
    }
    rc = write_all(STDOUT_FILENO, buf, (size_t)n);
    if (rc < 0) {
        hvcli_err(ctx, "cannot write to standard output: %s", strerror(-rc));
        return RELAY_FAILED;
    }
    return RELAY_GO_ON;
}

/* Standard input to the console.  At its EOF stop reading it (*in_fd = -1)
 * but keep showing output; on a terminal, Ctrl-] detaches. */
static enum relay_step relay_input(const struct hvcli_ctx *ctx, int fd, int *in_fd, bool tty)
{
    char buf[RELAY_BUF];
    ssize_t n = read_some(*in_fd, buf, sizeof(buf));
    size_t len;
    char *detach;
    int rc;

    if (n == -EAGAIN)
        return RELAY_GO_ON;
    if (n < 0) {
        hvcli_err(ctx, "cannot read standard input: %s", strerror((int)-n));
        return RELAY_FAILED;
    }
    if (n == 0) {
        *in_fd = -1;
        return RELAY_GO_ON;
    }
    detach = tty ? memchr(buf, DETACH_CHAR, (size_t)n) : NULL;
    len = detach ? (size_t)(detach - buf) : (size_t)n;
    rc = write_all(fd, buf, len);
    /* hvd closed the stream: what it sent before is still to be read. */
    if (rc == -EPIPE || rc == -ECONNRESET)
        *in_fd = -1;
    else if (rc < 0) {
        hvcli_err(ctx, "cannot write to the console: %s", strerror(-rc));
        return RELAY_FAILED;
    }
    return detach ? RELAY_DONE : RELAY_GO_ON;
}

static int relay(const struct hvcli_ctx *ctx, int fd, bool tty, const sigset_t *waitmask)
{
    struct pollfd pfd[2] = {
        { .fd = fd, .events = POLLIN },
        { .fd = STDIN_FILENO, .events = POLLIN },
    };
    enum relay_step step = RELAY_GO_ON;

    while (step == RELAY_GO_ON) {
        if (stop_signal)
            return 128 + stop_signal;
        if (ppoll(pfd, 2, NULL, waitmask) < 0) {
            if (errno == EINTR)
                continue;
            hvcli_err(ctx, "poll: %s", strerror(errno));
            return HVCLI_EXIT_FAILURE;
        }
        if (pfd[0].revents)
            step = relay_output(ctx, fd);
        if (step == RELAY_GO_ON && (pfd[1].revents & POLLNVAL)) /* stdin is closed */
            pfd[1].fd = -1;
        else if (step == RELAY_GO_ON && pfd[1].revents)
            step = relay_input(ctx, fd, &pfd[1].fd, tty);
    }
    return step == RELAY_DONE ? HVCLI_EXIT_OK : HVCLI_EXIT_FAILURE;
}

int hvcli_console_run(const struct hvcli_ctx *ctx, int fd)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios saved_tio;
    sigset_t waitmask, saved_mask;
    int rc;

    catch_stop_signals(&waitmask, &saved_mask);
    if (tty && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
        rc = terminal_make_raw(&saved_tio);
        if (rc < 0) {
            hvcli_err(ctx, "cannot put the terminal in raw mode: %s", strerror(-rc));
            rc = HVCLI_EXIT_FAILURE;
            goto out;
        }
    } else {
        tty = false;
    }
    rc = relay(ctx, fd, tty, &waitmask);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
out:
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    close(fd);
    return rc;
}

static int exec_console(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    const char *dom = args->operands[0];
    hvctl_t *h;
    uint32_t domid;
    int fd, rc;

    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvcli_lookup(ctx, h, dom, &domid);
    if (rc == 0) {
        rc = hvctl_console_attach(h, domid, &fd);
        if (rc < 0)
            hvcli_err(ctx, "cannot attach to the console of '%s': %s", dom, strerror(-rc));
    }
    hvctl_close(h);
    return rc < 0 ? HVCLI_EXIT_FAILURE : hvcli_console_run(ctx, fd);
}

const struct hvcli_verb hvcli_verb_console = {
    .name = "console",
    .summary = "attach to a domain's console (Ctrl-] detaches)",
    .operands = "DOM",
    .min_operands = 1,
    .max_operands = 1,
    .details = "Shows what the console ring still holds, then new output, until the\n"
               "domain is destroyed.  On a terminal, keys go to the guest and Ctrl-]\n"
               "detaches; otherwise standard input is sent until its end and output\n"
               "is shown until the domain is gone.\n",
    .exec = exec_console,
};
