/*
 * iso_mem_baseline: the baseline check after an attack on guest memory.
 *   iso_mem_baseline save FILE   record what hvd ($HVD_PID) holds now
 *   iso_mem_baseline check FILE  hvd still answers and, within a second,
 *                                holds exactly that again (dalloc, fds,
 *                                threads, mappings, domains)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv)
{
    int pid = hvd_pid_from_env();
    hvctl_t *h;
    if (argc != 3 || pid <= 0 || (strcmp(argv[1], "save") && strcmp(argv[1], "check"))) {
        fprintf(stderr, "usage: HVD_PID=PID %s save|check FILE\n", argv[0]);
        return 2;
    }
    int rc = hvctl_open(&h, NULL); /* $HVD_SOCKET */
    if (rc) {
        printf("cannot reach hvd: %s\n", strerror(-rc));
        return 1;
    }
    rc = !strcmp(argv[1], "save") ? save(h, pid, argv[2]) : check(h, pid, argv[2]);
    hvctl_close(h);
    return rc;
}
