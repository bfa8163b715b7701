/*
 * bench/hypercall: the round trip of a null hypercall through hvd, against
 * the bare cost of the exit that carries it; and, in the same run, an event
 * channel send from one guest to the upcall in another, against that null
 * hypercall.
 *
 * Both sides of the first part boot the hcbench guest, which makes N
 * xen_version calls in a tight ring-0 loop and powers off.  hvd's side is a
 * real domain, timed from unpause until getdomaininfo reports it shut down;
 * the reference is a bare KVM VM in this process (raw_vm.c) that answers
 * each `out` at once, timed from the first KVM_RUN to the shutdown exit.
 * Running N and 2N calls and dividing the difference by N cancels the fixed
 * costs (boot, console output, polling).
 *
 * The event-channel part runs two hcbench domains: "pong" reserves a port
 * for "ping" and answers each event on it from its upcall; ping binds it
 * and makes T round trips (send, sleep until the answer's upcall).  It is
 * timed like the first part with T and 2T round trips; one way (a send and
 * the upcall it raises in the other domain) is half a round trip, and
 * evtchn_ratio is one way over the null hypercall of the same round.
 *
 * Each round measures every side, alternating their order; the results are
 * medians over rounds (of each round's ratios, for the ratios).
 *
 * With -l (load) the rounds run a second time while a child process keeps
 * one CPU busy, the case where the event path must not fall apart: a vCPU
 * thread that waits for its peer by spinning starves it.
 *
 * Usage: bench/hypercall [-l] [-n CALLS] [-e TRIPS] [-r ROUNDS] IMAGE   (hvd at $HVD_SOCKET)
 * Last line: RESULT ratio=R hypercall_us=H raw_exit_us=E evtchn_ratio=V evtchn_us=U
 *            evtchn_ratio_min=A evtchn_ratio_max=B, and with -l the same keys
 *            again with the suffix _loaded
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <hvctl.h>
#include <hvguest.h>
#include <hv/public/sched.h>

#include "bench.h"
#include "raw_vm.h"

#define RAM_SIZE         (16ull << 20)
#define DEFAULT_CALLS    20000ul
#define DEFAULT_TRIPS    2000ul
#define DEFAULT_ROUNDS   5ul
#define MAX_ROUNDS       100ul
#define POLL_INTERVAL_US 500u
#define RUN_TIMEOUT_NS   (60ull * 1000000000u)
#define CONSOLE_SIZE     4096
#define PORT_TIMEOUT_MS  10000

struct image {
    const char *path;
    void *data;
    size_t len;
};

/* The guest's console says it did its work (the line `done`) and succeeded. */
static bool guest_output_ok(const char *console, const char *done)
{
    char want[96];

    snprintf(want, sizeof(want), "%s\nTest result: SUCCESS\n", done);
    return strstr(console, want) != NULL;
}

/* ---- hvd's side ------------------------------------------------------ */

/* A 1-vCPU domain, paused and empty. */
static int hv_create_domain(hvctl_t *h, uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1,
        .max_pages = RAM_SIZE / 4096,
        .init_pages = RAM_SIZE / 4096,
        /* Keep it after it powers off, so its shutdown can be seen. */
        .on_poweroff = HV_ACTION_preserve,
        .on_reboot = HV_ACTION_preserve,
        .on_crash = HV_ACTION_preserve,
    };

    return hvctl_domain_create(h, &cfg, domid);
}

/* A paused domain running hcbench with cmdline. */
static int hv_create_guest(hvctl_t *h, const struct image *img, const char *cmdline,
                           uint32_t *domid)
{
    int rc = hv_create_domain(h, domid);

    if (rc < 0)
        return rc;
    rc = hvguest_build_elf(h, *domid, img->data, img->len, cmdline, NULL);
    if (rc < 0)
        hvctl_domain_destroy(h, *domid);
    return rc;
}

