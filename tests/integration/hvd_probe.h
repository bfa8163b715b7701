/* What integration tests check hvd against: its resources, seen from outside. */
#ifndef HVD_PROBE_H
#define HVD_PROBE_H

#include <stdint.h>
#include "hvctl.h"

/* A snapshot of what hvd holds: everything must return to it after a
 * failed creation or a destroy. */
struct hvd_resources {
    uint64_t overhead_bytes;  /* dalloc, host-wide */
    uint64_t overhead_allocs;
    unsigned int fds;         /* /proc/PID/fd entries */
    unsigned int threads;     /* /proc/PID/task entries */
    unsigned int mappings;    /* /proc/PID/maps lines */
    uint32_t domains;
};

int hvd_probe(hvctl_t *h, int pid, struct hvd_resources *r);
/* 0 if equal; else prints what differs (prefixed by what) and returns -1. */
int hvd_probe_compare(const char *what, const struct hvd_resources *base,
                      const struct hvd_resources *now);
/* The same after giving hvd up to a second to notice closed connections. */
int hvd_probe_settled(hvctl_t *h, int pid, const char *what, const struct hvd_resources *base);
int hvd_pid_from_env(void);
/* HV_TIME_SCALE (tests/lib.sh): time bounds are multiplied by it; >= 1. */
unsigned int hv_time_scale(void);

#endif
