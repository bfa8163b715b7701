/*
 * The fault_ttl sweep: for each configuration, create with fault_ttl =
 * 1, 2, ... until creation succeeds.  Every failed attempt must return
 * exactly -ENOMEM and leave hvd exactly as it was (dalloc counters, fds,
 * threads, mappings, domid and name free); the number of failing attempts
 * must equal the fault points the successful creation declares.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hvd_probe.h"

struct sweep_config {
    const char *name;
    uint32_t vcpus;    /* 0: the most the host allows */
    uint64_t mib;
};

static int check_failed_attempt(hvctl_t *h, int pid, const struct hvd_resources *base,
                                uint32_t ttl, int rc, uint32_t expected_domid, const char *name)
{
    char what[64];
    snprintf(what, sizeof(what), "fault_ttl %u", ttl);
    if (rc != -ENOMEM) {
        printf("%s: creation returned %d (%s), expected -ENOMEM\n", what, rc, strerror(-rc));
        return -1;
    }
    struct hvd_resources now;
    if (hvd_probe(h, pid, &now)) {
        printf("%s: hvd no longer serves\n", what);
        return -1;
    }
    if (hvd_probe_compare(what, base, &now))
        return -1;
    struct xen_domctl_getdomaininfo info;
    uint32_t found;
    if (hvctl_domain_getinfo(h, expected_domid, &info) != -ESRCH ||
        hvctl_domain_lookup(h, name, &found) != -ESRCH) {
        printf("%s: domid %u or name '%s' still taken\n", what, expected_domid, name);
        return -1;
    }
    return 0;
}

static int sweep(hvctl_t *h, int pid, const struct sweep_config *c, uint32_t max_vcpus)
{
    struct hvd_resources base;
    if (hvd_probe(h, pid, &base))
        return -1;
    struct xen_domctl_createdomain cd = { .max_vcpus = c->vcpus ? c->vcpus : max_vcpus,
                                          .max_pages = c->mib * 256, .init_pages = c->mib * 256 };
    snprintf(cd.name, sizeof(cd.name), "sweep-%s", c->name);
    uint32_t domid = 0, expected_domid = 1; /* hvd runs nothing else: the lowest id */
    uint32_t ttl;
    for (ttl = 1; ttl < 100000; ttl++) {
        struct xen_domctl_createdomain attempt = cd;
        attempt.fault_ttl = ttl;
        int rc = hvctl_domain_create(h, &attempt, &domid);
        if (rc == 0)
            break;
        if (check_failed_attempt(h, pid, &base, ttl, rc, expected_domid, cd.name))
            return -1;
    }
    struct xen_domctl_getdomaininfo info;
    if (hvctl_domain_getinfo(h, domid, &info)) {
        printf("%s: created domain %u is not there\n", c->name, domid);
        return -1;
    }
    uint32_t covered = ttl - 1;
    printf("%s (%u vCPUs, %llu MiB): fault points covered: %u (declared %u), overhead %llu bytes "
           "in %llu allocations\n",
           c->name, cd.max_vcpus, (unsigned long long)c->mib, covered, info.create_fault_points,
           (unsigned long long)info.overhead_bytes, (unsigned long long)info.overhead_allocs);
    int bad = covered < info.create_fault_points || info.create_fault_points == 0;
    if (bad)
        printf("%s: fewer failing attempts than fault points\n", c->name);
    if (hvctl_domain_destroy(h, domid)) {
        printf("%s: destroy failed\n", c->name);
        return -1;
    }
    struct hvd_resources now;
    if (hvd_probe(h, pid, &now) || hvd_probe_compare("after destroy", &base, &now))
        return -1;
    return bad ? -1 : 0;
}

int main(void)
{
    int pid = hvd_pid_from_env();
    hvctl_t *h;
    if (pid <= 0 || hvctl_open(&h, NULL)) {
        fprintf(stderr, "fault_ttl: needs HVD_PID and a running hvd at HVD_SOCKET\n");
        return 2;
    }
    struct xen_sysctl_physinfo pi;
    if (hvctl_physinfo(h, &pi))
        return 1;
    static const struct sweep_config configs[] = {
        { "small", 1, 16 },
        { "four", 4, 256 },
        { "widest", 0, 16 },
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
        failed |= sweep(h, pid, &configs[i], pi.max_vcpus) != 0;
    hvctl_close(h);
    printf("%s\n", failed ? "FAILED" : "all sweeps clean");
    return failed;
}