/* Poll until the domain has shut down; the time at which it was seen to. */
static int hv_wait_shutdown(hvctl_t *h, uint32_t domid, uint64_t start, uint64_t *end)
{
    for (;;) {
        struct xen_domctl_getdomaininfo info;
        int rc = hvctl_domain_getinfo(h, domid, &info);

        *end = bench_now_ns();
        if (rc < 0)
            return rc;
        if (info.flags & XEN_DOMINF_shutdown)
            return info.shutdown_reason == SHUTDOWN_poweroff ? 0 : -EIO;
        if (*end - start > RUN_TIMEOUT_NS)
            return -ETIMEDOUT;
        bench_sleep_us(POLL_INTERVAL_US);
    }
}

/* Append whatever the console socket holds now to buf (NUL-terminated);
 * how many octets that was. */
static size_t drain_console(int fd, char *buf, size_t size, size_t *used)
{
    size_t before = *used;
    ssize_t n;

    while (*used < size - 1 && (n = recv(fd, buf + *used, size - 1 - *used, MSG_DONTWAIT)) > 0)
        *used += (size_t)n;
    buf[*used] = '\0';
    return *used - before;
}

/*
 * Sleep until the console shows the guest's result line, written just
 * before it powers off, or the domain is found shut down without one
 * (checked every RESULT_WAIT_MS).  Polling hvd every POLL_INTERVAL_US for
 * the whole run took CPU time from the vCPUs on a one-CPU machine, a cost
 * that grows with the run and so does not cancel out of N and 2N.
 */
#define RESULT_WAIT_MS 100
static void wait_result_line(hvctl_t *h, uint32_t domid, int fd, char *buf, size_t size,
                             size_t *used, uint64_t start)
{
    while (!strstr(buf, "Test result:") && *used < size - 1 &&
           bench_now_ns() - start < RUN_TIMEOUT_NS) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        struct xen_domctl_getdomaininfo info;
        int n = poll(&p, 1, RESULT_WAIT_MS);

        if (n > 0) {
            if (drain_console(fd, buf, size, used) == 0)
                return; /* readable but empty: hvd closed the console */
        } else if (hvctl_domain_getinfo(h, domid, &info) < 0 ||
                   (info.flags & XEN_DOMINF_shutdown)) {
            return;
        }
    }
}

/*
 * Run the built, paused domain to its shutdown: nanoseconds from unpause
 * until it was seen shut down, having printed `done`.
 */
static int hv_run_timed(hvctl_t *h, uint32_t domid, const char *done, uint64_t *ns)
{
    int console_fd = -1;
    char console[CONSOLE_SIZE] = "";
    size_t used = 0;
    uint64_t start, end;
    int rc = hvctl_console_attach(h, domid, &console_fd);

    if (rc == 0) {
        start = bench_now_ns();
        rc = hvctl_domain_unpause(h, domid);
    }
    if (rc == 0) {
        wait_result_line(h, domid, console_fd, console, sizeof(console), &used, start);
        rc = hv_wait_shutdown(h, domid, start, &end);
    }
    if (rc == 0) {
        drain_console(console_fd, console, sizeof(console), &used);
        rc = guest_output_ok(console, done) ? 0 : -EIO;
    }
    if (console_fd >= 0)
        close(console_fd);
    if (rc == 0)
        *ns = end - start;
    return rc;
}

/* One run of hcbench in a domain of hvd: nanoseconds from unpause to shutdown. */
static int hv_run(hvctl_t *h, const struct image *img, unsigned long calls, uint64_t *ns)
{
    char cmdline[32], done[64];
    uint32_t domid;
    int rc;

    snprintf(cmdline, sizeof(cmdline), "%lu", calls);
    snprintf(done, sizeof(done), "%lu null hypercalls made", calls);
    rc = hv_create_guest(h, img, cmdline, &domid);
    if (rc < 0)
        return rc;
    rc = hv_run_timed(h, domid, done, ns);
    int destroy_rc = hvctl_domain_destroy(h, domid);
    return rc < 0 ? rc : destroy_rc;
}

/* ---- event channel ping-pong -------------------------------------------- */

/* The P of a complete "port=P" line in text, or 0 if there is none yet. */
static unsigned long find_port(const char *text)
{
    const char *p = strstr(text, "port=");
    char *end;
    unsigned long v;

    if (!p)
        return 0;
    v = strtoul(p + 5, &end, 10);
    return end > p + 5 && (*end == '\r' || *end == '\n') && v <= UINT32_MAX ? v : 0;
}

