/*
 * The control socket: hvd's equivalent of privcmd.  One epoll loop on the
 * main thread accepts connections, answers one request at a time per
 * connection, watches console clients, carries out shutdown actions and
 * ends on SIGTERM/SIGINT.
 *
 * The loop never blocks on a peer.  Connections are non-blocking; a reply
 * the peer's socket cannot take is queued on its connection (one at most),
 * the connection's requests are not read until it drains, and a peer that
 * leaves it there for REPLY_DRAIN_NS is disconnected.  How many connections
 * a uid may hold is limited, with slots only root may take.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
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
#include <xen/livepatch.h>
#include <xen/throttle.h>

enum watch_kind {
    WATCH_LISTEN,
    WATCH_CONN,
    WATCH_CONSOLE,
    WATCH_SIGNAL,
    WATCH_SHUTDOWN,
    WATCH_TIMER
};

struct watch {
    enum watch_kind kind;
    int fd;
    struct domain *owner;        /* WATCH_CONSOLE, WATCH_TIMER: charged to it (dalloc) */
    domid_t domid;               /* WATCH_CONSOLE: whose console */
    struct vcpu *vcpu;           /* WATCH_TIMER: whose timer */
    bool privileged;             /* WATCH_CONN: peer may issue requests */
    uid_t uid;                   /* WATCH_CONN: the peer's, from SO_PEERCRED */
    struct queued_reply *queued; /* WATCH_CONN: a reply the peer has not taken yet */
    struct watch *next;
};

/* A reply the peer's socket could not take; hvd owns its descriptors. */
struct queued_reply {
    uint64_t deadline_ns; /* the peer is disconnected if it is still here then */
    unsigned int nr_fds;
    int fds[HV_PRIVCMD_MAX_FDS];
    size_t len;
    uint8_t msg[]; /* header, op struct, trailing bytes */
};

#define REPLY_DRAIN_NS  (5ull * 1000000000ull)
#define LISTEN_PAUSE_NS (100ull * 1000000ull)

static int epoll_fd = -1;
static int listen_fd = -1;
static struct watch *listen_watch;
static uint64_t listen_paused_until; /* 0: the listening socket is watched */
static int spare_fd = -1;            /* given up to accept (and refuse) when out of fds */
static char *socket_path;
static gid_t control_group = (gid_t)-1;
static struct watch *watches;
static unsigned int nr_queued; /* connections with a queued reply */
static unsigned int max_clients = PRIVCMD_DEFAULT_MAX_CLIENTS;
static unsigned int max_clients_per_user = PRIVCMD_DEFAULT_MAX_CLIENTS_PER_USER;
/* Everything a client can make hvd log shares one limit. */
static struct ratelimit client_log_limit = { .tag = "clients" };

#define MAX_OP_SIZE                                                                                \
    (sizeof(struct xen_domctl) > sizeof(struct xen_sysctl) ? sizeof(struct xen_domctl)             \
                                                           : sizeof(struct xen_sysctl))
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
static struct watch *watch_add(enum watch_kind kind, int fd, struct domain *owner, bool privileged)
{
    struct watch *w = owner ? dalloc(owner, sizeof(*w)) : calloc(1, sizeof(*w));
    if (!w) {
        errno = ENOMEM; /* dalloc's injected failures set no errno */
        return NULL;
    }
    *w = (struct watch){
        .kind = kind, .fd = fd, .owner = owner, .privileged = privileged, .next = watches
    };
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

void privcmd_set_client_limits(unsigned int total, unsigned int per_user)
{
    max_clients = total;
    max_clients_per_user = per_user;
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
    spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0 || spare_fd < 0)
        return -errno;
    listen_watch = watch_add(WATCH_LISTEN, listen_fd, NULL, false);
    return listen_watch ? 0 : -errno;
}

static void queued_reply_free(struct queued_reply *q)
{
    for (unsigned int i = 0; i < q->nr_fds; i++)
        close(q->fds[i]);
    free(q);
}

/* Close a connection and drop whatever reply it still had queued. */
static void conn_close(struct watch *w)
{
    int fd = w->fd;
    livepatch_client_gone(w);
    log_dirty_client_gone(w); /* a migration whose toolstack died: the domain runs on as it was */
    throttle_client_gone(w);
    domain_client_gone(w); /* its transient domains go (in the background) */
    if (w->queued) {
        queued_reply_free(w->queued);
        nr_queued--;
    }
    watch_remove(fd);
    close(fd);
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
        if (w->queued)
            queued_reply_free(w->queued);
        if (w->kind == WATCH_CONN || w->kind == WATCH_LISTEN || w->kind == WATCH_SIGNAL)
            close(w->fd);
        watch_free(w);
    }
    nr_queued = 0;
    listen_watch = NULL;
    listen_paused_until = 0;
    if (socket_path)
        unlink(socket_path);
    free(socket_path);
    socket_path = NULL;
    if (epoll_fd >= 0)
        close(epoll_fd);
    if (spare_fd >= 0)
        close(spare_fd);
    epoll_fd = listen_fd = spare_fd = -1;
}

