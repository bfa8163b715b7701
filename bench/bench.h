/* Helpers shared by the benchmarks: a clock, sample statistics, fatal errors. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* Sleep for us microseconds. */
void bench_sleep_us(unsigned int us);

/* The p-th percentile (0 <= p <= 100, nearest rank) of v[0..n); sorts v.  n > 0. */
double bench_percentile(double *v, size_t n, double p);

/* The median of v[0..n); sorts v.  n > 0. */
double bench_median(double *v, size_t n);

/* The median, smallest and largest of v[0..n), as "M (MIN-MAX)" with
 * `decimals` decimals, in buf.  v is left as it was.  n > 0. */
const char *bench_spread(const double *v, size_t n, int decimals, char *buf, size_t len);

/* Print "PROG: what: strerror(-err)" to stderr and exit 1. */
_Noreturn void bench_fail(const char *what, int err);

/* Read the whole file at path into *data (malloc'ed), *len bytes; -errno. */
int bench_read_file(const char *path, void **data, size_t *len);

/* Parse a positive decimal count for option opt, or fail. */
unsigned long bench_parse_count(const char *opt, const char *s);

#endif
