/* libhvctl: one wrapper per domain and host control operation. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>
#include <hv/public/privcmd.h>
#include "private.h"

static int domctl_simple(hvctl_t *h, uint32_t cmd, uint32_t domid, struct xen_domctl *op)
{
    op->cmd = cmd;
    return hvctl_domctl_on(h, domid, op, NULL, 0, NULL, 0, NULL, NULL);
}

HVCTL_API int hvctl_domain_create(hvctl_t *h, struct xen_domctl_createdomain *cfg, uint32_t *domid)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_createdomain, .domain = DOMID_INVALID };
    op.u.createdomain = *cfg;
    int rc = hvctl_domctl(h, &op, NULL, 0, NULL, 0, NULL, NULL);
    if (rc < 0)
        return rc;
    memcpy(cfg->handle, op.u.createdomain.handle, sizeof(cfg->handle));
    *domid = op.domain;
    return 0;
}

HVCTL_API int hvctl_domain_destroy(hvctl_t *h, uint32_t domid)
{
    struct xen_domctl op = { 0 };
    return domctl_simple(h, XEN_DOMCTL_destroydomain, domid, &op);
}

HVCTL_API int hvctl_domain_pause(hvctl_t *h, uint32_t domid)
{
    struct xen_domctl op = { 0 };
    return domctl_simple(h, XEN_DOMCTL_pausedomain, domid, &op);
}

HVCTL_API int hvctl_domain_unpause(hvctl_t *h, uint32_t domid)
{
    struct xen_domctl op = { 0 };
    return domctl_simple(h, XEN_DOMCTL_unpausedomain, domid, &op);
}

HVCTL_API int hvctl_domain_shutdown(hvctl_t *h, uint32_t domid, uint32_t reason)
{
    struct xen_domctl op = { .u.shutdown.reason = reason };
    return domctl_simple(h, XEN_DOMCTL_shutdown, domid, &op);
}

HVCTL_API int hvctl_domain_getinfo(hvctl_t *h, uint32_t domid,
                                   struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op = { 0 };
    int rc = domctl_simple(h, XEN_DOMCTL_getdomaininfo, domid, &op);
    if (rc == 0)
        *info = op.u.getdomaininfo;
    return rc;
}

HVCTL_API int hvctl_domain_setmaxmem(hvctl_t *h, uint32_t domid, uint64_t max_kb)
{
    struct xen_domctl op = { .u.max_mem.max_memkb = max_kb };
    return domctl_simple(h, XEN_DOMCTL_max_mem, domid, &op);
}

HVCTL_API int hvctl_domain_list(hvctl_t *h, uint32_t first, struct xen_domctl_getdomaininfo *info,
                                unsigned int max)
{
    if (max == 0)
        return -EINVAL;
    if (max > HV_DOMAININFOLIST_MAX)
        max = HV_DOMAININFOLIST_MAX; /* callers page with the last domid + 1 */
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_getdomaininfolist,
                             .u.getdomaininfolist = { .first_domain = first, .max_domains = max } };
    size_t got;
    int rc = hvctl_sysctl(h, &op, info, max * sizeof(*info), &got);
    if (rc < 0)
        return rc;
    if (got != op.u.getdomaininfolist.num_domains * sizeof(*info))
        return -EPROTO;
    return (int)op.u.getdomaininfolist.num_domains;
}

static int parse_domid(const char *s, uint32_t *domid)
{
    char *end;
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
        return -EINVAL;
    unsigned long v = strtoul(s, &end, 10);
    if (v > UINT16_MAX)
        return -EINVAL;
    *domid = (uint32_t)v;
    return 0;
}

HVCTL_API int hvctl_domain_lookup(hvctl_t *h, const char *what, uint32_t *domid)
{
    struct xen_domctl_getdomaininfo info[64];
    uuid_t uuid;
    bool by_uuid = uuid_parse(what, uuid) == 0;
    if (parse_domid(what, domid) == 0)
        return hvctl_domain_getinfo(h, *domid, info);
    uint32_t first = 0;
    for (;;) {
        int n = hvctl_domain_list(h, first, info, 64);
        if (n < 0)
            return n;
        if (n == 0)
            return -ESRCH;
        for (int i = 0; i < n; i++) {
            bool match = by_uuid ? !memcmp(info[i].handle, uuid, 16)
                                 : !strncmp(info[i].name, what, sizeof(info[i].name));
            if (match) {
                *domid = info[i].domain;
                return 0;
            }
        }
        first = info[n - 1].domain + 1u;
    }
}

