/*
 * hvd_baseline save FILE | check FILE: what hvd holds (dalloc, fds,
 * threads, mappings, domains; hvd_probe.h), written to FILE before an
 * attack and compared after it, for the isolation tests' shell scripts.
 * hvd's pid comes from HVD_PID.  check waits up to a second for hvd to
 * settle, then prints what differs and exits 1.
 */
#include <stdio.h>
#include <string.h>
#include "hvd_probe.h"

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
    int pid = hvd_pid_from_env();
    if (argc != 3 || pid <= 0 || (strcmp(argv[1], "save") && strcmp(argv[1], "check"))) {
        fprintf(stderr, "usage: HVD_PID=PID hvd_baseline save|check FILE\n");
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
