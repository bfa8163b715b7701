/*
 * libhvctl: a paused domain's state as save-stream record bodies
 * (XEN_DOMCTL_getcontext / setcontext; docs/specs/save-stream.md).
 */
#include <errno.h>
#include <hv/public/privcmd.h>
#include "private.h"

HVCTL_API int hvctl_context_get(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index,
                                void *buf, size_t cap, uint32_t *len)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getcontext,
                             .u.context = { .type = type, .index = index } };
    size_t got = 0;
    int rc = hvctl_domctl_read(h, domid, &op, buf, cap, &op.u.context.length, &got);

    if (rc == 0)
        *len = (uint32_t)got;
    return rc;
}

HVCTL_API int hvctl_context_set(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index,
                                const void *body, uint32_t len)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_setcontext,
                             .u.context = { .type = type, .index = index, .length = len } };

    if (len > HV_PRIVCMD_MAX_BUF)
        return -EMSGSIZE;
    return hvctl_domctl_on(h, domid, &op, body, len, NULL, 0, NULL, NULL);
}
