/*
 * bench/memory-ops: pages per second of decrease_reservation +
 * populate_physmap of all of a guest's RAM in single pages, for a small
 * guest and a large one in the same run.  Memory operations must cost time
 * linear in the pages they touch, so the large guest's rate should match
 * the small one's: linearity = large rate / small rate.
 *
 * Each round runs the attacker guest's memop-storm mode once in a fresh
 * domain of each size (one call gives back every page above the image,
 * one takes them all again); the guest times the two calls on its own
 * clock and prints pages_per_s.  Rounds alternate the sizes; the results
 * are medians over rounds (of each round's ratio, for linearity).  A size
 * whose round does not end within TIMEOUT seconds is reported as at most
 * (its pages / TIMEOUT) per second, and is not run again.
 *
 * Usage: bench/memory-ops [-r ROUNDS] [-t TIMEOUT] [-s SMALL_MIB] [-l LARGE_MIB] IMAGE
 *        (hvd at $HVD_SOCKET; IMAGE: tests/guests/attacker.elf)
 * Last line: RESULT linearity=R small_pages_per_s=A large_pages_per_s=B
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <hvctl.h>
#include <hvguest.h>

#include "bench.h"

#define MAX_ROUNDS 50u
#define CONSOLE_SIZE 65536

struct image {
    void *data;
    size_t len;
};

struct size_result {
    uint64_t mib;
    unsigned int rounds;            /* rounds that ended */
    double rate[MAX_ROUNDS];        /* pages per second, per round */
    unsigned long long pages;       /* pages per round */
    bool timed_out;
};

/* A paused 1-vCPU domain of mib MiB running the storm. */
static int create_storm(hvctl_t *h, const struct image *img, uint64_t mib, unsigned int rounds,
                        uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = { .max_vcpus = 1, .max_pages = mib * 256,
                                           .init_pages = mib * 256,
                                           /* kept after it powers off, for the destroy */
                                           .on_poweroff = HV_ACTION_preserve,
                                           .on_reboot = HV_ACTION_preserve,
                                           .on_crash = HV_ACTION_preserve };
    char cmdline[64];
    snprintf(cfg.name, sizeof(cfg.name), "memory-ops-%llu", (unsigned long long)mib);
    snprintf(cmdline, sizeof(cmdline), "memop-storm rounds=%u", rounds);
    int rc = hvctl_domain_create(h, &cfg, domid);
    if (rc == 0 && (rc = hvguest_build_elf(h, *domid, img->data, img->len, cmdline, NULL)) < 0)
        hvctl_domain_destroy(h, *domid);
    return rc;
}

/* Take the numbers out of every complete line the console has given. */
static void parse_lines(const char *buf, struct size_result *r)
{
    const char *p;
    r->rounds = 0;
    for (p = strstr(buf, "memop-storm: round "); p && r->rounds < MAX_ROUNDS;
         p = strstr(p + 1, "memop-storm: round ")) {
        const char *rate = strstr(p, "pages_per_s=");
        const char *eol = strchr(p, '\n');
        if (!rate || !eol || rate > eol)
            break;
        r->rate[r->rounds++] = strtod(rate + strlen("pages_per_s="), NULL);
    }
    if ((p = strstr(buf, "memop-storm: ")))
        r->pages = strtoull(p + strlen("memop-storm: "), NULL, 10);
}

/* Follow the console until the guest's result line, or the timeout. */
static int follow_console(int fd, struct size_result *r, unsigned int rounds, uint64_t timeout_ns)
{
    static char buf[CONSOLE_SIZE];
    size_t used = 0;
    uint64_t start = bench_now_ns();
    buf[0] = '\0';
    while (!strstr(buf, "Test result:")) {
        uint64_t now = bench_now_ns();
        parse_lines(buf, r);
        if (now - start >= timeout_ns && r->rounds == 0) {
            r->timed_out = true;
            return 0;
        }
        if (used == sizeof(buf) - 1)
            return -E2BIG;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int n = poll(&pfd, 1, 1000);
        ssize_t got = n > 0 ? recv(fd, buf + used, sizeof(buf) - 1 - used, 0) : 0;
        if (n < 0 || got < 0)
            return -errno;
        if (n > 0 && got == 0)
            return -EPIPE;
        used += (size_t)got;
        buf[used] = '\0';
    }
    parse_lines(buf, r);
    return strstr(buf, "Test result: SUCCESS") && r->rounds == rounds ? 0 : -EIO;
}

