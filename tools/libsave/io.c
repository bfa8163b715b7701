/* Full reads and writes on any fd: retried after EINTR and short transfers. */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "private.h"

int hvsave_read_full(int fd, void *buf, size_t len, size_t *got)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *got = done;
            return -errno;
        }
        if (n == 0) {
            *got = done;
            return -ENODATA;
        }
        done += (size_t)n;
    }
    *got = done;
    return 0;
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

int hvsave_writev_full(int fd, struct iovec *iov, int cnt)
{
    int first = 0;
    iov_advance(iov, &first, cnt, 0); /* skip leading empty entries */
    while (first < cnt) {
        int batch = cnt - first < IOV_MAX ? cnt - first : IOV_MAX;
        ssize_t n = writev(fd, iov + first, batch);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        iov_advance(iov, &first, cnt, (size_t)n);
    }
    return 0;
}
