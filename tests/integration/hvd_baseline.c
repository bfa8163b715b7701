/*
 * hvd_baseline save FILE | check FILE: what hvd holds (dalloc, fds,
 * threads, mappings, domains; hvd_probe.h), written to FILE before an
 * attack and compared after it, for the isolation tests' shell scripts.
 * hvd's pid comes from HVD_PID.  check waits up to a second for hvd to
 * settle, then prints what differs and exits 1.
 *
 * hvd_baseline latency SECONDS MAX_MS: for SECONDS, ten times a second,
 * connect as root and list the domains, as `hvcli list` does; exit 1 if
 * any answer took more than MAX_MS (scaled by HV_TIME_SCALE).  It times
 * hvd, not the start of a program, which is slow on emulated CPUs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "hvd_probe.h"

/* A list that never comes back must fail the test, not hang it. */
static void no_answer(int sig)
{
    static const char msg[] = "hvd_baseline: hvd did not answer at all (several seconds)\n";
    (void)sig;
    if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* exiting anyway */
    }
    _exit(1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One `hvcli list`: a new connection, the domain list; its time in ms. */
static double time_one_list(int *rc)
{
    struct xen_domctl_getdomaininfo info[HV_DOMAININFOLIST_MAX];
    double t0 = now_ms();
    hvctl_t *h;
    *rc = hvctl_open(&h, NULL);
    if (*rc == 0) {
        int n = hvctl_domain_list(h, 0, info, HV_DOMAININFOLIST_MAX);
        *rc = n < 0 ? n : 0;
        hvctl_close(h);
    }
    return now_ms() - t0;
}

static int latency(const char *seconds_arg, const char *max_arg)
{
    const char *scale_env = getenv("HV_TIME_SCALE");
    double seconds = atof(seconds_arg), scale = scale_env ? atof(scale_env) : 1;
    double max_ms = atof(max_arg) * (scale > 0 ? scale : 1), worst = 0, end = now_ms() + seconds * 1e3;
    unsigned int lists = 0, late = 0;
    signal(SIGALRM, no_answer);
    while (now_ms() < end) {
        int rc;
        alarm((unsigned int)(max_ms / 1000) + 5);
        double ms = time_one_list(&rc);
        alarm(0);
        if (rc) {
            printf("hvd_baseline: listing domains failed: %s\n", strerror(-rc));
            return 1;
        }
        lists++;
        late += ms > max_ms;
        worst = ms > worst ? ms : worst;
        nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
    }
    printf("hvd_baseline: %u domain lists in %.0f s, slowest %.1f ms, %u over %.0f ms\n", lists,
           seconds, worst, late, max_ms);
    return lists && !late ? 0 : 1;
}

static int save(hvctl_t *h, int pid, const char *path)
{
    struct hvd_resources r;
    FILE *f = fopen(path, "w");
    if (!f || hvd_probe(h, pid, &r) || fwrite(&r, sizeof(r), 1, f) != 1) {
        fprintf(stderr, "hvd_baseline: cannot take or write the baseline to %s\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) ? 1 : 0;
}

static int check(hvctl_t *h, int pid, const char *path)
{
    struct hvd_resources base;
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(&base, sizeof(base), 1, f) : 0;
    if (f)
        fclose(f);
    if (n != 1) {
        fprintf(stderr, "hvd_baseline: cannot read a baseline from %s\n", path);
        return 1;
    }
    if (hvd_probe_settled(h, pid, "after the attack", &base))
        return 1;
    printf("hvd is back to its baseline: %llu bytes in %llu allocations, %u fds, %u threads, "
           "%u mappings, %u domains\n", (unsigned long long)base.overhead_bytes,
           (unsigned long long)base.overhead_allocs, base.fds, base.threads, base.mappings,
           base.domains);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "latency"))
        return latency(argv[2], argv[3]);
    int pid = hvd_pid_from_env();
    if (argc != 3 || pid <= 0 || (strcmp(argv[1], "save") && strcmp(argv[1], "check"))) {
        fprintf(stderr, "usage: HVD_PID=PID hvd_baseline save|check FILE\n"
                        "       hvd_baseline latency SECONDS MAX_MS\n");
        return 2;
    }
    hvctl_t *h;
    int rc = hvctl_open(&h, NULL);
    if (rc) {
        fprintf(stderr, "hvd_baseline: cannot reach hvd: %s\n", strerror(-rc));
        return 1;
    }
    rc = !strcmp(argv[1], "save") ? save(h, pid, argv[2]) : check(h, pid, argv[2]);
    hvctl_close(h);
    return rc;
}
