/*
 * bench/migrate: live migration of a 1 GiB guest that dirties its memory
 * at about 50 MB/s and at about 200 MB/s (tests/guests/savetest, dirty=),
 * over loopback TCP within one hvd, against the raw loopback TCP rate
 * measured in the same run (a process writing to a socket that another
 * reads).  Each migration moves the domain to a new copy in the same hvd
 * (docs/migration.md), so the guest bounces and keeps dirtying.
 * Figures: total time, downtime, rounds, pages sent over guest pages, and
 * round 0's rate over the raw TCP rate, each as the median of the runs
 * with their smallest and largest.
 *
 * Usage: bench/migrate [-r RUNS] [-m MIB] GUEST.elf   (hvd at $HVD_SOCKET)
 * Last line: RESULT downtime_ms_50=A downtime_ms_200=B round0_ratio=C rounds_50=D
 *              downtime_ms_50_max=.. downtime_ms_200_max=.. round0_ratio_min=..
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hvctl.h>
#include <hvguest.h>

#include "bench.h"

#define DEFAULT_MIB    1024ul
#define DEFAULT_RUNS   3ul
#define MAX_RUNS       20ul
#define RAW_OCTETS     (512ul << 20) /* the raw TCP sample */
#define REGION_SPARE   24ul          /* MiB of the guest not in its dirtied region */
#define WARMUP_US      2000000u      /* dirtying before the first migration */
#define READY_WAIT_S   600           /* setting up a 1 GiB region on a slow host */

static const unsigned int rates[] = { 50, 200 }; /* MB/s the guest dirties */
#define NR_RATES (sizeof(rates) / sizeof(rates[0]))

struct figures {
    double total_s[MAX_RUNS], downtime_ms[MAX_RUNS], rounds[MAX_RUNS], sent_ratio[MAX_RUNS],
        round0_ratio[MAX_RUNS], round0_mbps[MAX_RUNS];
};

/* A connected loopback TCP pair: *a connected to *b. */
static void tcp_pair(int *a, int *b)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    int l = socket(AF_INET, SOCK_STREAM, 0);

    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&sa, &len) < 0)
        bench_fail("listening on loopback", -errno);
    *a = socket(AF_INET, SOCK_STREAM, 0);
    if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        (*b = accept(l, NULL, NULL)) < 0)
        bench_fail("connecting on loopback", -errno);
    close(l);
}

/* Octets per second a process can push through loopback TCP to another. */
static double raw_tcp_rate(void)
{
    static char buf[1 << 20];
    int a, b;

    tcp_pair(&a, &b);
    pid_t pid = fork();
    if (pid == 0) {
        close(b);
        for (size_t sent = 0; sent < RAW_OCTETS;) {
            ssize_t n = write(a, buf, sizeof(buf));
            if (n <= 0)
                _exit(1);
            sent += (size_t)n;
        }
        _exit(0);
    }
    close(a);
    uint64_t t0 = bench_now_ns(), got = 0;
    for (ssize_t n; (n = read(b, buf, sizeof(buf))) > 0;)
        got += (uint64_t)n;
    uint64_t ns = bench_now_ns() - t0;
    close(b);
    waitpid(pid, NULL, 0);
    if (got != RAW_OCTETS)
        bench_fail("the raw TCP sample", -EIO);
    return (double)got * 1e9 / (double)ns;
}

/* Wait for the guest's "migtest ready" line on its console. */
static void wait_ready(hvctl_t *h, uint32_t domid)
{
    char buf[4096], line[256];
    size_t used = 0;
    int fd, rc = hvctl_console_attach(h, domid, &fd);
    uint64_t deadline = bench_now_ns() + READY_WAIT_S * 1000000000ull;

    if (rc < 0)
        bench_fail("attaching to the guest's console", rc);
    while (bench_now_ns() < deadline) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                line[used < sizeof(line) - 1 ? used++ : used] = buf[i];
                continue;
            }
            line[used] = '\0';
            used = 0;
            if (strstr(line, "migtest ready")) {
                close(fd);
                return;
            }
            if (strstr(line, "Test result"))
                break;
        }
    }
    close(fd);
    bench_fail("waiting for the guest to be ready", -ETIMEDOUT);
}

static uint32_t create_guest(hvctl_t *h, const char *elf, unsigned long mib, unsigned int rate)
{
    struct xen_domctl_createdomain cfg = { .max_vcpus = 1,
                                           .max_pages = mib * 256,
                                           .init_pages = mib * 256 };
    char cmdline[128];
    uint32_t domid;

    snprintf(cfg.name, sizeof(cfg.name), "bench-migrate-%u", rate);
    snprintf(cmdline, sizeof(cmdline), "migrate dirty=%u region=%lu", rate, mib - REGION_SPARE);
    int rc = hvctl_domain_create(h, &cfg, &domid);
    if (rc == 0)
        rc = hvguest_build_elf_file(h, domid, elf, cmdline, NULL);
    if (rc == 0)
        rc = hvctl_domain_unpause(h, domid);
    if (rc < 0)
        bench_fail("creating the guest", rc);
    wait_ready(h, domid);
    return domid;
}

/* The receiving end, in a child with its own connection to hvd. */
static pid_t start_receiver(int fd)
{
    pid_t pid = fork();

    if (pid == 0) {
        struct hvguest_status st;
        hvctl_t *h;
        int rc = hvctl_open(&h, NULL);
        if (rc == 0)
            rc = hvguest_migrate_receive(h, fd, fd, NULL, 0, NULL, &st);
        if (rc < 0)
            fprintf(stderr, "bench/migrate: receiving: %s\n", rc == 0 ? "" : st.error);
        _exit(rc < 0);
    }
    return pid;
}

