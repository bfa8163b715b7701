/* The migration handshake's messages: framing, checks and timeouts. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "migrate_msg.h"

/* Wait for fd to be ready for events: 0, or -ETIMEDOUT. */
static int wait_ready(int fd, short events, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = events };
    int n;

    do {
        n = poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    return n == 0 ? -ETIMEDOUT : 0;
}

static int write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
    const uint8_t *p = buf;

    while (len) {
        int rc = wait_ready(fd, POLLOUT, timeout_ms);
        if (rc < 0)
            return rc;
        ssize_t n = write(fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len, int timeout_ms)
{
    uint8_t *p = buf;

    while (len) {
        int rc = wait_ready(fd, POLLIN, timeout_ms);
        if (rc < 0)
            return rc;
        ssize_t n = read(fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return errno == ECONNRESET ? -ECONNRESET : -errno;
        if (n == 0)
            return -ECONNRESET;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int mig_send(int fd, uint32_t type, const void *payload, uint32_t len, int timeout_ms)
{
    uint8_t buf[sizeof(struct mig_header) + sizeof(struct mig_error) + 8] = { 0 };
    struct mig_header h = { .magic = MIG_MAGIC, .type = type, .length = len };
    size_t padded = (len + 7u) & ~7u;

    if (len > sizeof(struct mig_error))
        return -EINVAL;
    memcpy(buf, &h, sizeof(h));
    if (len)
        memcpy(buf + sizeof(h), payload, len);
    return write_all(fd, buf, sizeof(h) + padded, timeout_ms);
}

int mig_send_error(int fd, int status, const char *text, int timeout_ms)
{
    struct mig_error e = { .status = status };
    size_t n = strcspn(text, "\n");

    n = n > MIG_TEXT_MAX ? MIG_TEXT_MAX : n;
    memcpy(e.text, text, n);
    return mig_send(fd, MIG_ERROR, &e, (uint32_t)(8 + n), timeout_ms);
}

/* The payload length a type must have, or 0 for ERROR (a range). */
static uint32_t fixed_length(uint32_t type)
{
    switch (type) {
    case MIG_HELLO:
        return sizeof(struct mig_hello);
    case MIG_WELCOME:
        return sizeof(struct mig_welcome);
    case MIG_READY:
        return sizeof(struct mig_ready);
    case MIG_DONE:
        return sizeof(struct mig_done);
    default:
        return 0; /* GO: empty; ERROR: 8 + its text */
    }
}

static int check_header(const struct mig_header *h)
{
    if (h->magic != MIG_MAGIC || h->pad || h->type < MIG_HELLO || h->type > MIG_ERROR)
        return -EPROTO;
    if (h->type == MIG_ERROR)
        return h->length >= 8 && h->length <= 8 + MIG_TEXT_MAX ? 0 : -EPROTO;
    return h->length == fixed_length(h->type) ? 0 : -EPROTO;
}

/* The reserved fields of a payload are zero; an error's text is one line. */
static int check_payload(struct mig_msg *m, const uint8_t *pad, size_t padlen)
{
    for (size_t i = 0; i < padlen; i++) {
        if (pad[i])
            return -EPROTO;
    }
    if (m->type == MIG_READY && m->u.ready.pad)
        return -EPROTO;
    if (m->type == MIG_DONE && m->u.done.pad)
        return -EPROTO;
    if (m->type != MIG_ERROR)
        return 0;
    size_t n = m->length - 8;
    if (m->u.error.pad || m->u.error.status >= 0 || memchr(m->u.error.text, 0, n) ||
        memchr(m->u.error.text, '\n', n))
        return -EPROTO;
    memcpy(m->text, m->u.error.text, n);
    m->text[n] = '\0';
    return 0;
}

int mig_recv(int fd, struct mig_msg *m, int timeout_ms)
{
    struct mig_header h;
    uint8_t pad[8];
    int rc = read_all(fd, &h, sizeof(h), timeout_ms);

    memset(m, 0, sizeof(*m));
    if (rc == 0)
        rc = check_header(&h);
    if (rc < 0)
        return rc;
    m->type = h.type;
    m->length = h.length;
    size_t padlen = ((h.length + 7u) & ~7u) - h.length;
    rc = read_all(fd, &m->u, h.length, timeout_ms);
    if (rc == 0)
        rc = read_all(fd, pad, padlen, timeout_ms);
    return rc < 0 ? rc : check_payload(m, pad, padlen);
}

const char *mig_describe(const struct mig_msg *m, int rc)
{
    if (rc == 0 && m->type == MIG_ERROR)
        return m->text;
    if (rc == -ETIMEDOUT)
        return "no answer in time";
    if (rc == -ECONNRESET || rc == -EPIPE)
        return "the connection closed";
    if (rc == -EPROTO || rc == 0)
        return "a message that breaks the protocol";
    return strerror(-rc);
}
