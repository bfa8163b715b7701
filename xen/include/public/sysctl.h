/* hv public ABI: host-wide control operations (toolstack -> hvd). */
#ifndef HV_PUBLIC_SYSCTL_H
#define HV_PUBLIC_SYSCTL_H

#include <stdint.h>
#include "domctl.h"
#include "livepatch.h"

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000004u

/*
 * XEN_SYSCTL_readconsole: hvd's log ring.  Trailing buffer out: up to
 * `count` bytes starting at log offset `index`.  If `index` is older than
 * the ring holds, reading starts at the oldest byte (see `index` out).
 */
struct xen_sysctl_readconsole {
    uint64_t index; /* in: offset to read from; out: offset after the data */
    uint32_t count; /* in: buffer bytes wanted, <= HV_PRIVCMD_MAX_BUF;
                        out: bytes returned */
    uint32_t pad;
    uint64_t lost; /* out: bytes between the requested index and the oldest held */
};
_Static_assert(sizeof(struct xen_sysctl_readconsole) == 24, "readconsole");

/*
 * XEN_SYSCTL_getdomaininfolist: domains with domid >= first_domain in
 * increasing order; trailing buffer out: num_domains entries of struct
 * xen_domctl_getdomaininfo.
 */
struct xen_sysctl_getdomaininfolist {
    uint32_t first_domain; /* in */
    uint32_t max_domains;  /* in: 1..HV_DOMAININFOLIST_MAX */
    uint32_t num_domains;  /* out */
    uint32_t pad;
};
_Static_assert(sizeof(struct xen_sysctl_getdomaininfolist) == 16, "getdomaininfolist");
#define HV_DOMAININFOLIST_MAX 256u

/* XEN_SYSCTL_physinfo. */
struct xen_sysctl_physinfo {
    uint32_t nr_cpus;         /* out: host CPUs online */
    uint32_t nr_domains;      /* out: domains that exist */
    uint64_t total_pages;     /* out: host memory limit for guests, 4 KiB pages */
    uint64_t free_pages;      /* out: total_pages minus what domains hold */
    uint32_t hv_version;      /* out: major << 16 | minor */
    uint32_t max_vcpus;       /* out: per domain (HV_MAX_VCPUS or KVM's limit) */
    uint64_t uptime_ns;       /* out: since hvd started */
    uint64_t overhead_bytes;  /* out: hvd memory allocated for all domains (dalloc) */
    uint64_t overhead_allocs; /* out: number of those allocations */
    uint64_t livepatch_bytes; /* out: hvd memory held for live patches (docs/livepatch.md) */
    uint32_t build_id_len;    /* out: octets of build_id */
    uint32_t pad;
    uint8_t build_id[40]; /* out: hvd's GNU build-id, which a live patch names */
};
_Static_assert(sizeof(struct xen_sysctl_physinfo) == 112, "physinfo");

#define XEN_SYSCTL_readconsole       1
#define XEN_SYSCTL_physinfo          3
#define XEN_SYSCTL_getdomaininfolist 6
/* XEN_SYSCTL_dom_exc: no arguments; the reply carries the read end of a
 * pipe to which hvd writes a byte whenever a domain shuts down or is
 * destroyed (VIRQ_DOM_EXC for the host; a full pipe just stays readable).
 * -EBUSY when HV_DOM_EXC_MAX subscribers are open. */
#define HV_DOM_EXC_MAX     16u
#define XEN_SYSCTL_dom_exc 7
/* XEN_SYSCTL_livepatch_op: struct xen_sysctl_livepatch_op, in livepatch.h. */
#define XEN_SYSCTL_livepatch_op 27

struct xen_sysctl {
    uint32_t cmd;               /* XEN_SYSCTL_* */
    uint32_t interface_version; /* XEN_SYSCTL_INTERFACE_VERSION */
    union {
        struct xen_sysctl_readconsole readconsole;
        struct xen_sysctl_getdomaininfolist getdomaininfolist;
        struct xen_sysctl_physinfo physinfo;
        struct xen_sysctl_livepatch_op livepatch;
        uint8_t raw[128];
    } u;
};
_Static_assert(sizeof(struct xen_sysctl) == 136, "xen_sysctl");

#endif
