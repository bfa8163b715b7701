/*
 * System control: the host-wide XEN_SYSCTL_* operations the toolstack
 * sends over the control socket, which concern no single domain: hvd's
 * log (readconsole), the list of domains, the host's resources (physinfo)
 * and a subscription to domain shutdown notices (dom_exc).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <hv/public/privcmd.h>
#include <xen/arch.h>
#include <xen/livepatch.h>
#include <xen/event.h>
#include <xen/privcmd.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/symbols.h>

static uint64_t start_ns;

static long sysctl_readconsole(struct xen_sysctl_readconsole *rc, struct privcmd_reply_extra *out)
{
    if (rc->count > HV_PRIVCMD_MAX_BUF || rc->pad)
        return -EINVAL;
    rc->count = (uint32_t)log_read(&rc->index, out->buf, rc->count, &rc->lost);
    out->buf_len = rc->count;
    return 0;
}

static long sysctl_getdomaininfolist(struct xen_sysctl_getdomaininfolist *l,
                                     struct privcmd_reply_extra *out)
{
    if (l->max_domains == 0 || l->max_domains > HV_DOMAININFOLIST_MAX || l->pad)
        return -EINVAL;
    struct xen_domctl_getdomaininfo *info = out->buf;
    uint32_t n = 0;
    for (struct domain *d = domain_first_from(l->first_domain); d && n < l->max_domains;
         d = domain_next(d))
        domain_getinfo(d, &info[n++]);
    l->num_domains = n;
    out->buf_len = n * sizeof(*info);
    return 0;
}

static long sysctl_physinfo(struct xen_sysctl_physinfo *p)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t used = memory_host_pages_used();
    p->nr_cpus = cpus > 0 ? (uint32_t)cpus : 1;
    p->nr_domains = domain_count();
    p->total_pages = domain_host_pages();
    p->free_pages = p->total_pages > used ? p->total_pages - used : 0;
    p->hv_version = HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR;
    p->max_vcpus = (uint32_t)arch_kvm_max_vcpus() < HV_MAX_VCPUS ? (uint32_t)arch_kvm_max_vcpus()
                                                                 : HV_MAX_VCPUS;
    p->uptime_ns = now_ns() - start_ns;
    struct dalloc_account acct;
    dalloc_host_totals(&acct);
    p->overhead_bytes = acct.bytes;
    p->overhead_allocs = acct.count;
    p->livepatch_bytes = livepatch_memory();
    p->pad = 0;
    memset(p->build_id, 0, sizeof(p->build_id));
    p->build_id_len = (uint32_t)symbols_build_id(p->build_id, sizeof(p->build_id));
    return 0;
}

void sysctl_init(void)
{
    start_ns = now_ns();
}

long do_sysctl(struct xen_sysctl *op, const void *buf_in, uint32_t buf_in_len,
               struct privcmd_reply_extra *out, const void *client)
{
    if (op->interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    switch (op->cmd) {
    case XEN_SYSCTL_readconsole:
        return sysctl_readconsole(&op->u.readconsole, out);
    case XEN_SYSCTL_getdomaininfolist:
        return sysctl_getdomaininfolist(&op->u.getdomaininfolist, out);
    case XEN_SYSCTL_physinfo:
        return sysctl_physinfo(&op->u.physinfo);
    case XEN_SYSCTL_livepatch_op:
        return livepatch_sysctl(&op->u.livepatch, buf_in, buf_in_len, out, client);
    case XEN_SYSCTL_dom_exc: {
        int fd = dom_exc_subscribe();
        if (fd < 0)
            return fd;
        privcmd_reply_add_fd(out, fd, true);
        return 0;
    }
    default:
        return -ENOSYS;
    }
}