/*
 * Run the storm in a domain of r->mib MiB and destroy it; one that timed
 * out is left running (its domid in *left): destroying it waits for the
 * call in progress on an hvd that cannot stop one, so that comes last.
 */
static void measure(hvctl_t *h, const struct image *img, unsigned int rounds, uint64_t timeout_s,
                    struct size_result *r, uint32_t *left)
{
    uint32_t domid;
    int console_fd = -1;
    int rc = create_storm(h, img, r->mib, rounds, &domid);
    if (rc < 0)
        bench_fail("creating the guest", rc);
    rc = hvctl_console_attach(h, domid, &console_fd);
    if (rc == 0)
        rc = hvctl_domain_unpause(h, domid);
    if (rc == 0)
        rc = follow_console(console_fd, r, rounds, timeout_s * 1000000000ull);
    if (console_fd >= 0)
        close(console_fd);
    if (rc < 0)
        bench_fail("the storm guest", rc);
    *left = domid;
    if (!r->timed_out && (rc = hvctl_domain_destroy(h, domid)) < 0)
        bench_fail("destroying the guest", rc);
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-r ROUNDS] [-t TIMEOUT] [-s SMALL_MIB] [-l LARGE_MIB] IMAGE\n",
            program_invocation_short_name);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long rounds = 3, timeout_s = 240, small = 256, large = 2048;
    int opt;
    while ((opt = getopt(argc, argv, "r:t:s:l:")) != -1) {
        switch (opt) {
        case 'r': rounds = bench_parse_count("-r", optarg); break;
        case 't': timeout_s = bench_parse_count("-t", optarg); break;
        case 's': small = bench_parse_count("-s", optarg); break;
        case 'l': large = bench_parse_count("-l", optarg); break;
        default: usage();
        }
    }
    if (optind != argc - 1 || rounds > MAX_ROUNDS)
        usage();
    struct image img = { NULL, 0 };
    hvctl_t *h;
    int rc = bench_read_file(argv[optind], &img.data, &img.len);
    if (rc < 0)
        bench_fail(argv[optind], rc);
    if ((rc = hvctl_open(&h, NULL)) < 0)
        bench_fail("connecting to hvd", rc);
    /* Rounds alternate the sizes, so a busy moment of the host hits both. */
    double rate[2][MAX_ROUNDS], ratio[MAX_ROUNDS];
    const uint64_t mib[2] = { small, large };
    uint32_t left[2] = { 0, 0 };
    bool timed_out[2] = { false, false };
    unsigned long long pages[2] = { 0, 0 };
    printf("%6s %10s %10s %14s\n", "round", "guest MiB", "pages", "pages/s");
    for (unsigned long r = 0; r < rounds; r++) {
        for (int i = 0; i < 2; i++) {
            struct size_result res = { .mib = mib[i] };
            if (!timed_out[i]) {
                measure(h, &img, 1, timeout_s, &res, &left[i]);
                timed_out[i] = res.timed_out;
                pages[i] = res.pages;
            }
            rate[i][r] = timed_out[i] ? (double)pages[i] / (double)timeout_s : res.rate[0];
            printf("%6lu %10llu %10llu %14.0f%s\n", r + 1, (unsigned long long)mib[i], pages[i],
                   rate[i][r], timed_out[i] ? " (at most: the round did not end in time)" : "");
        }
        ratio[r] = rate[1][r] / rate[0][r];
    }
    printf("RESULT linearity=%.2f small_pages_per_s=%.0f large_pages_per_s=%.0f\n",
           bench_median(ratio, rounds), bench_median(rate[0], rounds),
           bench_median(rate[1], rounds));
    fflush(stdout);
    for (int i = 0; i < 2; i++) {
        if (timed_out[i] && (rc = hvctl_domain_destroy(h, left[i])) < 0)
            bench_fail("destroying the guest", rc);
    }
    hvctl_close(h);
    free(img.data);
    return 0;
}
