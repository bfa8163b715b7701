/*
 * libhvctl: per-vCPU state and the settings the guest itself sees and
 * acts on (its wall-clock offset, its balloon target).
 */
#include <errno.h>
#include "private.h"

static int domctl_on(hvctl_t *h, uint32_t domid, struct xen_domctl *op)
{
    return hvctl_domctl_on(h, domid, op, NULL, 0, NULL, 0, NULL, NULL);
}

HVCTL_API int hvctl_vcpu_getinfo(hvctl_t *h, uint32_t domid, uint32_t vcpu,
                                 struct xen_domctl_getvcpuinfo *info)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getvcpuinfo, .u.getvcpuinfo.vcpu = vcpu };
    int rc = domctl_on(h, domid, &op);
    if (rc == 0)
        *info = op.u.getvcpuinfo;
    return rc;
}

HVCTL_API int hvctl_domain_settimeoffset(hvctl_t *h, uint32_t domid, int64_t seconds)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_settimeoffset,
                             .u.settimeoffset.time_offset_seconds = seconds };
    return domctl_on(h, domid, &op);
}

HVCTL_API int hvctl_domain_set_target(hvctl_t *h, uint32_t domid, uint64_t pages)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_set_target, .u.set_target.target_pages = pages };
    return domctl_on(h, domid, &op);
}
