/*
 * libhvctl: the host's ends of event channels (XEN_DOMCTL_evtchn_host)
 * and the host's VIRQ_DOM_EXC (XEN_SYSCTL_dom_exc).  Both hand the caller
 * a descriptor that hvd signals: an eventfd per port, a pipe for dom_exc.
 */
#include <errno.h>
#include "private.h"

static int evtchn_host_op(hvctl_t *h, uint32_t domid, uint32_t cmd, uint32_t port, int *fd)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_evtchn_host,
                             .u.evtchn_host = { .cmd = cmd, .port = port } };
    return hvctl_domctl_on(h, domid, &op, NULL, 0, NULL, 0, NULL, fd);
}

HVCTL_API int hvctl_evtchn_host_bind(hvctl_t *h, uint32_t domid, uint32_t port, int *eventfd)
{
    return evtchn_host_op(h, domid, HV_EVTCHN_HOST_bind, port, eventfd);
}

HVCTL_API int hvctl_evtchn_host_send(hvctl_t *h, uint32_t domid, uint32_t port)
{
    return evtchn_host_op(h, domid, HV_EVTCHN_HOST_send, port, NULL);
}

HVCTL_API int hvctl_evtchn_host_close(hvctl_t *h, uint32_t domid, uint32_t port)
{
    return evtchn_host_op(h, domid, HV_EVTCHN_HOST_close, port, NULL);
}

HVCTL_API int hvctl_dom_exc_fd(hvctl_t *h, int *fd)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_dom_exc };
    return hvctl_sysctl_fd(h, &op, fd);
}
