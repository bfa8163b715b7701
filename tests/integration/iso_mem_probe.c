/*
 * iso_mem_probe: what the iso_mem_*.sh tests measure of hvd from outside.
 *   iso_mem_probe save FILE      record what hvd ($HVD_PID) holds now
 *   iso_mem_probe check FILE     hvd still answers and, within a second,
 *                                holds exactly that again (dalloc, fds,
 *                                threads, mappings, domains)
 *   iso_mem_probe pause DOM      pause domain DOM (name or domid) and
 *   iso_mem_probe destroy DOM    print how long hvd took, in seconds (the
 *                                domctl alone, without hvcli's start-up)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hvd_probe.h"

static int save(hvctl_t *h, int pid, const char *file)
{
    struct hvd_resources r;
    if (hvd_probe(h, pid, &r)) {
        printf("hvd does not answer\n");
        return 1;
    }
    FILE *f = fopen(file, "w");
    if (!f || fwrite(&r, sizeof(r), 1, f) != 1 || fclose(f)) {
        printf("%s: %s\n", file, strerror(errno));
        return 1;
    }
    printf("baseline: dalloc %llu bytes in %llu allocs, %u fds, %u threads, %u mappings\n",
           (unsigned long long)r.overhead_bytes, (unsigned long long)r.overhead_allocs, r.fds,
           r.threads, r.mappings);
    return 0;
}

static int check(hvctl_t *h, int pid, const char *file)
{
    struct hvd_resources base;
    FILE *f = fopen(file, "r");
    if (!f || fread(&base, sizeof(base), 1, f) != 1) {
        printf("%s: no baseline\n", file);
        return 1;
    }
    fclose(f);
    return hvd_probe_settled(h, pid, "after the attack", &base) ? 1 : 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int timed_op(hvctl_t *h, const char *op, const char *dom)
{
    uint32_t domid;
    int rc = hvctl_domain_lookup(h, dom, &domid);
    if (rc) {
        printf("%s: %s\n", dom, strerror(-rc));
        return 1;
    }
    double t0 = now_s();
    rc = !strcmp(op, "pause") ? hvctl_domain_pause(h, domid) : hvctl_domain_destroy(h, domid);
    double t = now_s() - t0;
    if (rc) {
        printf("%s %s: %s\n", op, dom, strerror(-rc));
        return 1;
    }
    printf("%.3f\n", t);
    return 0;
}

static int run(hvctl_t *h, int pid, const char *cmd, const char *arg)
{
    if (!strcmp(cmd, "save"))
        return save(h, pid, arg);
    if (!strcmp(cmd, "check"))
        return check(h, pid, arg);
    return timed_op(h, cmd, arg);
}

int main(int argc, char **argv)
{
    static const char *const cmds[] = { "save", "check", "pause", "destroy" };
    int pid = hvd_pid_from_env();
    bool known = false;
    hvctl_t *h;
    for (size_t i = 0; argc == 3 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
        known |= !strcmp(argv[1], cmds[i]);
    if (!known || pid <= 0) {
        fprintf(stderr, "usage: HVD_PID=PID %s save|check FILE | pause|destroy DOM\n", argv[0]);
        return 2;
    }
    int rc = hvctl_open(&h, NULL); /* $HVD_SOCKET */
    if (rc) {
        printf("cannot reach hvd: %s\n", strerror(-rc));
        return 1;
    }
    rc = run(h, pid, argv[1], argv[2]);
    hvctl_close(h);
    return rc;
}