static int keep_round0(void *arg, const struct hvguest_round *r)
{
    if (r->round == 0)
        *(struct hvguest_round *)arg = *r;
    return 0;
}

/* One migration of *domid to a new copy, whose domid it leaves there. */
static void migrate_once(hvctl_t *h, uint32_t *domid, struct hvguest_migrate_report *rep,
                         struct hvguest_round *round0)
{
    struct hvguest_status st;
    int a, b, status;

    tcp_pair(&a, &b);
    pid_t pid = start_receiver(b);
    close(b);
    int rc = hvguest_migrate_send(h, *domid, a, a, NULL, NULL, NULL, keep_round0, round0, rep,
                                  &st);
    close(a);
    waitpid(pid, &status, 0);
    if (rc < 0) {
        fprintf(stderr, "bench/migrate: %s\n", st.error);
        bench_fail("migrating", rc);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        bench_fail("the receiver", -EIO);
    *domid = rep->dest_domid;
}

static void run_rate(hvctl_t *h, const char *elf, unsigned long mib, unsigned int rate,
                     unsigned long runs, double raw, struct figures *f)
{
    uint32_t domid = create_guest(h, elf, mib, rate);

    bench_sleep_us(WARMUP_US);
    for (unsigned long i = 0; i < runs; i++) {
        struct hvguest_migrate_report rep;
        struct hvguest_round r0 = { 0 };
        migrate_once(h, &domid, &rep, &r0);
        f->total_s[i] = (double)rep.total_ns / 1e9;
        f->downtime_ms[i] = (double)rep.downtime_ns / 1e6;
        f->rounds[i] = rep.rounds;
        f->sent_ratio[i] = (double)rep.pages_sent / (double)(rep.guest_pages ? rep.guest_pages : 1);
        f->round0_mbps[i] = (double)r0.bandwidth / 1e6;
        f->round0_ratio[i] = (double)r0.bandwidth / raw;
    }
    int rc = hvctl_domain_destroy(h, domid);
    if (rc < 0)
        bench_fail("destroying the guest", rc);
}

static double median_of(const double *v, size_t n)
{
    double c[MAX_RUNS];

    memcpy(c, v, n * sizeof(*v));
    return bench_median(c, n);
}

static double extreme_of(const double *v, size_t n, bool largest)
{
    double x = v[0];

    for (size_t i = 1; i < n; i++)
        x = largest ? (v[i] > x ? v[i] : x) : (v[i] < x ? v[i] : x);
    return x;
}

static void print_rate(unsigned int rate, const struct figures *f, size_t n)
{
    char a[64], b[64], c[64], d[64], e[64];

    printf("%6u  %-20s %-22s %-14s %-18s %s\n", rate, bench_spread(f->total_s, n, 2, a, sizeof(a)),
           bench_spread(f->downtime_ms, n, 1, b, sizeof(b)),
           bench_spread(f->rounds, n, 0, c, sizeof(c)),
           bench_spread(f->sent_ratio, n, 2, d, sizeof(d)),
           bench_spread(f->round0_ratio, n, 2, e, sizeof(e)));
}

static void usage(void)
{
    fprintf(stderr, "usage: bench/migrate [-r RUNS] [-m MIB] GUEST.elf   (hvd at $HVD_SOCKET)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long runs = DEFAULT_RUNS, mib = DEFAULT_MIB;
    static struct figures f[NR_RATES];
    hvctl_t *h;
    int c;

    while ((c = getopt(argc, argv, "r:m:")) != -1) {
        if (c == 'r')
            runs = bench_parse_count("-r", optarg);
        else if (c == 'm')
            mib = bench_parse_count("-m", optarg);
        else
            usage();
    }
    if (optind != argc - 1 || runs > MAX_RUNS || mib <= 2 * REGION_SPARE)
        usage();
    signal(SIGPIPE, SIG_IGN);
    int rc = hvctl_open(&h, NULL);
    if (rc < 0)
        bench_fail("connecting to hvd", rc);
    double raw = raw_tcp_rate();
    printf("bench/migrate: a %lu MiB guest, %lu migrations per dirty rate, over loopback TCP "
           "(raw: %.0f MB/s)\n",
           mib, runs, raw / 1e6);
    printf("%6s  %-20s %-22s %-14s %-18s %s\n", "MB/s", "total s", "downtime ms", "rounds",
           "sent/guest pages", "round0/raw TCP");
    for (size_t i = 0; i < NR_RATES; i++) {
        run_rate(h, argv[optind], mib, rates[i], runs, raw, &f[i]);
        print_rate(rates[i], &f[i], runs);
    }
    hvctl_close(h);
    double all_r0[2 * MAX_RUNS];
    memcpy(all_r0, f[0].round0_ratio, runs * sizeof(double));
    memcpy(all_r0 + runs, f[1].round0_ratio, runs * sizeof(double));
    printf("RESULT downtime_ms_50=%.1f downtime_ms_200=%.1f round0_ratio=%.2f rounds_50=%.0f "
           "downtime_ms_50_max=%.1f downtime_ms_200_max=%.1f round0_ratio_min=%.2f\n",
           median_of(f[0].downtime_ms, runs), median_of(f[1].downtime_ms, runs),
           median_of(all_r0, 2 * runs), median_of(f[0].rounds, runs),
           extreme_of(f[0].downtime_ms, runs, true), extreme_of(f[1].downtime_ms, runs, true),
           extreme_of(all_r0, 2 * runs, false));
    return 0;
}