/* The port pong prints on its console (fd) within PORT_TIMEOUT_MS. */
static int read_port(int fd, uint32_t *port)
{
    char buf[CONSOLE_SIZE];
    size_t used = 0;
    uint64_t deadline = bench_now_ns() + PORT_TIMEOUT_MS * 1000000ull;
    unsigned long found;

    buf[0] = '\0';
    while (!(found = find_port(buf))) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        uint64_t now = bench_now_ns();

        if (now >= deadline || used == sizeof(buf) - 1)
            return -ETIMEDOUT;
        int n = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
        ssize_t got = n > 0 ? recv(fd, buf + used, sizeof(buf) - 1 - used, 0) : 0;
        if (n < 0 || got < 0)
            return -errno;
        if (n > 0 && got == 0)
            return -EPIPE; /* the console closed: pong is gone */
        used += (size_t)got;
        buf[used] = '\0';
    }
    *port = (uint32_t)found;
    return 0;
}

/* Start pong (reserving a port for domain peer) and learn its port. */
static int start_pong(hvctl_t *h, const struct image *img, uint32_t peer, uint32_t *domid,
                      uint32_t *port)
{
    char cmdline[48];
    int console_fd = -1;
    int rc;

    snprintf(cmdline, sizeof(cmdline), "pong peer=%u", peer);
    rc = hv_create_guest(h, img, cmdline, domid);
    if (rc < 0)
        return rc;
    rc = hvctl_console_attach(h, *domid, &console_fd);
    if (rc == 0)
        rc = hvctl_domain_unpause(h, *domid);
    if (rc == 0)
        rc = read_port(console_fd, port);
    if (console_fd >= 0)
        close(console_fd);
    if (rc < 0)
        hvctl_domain_destroy(h, *domid);
    return rc;
}

/*
 * One ping-pong of trips round trips: nanoseconds from ping's unpause to
 * its shutdown.  Ping is created first, to give pong its domid; it is built
 * once pong has said which port it reserved.
 */
static int ev_run(hvctl_t *h, const struct image *img, unsigned long trips, uint64_t *ns)
{
    char cmdline[80], done[64];
    uint32_t ping, pong, port;
    int rc = hv_create_domain(h, &ping);

    if (rc < 0)
        return rc;
    rc = start_pong(h, img, ping, &pong, &port);
    if (rc == 0) {
        snprintf(cmdline, sizeof(cmdline), "ping dom=%u port=%u n=%lu", pong, port, trips);
        snprintf(done, sizeof(done), "%lu event round trips made", trips);
        rc = hvguest_build_elf(h, ping, img->data, img->len, cmdline, NULL);
        if (rc == 0)
            rc = hv_run_timed(h, ping, done, ns);
        int destroy_rc = hvctl_domain_destroy(h, pong);
        if (rc == 0)
            rc = destroy_rc;
    }
    int destroy_rc = hvctl_domain_destroy(h, ping);
    return rc < 0 ? rc : destroy_rc;
}

/* ---- the reference --------------------------------------------------- */

/* One run of hcbench in a bare KVM VM: nanoseconds from first entry to shutdown. */
static int raw_run(const struct raw_kvm *k, const struct image *img, unsigned long calls,
                   uint64_t *ns)
{
    struct raw_vm vm;
    char cmdline[32], done[64];
    char console[CONSOLE_SIZE];
    uint64_t start;
    int rc = raw_vm_create(&vm, k, RAM_SIZE);

    if (rc < 0)
        return rc;
    snprintf(cmdline, sizeof(cmdline), "%lu", calls);
    snprintf(done, sizeof(done), "%lu null hypercalls made", calls);
    rc = raw_vm_load_elf(&vm, img->data, img->len, cmdline);
    if (rc == 0) {
        start = bench_now_ns();
        rc = raw_vm_run(&vm, console, sizeof(console));
        *ns = bench_now_ns() - start;
    }
    if (rc == 0 && !guest_output_ok(console, done))
        rc = -EIO;
    raw_vm_destroy(&vm);
    return rc;
}

