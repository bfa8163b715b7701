/*
 * The control socket: hvd's equivalent of privcmd.  One epoll loop on the
 * main thread accepts connections, answers one request at a time per
 * connection, watches console clients, carries out shutdown actions and
 * ends on SIGTERM/SIGINT.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <hv/public/privcmd.h>
#include <xen/event.h>
#include <xen/privcmd.h>
#include <xen/sched.h>

enum watch_kind { WATCH_LISTEN, WATCH_CONN, WATCH_CONSOLE, WATCH_SIGNAL, WATCH_SHUTDOWN, WATCH_TIMER };

struct watch {
    enum watch_kind kind;
    int fd;
    struct domain *owner; /* WATCH_CONSOLE, WATCH_TIMER: charged to it (dalloc) */
    domid_t domid;       /* WATCH_CONSOLE: whose console */
    struct vcpu *vcpu;   /* WATCH_TIMER: whose timer */
    bool privileged;     /* WATCH_CONN: peer may issue requests */
    struct watch *next;
};

static int epoll_fd = -1;
static int listen_fd = -1;
static char *socket_path;
static gid_t control_group = (gid_t)-1;
static struct watch *watches;

#define MAX_OP_SIZE (sizeof(struct xen_domctl) > sizeof(struct xen_sysctl) ? \
                     sizeof(struct xen_domctl) : sizeof(struct xen_sysctl))
#define MAX_REQUEST (sizeof(struct hv_privcmd_request) + MAX_OP_SIZE + HV_PRIVCMD_MAX_BUF)
static union {
    uint8_t bytes[MAX_REQUEST];
    uint64_t align; /* the op structs hold 64-bit fields */
} request_buf;
static uint8_t reply_buf[HV_PRIVCMD_MAX_BUF];

/*
 * A request whose operation returned -ERESTART (a destroy that yielded).
 * Its connection is taken out of the epoll set until the operation
 * finishes, so its next request waits and a hang-up cannot free the watch.
 */
struct continuation {
    struct watch *conn;
    size_t len;
    uint8_t *request;
    struct continuation *next;
};
static struct continuation *continuations;

static void continuation_free(struct continuation *c)
{
    free(c->request);
    free(c);
}


static void watch_free(struct watch *w)
{
    if (w->owner)
        dfree(w->owner, w);
    else
        free(w);
}

/* A domain's watches are charged to it, so its overhead counts them. */
static struct watch *watch_add(enum watch_kind kind, int fd, struct domain *owner,
                               bool privileged)
{
    struct watch *w = owner ? dalloc(owner, sizeof(*w)) : calloc(1, sizeof(*w));
    if (!w) {
        errno = ENOMEM; /* dalloc's injected failures set no errno */
        return NULL;
    }
    *w = (struct watch){ .kind = kind, .fd = fd, .owner = owner, .privileged = privileged,
                         .next = watches };
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int err = errno;
        watch_free(w);
        errno = err;
        return NULL;
    }
    watches = w;
    return w;
}

static void watch_remove(int fd)
{
    for (struct watch **pp = &watches; *pp; pp = &(*pp)->next) {
        if ((*pp)->fd == fd) {
            struct watch *w = *pp;
            *pp = w->next;
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
            watch_free(w);
            return;
        }
    }
}

int privcmd_watch(int fd, struct domain *d)
{
    struct watch *w = watch_add(WATCH_CONSOLE, fd, d, false);
    if (!w)
        return -errno;
    w->domid = d->domid;
    return 0;
}

int privcmd_watch_timer(int fd, struct vcpu *v)
{
    struct watch *w = watch_add(WATCH_TIMER, fd, v->domain, false);
    if (!w)
        return -errno;
    w->vcpu = v;
    return 0;
}

void privcmd_unwatch(int fd)
{
    watch_remove(fd);
}

/* A socket file left by a killed hvd is replaced; a live one is not. */
static int socket_claim_path(const struct sockaddr_un *sa)
{
    int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return -errno;
    int rc = connect(probe, (const struct sockaddr *)sa, sizeof(*sa));
    int err = errno;
    close(probe);
    if (rc == 0)
        return -EADDRINUSE;
    if (err == ECONNREFUSED && unlink(sa->sun_path) < 0)
        return -errno;
    return 0;
}

