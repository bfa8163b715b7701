/*
 * Domain consoles.  Guest output (CONSOLEIO_write) goes into a ring that
 * keeps the last CONSOLE_RING_SIZE bytes and to every attached client.  A
 * client is one end of a socketpair handed to the toolstack: it reads the
 * output and writes input, which the guest takes with CONSOLEIO_read.
 * The console_io hypercall is here too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <hv/public/event_channel.h>
#include <hv/public/xen.h>
#include <xen/console.h>
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/hypercall.h>
#include <xen/sched.h>
#include <xen/privcmd.h>

#define CLIENT_SNDBUF (256 * 1024) /* > CONSOLE_RING_SIZE: the backlog always fits */

int console_init(struct domain *d)
{
    struct console *c = &d->console;
    pthread_mutex_init(&c->lock, NULL);
    c->lock_ready = true;
    c->out = dalloc(d, CONSOLE_RING_SIZE);
    c->in = dalloc(d, CONSOLE_INPUT_SIZE);
    return c->out && c->in ? 0 : -ENOMEM;
}

void console_teardown(struct domain *d)
{
    struct console *c = &d->console;
    if (!c->lock_ready)
        return;
    for (unsigned int i = 0; i < CONSOLE_MAX_CLIENTS; i++) {
        if (c->clients[i] >= 0) {
            privcmd_unwatch(c->clients[i]);
            close(c->clients[i]);
            c->clients[i] = -1;
        }
    }
    dfree(d, c->out);
    dfree(d, c->in);
    c->out = c->in = NULL;
    pthread_mutex_destroy(&c->lock);
    c->lock_ready = false;
}

/* Non-blocking send; a client that cannot keep up loses output, counted. */
static void client_send(struct console *c, int fd, const char *buf, size_t len)
{
    ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < (ssize_t)len)
        c->dropped += len - (n > 0 ? (size_t)n : 0);
}

void console_write(struct console *c, const char *buf, size_t len)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < len; i++)
        c->out[(c->out_prod + i) % CONSOLE_RING_SIZE] = buf[i];
    c->out_prod += len;
    for (unsigned int i = 0; i < CONSOLE_MAX_CLIENTS; i++) {
        if (c->clients[i] >= 0)
            client_send(c, c->clients[i], buf, len);
    }
    pthread_mutex_unlock(&c->lock);
}

size_t console_read_input(struct console *c, char *buf, size_t len)
{
    pthread_mutex_lock(&c->lock);
    size_t n = len < c->in_len ? len : c->in_len;
    memcpy(buf, c->in, n);
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Send what the ring still holds, oldest first (it may wrap). */
static void console_send_backlog(struct console *c, int fd, uint64_t *lost)
{
    uint64_t start = c->out_prod > CONSOLE_RING_SIZE ? c->out_prod - CONSOLE_RING_SIZE : 0;
    *lost = start;
    size_t off = (size_t)(start % CONSOLE_RING_SIZE);
    size_t len = (size_t)(c->out_prod - start);
    size_t first = len < CONSOLE_RING_SIZE - off ? len : CONSOLE_RING_SIZE - off;
    client_send(c, fd, c->out + off, first);
    if (len > first)
        client_send(c, fd, c->out, len - first);
}

int console_attach(struct domain *d, uint64_t *lost)
{
    struct console *c = &d->console;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    int sndbuf = CLIENT_SNDBUF;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    pthread_mutex_lock(&c->lock);
    int rc = -EBUSY;
    for (unsigned int i = 0; i < CONSOLE_MAX_CLIENTS; i++) {
        if (c->clients[i] < 0) {
            rc = privcmd_watch(sv[0], d);
            if (rc)
                break;
            c->clients[i] = sv[0];
            console_send_backlog(c, sv[0], lost);
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (rc) {
        close(sv[0]);
        close(sv[1]);
        return rc;
    }
    return sv[1];
}

static void console_detach(struct console *c, int fd)
{
    for (unsigned int i = 0; i < CONSOLE_MAX_CLIENTS; i++) {
        if (c->clients[i] == fd)
            c->clients[i] = -1;
    }
    privcmd_unwatch(fd);
    close(fd);
}

void console_client_event(struct domain *d, int fd)
{
    struct console *c = &d->console;
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    pthread_mutex_lock(&c->lock);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        console_detach(c, fd);
    } else if (n > 0) {
        size_t room = CONSOLE_INPUT_SIZE - c->in_len;
        size_t take = (size_t)n < room ? (size_t)n : room; /* input beyond the buffer is dropped */
        memcpy(c->in + c->in_len, buf, take);
        c->in_len += take;
    }
    pthread_mutex_unlock(&c->lock);
    if (n > 0)
        evtchn_send_virq(d, NULL, VIRQ_CONSOLE);
}

size_t console_copy_out(struct console *c, char *buf, size_t len, uint64_t *lost)
{
    pthread_mutex_lock(&c->lock);
    uint64_t held = c->out_prod < CONSOLE_RING_SIZE ? c->out_prod : CONSOLE_RING_SIZE;
    uint64_t n = held < len ? held : len;
    uint64_t start = c->out_prod - n;
    for (uint64_t i = 0; i < n; i++)
        buf[i] = c->out[(start + i) % CONSOLE_RING_SIZE];
    *lost = start;
    pthread_mutex_unlock(&c->lock);
    return (size_t)n;
}

void console_copy_in(struct console *c, const char *buf, size_t len, uint64_t lost)
{
    if (len > CONSOLE_RING_SIZE) { /* keep the newest */
        lost += len - CONSOLE_RING_SIZE;
        buf += len - CONSOLE_RING_SIZE;
        len = CONSOLE_RING_SIZE;
    }
    pthread_mutex_lock(&c->lock);
    c->out_prod = lost;
    for (size_t i = 0; i < len; i++)
        c->out[(c->out_prod + i) % CONSOLE_RING_SIZE] = buf[i];
    c->out_prod += len;
    pthread_mutex_unlock(&c->lock);
}

/* The console_io hypercall: the guest writes output or takes pending input. */
long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
    char tmp[CONSOLEIO_MAX_COUNT];
    if (cmd != CONSOLEIO_write && cmd != CONSOLEIO_read)
        return -XEN_ENOSYS;
    if (count > CONSOLEIO_MAX_COUNT)
        return -XEN_EINVAL;
    switch (cmd) {
    case CONSOLEIO_write:
        if (copy_from_guest(v, tmp, buf, count))
            return -XEN_EFAULT;
        console_write(&v->domain->console, tmp, count);
        return (long)count;
    case CONSOLEIO_read: {
        size_t n = console_read_input(&v->domain->console, tmp, count);
        /* Input taken but not delivered is lost; the guest gave a bad buffer. */
        return copy_to_guest(v, buf, tmp, n) ? -XEN_EFAULT : (long)n;
    }
    default:
        return -XEN_ENOSYS;
    }
}