static bool peer_is_privileged(const struct ucred *cred)
{
    if (cred->uid == 0)
        return true;
    if (control_group == (gid_t)-1)
        return false;
    if (cred->gid == control_group)
        return true;
    /* Supplementary groups of the peer: from /proc, which SO_PEERCRED's pid names. */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", cred->pid);
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

/* One message, never waiting: -EAGAIN when the peer's socket is full. */
static int send_message(int fd, const struct iovec *iov, size_t iovcnt, const int *fds,
                        unsigned int nr_fds)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * HV_PRIVCMD_MAX_FDS)];
    } cmsg;
    struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt };
    if (nr_fds) {
        msg.msg_control = cmsg.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nr_fds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nr_fds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nr_fds);
    }
    return sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* A connection hvd will not serve gets one reply saying why, then is closed. */
static void connection_refuse(int fd, long rc)
{
    struct hv_privcmd_reply hdr = { .magic = HV_PRIVCMD_MAGIC, .rc = rc };
    struct iovec iov = { &hdr, sizeof(hdr) };
    send_message(fd, &iov, 1, NULL, 0); /* a fresh socket has room for it */
    close(fd);
}

/*
 * 0 if a peer with this uid may open one more connection, else -EUSERS.
 * The last eighth of max_clients (at least one) is kept for uid 0, which
 * has no per-user limit, so no other user can lock root out.
 */
static int connection_admit(uid_t uid)
{
    unsigned int total = 0, of_uid = 0;
    for (struct watch *w = watches; w; w = w->next) {
        if (w->kind == WATCH_CONN) {
            total++;
            of_uid += w->uid == uid;
        }
    }
    unsigned int root_reserve = max_clients / 8 ? max_clients / 8 : 1;
    if (total >= max_clients ||
        (uid != 0 && (total >= max_clients - root_reserve || of_uid >= max_clients_per_user))) {
        gprintk(&client_log_limit,
                "hvd: connection from uid %u refused: %u open, %u of them its own "
                "(limits: %u, %u per user, the last %u for root)",
                (unsigned int)uid, total, of_uid, max_clients, max_clients_per_user, root_reserve);
        return -EUSERS;
    }
    return 0;
}

static void listen_pause(void)
{
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, NULL);
    listen_paused_until = now_ns() + LISTEN_PAUSE_NS;
}

static void listen_resume_if_due(uint64_t now)
{
    if (!listen_paused_until || now < listen_paused_until)
        return;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = listen_watch };
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
    listen_paused_until = 0;
}

/*
 * hvd is out of descriptors: the pending connection would stay readable on
 * the listening socket and the loop would spin.  Give up the spare fd to
 * accept it, refuse it, and take the spare back; if that fails too, stop
 * watching the listening socket for a moment.
 */
static void accept_without_fds(int err)
{
    gprintk(&client_log_limit, "hvd: cannot accept a connection: %s", strerror(err));
    if (spare_fd >= 0)
        close(spare_fd);
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0)
        connection_refuse(fd, -EMFILE);
    spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || spare_fd < 0)
        listen_pause();
}

static void accept_connection(void)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE)
            accept_without_fds(errno);
        return; /* EAGAIN, ECONNABORTED: nothing to take */
    }
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        close(fd);
        return;
    }
    int rc = connection_admit(cred.uid);
    if (rc) {
        connection_refuse(fd, rc);
        return;
    }
    struct watch *w = watch_add(WATCH_CONN, fd, NULL, peer_is_privileged(&cred));
    if (!w) {
        connection_refuse(fd, -ENOMEM);
        return;
    }
    w->uid = cred.uid;
}

/*
 * Keep a reply the peer's socket could not take.  Takes over the
 * descriptors hvd was to close after sending and duplicates the others,
 * whose originals may be closed before the peer reads (a destroyed domain's
 * memory file).
 */
