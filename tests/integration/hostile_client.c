/*
 * An unprivileged client attacking hvd's control socket, one mode per
 * attack (issue 8, items 3, 4, 10, 11):
 *
 *   noread       send requests without ever reading a reply, then hold the
 *                socket: hvd must go on serving others and disconnect it
 *   connections  open connections until hvd refuses or runs out of
 *                descriptors, and hold them: root must still get in, hvd
 *                must not spin
 *   zero-length  a zero-length message: -EINVAL, connection kept
 *   scm-rights   a request carrying descriptors: -EPROTO, descriptors closed
 *   short        a message shorter than the request header: -EINVAL
 *   oversized    a message larger than the largest request: -EMSGSIZE
 *
 * Run as root: it forks an attacker that drops to nobody, and while the
 * attack is in place times what `hvcli list` does as root (and, for
 * connections, hvd's CPU use); once the attacker is gone hvd's fds, threads, mappings and
 * dalloc must be back to what they were.  With --hold it only attacks (as
 * nobody) and holds until killed, for a script to try SIGTERM meanwhile.
 * Prints what it saw; exits 1 if hvd answered wrongly.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <hv/public/domctl.h>
#include <hv/public/privcmd.h>
#include <hv/public/sysctl.h>
#include "hvd_probe.h"

#define MAX_ATTACK_CONNECTIONS 3000
#define MAX_NOREAD_REQUESTS    100000
#define DRAIN_TIMEOUT_S        5.0  /* hvd's documented limit for an unread reply */

struct options {
    const char *mode;
    bool hold;
    bool fd_starved;         /* hvd is meant to run out of fds: root may get an error */
    int expect_held;         /* connections: how many hvd must keep (-1: no check) */
};

static const char *socket_path;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

static int connect_hvd(int flags)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | flags, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

/* A well-formed physinfo request (nobody gets -EPERM for it). */
static void physinfo_request(uint8_t *buf, size_t *len)
{
    struct hv_privcmd_request req = { .magic = HV_PRIVCMD_MAGIC, .kind = HV_PRIVCMD_SYSCTL };
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_physinfo,
                             .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    memcpy(buf, &req, sizeof(req));
    memcpy(buf + sizeof(req), &op, sizeof(op));
    *len = sizeof(req) + sizeof(op);
}

/* The rc of the next reply within timeout_s; -1000 - errno if none came. */
static long await_reply(int fd, double timeout_s)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, (int)(timeout_s * 1000)) != 1)
        return -1000 - ETIMEDOUT;
    uint8_t buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && errno == ECONNRESET)
        n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT); /* the reply hvd sent before closing */
    if (n < 0)
        return -1000 - errno;
    if (n < (ssize_t)sizeof(struct hv_privcmd_reply))
        return -1000 - ECONNRESET; /* end of file or garbage: hvd hung up */
    struct hv_privcmd_reply rep;
    memcpy(&rep, buf, sizeof(rep));
    return rep.magic == HV_PRIVCMD_MAGIC ? (long)rep.rc : -1000 - EPROTO;
}

static const char *describe_rc(long rc)
{
    static char s[96];
    if (rc <= -1000)
        snprintf(s, sizeof(s), "no reply (%s)", strerror((int)(-1000 - rc)));
    else if (rc < 0)
        snprintf(s, sizeof(s), "rc %ld (%s)", rc, strerror((int)-rc));
    else
        snprintf(s, sizeof(s), "rc %ld", rc);
    return s;
}

static bool expect_rc(const char *what, long got, long want)
{
    printf("%s %s: %s", got == want ? "ok" : "not ok", what, describe_rc(got));
    printf(", expected %s\n", describe_rc(want));
    return got == want;
}

/* hvd still serves this connection: a well-formed request gets -EPERM. */
static bool connection_still_served(int fd)
{
    uint8_t req[512];
    size_t len;
    physinfo_request(req, &len);
    if (send(fd, req, len, MSG_NOSIGNAL) < 0)
        return printf("not ok connection kept: send: %s\n", strerror(errno)), false;
    return expect_rc("connection kept: a request after it", await_reply(fd, 2), -EPERM);
}

static bool send_and_expect(const char *what, const void *msg, size_t len, long want)
{
    int fd = connect_hvd(0);
    if (fd < 0)
        return printf("not ok %s: connect: %s\n", what, strerror(-fd)), false;
    bool ok = send(fd, msg, len, MSG_NOSIGNAL) == (ssize_t)len;
    if (!ok)
        printf("not ok %s: send: %s\n", what, strerror(errno));
    ok = ok && expect_rc(what, await_reply(fd, 2), want);
    ok = ok && connection_still_served(fd);
    close(fd);
    return ok;
}