/* ---- rounds and report ------------------------------------------------- */

static double per_call_us(uint64_t t1, uint64_t t2, unsigned long n1, unsigned long n2)
{
    return ((double)t2 - (double)t1) / (double)(n2 - n1) / 1000.0;
}

/* Microseconds per call in a domain of hvd, from runs of n1 and 2 * n1 calls. */
static double measure_hv(hvctl_t *h, const struct image *img, unsigned long n1)
{
    uint64_t t1, t2;
    int rc = hv_run(h, img, n1, &t1);

    if (rc == 0)
        rc = hv_run(h, img, 2 * n1, &t2);
    if (rc < 0)
        bench_fail("running hcbench in a domain of hvd", rc);
    return per_call_us(t1, t2, n1, 2 * n1);
}

/* The same in the bare KVM VM. */
static double measure_raw(const struct raw_kvm *k, const struct image *img, unsigned long n1)
{
    uint64_t t1, t2;
    int rc = raw_run(k, img, n1, &t1);

    if (rc == 0)
        rc = raw_run(k, img, 2 * n1, &t2);
    if (rc < 0)
        bench_fail("running hcbench in a bare KVM VM", rc);
    return per_call_us(t1, t2, n1, 2 * n1);
}

/* Microseconds per event-channel round trip, from runs of t1 and 2 * t1 round trips. */
static double measure_ev(hvctl_t *h, const struct image *img, unsigned long t1)
{
    uint64_t ns1, ns2;
    int rc = ev_run(h, img, t1, &ns1);

    if (rc == 0)
        rc = ev_run(h, img, 2 * t1, &ns2);
    if (rc < 0)
        bench_fail("running the hcbench ping-pong in two domains of hvd", rc);
    return per_call_us(ns1, ns2, t1, 2 * t1);
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-l] [-n CALLS] [-e TRIPS] [-r ROUNDS] IMAGE\n",
            program_invocation_short_name);
    exit(2);
}

struct bench {
    const struct image *img;
    hvctl_t *h;
    const struct raw_kvm *kvm;
    unsigned long calls, trips;
};

/* Per round: us per null hypercall (hvd, bare), us per event round trip. */
struct round {
    double hv, raw, ev_trip;
};

/* One round; odd rounds measure in the reverse order. */
static void measure_round(const struct bench *b, unsigned long i, struct round *r)
{
    if (i % 2 == 0) {
        r->hv = measure_hv(b->h, b->img, b->calls);
        r->ev_trip = measure_ev(b->h, b->img, b->trips);
        r->raw = measure_raw(b->kvm, b->img, b->calls);
    } else {
        r->raw = measure_raw(b->kvm, b->img, b->calls);
        r->ev_trip = measure_ev(b->h, b->img, b->trips);
        r->hv = measure_hv(b->h, b->img, b->calls);
    }
}

static void print_row(const char *label, double hv, double raw, double ratio, double trip,
                      double one_way, double ev_ratio)
{
    printf("%-8s %11.3f %11.3f %7.3f %11.3f %11.3f %9.3f\n", label, hv, raw, ratio, trip,
           one_way, ev_ratio);
    fflush(stdout);
}

/* The medians of a set of rounds, and the spread of the event ratio. */
struct summary {
    double ratio, hv, raw, ev_ratio, one_way, ev_ratio_min, ev_ratio_max;
};

/* Run the rounds and print their table. */
static struct summary run_rounds(const struct bench *b, unsigned long rounds, const char *what)
{
    double hv[MAX_ROUNDS], raw[MAX_ROUNDS], ratio[MAX_ROUNDS];
    double trip[MAX_ROUNDS], one_way[MAX_ROUNDS], ev_ratio[MAX_ROUNDS];