static int reply_queue(struct watch *w, const struct iovec *iov, size_t iovcnt,
                       struct privcmd_reply_extra *extra)
{
    size_t len = 0;
    for (size_t i = 0; i < iovcnt; i++)
        len += iov[i].iov_len;
    struct queued_reply *q = malloc(sizeof(*q) + len);
    if (!q)
        return -ENOMEM;
    q->len = 0;
    for (size_t i = 0; i < iovcnt; i++) {
        memcpy(q->msg + q->len, iov[i].iov_base, iov[i].iov_len);
        q->len += iov[i].iov_len;
    }
    for (q->nr_fds = 0; q->nr_fds < extra->nr_fds; q->nr_fds++) {
        unsigned int i = q->nr_fds;
        int fd =
            extra->close_after_send[i] ? extra->fds[i] : fcntl(extra->fds[i], F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            int err = errno;
            queued_reply_free(q);
            return -err;
        }
        extra->close_after_send[i] = false;
        q->fds[i] = fd;
    }
    q->deadline_ns = now_ns() + REPLY_DRAIN_NS;
    w->queued = q;
    nr_queued++;
    return 0;
}

/*
 * Send a reply or, if the peer's socket is full, queue it.  A reply that
 * can be neither sent nor kept ends the connection: shutdown() makes the
 * loop see a hang-up and close it, as the watch must outlive this call.
 */
static void reply_deliver(struct watch *w, const struct iovec *iov, size_t iovcnt,
                          struct privcmd_reply_extra *extra)
{
    int rc = send_message(w->fd, iov, iovcnt, extra->fds, extra->nr_fds);
    if (rc == -EAGAIN && reply_queue(w, iov, iovcnt, extra) < 0)
        shutdown(w->fd, SHUT_RDWR);
    for (unsigned int i = 0; i < extra->nr_fds; i++) {
        if (extra->close_after_send[i])
            close(extra->fds[i]);
    }
}

/* Which events the loop waits for on a connection: its reply to drain, or a request. */
static void conn_watch_events(struct watch *w, int op)
{
    struct epoll_event ev = { .events = w->queued ? EPOLLOUT : EPOLLIN, .data.ptr = w };
    epoll_ctl(epoll_fd, op, w->fd, &ev);
}

/* The peer can take more: send the queued reply and read requests again. */
static void conn_flush(struct watch *w)
{
    struct queued_reply *q = w->queued;
    struct iovec iov = { q->msg, q->len };
    int rc = send_message(w->fd, &iov, 1, q->fds, q->nr_fds);
    if (rc == -EAGAIN)
        return;
    if (rc < 0) {
        conn_close(w); /* the peer is gone */
        return;
    }
    queued_reply_free(q);
    w->queued = NULL;
    nr_queued--;
    conn_watch_events(w, EPOLL_CTL_MOD);
}

/* Disconnect every peer that has left a reply unread for REPLY_DRAIN_NS. */
static void disconnect_stalled_peers(uint64_t now)
{
    struct watch **pp = &watches;
    while (nr_queued && *pp) {
        struct watch *w = *pp;
        if (w->queued && now >= w->queued->deadline_ns) {
            gprintk(&client_log_limit,
                    "hvd: client uid %u left a reply unread for %llu s: disconnected",
                    (unsigned int)w->uid, REPLY_DRAIN_NS / 1000000000ull);
            conn_close(w); /* unlinks *pp: look at the same place again */
            continue;
        }
        pp = &w->next;
    }
}