static bool attack_zero_length(void)
{
    return send_and_expect("zero-length message", "", 0, -EINVAL);
}

static bool attack_short(void)
{
    struct hv_privcmd_request req = { .magic = HV_PRIVCMD_MAGIC, .kind = HV_PRIVCMD_SYSCTL };
    return send_and_expect("8-byte message", &req, 8, -EINVAL);
}

static bool attack_oversized(void)
{
    size_t op = sizeof(struct xen_domctl) > sizeof(struct xen_sysctl) ? sizeof(struct xen_domctl)
                                                                        : sizeof(struct xen_sysctl);
    size_t len = sizeof(struct hv_privcmd_request) + op + HV_PRIVCMD_MAX_BUF + 1;
    uint8_t *msg = calloc(1, len);
    if (!msg)
        return false;
    physinfo_request(msg, &(size_t){ 0 });
    bool ok = send_and_expect("message one byte over the largest request", msg, len, -EMSGSIZE);
    free(msg);
    return ok;
}

/* Send a request with the write ends of nr pipes attached; true if hvd keeps none. */
static bool attack_scm_rights_with(int fd, int nr)
{
    int rd[16], wr[16];
    for (int i = 0; i < nr; i++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
            return printf("not ok pipe: %s\n", strerror(errno)), false;
        rd[i] = p[0];
        wr[i] = p[1];
    }
    uint8_t req[512];
    size_t len;
    physinfo_request(req, &len);
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 16)];
    } cmsg;
    struct iovec iov = { req, len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cmsg.buf,
                          .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nr) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    *c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nr),
                           .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };
    memcpy(CMSG_DATA(c), wr, sizeof(int) * (size_t)nr);
    bool ok = sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)len;
    for (int i = 0; i < nr; i++)
        close(wr[i]);
    char what[64];
    snprintf(what, sizeof(what), "request carrying %d descriptors", nr);
    ok = ok && expect_rc(what, await_reply(fd, 2), -EPROTO);
    /* Every write end is closed once hvd holds none: the read ends see EOF. */
    int still_open = 0;
    for (int i = 0; i < nr; i++) {
        struct pollfd p = { .fd = rd[i], .events = POLLIN };
        char b;
        still_open += !(poll(&p, 1, 2000) == 1 && read(rd[i], &b, 1) == 0);
        close(rd[i]);
    }
    printf("%s the descriptors are closed: %d of %d still open\n", still_open ? "not ok" : "ok",
           still_open, nr);
    return ok && !still_open;
}

static bool attack_scm_rights(void)
{
    int fd = connect_hvd(0);
    if (fd < 0)
        return printf("not ok connect: %s\n", strerror(-fd)), false;
    /* One fd, then more than a reply may carry (HV_PRIVCMD_MAX_FDS). */
    bool ok = attack_scm_rights_with(fd, 1) && attack_scm_rights_with(fd, 16) &&
              connection_still_served(fd);
    close(fd);
    return ok;
}

/*
 * Send requests and never read a reply until hvd stops reading ours (our
 * socket stays full for half a second).  Returns the socket.
 */