HVCTL_API int hvctl_vcpu_setcontext(hvctl_t *h, uint32_t domid, uint32_t vcpu,
                                    const struct hv_vcpu_context *ctx)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_setvcpucontext, .u.vcpucontext.vcpu = vcpu };
    return hvctl_domctl_on(h, domid, &op, ctx, sizeof(*ctx), NULL, 0, NULL, NULL);
}

HVCTL_API int hvctl_vcpu_getcontext(hvctl_t *h, uint32_t domid, uint32_t vcpu,
                                    struct hv_vcpu_context *ctx)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getvcpucontext, .u.vcpucontext.vcpu = vcpu };
    size_t got;
    int rc = hvctl_domctl_on(h, domid, &op, NULL, 0, ctx, sizeof(*ctx), &got, NULL);
    return rc < 0 ? rc : got == sizeof(*ctx) ? 0 : -EPROTO;
}

HVCTL_API int hvctl_console_attach(hvctl_t *h, uint32_t domid, int *fd)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_console_attach };
    return hvctl_domctl_on(h, domid, &op, NULL, 0, NULL, 0, NULL, fd);
}

HVCTL_API int hvctl_readconsole(hvctl_t *h, uint64_t *index, char *buf, size_t len)
{
    if (len > HV_PRIVCMD_MAX_BUF)
        len = HV_PRIVCMD_MAX_BUF; /* one message; the caller loops on *index */
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_readconsole,
                             .u.readconsole = { .index = *index, .count = (uint32_t)len } };
    size_t got;
    int rc = hvctl_sysctl(h, &op, buf, len, &got);
    if (rc < 0)
        return rc;
    if (got != op.u.readconsole.count)
        return -EPROTO;
    *index = op.u.readconsole.index;
    return (int)got;
}

HVCTL_API int hvctl_physinfo(hvctl_t *h, struct xen_sysctl_physinfo *info)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_physinfo };
    int rc = hvctl_sysctl(h, &op, NULL, 0, NULL);
    if (rc == 0)
        *info = op.u.physinfo;
    return rc;
}

HVCTL_API int hvctl_toolstack_data_set(hvctl_t *h, uint32_t domid, const void *data, size_t len)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_toolstack_data,
                             .u.toolstack_data.cmd = HV_TOOLSTACK_DATA_set };
    if (len > HV_TOOLSTACK_DATA_MAX)
        return -E2BIG;
    return hvctl_domctl_on(h, domid, &op, data, len, NULL, 0, NULL, NULL);
}

HVCTL_API int hvctl_toolstack_data_get(hvctl_t *h, uint32_t domid, void *buf, size_t cap,
                                       size_t *len)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_toolstack_data,
                             .u.toolstack_data.cmd = HV_TOOLSTACK_DATA_get };
    size_t got = 0;
    int rc = hvctl_domctl_read(h, domid, &op, buf, cap, &op.u.toolstack_data.length, &got);
    if (rc == 0)
        *len = got;
    return rc;
}

HVCTL_API int hvctl_domain_rename(hvctl_t *h, uint32_t domid, const char *name)
{
    struct xen_domctl op = { 0 };
    size_t len = strlen(name);
    if (len >= sizeof(op.u.set_name.name))
        return -EINVAL; /* no room for the NUL */
    memcpy(op.u.set_name.name, name, len);
    return domctl_simple(h, XEN_DOMCTL_set_name, domid, &op);
}

HVCTL_API int hvctl_domain_sethandle(hvctl_t *h, uint32_t domid, const uint8_t handle[16])
{
    struct xen_domctl op = { 0 };
    memcpy(op.u.setdomainhandle.handle, handle, sizeof(op.u.setdomainhandle.handle));
    return domctl_simple(h, XEN_DOMCTL_setdomainhandle, domid, &op);
}

HVCTL_API int hvctl_domain_set_transient(hvctl_t *h, uint32_t domid, int transient)
{
    struct xen_domctl op = { .u.set_transient.transient = transient ? 1 : 0 };
    return domctl_simple(h, XEN_DOMCTL_set_transient, domid, &op);
}
