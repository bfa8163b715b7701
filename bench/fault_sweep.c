/*
 * bench/fault-sweep: how long the fault_ttl sweep of domain creation takes
 * (create with fault_ttl = 1, 2, ... until creation succeeds) for the
 * configurations tests/integration/fault_ttl.c checks, and what dalloc's
 * accounting costs: create+destroy cycles per second against an hvd built
 * with -DDALLOC_NO_ACCOUNTING, in alternating rounds of the same run.
 *
 * Usage: bench/fault-sweep [-r ROUNDS] [-c CYCLES]  with $HVD_SOCKET (hvd)
 *        and $HVD_SOCKET_NOACCT (the build that counts nothing)
 * Last line: RESULT sweep_s=S points=N overhead_pct=P
 *   sweep_s: seconds for the 4-vCPU configuration's whole sweep
 *   points: its fault points; overhead_pct: accounting's cost in throughput
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hvctl.h>

#include "bench.h"

struct config {
    const char *name;
    uint32_t vcpus; /* 0: the most the host allows */
    uint64_t mib;
};

/* Creation with fault_ttl = 1.. until it succeeds; returns the points. */
static uint32_t sweep(hvctl_t *h, const struct config *c, uint32_t max_vcpus, double *seconds)
{
    struct xen_domctl_createdomain cd = { .max_vcpus = c->vcpus ? c->vcpus : max_vcpus,
                                          .max_pages = c->mib * 256, .init_pages = c->mib * 256 };
    snprintf(cd.name, sizeof(cd.name), "sweep-%s", c->name);
    uint64_t t0 = bench_now_ns();
    uint32_t ttl, domid;
    for (ttl = 1;; ttl++) {
        struct xen_domctl_createdomain attempt = cd;
        attempt.fault_ttl = ttl;
        int rc = hvctl_domain_create(h, &attempt, &domid);
        if (rc == 0)
            break;
        if (rc != -ENOMEM)
            bench_fail("a failed creation did not return -ENOMEM", rc);
    }
    int rc = hvctl_domain_destroy(h, domid);
    if (rc)
        bench_fail("destroy", rc);
    *seconds = (double)(bench_now_ns() - t0) / 1e9;
    return ttl - 1;
}

/* Create+destroy of a 1-vCPU 16 MiB domain, cycles per second. */
static double cycles_per_s(hvctl_t *h, unsigned long cycles)
{
    struct xen_domctl_createdomain cd = { .max_vcpus = 1, .max_pages = 4096, .init_pages = 4096 };
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < cycles; i++) {
        uint32_t domid;
        int rc = hvctl_domain_create(h, &cd, &domid);
        if (rc == 0)
            rc = hvctl_domain_destroy(h, domid);
        if (rc)
            bench_fail("create+destroy", rc);
    }
    return (double)cycles / ((double)(bench_now_ns() - t0) / 1e9);
}

static hvctl_t *open_env(const char *var)
{
    const char *path = getenv(var);
    hvctl_t *h;
    if (!path)
        bench_fail(var, -EINVAL);
    int rc = hvctl_open(&h, path);
    if (rc)
        bench_fail(path, rc);
    return h;
}

int main(int argc, char **argv)
{
    unsigned long rounds = 21, cycles = 50;
    int opt;
    while ((opt = getopt(argc, argv, "r:c:")) != -1) {
        if (opt == 'r')
            rounds = bench_parse_count("-r", optarg);
        else if (opt == 'c')
            cycles = bench_parse_count("-c", optarg);
        else
            return 2;
    }
    hvctl_t *acct = open_env("HVD_SOCKET"), *plain = open_env("HVD_SOCKET_NOACCT");
    struct xen_sysctl_physinfo pi;
    int rc = hvctl_physinfo(acct, &pi);
    if (rc)
        bench_fail("physinfo", rc);

    double *with = calloc(rounds, sizeof(double)), *without = calloc(rounds, sizeof(double));
    if (!with || !without)
        bench_fail("calloc", -ENOMEM);
    cycles_per_s(acct, cycles); /* warm both up alike */
    cycles_per_s(plain, cycles);
    printf("%-6s %16s %16s\n", "round", "accounting/s", "no accounting/s");
    for (unsigned long r = 0; r < rounds; r++) {
        /* Alternate which goes first so drift hits both alike. */
        if (r % 2) {
            without[r] = cycles_per_s(plain, cycles);
            with[r] = cycles_per_s(acct, cycles);
        } else {
            with[r] = cycles_per_s(acct, cycles);
            without[r] = cycles_per_s(plain, cycles);
        }
        printf("%-6lu %16.1f %16.1f\n", r + 1, with[r], without[r]);
    }
    double w = bench_median(with, rounds), wo = bench_median(without, rounds);
    double overhead = (wo - w) / wo * 100.0;
    printf("%-6s %16.1f %16.1f\n\n", "median", w, wo);

    /* The sweeps run after the throughput rounds, which both hvds then
     * start from the same history. */
    static const struct config configs[] = { { "small", 1, 16 }, { "four", 4, 256 },
                                             { "widest", 0, 16 } };
    double four_s = 0;
    uint32_t four_points = 0;
    printf("%-8s %6s %6s %10s\n", "config", "vcpus", "MiB", "points  seconds");
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        double s;
        uint32_t points = sweep(acct, &configs[i], pi.max_vcpus, &s);
        printf("%-8s %6u %6llu %6u %8.3f\n", configs[i].name,
               configs[i].vcpus ? configs[i].vcpus : pi.max_vcpus,
               (unsigned long long)configs[i].mib, points, s);
        if (configs[i].vcpus == 4) {
            four_s = s;
            four_points = points;
        }
    }

    printf("RESULT sweep_s=%.3f points=%u overhead_pct=%.2f\n", four_s, four_points, overhead);
    free(with);
    free(without);
    hvctl_close(acct);
    hvctl_close(plain);
    return 0;
}