static int attack_noread(void)
{
    int fd = connect_hvd(0);
    if (fd < 0)
        return printf("not ok connect: %s\n", strerror(-fd)), -1;
    uint8_t req[512];
    size_t len;
    physinfo_request(req, &len);
    long sent = 0;
    while (sent < MAX_NOREAD_REQUESTS) {
        if (send(fd, req, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len) {
            sent++;
            continue;
        }
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        if (errno != EAGAIN || poll(&p, 1, 500) == 0)
            break;
    }
    printf("# sent %ld requests without reading a reply; hvd stopped reading them\n", sent);
    return fd;
}

/* Hold the unread socket until hvd hangs up; true if it did within the documented time. */
static bool noread_wait_disconnect(int fd)
{
    double t0 = now_s();
    struct pollfd p = { .fd = fd, .events = POLLRDHUP };
    int n = poll(&p, 1, (int)((DRAIN_TIMEOUT_S * 3) * 1000));
    double took = now_s() - t0;
    bool ok = n == 1 && (p.revents & (POLLHUP | POLLRDHUP)) && took >= DRAIN_TIMEOUT_S - 2;
    printf("%s the stalled client is disconnected after about %.0f s: %s after %.1f s\n",
           ok ? "ok" : "not ok", DRAIN_TIMEOUT_S, n == 1 ? "disconnected" : "still connected",
           took);
    close(fd);
    return ok;
}

struct flood {
    int fds[MAX_ATTACK_CONNECTIONS];
    int nr;
};

/*
 * Open connections until the cap, or until connect() fails for another
 * reason than a full backlog, or the backlog stays full for a second (hvd
 * has stopped accepting); keep every one.
 */
static void attack_connections(struct flood *f)
{
    int err = 0, full = 0;
    for (f->nr = 0; f->nr < MAX_ATTACK_CONNECTIONS;) {
        int fd = connect_hvd(SOCK_NONBLOCK);
        if (fd == -EAGAIN && ++full < 100) {
            sleep_s(0.01);
            continue;
        }
        if (fd < 0) {
            err = -fd;
            break;
        }
        full = 0;
        f->fds[f->nr++] = fd;
    }
    printf("# opened %d connections (%s)\n", f->nr,
           err ? strerror(err) : "stopped at the test's cap");
}

/* After hvd had time to answer: count the connections it refused, and why. */
static bool flood_count_refused(struct flood *f, int expect_held)
{
    sleep_s(1);
    int refused = 0, wrong = 0, held = 0;
    for (int i = 0; i < f->nr; i++) {
        long rc = await_reply(f->fds[i], 0);
        if (rc == -1000 - ETIMEDOUT)
            held++;
        else if (rc == -EUSERS || rc == -EMFILE)
            refused++;
        else if (wrong++ == 0)
            printf("# a refused connection got %s\n", describe_rc(rc));
    }
    bool ok = !wrong && (expect_held < 0 || held == expect_held);
    printf("%s hvd holds %d connections, refused %d with -EUSERS/-EMFILE, %d otherwise%s\n",
           ok ? "ok" : "not ok", held, refused, wrong,
           expect_held < 0 ? "" : (held == expect_held ? "" : " (not the per-user limit)"));
    return ok;
}

static int drop_to_nobody(void)
{
    struct rlimit rl = { 4 * MAX_ATTACK_CONNECTIONS, 4 * MAX_ATTACK_CONNECTIONS };
    setrlimit(RLIMIT_NOFILE, &rl); /* room to outlast hvd's own fd limit */
    if (geteuid() != 0)
        return 0;
    struct passwd *pw = getpwnam("nobody");
    if (!pw)
        return printf("not ok: no user nobody\n"), -1;
    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
        return printf("not ok: cannot become nobody: %s\n", strerror(errno)), -1;
    return 0;
}

/* The attacker: attack, tell the observer (ready), hold, give the verdict. */
static int attacker(const struct options *o, int ready_fd, int release_fd)
{
    if (drop_to_nobody())
        return 1;
    bool ok = true;
    struct flood *flood = NULL;
    int noread_fd = -1;
    if (!strcmp(o->mode, "noread")) {
        ok = (noread_fd = attack_noread()) >= 0;
    } else if (!strcmp(o->mode, "connections")) {
        flood = calloc(1, sizeof(*flood));
        attack_connections(flood);
        ok = flood_count_refused(flood, o->expect_held);
    } else if (!strcmp(o->mode, "zero-length")) {
        ok = attack_zero_length();
    } else if (!strcmp(o->mode, "scm-rights")) {
        ok = attack_scm_rights();
    } else if (!strcmp(o->mode, "short")) {
        ok = attack_short();
    } else if (!strcmp(o->mode, "oversized")) {
        ok = attack_oversized();
    } else {
        printf("unknown mode '%s'\n", o->mode);
        return 2;
    }
    fflush(stdout);
    if (ready_fd >= 0 && write(ready_fd, "r", 1) != 1)
        return 1;
    if (o->hold) {
        printf("holding\n");
        fflush(stdout);
        for (;;)
            pause();
    }
    if (noread_fd >= 0)
        ok &= noread_wait_disconnect(noread_fd);
    char b;
    if (flood && read(release_fd, &b, 1) < 0)
        ok = false;
    return ok ? 0 : 1;
}

/* What `hvcli list` does: connect and list the domains.  0 or a negative errno. */
static int root_list_domains(void)
{
    hvctl_t *h;
    struct xen_domctl_getdomaininfo info[16];
    int rc = hvctl_open(&h, socket_path);
    if (rc == 0) {
        rc = hvctl_domain_list(h, 0, info, 16);
        hvctl_close(h);
    }
    return rc < 0 ? rc : 0;
}

/*
 * Root lists the domains in a child (an exec costs seconds in a slow test
 * VM; a hung hvd would hang us); -ETIMEDOUT if it took over 5 s.
 */
static int timed_root_list(double *took)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0)
        _exit(-root_list_domains());
    int status;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_s() - t0 > 5) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            *took = now_s() - t0;
            return -ETIMEDOUT;
        }
        sleep_s(0.005);
    }
    *took = now_s() - t0;
    return WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
}

