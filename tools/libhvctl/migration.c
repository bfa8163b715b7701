/*
 * libhvctl: what live migration asks of hvd on the sending side — log-dirty
 * mode (XEN_DOMCTL_shadow_op) and the vCPU throttle (XEN_DOMCTL_throttle).
 * Both belong to the handle that set them: hvd undoes them when it closes.
 */
#include <errno.h>
#include "private.h"

static int shadow_op(hvctl_t *h, uint32_t domid, uint32_t cmd)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_shadow_op, .u.shadow_op.op = cmd };
    return hvctl_domctl_on(h, domid, &op, NULL, 0, NULL, 0, NULL, NULL);
}

HVCTL_API int hvctl_logdirty_enable(hvctl_t *h, uint32_t domid)
{
    return shadow_op(h, domid, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY);
}

HVCTL_API int hvctl_logdirty_disable(hvctl_t *h, uint32_t domid)
{
    return shadow_op(h, domid, XEN_DOMCTL_SHADOW_OP_OFF);
}

HVCTL_API int hvctl_logdirty_read(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, int clean,
                                  uint8_t *bitmap, uint64_t *dirty)
{
    struct xen_domctl op = {
        .cmd = XEN_DOMCTL_shadow_op,
        .u.shadow_op = { .op = clean ? XEN_DOMCTL_SHADOW_OP_CLEAN : XEN_DOMCTL_SHADOW_OP_PEEK,
                         .nr = nr,
                         .first_gfn = gfn },
    };
    size_t want = ((size_t)nr + 7) / 8, got = 0;
    int rc = hvctl_domctl_on(h, domid, &op, NULL, 0, bitmap, want, &got, NULL);
    if (rc < 0)
        return rc;
    if (got != want)
        return -EPROTO;
    if (dirty)
        *dirty = op.u.shadow_op.dirty_count;
    return 0;
}

HVCTL_API int hvctl_domain_throttle(hvctl_t *h, uint32_t domid, uint32_t percent)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_throttle, .u.throttle.percent = percent };
    return hvctl_domctl_on(h, domid, &op, NULL, 0, NULL, 0, NULL, NULL);
}
