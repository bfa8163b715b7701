/* Helpers shared by the benchmarks. */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_sleep_us(unsigned int us)
{
    struct timespec ts = { .tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000 };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double bench_percentile(double *v, size_t n, double p)
{
    size_t rank;

    qsort(v, n, sizeof(*v), compare_doubles);
    rank = (size_t)(p / 100.0 * (double)n + 0.999999); /* nearest rank, 1-based */
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const char *bench_spread(const double *v, size_t n, int decimals, char *buf, size_t len)
{
    double *sorted = malloc(n * sizeof(*sorted));

    if (!sorted)
        bench_fail("bench_spread", -ENOMEM);
    memcpy(sorted, v, n * sizeof(*sorted));
    double median = bench_median(sorted, n);
    snprintf(buf, len, "%.*f (%.*f-%.*f)", decimals, median, decimals, sorted[0], decimals,
             sorted[n - 1]);
    free(sorted);
    return buf;
}

_Noreturn void bench_fail(const char *what, int err)
{
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(-err));
    exit(1);
}

unsigned long bench_parse_count(const char *opt, const char *s)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(s, &end, 10);
    if (errno || end == s || *end || n == 0 || s[0] == '-') {
        fprintf(stderr, "%s: %s needs a positive count, not '%s'\n",
                program_invocation_short_name, opt, s);
        exit(2);
    }
    return n;
}

int bench_read_file(const char *path, void **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    if (!f)
        return -errno;
    if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0) {
        fclose(f);
        return -EINVAL;
    }
    *len = (size_t)size;
    *data = malloc(*len);
    int rc = !*data ? -ENOMEM : fread(*data, 1, *len, f) != *len ? -EIO : 0;
    fclose(f);
    return rc;
}