/* Root can list the domains within 1 s, three times (or is refused, if hvd is out of fds). */
static bool root_still_served(const struct options *o)
{
    bool ok = true;
    for (int i = 0; i < 3; i++) {
        double took;
        int rc = timed_root_list(&took);
        bool good = took < 1.0 && (rc == 0 || (o->fd_starved && rc == -EMFILE));
        printf("%s root lists the domains during the attack: %s in %.2f s\n",
               good ? "ok" : "not ok", rc == 0 ? "answered" : strerror(-rc), took);
        ok &= good;
    }
    return ok;
}

static unsigned long long cpu_ticks(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long utime = 0, stime = 0;
    if (p)
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
    return utime + stime;
}

/* hvd is idle while the flood is held: under a quarter of a CPU over 2 s. */
static bool hvd_not_spinning(int pid)
{
    unsigned long long before = cpu_ticks(pid);
    sleep_s(2);
    double used = (double)(cpu_ticks(pid) - before) / (double)sysconf(_SC_CLK_TCK) / 2.0;
    bool ok = used < 0.25;
    printf("%s hvd's CPU use while the flood is held: %.0f %%\n", ok ? "ok" : "not ok",
           used * 100);
    return ok;
}

/* Give hvd up to 10 s to close a flood's connections, then compare with the baseline. */
static bool back_to_baseline(hvctl_t *h, int pid, const struct hvd_resources *base)
{
    struct hvd_resources now;
    for (int i = 0; i < 100 && hvd_probe(h, pid, &now) == 0 && now.fds != base->fds; i++)
        sleep_s(0.1);
    bool ok = hvd_probe_settled(h, pid, "after the attack", base) == 0;
    printf("%s hvd is back to its baseline (fds, threads, mappings, dalloc)\n",
           ok ? "ok" : "not ok");
    return ok;
}

/* Root's side: baseline, the attacker, checks during the attack, baseline again. */
static int observe(const struct options *o)
{
    int pid = hvd_pid_from_env();
    hvctl_t *h;
    struct hvd_resources base;
    if (pid <= 0 || hvctl_open(&h, socket_path) || hvd_probe(h, pid, &base))
        return printf("not ok: cannot probe hvd (HVD_PID, HVD_SOCKET)\n"), 1;
    int ready[2], release[2];
    if (pipe(ready) < 0 || pipe(release) < 0)
        return 1;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(ready[0]);
        close(release[1]);
        _exit(attacker(o, ready[1], release[0]));
    }
    close(ready[1]);
    close(release[0]);
    char b;
    bool ok = read(ready[0], &b, 1) == 1;
    if (ok) { /* every check runs, so a failure shows all that is wrong */
        ok &= root_still_served(o);
        if (!strcmp(o->mode, "connections"))
            ok &= hvd_not_spinning(pid);
    }
    close(release[1]);
    int status;
    waitpid(child, &status, 0);
    ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    bool settled = back_to_baseline(h, pid, &base);
    hvctl_close(h);
    return ok && settled ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: hostile_client [--hold] [--fd-starved] "
                    "[--expect-held N] noread|connections|zero-length|scm-rights|short|oversized\n");
}

int main(int argc, char **argv)
{
    struct options o = { .expect_held = -1 };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--hold"))
            o.hold = true;
        else if (!strcmp(argv[i], "--fd-starved"))
            o.fd_starved = true;
        else if (!strcmp(argv[i], "--expect-held") && i + 1 < argc)
            o.expect_held = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !o.mode)
            o.mode = argv[i];
        else
            return usage(), 2;
    }
    socket_path = getenv("HVD_SOCKET");
    if (!o.mode || !socket_path)
        return usage(), 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (o.hold)
        return attacker(&o, -1, -1);
    if (geteuid() != 0)
        return printf("not ok: run as root (it drops to nobody to attack)\n"), 1;
    return observe(&o);
}
