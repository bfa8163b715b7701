/* hvd's resource usage read from /proc and from physinfo (hvd_probe.h). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include "hvd_probe.h"

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int hvd_probe(hvctl_t *h, int pid, struct hvd_resources *r)
{
    struct xen_sysctl_physinfo pi;
    char path[64];
    int rc = hvctl_physinfo(h, &pi);
    if (rc)
        return rc;
    r->overhead_bytes = pi.overhead_bytes;
    r->overhead_allocs = pi.overhead_allocs;
    r->domains = pi.nr_domains;
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    int fds = count_dir(path);
    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    int threads = count_dir(path);
    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    int maps = count_lines(path);
    if (fds < 0 || threads < 0 || maps < 0)
        return -1;
    r->fds = (unsigned)fds;
    r->threads = (unsigned)threads;
    r->mappings = (unsigned)maps;
    return 0;
}

int hvd_probe_compare(const char *what, const struct hvd_resources *b,
                      const struct hvd_resources *n)
{
    if (b->overhead_bytes == n->overhead_bytes && b->overhead_allocs == n->overhead_allocs &&
        b->fds == n->fds && b->threads == n->threads && b->mappings == n->mappings &&
        b->domains == n->domains)
        return 0;
    printf("%s: hvd holds more than before: dalloc %llu/%llu bytes, %llu/%llu allocs, "
           "fds %u/%u, threads %u/%u, mappings %u/%u, domains %u/%u (baseline/now)\n",
           what, (unsigned long long)b->overhead_bytes, (unsigned long long)n->overhead_bytes,
           (unsigned long long)b->overhead_allocs, (unsigned long long)n->overhead_allocs,
           b->fds, n->fds, b->threads, n->threads, b->mappings, n->mappings, b->domains,
           n->domains);
    return -1;
}

int hvd_pid_from_env(void)
{
    const char *s = getenv("HVD_PID");
    return s ? atoi(s) : -1;
}

unsigned int hv_time_scale(void)
{
    const char *s = getenv("HV_TIME_SCALE");
    int k = s ? atoi(s) : 1;
    return k > 1 ? (unsigned int)k : 1;
}

int hvd_probe_settled(hvctl_t *h, int pid, const char *what, const struct hvd_resources *base)
{
    struct hvd_resources now;
    for (unsigned int i = 0; i < 100 * hv_time_scale(); i++) {
        if (hvd_probe(h, pid, &now))
            return -1;
        if (!memcmp(&now, base, sizeof(now)))
            return 0;
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return hvd_probe_compare(what, base, &now);
}