int privcmd_listen(const char *path, gid_t group)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    control_group = group;
    int rc = socket_claim_path(&sa);
    if (rc)
        return rc;
    listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (listen_fd < 0)
        return -errno;
    if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -errno;
    socket_path = strdup(path);
    /* Anyone may connect; SO_PEERCRED decides what they may do. */
    if (!socket_path || chmod(path, 0666) < 0 || listen(listen_fd, 64) < 0)
        return socket_path ? -errno : -ENOMEM;
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0)
        return -errno;
    return watch_add(WATCH_LISTEN, listen_fd, NULL, false) ? 0 : -errno;
}

void privcmd_close(void)
{
    while (continuations) {
        struct continuation *c = continuations;
        continuations = c->next;
        continuation_free(c);
    }
    while (watches) {
        struct watch *w = watches;
        watches = w->next;
        if (w->kind == WATCH_CONN || w->kind == WATCH_LISTEN || w->kind == WATCH_SIGNAL)
            close(w->fd);
        watch_free(w);
    }
    if (socket_path)
        unlink(socket_path);
    free(socket_path);
    socket_path = NULL;
    if (epoll_fd >= 0)
        close(epoll_fd);
    epoll_fd = listen_fd = -1;
}

static bool peer_is_privileged(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return false;
    if (cred.uid == 0)
        return true;
    if (control_group == (gid_t)-1)
        return false;
    if (cred.gid == control_group)
        return true;
    /* Supplementary groups of the peer: from /proc, which SO_PEERCRED's pid names. */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", cred.pid);
    FILE *f = fopen(path, "re");
    bool member = false;
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Groups:", 7))
            continue;
        for (char *tok = strtok(line + 7, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
            member |= (gid_t)strtoul(tok, NULL, 10) == control_group;
    }
    if (f)
        fclose(f);
    return member;
}

static void accept_connection(void)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (!watch_add(WATCH_CONN, fd, NULL, peer_is_privileged(fd)))
        close(fd);
}

static int send_reply(int fd, struct hv_privcmd_reply *hdr, const void *op, size_t op_len,
                      const struct privcmd_reply_extra *extra)
{
    struct iovec iov[3] = {
        { hdr, sizeof(*hdr) },
        { (void *)op, op_len },
        { extra->buf, extra->buf_len },
    };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * HV_PRIVCMD_MAX_FDS)];
    } cmsg;
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
    if (extra->nr_fds) {
        msg.msg_control = cmsg.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * extra->nr_fds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * extra->nr_fds);
        memcpy(CMSG_DATA(c), extra->fds, sizeof(int) * extra->nr_fds);
    }
    return sendmsg(fd, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Validate and dispatch one request; fills the reply header and extra. */
static void handle_request(struct watch *w, uint8_t *request, size_t len, bool continuation,
                           struct hv_privcmd_reply *hdr, size_t *op_len,
                           struct privcmd_reply_extra *extra)
{
    struct hv_privcmd_request *req = (void *)request;
    void *op = request + sizeof(*req);
    size_t need = req->kind == HV_PRIVCMD_DOMCTL ? sizeof(struct xen_domctl)
                                                  : sizeof(struct xen_sysctl);
    *op_len = 0;
    hdr->kind = req->kind;
    if (req->magic != HV_PRIVCMD_MAGIC || req->pad ||
        (req->kind != HV_PRIVCMD_DOMCTL && req->kind != HV_PRIVCMD_SYSCTL) ||
        len != sizeof(*req) + need + (size_t)req->buf_len) {
        hdr->rc = -EINVAL;
        return;
    }
    *op_len = need;
    if (!w->privileged) {
        hdr->rc = -EPERM;
        return;
    }
    if (req->kind == HV_PRIVCMD_DOMCTL)
        hdr->rc = do_domctl(op, (uint8_t *)op + need, req->buf_len, extra, continuation);
    else
        hdr->rc = do_sysctl(op, extra);
    if (hdr->rc < 0)
        extra->buf_len = 0;
}

static int continuation_add(struct watch *w, const uint8_t *request, size_t len)
{
    struct continuation *c = calloc(1, sizeof(*c));
    uint8_t *copy = malloc(len);
    if (!c || !copy) {
        free(c);
        free(copy);
        return -ENOMEM;
    }
    memcpy(copy, request, len);
    *c = (struct continuation){ .conn = w, .len = len, .request = copy, .next = continuations };
    continuations = c;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
    return 0;
}

/* Run a request to its reply; false if it yielded and is now a continuation. */
static bool process_request(struct watch *w, uint8_t *request, size_t len, bool continuation)
{
    struct hv_privcmd_reply hdr = { .magic = HV_PRIVCMD_MAGIC };
    struct privcmd_reply_extra extra = { .buf = reply_buf };
    size_t op_len = 0;
    if (len < sizeof(struct hv_privcmd_request))
        hdr.rc = -EMSGSIZE;
    else
        handle_request(w, request, len, continuation, &hdr, &op_len, &extra);
    if (hdr.rc == -ERESTART) {
        if (continuation || continuation_add(w, request, len) == 0)
            return false;
        hdr.rc = -ENOMEM; /* cannot park it; the domain stays dying, retry works */
    }
    hdr.buf_len = extra.buf_len;
    hdr.nr_fds = extra.nr_fds;
    send_reply(w->fd, &hdr, request + sizeof(struct hv_privcmd_request), op_len, &extra);
    for (unsigned int i = 0; i < extra.nr_fds; i++) {
        if (extra.close_after_send[i])
            close(extra.fds[i]);
    }
    return true;
}

/* Give the oldest pending continuation one more slice of work. */
static void continuation_run_one(void)
{
    struct continuation **pp = &continuations;
    while ((*pp)->next)
        pp = &(*pp)->next;
    struct continuation *c = *pp;
    if (!process_request(c->conn, c->request, c->len, true))
        return;
    *pp = NULL;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c->conn };
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->conn->fd, &ev);
    continuation_free(c);
}

