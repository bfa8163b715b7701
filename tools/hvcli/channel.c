/* hvcli migrate's channels: TCP, or a command over a socket pair. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "channel.h"

#define REAP_WAIT_MS 5000 /* a command that outlives its channel this long is killed */

/* Split "HOST:PORT" or "[V6]:PORT" into host and port (both in buf). */
static int split_hostport(const char *s, char *buf, size_t len, const char **host,
                          const char **port)
{
    char *colon;

    if (strlen(s) >= len)
        return -EINVAL;
    strcpy(buf, s);
    colon = strrchr(buf, ':');
    if (!colon || colon == buf || !colon[1])
        return -EINVAL;
    *colon = '\0';
    *port = colon + 1;
    *host = buf;
    if (buf[0] == '[' && colon[-1] == ']') {
        colon[-1] = '\0';
        *host = buf + 1;
    }
    return 0;
}

static int resolve(const struct hvcli_ctx *ctx, const char *hostport, bool passive,
                   struct addrinfo **ai)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = passive ? AI_PASSIVE : 0 };
    const char *host, *port;
    char buf[512];
    int rc;

    if (split_hostport(hostport, buf, sizeof(buf), &host, &port) < 0) {
        hvcli_err(ctx, "'%s' is not HOST:PORT", hostport);
        return -EINVAL;
    }
    if ((rc = getaddrinfo(host, port, &hints, ai)) != 0) {
        hvcli_err(ctx, "cannot resolve '%s': %s", hostport, gai_strerror(rc));
        return -EHOSTUNREACH;
    }
    return 0;
}

/* A non-blocking connect that gives up after timeout_ms. */
static int connect_within(int fd, const struct addrinfo *a, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int err = 0;
    socklen_t len = sizeof(err);

    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -errno;
    int n = poll(&p, 1, timeout_ms);
    if (n <= 0)
        return n == 0 ? -ETIMEDOUT : -errno;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return -err;
}

int channel_connect(const struct hvcli_ctx *ctx, const char *hostport, int timeout_ms,
                    struct channel *c)
{
    struct addrinfo *ai, *a;
    int rc = resolve(ctx, hostport, false, &ai);

    if (rc < 0)
        return rc;
    for (a = ai, rc = -EHOSTUNREACH; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            continue;
        if ((rc = connect_within(fd, a, timeout_ms)) == 0) {
            *c = (struct channel){ .fd = fd };
            break;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    if (rc < 0)
        hvcli_err(ctx, "cannot connect to %s: %s", hostport, strerror(-rc));
    return rc;
}

int channel_spawn(const struct hvcli_ctx *ctx, const char *command, struct channel *c)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        hvcli_err(ctx, "cannot make a socket pair: %s", strerror(errno));
        return -errno;
    }
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        if (dup2(sv[1], STDIN_FILENO) < 0 || dup2(sv[1], STDOUT_FILENO) < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    int err = errno;
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        hvcli_err(ctx, "cannot run '%s': %s", command, strerror(err));
        return -err;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    *c = (struct channel){ .fd = sv[0], .child = pid };
    return 0;
}

void channel_close(struct channel *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    for (int waited = 0; c->child > 0; waited += 10) {
        if (waitpid(c->child, NULL, WNOHANG) != 0)
            break;
        if (waited >= REAP_WAIT_MS) {
            kill(c->child, SIGKILL);
            waitpid(c->child, NULL, 0);
            break;
        }
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    }
    c->child = 0;
}

/* "ADDR:PORT" of a bound socket. */
static void describe_bound(int fd, char *out, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[NI_MAXHOST], port[NI_MAXSERV];

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, len, "?");
        return;
    }
    snprintf(out, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

int channel_listen(const struct hvcli_ctx *ctx, const char *addrport, int *fd, char *bound,
                   size_t len)
{
    struct addrinfo *ai;
    int one = 1, rc = resolve(ctx, addrport, true, &ai);

    if (rc < 0)
        return rc;
    *fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (*fd < 0 || setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(*fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(*fd, 4) < 0) {
        rc = -errno;
        hvcli_err(ctx, "cannot listen on %s: %s", addrport, strerror(errno));
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
    } else {
        describe_bound(*fd, bound, len);
    }
    freeaddrinfo(ai);
    return rc;
}