/* Validate and dispatch one request; fills the reply header and extra. */
static void handle_request(struct watch *w, uint8_t *request, size_t len, bool continuation,
                           struct hv_privcmd_reply *hdr, size_t *op_len,
                           struct privcmd_reply_extra *extra)
{
    struct hv_privcmd_request *req = (void *)request;
    void *op = request + sizeof(*req);
    size_t need =
        req->kind == HV_PRIVCMD_DOMCTL ? sizeof(struct xen_domctl) : sizeof(struct xen_sysctl);
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
        hdr->rc = do_domctl(op, (uint8_t *)op + need, req->buf_len, extra, continuation, w);
    else
        hdr->rc = do_sysctl(op, (uint8_t *)op + need, req->buf_len, extra, w);
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

/* Run a request (at least a header long) to its reply; false if it yielded and is now a continuation. */
static bool process_request(struct watch *w, uint8_t *request, size_t len, bool continuation)
{
    struct hv_privcmd_reply hdr = { .magic = HV_PRIVCMD_MAGIC };
    struct privcmd_reply_extra extra = { .buf = reply_buf };
    size_t op_len = 0;
    handle_request(w, request, len, continuation, &hdr, &op_len, &extra);
    if (hdr.rc == -ERESTART) {
        if (continuation || continuation_add(w, request, len) == 0)
            return false;
        hdr.rc = -ENOMEM; /* cannot park it; the domain stays dying, retry works */
    }
    hdr.buf_len = extra.buf_len;
    hdr.nr_fds = extra.nr_fds;
    struct iovec iov[3] = {
        { &hdr, sizeof(hdr) },
        { request + sizeof(struct hv_privcmd_request), op_len },
        { extra.buf, extra.buf_len },
    };
    reply_deliver(w, iov, 3, &extra);
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
    conn_watch_events(c->conn, EPOLL_CTL_ADD);
    continuation_free(c);
}

/*
 * A SEQPACKET read of 0 bytes is either end-of-file or a zero-length
 * message; only a hang-up on the socket tells them apart.
 */
static bool peer_hung_up(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLRDHUP };
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/*
 * What is wrong with a message as a whole, or 0.  recvmsg() gets no control
 * buffer, so the kernel discards (closes) any descriptors a client attached
 * and sets MSG_CTRUNC: with no SO_PASS* option set, nothing else does.
 */
static long message_framing_error(size_t len, int flags)
{
    if (flags & MSG_CTRUNC)
        return -EPROTO; /* the protocol carries no descriptors toward hvd */
    if (flags & MSG_TRUNC)
        return -EMSGSIZE;
    if (len < sizeof(struct hv_privcmd_request))
        return -EINVAL;
    return 0;
}

static void reply_framing_error(struct watch *w, long rc)
{
    struct hv_privcmd_reply hdr = { .magic = HV_PRIVCMD_MAGIC, .rc = rc };
    struct privcmd_reply_extra extra = { .buf = reply_buf };
    struct iovec iov = { &hdr, sizeof(hdr) };
    reply_deliver(w, &iov, 1, &extra);
}

static void serve_connection(struct watch *w)
{
    struct iovec iov = { request_buf.bytes, sizeof(request_buf.bytes) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t len = recvmsg(w->fd, &msg, MSG_DONTWAIT);
    if (len < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (len < 0 || (len == 0 && !(msg.msg_flags & MSG_CTRUNC) && peer_hung_up(w->fd))) {
        conn_close(w);
        return;
    }
    long rc = message_framing_error((size_t)len, msg.msg_flags);
    if (rc)
        reply_framing_error(w, rc);
    else if (!process_request(w, request_buf.bytes, (size_t)len, false))
        return; /* a continuation: the connection is out of the loop until it ends */
    if (w->queued)
        conn_watch_events(w, EPOLL_CTL_MOD);
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

/*
 * Milliseconds epoll_wait may sleep: until the next deadline, or for ever
 * (-1).  next_throttle: when the next throttle period starts (UINT64_MAX: none).
 */
static int loop_timeout_ms(uint64_t now, bool background_work, uint64_t next_throttle)
{
    if (continuations)
        return 0;
    if (background_work)
        return 1; /* a destroy waits for a vCPU thread to leave: look again soon */
    uint64_t next = listen_paused_until ? listen_paused_until : UINT64_MAX;
    if (next_throttle < next)
        next = next_throttle;
    for (struct watch *w = watches; nr_queued && w; w = w->next) {
        if (w->queued && w->queued->deadline_ns < next)
            next = w->queued->deadline_ns;
    }
    if (next == UINT64_MAX)
        return -1;
    return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

/* Returns 0 when asked to stop by a signal. */
HV_NOPATCH int privcmd_run(int shutdown_notify_fd)
{
    int rc = signals_watch();
    if (rc == 0)
        rc = watch_add(WATCH_SHUTDOWN, shutdown_notify_fd, NULL, false) ? 0 : -errno;
    if (rc)
        return rc;
    for (;;) {
        /*
         * Work that may free watches or domains is done before the wait, and
         * one event is taken per wait: handling it may free the watches of
         * others.  A live-patch action goes first: here nothing patchable
         * is on this thread's stack.
         */
        livepatch_run_pending();
        if (continuations)
            continuation_run_one();
        bool background_work = domain_background_work();
        uint64_t now = now_ns();
        listen_resume_if_due(now);
        disconnect_stalled_peers(now);
        uint64_t next_throttle = throttle_run(now);
        struct epoll_event ev;
        int n = epoll_wait(epoll_fd, &ev, 1, loop_timeout_ms(now, background_work, next_throttle));
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n == 1) {
            struct watch *w = ev.data.ptr;
            uint64_t count;
            switch (w->kind) {
            case WATCH_LISTEN:
                accept_connection();
                break;
            case WATCH_CONN:
                if (w->queued)
                    conn_flush(w);
                else
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
