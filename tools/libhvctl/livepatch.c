/*
 * Live patching (XEN_SYSCTL_livepatch_op, docs/livepatch.md): one
 * function per operation.  A payload goes up in pieces of at most
 * HV_PRIVCMD_MAX_BUF octets on this connection; ACTION only schedules
 * APPLY, REVERT and REPLACE, whose outcome GET reports.
 */
#include <errno.h>
#include <string.h>
#include <hv/public/privcmd.h>
#include "private.h"

static int copy_name(struct xen_livepatch_name *n, const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0)
        return -EINVAL;
    if (len >= sizeof(n->name))
        return -ENAMETOOLONG;
    memset(n, 0, sizeof(*n));
    memcpy(n->name, name, len);
    return 0;
}

static int livepatch_op(hvctl_t *h, struct xen_sysctl *op, const void *in, size_t in_len, void *out,
                        size_t out_len, size_t *got)
{
    op->cmd = XEN_SYSCTL_livepatch_op;
    return hvctl_sysctl_in(h, op, in, in_len, out, out_len, got);
}

HVCTL_API int hvctl_livepatch_upload(hvctl_t *h, const char *name, const void *payload, size_t size)
{
    struct xen_sysctl op = { 0 };
    struct xen_sysctl_livepatch_upload *up = &op.u.livepatch.u.upload;
    if (!payload || size == 0)
        return -EINVAL;
    if (size > LIVEPATCH_PAYLOAD_MAX)
        return -E2BIG;
    for (size_t off = 0; off < size;) {
        size_t piece = size - off < HV_PRIVCMD_MAX_BUF ? size - off : HV_PRIVCMD_MAX_BUF;
        memset(&op, 0, sizeof(op));
        op.u.livepatch.cmd = XEN_SYSCTL_LIVEPATCH_UPLOAD;
        int rc = copy_name(&up->name, name);
        if (rc)
            return rc;
        up->size = size;
        up->offset = off;
        rc = livepatch_op(h, &op, (const char *)payload + off, piece, NULL, 0, NULL);
        if (rc < 0)
            return rc;
        off += piece;
    }
    return 0;
}

HVCTL_API int hvctl_livepatch_get(hvctl_t *h, const char *name, struct xen_livepatch_status *status)
{
    struct xen_sysctl op = { 0 };
    op.u.livepatch.cmd = XEN_SYSCTL_LIVEPATCH_GET;
    int rc = copy_name(&op.u.livepatch.u.get.name, name);
    if (rc == 0)
        rc = livepatch_op(h, &op, NULL, 0, NULL, 0, NULL);
    if (rc == 0)
        *status = op.u.livepatch.u.get.status;
    return rc;
}

HVCTL_API int hvctl_livepatch_list(hvctl_t *h, uint32_t idx, struct xen_livepatch_info *info,
                                   uint32_t max, uint32_t *nr, uint32_t *remaining,
                                   uint32_t *version)
{
    struct xen_sysctl op = { 0 };
    struct xen_sysctl_livepatch_list *l = &op.u.livepatch.u.list;
    size_t got = 0;
    if (!info || max == 0 || max > LIVEPATCH_PAYLOADS_MAX)
        return -EINVAL;
    op.u.livepatch.cmd = XEN_SYSCTL_LIVEPATCH_LIST;
    l->idx = idx;
    l->nr = max;
    int rc = livepatch_op(h, &op, NULL, 0, info, max * sizeof(*info), &got);
    if (rc < 0)
        return rc;
    if (l->nr > max || got != l->nr * sizeof(*info))
        return -EPROTO;
    *nr = l->nr;
    *remaining = l->remaining;
    *version = l->version;
    return 0;
}

HVCTL_API int hvctl_livepatch_action(hvctl_t *h, const char *name, uint32_t cmd, uint32_t flags,
                                     uint64_t timeout_ns)
{
    struct xen_sysctl op = { 0 };
    struct xen_sysctl_livepatch_action *a = &op.u.livepatch.u.action;
    op.u.livepatch.cmd = XEN_SYSCTL_LIVEPATCH_ACTION;
    int rc = copy_name(&a->name, name);
    if (rc)
        return rc;
    a->cmd = cmd;
    a->flags = flags;
    a->timeout_ns = timeout_ns;
    return livepatch_op(h, &op, NULL, 0, NULL, 0, NULL);
}