    printf("%s\n", what);
    printf("%-8s %11s %11s %7s %11s %11s %9s\n", "round", "hv us/call", "raw us/call",
           "ratio", "evt trip us", "evt 1way us", "evt ratio");
    for (unsigned long i = 0; i < rounds; i++) {
        struct round r;
        char label[24];

        measure_round(b, i, &r);
        hv[i] = r.hv;
        raw[i] = r.raw;
        ratio[i] = r.hv / r.raw;
        trip[i] = r.ev_trip;
        one_way[i] = r.ev_trip / 2;
        ev_ratio[i] = one_way[i] / r.hv;
        snprintf(label, sizeof(label), "%lu", i + 1);
        print_row(label, hv[i], raw[i], ratio[i], trip[i], one_way[i], ev_ratio[i]);
    }
    struct summary s = {
        .hv = bench_median(hv, rounds),
        .raw = bench_median(raw, rounds),
        .ratio = bench_median(ratio, rounds),
        .ev_ratio = bench_median(ev_ratio, rounds),
        .one_way = bench_median(one_way, rounds),
    };
    /* bench_median sorts: [0] is now the smallest, [rounds - 1] the largest. */
    s.ev_ratio_min = ev_ratio[0];
    s.ev_ratio_max = ev_ratio[rounds - 1];
    print_row("median", s.hv, s.raw, s.ratio, bench_median(trip, rounds), s.one_way, s.ev_ratio);
    printf("evt ratio spread: %.3f-%.3f\n", s.ev_ratio_min, s.ev_ratio_max);
    return s;
}

static void print_result(const struct summary *s, const char *suffix)
{
    printf(" ratio%s=%.3f hypercall_us%s=%.3f raw_exit_us%s=%.3f evtchn_ratio%s=%.3f "
           "evtchn_us%s=%.3f evtchn_ratio_min%s=%.3f evtchn_ratio_max%s=%.3f",
           suffix, s->ratio, suffix, s->hv, suffix, s->raw, suffix, s->ev_ratio, suffix,
           s->one_way, suffix, s->ev_ratio_min, suffix, s->ev_ratio_max);
}

/* A child that keeps one CPU busy until it is killed (or we die). */
static pid_t start_load(void)
{
    pid_t pid = fork();

    if (pid < 0)
        bench_fail("fork", -errno);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (volatile unsigned long spin = 0;; spin++)
            ;
    }
    return pid;
}

static void stop_load(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    unsigned long rounds = DEFAULT_ROUNDS;
    struct image img = { 0 };
    struct raw_kvm kvm;
    struct bench b = { .img = &img, .kvm = &kvm, .calls = DEFAULT_CALLS, .trips = DEFAULT_TRIPS };
    int opt, rc;
    bool load = false;

    while ((opt = getopt(argc, argv, "ln:e:r:")) != -1) {
        if (opt == 'l')
            load = true;
        else if (opt == 'n')
            b.calls = bench_parse_count("-n", optarg);
        else if (opt == 'e')
            b.trips = bench_parse_count("-e", optarg);
        else if (opt == 'r')
            rounds = bench_parse_count("-r", optarg);
        else
            usage();
    }
    if (optind != argc - 1 || rounds > MAX_ROUNDS)
        usage();
    img.path = argv[optind];
    if ((rc = bench_read_file(img.path, &img.data, &img.len)) < 0)
        bench_fail(img.path, rc);
    if ((rc = hvctl_open(&b.h, NULL)) < 0)
        bench_fail("connecting to hvd", rc);
    if ((rc = raw_kvm_open(&kvm)) < 0)
        bench_fail("/dev/kvm", rc);
    printf("null hypercall (xen_version) vs bare KVM exit: %lu and %lu calls per run\n",
           b.calls, 2 * b.calls);
    printf("event channel send -> upcall in another domain, vs that null hypercall: "
           "%lu and %lu round trips per run; one way = round trip / 2\n",
           b.trips, 2 * b.trips);
    struct summary idle = run_rounds(&b, rounds, "-- no other load");
    struct summary loaded = { 0 };
    if (load) {
        pid_t busy = start_load();
        loaded = run_rounds(&b, rounds, "-- another process keeps one CPU busy");
        stop_load(busy);
    }
    printf("RESULT");
    print_result(&idle, "");
    if (load)
        print_result(&loaded, "_loaded");
    printf("\n");
    raw_kvm_close(&kvm);
    hvctl_close(b.h);
    free(img.data);
    return 0;
}
