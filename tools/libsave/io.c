/*
 * Full reads and writes on any fd: retried after EINTR and short
 * transfers, waiting with poll() when the fd is not ready (EAGAIN from an
 * O_NONBLOCK fd) and, with a timeout, before every transfer, so that a
 * peer that stops mid-way is noticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

#define SMALL_WRITE_IOVS 16 /* iovec entries of one PIPE_BUF write */

void hvsave_io_init(struct hvsave_io *io, int fd, int timeout_ms)
{
    struct stat st;
    bool known = fstat(fd, &st) == 0;
    int flags = fcntl(fd, F_GETFL);
    *io = (struct hvsave_io){ .fd = fd, .timeout_ms = timeout_ms };
    io->socket = timeout_ms > 0 && known && S_ISSOCK(st.st_mode);
    /*
     * A blocking write() to a pipe returns only once all of it is in the
     * pipe, however long the reader takes.  poll() promises room for
     * PIPE_BUF octets, so a timeout is kept by writing no more at a time.
     * Files and block devices are always ready; an O_NONBLOCK fd never blocks.
     */
    io->small_writes = timeout_ms > 0 && !io->socket && flags >= 0 && !(flags & O_NONBLOCK) &&
                       !(known && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)));
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Wait until fd is ready for events: 0, -ETIMEDOUT once io->timeout_ms
 * have passed (0: wait for ever), or -errno.  A signal does not extend
 * the wait: it goes on until the same deadline.
 */
static int wait_ready(struct hvsave_io *io, short events)
{
    int64_t deadline = io->timeout_ms ? now_ns() + (int64_t)io->timeout_ms * 1000000 : 0;
    for (;;) {
        struct pollfd p = { .fd = io->fd, .events = events };
        int64_t left_ns = deadline ? deadline - now_ns() : -1;
        int left_ms = left_ns < 0 ? (deadline ? 0 : -1) : (int)((left_ns + 999999) / 1000000);
        int n = poll(&p, 1, left_ms);
        if (n > 0)
            return 0; /* readable, writable, or an error the transfer itself reports */
        if (n == 0) {
            io->timed_out = true;
            return -ETIMEDOUT;
        }
        if (errno != EINTR)
            return -errno;
    }
}

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

int hvsave_read_full(struct hvsave_io *io, void *buf, size_t len, size_t *got)
{
    size_t done = 0;
    bool wait = io->timeout_ms > 0;
    int rc = 0;
    while (done < len && !rc) {
        if (wait && (rc = wait_ready(io, POLLIN)))
            break;
        ssize_t n = read(io->fd, (char *)buf + done, len - done);
        wait = io->timeout_ms > 0 || (n < 0 && would_block(errno));
        if (n > 0)
            done += (size_t)n;
        else if (n == 0)
            rc = -ENODATA;
        else if (errno != EINTR && !would_block(errno))
            rc = -errno;
    }
    *got = done;
    return rc;
}

/* Drop the first n octets from iov[*first..cnt-1]. */
static void iov_advance(struct iovec *iov, int *first, int cnt, size_t n)
{
    while (*first < cnt && n >= iov[*first].iov_len) {
        n -= iov[*first].iov_len;
        (*first)++;
    }
    if (*first < cnt) {
        iov[*first].iov_base = (char *)iov[*first].iov_base + n;
        iov[*first].iov_len -= n;
    }
}

/* Write the first PIPE_BUF octets (at most) of iov[0..cnt-1]. */
static ssize_t write_small(int fd, const struct iovec *iov, int cnt)
{
    struct iovec part[SMALL_WRITE_IOVS];
    size_t room = PIPE_BUF;
    int n = 0;
    for (; n < cnt && n < SMALL_WRITE_IOVS && room; n++) {
        part[n] = iov[n];
        if (part[n].iov_len > room)
            part[n].iov_len = room;
        room -= part[n].iov_len;
    }
    return writev(fd, part, n);
}

/* One write of as much of iov[0..cnt-1] as goes without blocking past the timeout. */
static ssize_t write_some(const struct hvsave_io *io, struct iovec *iov, int cnt)
{
    int batch = cnt < IOV_MAX ? cnt : IOV_MAX;
    if (io->socket) {
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)batch };
        return sendmsg(io->fd, &m, MSG_DONTWAIT);
    }
    if (io->small_writes)
        return write_small(io->fd, iov, batch);
    return writev(io->fd, iov, batch);
}

int hvsave_writev_full(struct hvsave_io *io, struct iovec *iov, int cnt)
{
    int first = 0;
    bool wait = io->timeout_ms > 0;
    iov_advance(iov, &first, cnt, 0); /* skip leading empty entries */
    while (first < cnt) {
        int rc = wait ? wait_ready(io, POLLOUT) : 0;
        if (rc)
            return rc;
        ssize_t n = write_some(io, iov + first, cnt - first);
        wait = io->timeout_ms > 0 || (n < 0 && would_block(errno));
        if (n < 0 && errno != EINTR && !would_block(errno))
            return -errno;
        if (n > 0)
            iov_advance(iov, &first, cnt, (size_t)n);
    }
    return 0;
}