static void serve_connection(struct watch *w)
{
    struct iovec iov = { request_buf.bytes, sizeof(request_buf.bytes) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t len = recvmsg(w->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (len == 0 || (len < 0 && errno != EAGAIN && errno != EINTR)) {
        int fd = w->fd;
        watch_remove(fd);
        close(fd);
        return;
    }
    if (len < 0)
        return;
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
        len = 0; /* answered with -EMSGSIZE */
    process_request(w, request_buf.bytes, (size_t)len, false);
}

static int signals_watch(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0)
        return -errno;
    return watch_add(WATCH_SIGNAL, fd, NULL, false) ? 0 : -errno;
}

/* Returns 0 when asked to stop by a signal. */
int privcmd_run(int shutdown_notify_fd)
{
    int rc = signals_watch();
    if (rc == 0)
        rc = watch_add(WATCH_SHUTDOWN, shutdown_notify_fd, NULL, false) ? 0 : -errno;
    if (rc)
        return rc;
    for (;;) {
        /* One event per wait: handling it may free the watches of others. */
        struct epoll_event ev;
        bool background = domain_background_work_pending();
        int n = epoll_wait(epoll_fd, &ev, 1, continuations ? 0 : background ? 1 : -1);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (continuations)
            continuation_run_one();
        if (background)
            domain_background_work();
        if (n == 1) {
            struct watch *w = ev.data.ptr;
            uint64_t count;
            switch (w->kind) {
            case WATCH_LISTEN:
                accept_connection();
                break;
            case WATCH_CONN:
                serve_connection(w);
                break;
            case WATCH_CONSOLE: {
                struct domain *d = domain_lookup(w->domid, true);
                if (d)
                    console_client_event(d, w->fd);
                break;
            }
            case WATCH_SHUTDOWN:
                if (read(w->fd, &count, sizeof(count)) < 0) {
                    /* EAGAIN: a racing wakeup already consumed it */
                }
                domain_process_shutdowns();
                break;
            case WATCH_TIMER:
                timer_fired(w->vcpu);
                break;
            case WATCH_SIGNAL:
                printk("hvd: signal received, shutting down");
                return 0;
            }
        }
    }
}
