/*
 * The connection to hvd: one SOCK_SEQPACKET message per request and per
 * reply, descriptors passed with SCM_RIGHTS (see public/privcmd.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <hv/public/privcmd.h>
#include "private.h"

HVCTL_API const char *hvctl_default_socket(void)
{
    const char *s = getenv("HVD_SOCKET");
    return s && *s ? s : HVCTL_DEFAULT_SOCKET;
}

HVCTL_API int hvctl_open(hvctl_t **out, const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (!path)
        path = hvctl_default_socket();
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    hvctl_t *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (h->fd < 0 || connect(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = errno;
        hvctl_close(h);
        return -err;
    }
    *out = h;
    return 0;
}

HVCTL_API void hvctl_close(hvctl_t *h)
{
    if (!h)
        return;
    if (h->fd >= 0)
        close(h->fd);
    free(h);
}

static int send_request(hvctl_t *h, uint32_t kind, const void *op, size_t op_len, const void *buf,
                        size_t buf_len)
{
    struct hv_privcmd_request req = { .magic = HV_PRIVCMD_MAGIC,
                                      .kind = kind,
                                      .buf_len = (uint32_t)buf_len };
    struct iovec iov[3] = { { &req, sizeof(req) },
                            { (void *)op, op_len },
                            { (void *)buf, buf_len } };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = buf_len ? 3 : 2 };
    ssize_t n;
    do {
        n = sendmsg(h->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

/* Keep the descriptors the caller asked for; close the rest. */
static int take_fds(struct msghdr *msg, int *fd_out)
{
    int got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int fds[HV_PRIVCMD_MAX_FDS];
        memcpy(fds, CMSG_DATA(c), n * sizeof(int));
        for (size_t i = 0; i < n; i++) {
            if (fd_out && got == 0)
                *fd_out = fds[i];
            else
                close(fds[i]);
            got++;
        }
    }
    return got;
}

/*
 * One reply.  When hvd closes a connection that still held a request of
 * ours (it refused the connection), the socket reports ECONNRESET once
 * before the reply hvd sent first can be read: read on past it.
 */
static int recv_reply(hvctl_t *h, int flags, void *op, size_t op_len, void *buf, size_t buf_len,
                      size_t *out_len, int *fd_out)
{
    struct hv_privcmd_reply rep;
    uint8_t *tail = malloc(HV_PRIVCMD_MAX_BUF);
    if (!tail)
        return -ENOMEM;
    struct iovec iov[3] = { { &rep, sizeof(rep) }, { op, op_len }, { tail, HV_PRIVCMD_MAX_BUF } };
    union {
        struct cmsghdr align;
        char b[CMSG_SPACE(sizeof(int) * HV_PRIVCMD_MAX_FDS)];
    } cmsg;
    struct msghdr msg = {
        .msg_iov = iov, .msg_iovlen = 3, .msg_control = cmsg.b, .msg_controllen = sizeof(cmsg.b)
    };
    ssize_t n;
    bool reset_seen = false;
    for (;;) {
        n = recvmsg(h->fd, &msg, MSG_CMSG_CLOEXEC | flags);
        if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset_seen)))
            break;
        reset_seen |= errno == ECONNRESET;
    }
    int rc;
    if (n < 0)
        rc = -errno;
    else if (n == 0)
        rc = -ECONNRESET; /* hvd went away */
    else if ((size_t)n < sizeof(rep) || rep.magic != HV_PRIVCMD_MAGIC)
        rc = -EPROTO;
    else if (rep.rc > INT_MAX)
        rc = -ERANGE; /* a result our int return cannot carry: never truncate */
    else if (rep.rc < -4095)
        rc = -EPROTO; /* not an errno */
    else
        rc = (int)rep.rc;
    int nfds = take_fds(&msg, rc >= 0 ? fd_out : NULL);
    if (rc >= 0 && fd_out && nfds == 0)
        rc = -EPROTO;
    if (rc >= 0 && n >= 0) {
        size_t got = (size_t)n > sizeof(rep) + op_len ? (size_t)n - sizeof(rep) - op_len : 0;
        if (got > buf_len)
            rc = -ENOBUFS;
        else if (buf)
            memcpy(buf, tail, got);
        if (out_len)
            *out_len = got;
    }
    free(tail);
    return rc;
}

static int transact(hvctl_t *h, uint32_t kind, void *op, size_t op_len, const void *in,
                    size_t in_len, void *out, size_t out_len, size_t *got, int *fd_out)
{
    if (!h || in_len > HV_PRIVCMD_MAX_BUF)
        return -EINVAL;
    int rc = send_request(h, kind, op, op_len, in, in_len);
    if (rc == -EPIPE || rc == -ECONNRESET) {
        /* hvd may have refused the connection (-EUSERS) and said so before closing it. */
        int why = recv_reply(h, MSG_DONTWAIT, op, op_len, NULL, 0, NULL, NULL);
        return why < 0 && why != -EAGAIN && why != -ECONNRESET ? why : rc;
    }
    return rc ? rc : recv_reply(h, 0, op, op_len, out, out_len, got, fd_out);
}

HVCTL_API int hvctl_domctl(hvctl_t *h, struct xen_domctl *op, const void *buf_in, size_t buf_in_len,
                           void *buf_out, size_t buf_out_len, size_t *out_len, int *fd_out)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return transact(h, HV_PRIVCMD_DOMCTL, op, sizeof(*op), buf_in, buf_in_len, buf_out, buf_out_len,
                    out_len, fd_out);
}

int hvctl_sysctl_in(hvctl_t *h, struct xen_sysctl *op, const void *buf_in, size_t buf_in_len,
                    void *buf_out, size_t buf_out_len, size_t *out_len)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return transact(h, HV_PRIVCMD_SYSCTL, op, sizeof(*op), buf_in, buf_in_len, buf_out, buf_out_len,
                    out_len, NULL);
}

HVCTL_API int hvctl_sysctl(hvctl_t *h, struct xen_sysctl *op, void *buf_out, size_t buf_out_len,
                           size_t *out_len)
{
    return hvctl_sysctl_in(h, op, NULL, 0, buf_out, buf_out_len, out_len);
}

HVCTL_API int hvctl_sysctl_fd(hvctl_t *h, struct xen_sysctl *op, int *fd_out)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return transact(h, HV_PRIVCMD_SYSCTL, op, sizeof(*op), NULL, 0, NULL, 0, NULL, fd_out);
}

int hvctl_domctl_on(hvctl_t *h, uint32_t domid, struct xen_domctl *op, const void *buf_in,
                    size_t buf_in_len, void *buf_out, size_t buf_out_len, size_t *out_len,
                    int *fd_out)
{
    if (domid > UINT16_MAX)
        return -ESRCH; /* no domid is that large: no such domain */
    op->domain = (domid_t)domid;
    return hvctl_domctl(h, op, buf_in, buf_in_len, buf_out, buf_out_len, out_len, fd_out);
}

int hvctl_domctl_read(hvctl_t *h, uint32_t domid, struct xen_domctl *op, void *buf, size_t cap,
                      const uint32_t *reported, size_t *got)
{
    int rc = hvctl_domctl_on(h, domid, op, NULL, 0, buf, cap, got, NULL);

    if (rc < 0)
        return rc;
    return *got == *reported ? 0 : -EPROTO;
}
