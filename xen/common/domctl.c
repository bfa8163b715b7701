/*
 * Domain control: the XEN_DOMCTL_* operations the toolstack sends over the
 * control socket (privcmd.c hands each request here, on the main thread).
 * This file checks the interface version, finds the target domain and
 * calls the subsystem that does the work: domain.c for the lifecycle,
 * memory.c for the p2m and the memory file, save.c for context records,
 * event_channel.c for host-bound ports, console.c for attaching clients,
 * log_dirty.c and throttle.c for live migration.
 */
#include <errno.h>
#include <string.h>
#include <hv/public/sched.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/memory.h>
#include <xen/privcmd.h>
#include <xen/sched.h>
#include <xen/throttle.h>
#include <xen/toolstack_data.h>

static long domctl_createdomain(struct xen_domctl *op, const void *client)
{
    struct domain *d;
    int rc = domain_create(&op->u.createdomain, &d);
    if (rc)
        return rc;
    if (op->u.createdomain.flags & XEN_DOMCTL_CDF_transient)
        d->transient_owner = client;
    op->domain = d->domid;
    memcpy(op->u.createdomain.handle, d->handle, sizeof(d->handle));
    return 0;
}

static long domctl_vcpucontext(struct domain *d, struct xen_domctl *op, const void *buf,
                               uint32_t buf_len, struct privcmd_reply_extra *out)
{
    uint32_t id = op->u.vcpucontext.vcpu;
    if (id >= d->max_vcpus || op->u.vcpucontext.pad)
        return -EINVAL;
    struct vcpu *v = d->vcpus[id];
    if (op->cmd == XEN_DOMCTL_getvcpucontext) {
        if (!d->pause_count && !d->is_shutdown)
            return -EBUSY;
        struct hv_vcpu_context *ctx = out->buf;
        int rc = arch_get_vcpu_context(v, ctx);
        if (rc)
            return rc;
        ctx->flags = v->online ? HV_VCPU_CTX_ONLINE : 0;
        out->buf_len = sizeof(*ctx);
        return 0;
    }
    if (buf_len != sizeof(struct hv_vcpu_context))
        return -EINVAL;
    if (!d->pause_count)
        return -EBUSY;
    struct hv_vcpu_context ctx;
    memcpy(&ctx, buf, sizeof(ctx));
    if (ctx.flags & ~HV_VCPU_CTX_ONLINE)
        return -EINVAL;
    int rc = arch_set_vcpu_context(v, &ctx);
    if (rc)
        return rc;
    pthread_mutex_lock(&d->lock);
    v->online = ctx.flags & HV_VCPU_CTX_ONLINE;
    v->initialised = true;
    v->blocked = false;
    pthread_mutex_unlock(&d->lock);
    return 0;
}

static long domctl_p2m_query(struct domain *d, struct xen_domctl *op,
                             struct privcmd_reply_extra *out)
{
    const struct xen_domctl_p2m_query *q = &op->u.p2m_query;
    if (q->nr == 0 || q->nr > HV_P2M_QUERY_MAX || q->pad)
        return -EINVAL;
    uint64_t *frames = out->buf;
    pthread_rwlock_rdlock(&d->p2m_lock); /* a vCPU's memory_op may be changing it */
    for (uint32_t i = 0; i < q->nr; i++)
        frames[i] =
            q->first_gfn + i < q->first_gfn ? HV_INVALID_FRAME : p2m_lookup(d, q->first_gfn + i);
    pthread_rwlock_unlock(&d->p2m_lock);
    out->buf_len = q->nr * sizeof(uint64_t);
    return 0;
}

static long domctl_max_mem(struct domain *d, struct xen_domctl *op)
{
    uint64_t pages = op->u.max_mem.max_memkb >> (XEN_PAGE_SHIFT - 10);
    if (pages < d->tot_pages)
        return -EBUSY;
    if (pages > d->nr_gfns)
        return -EINVAL; /* the guest-physical window is fixed at creation */
    d->max_pages = pages;
    return 0;
}

static long domctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *info)
{
    if (info->vcpu >= d->max_vcpus)
        return -EINVAL;
    struct vcpu *v = d->vcpus[info->vcpu];
    pthread_mutex_lock(&d->lock);
    info->online = v->online;
    info->blocked = v->online && (v->blocked || v->polling);
    info->running = v->online && v->thread_started && !v->parked;
    info->pad = 0;
    info->cpu_time_ns = vcpu_cpu_time(v);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

static long domctl_evtchn_host(struct domain *d, struct xen_domctl_evtchn_host *e,
                               struct privcmd_reply_extra *out)
{
    int fd;
    switch (e->cmd) {
    case HV_EVTCHN_HOST_bind: {
        int rc = evtchn_host_bind(d, e->port, &fd);
        if (rc == 0)
            privcmd_reply_add_fd(out, fd, true);
        return rc;
    }
    case HV_EVTCHN_HOST_send:
        return evtchn_host_send(d, e->port);
    case HV_EVTCHN_HOST_close:
        return evtchn_host_close(d, e->port);
    default:
        return -EINVAL;
    }
}

static long domctl_context(struct domain *d, struct xen_domctl *op, const void *buf,
                           uint32_t buf_len, struct privcmd_reply_extra *out)
{
    struct xen_domctl_context *c = &op->u.context;
    if (c->pad)
        return -EINVAL;
    if (op->cmd == XEN_DOMCTL_setcontext)
        return save_set_context(d, c->type, c->index, buf, buf_len);
    uint32_t len = 0;
    int rc = save_get_context(d, c->type, c->index, out->buf, &len);
    if (rc == 0)
        c->length = out->buf_len = len;
    return rc;
}

static long domctl_p2m_set(struct domain *d, struct xen_domctl_p2m_set *p)
{
    if (p->nr == 0 || p->nr > HV_P2M_QUERY_MAX || p->populate > 1)
        return -EINVAL;
    if (!d->pause_count)
        return -EBUSY;
    pthread_rwlock_wrlock(&d->p2m_lock);
    int rc =
        p->populate ? p2m_populate(d, p->first_gfn, p->nr) : p2m_depopulate(d, p->first_gfn, p->nr);
    pthread_rwlock_unlock(&d->p2m_lock);
    return rc;
}

/* The operations of live migration; client owns what log-dirty, throttle and transient set. */
static long domctl_migration(struct domain *d, struct xen_domctl *op,
                             struct privcmd_reply_extra *out, const void *client)
{
    switch (op->cmd) {
    case XEN_DOMCTL_shadow_op:
        return log_dirty_domctl(d, &op->u.shadow_op, out, client);
    case XEN_DOMCTL_throttle:
        return throttle_domctl(d, &op->u.throttle, client);
    case XEN_DOMCTL_setdomainhandle:
        return domain_set_handle(d, op->u.setdomainhandle.handle);
    case XEN_DOMCTL_set_name:
        return domain_rename(d, op->u.set_name.name);
    case XEN_DOMCTL_set_transient:
        return domain_set_transient(d, &op->u.set_transient, client);
    default:
        return -ENOSYS;
    }
}

static long domctl_on_domain(struct domain *d, struct xen_domctl *op, const void *buf,
                             uint32_t buf_len, struct privcmd_reply_extra *out, const void *client)
{
    switch (op->cmd) {
    case XEN_DOMCTL_destroydomain:
        return domain_destroy(d, DESTROY_SLICE_NS);
    case XEN_DOMCTL_pausedomain:
        return domain_pause_by_controller(d);
    case XEN_DOMCTL_unpausedomain:
        return domain_unpause_by_controller(d);
    case XEN_DOMCTL_getdomaininfo:
        domain_getinfo(d, &op->u.getdomaininfo);
        return 0;
    case XEN_DOMCTL_shutdown:
        if (op->u.shutdown.reason > SHUTDOWN_MAX || op->u.shutdown.pad)
            return -EINVAL;
        domain_shutdown(d, op->u.shutdown.reason);
        return 0;
    case XEN_DOMCTL_setvcpucontext:
    case XEN_DOMCTL_getvcpucontext:
        return domctl_vcpucontext(d, op, buf, buf_len, out);
    case XEN_DOMCTL_max_mem:
        return domctl_max_mem(d, op);
    case XEN_DOMCTL_get_memory_fd:
        privcmd_reply_add_fd(out, d->mem_fd, false);
        op->u.memory_fd.size = d->nr_gfns * XEN_PAGE_SIZE;
        return 0;
    case XEN_DOMCTL_p2m_query:
        return domctl_p2m_query(d, op, out);
    case XEN_DOMCTL_getvcpuinfo:
        return domctl_getvcpuinfo(d, &op->u.getvcpuinfo);
    case XEN_DOMCTL_settimeoffset:
        d->time_offset_seconds = op->u.settimeoffset.time_offset_seconds;
        time_update_wallclock(d);
        return 0;
    case XEN_DOMCTL_set_target:
        if (op->u.set_target.target_pages == 0 || op->u.set_target.target_pages > d->max_pages)
            return -EINVAL;
        __atomic_store_n(&d->target_pages, op->u.set_target.target_pages, __ATOMIC_RELAXED);
        return 0;
    case XEN_DOMCTL_evtchn_host:
        return domctl_evtchn_host(d, &op->u.evtchn_host, out);
    case XEN_DOMCTL_getcontext:
    case XEN_DOMCTL_setcontext:
        return domctl_context(d, op, buf, buf_len, out);
    case XEN_DOMCTL_p2m_set:
        return domctl_p2m_set(d, &op->u.p2m_set);
    case XEN_DOMCTL_toolstack_data:
        return toolstack_data_op(d, &op->u.toolstack_data, buf, buf_len, out);
    case XEN_DOMCTL_console_attach: {
        int fd = console_attach(d, &op->u.console_attach.lost);
        if (fd < 0)
            return fd;
        privcmd_reply_add_fd(out, fd, true);
        return 0;
    }
    default:
        return domctl_migration(d, op, out, client);
    }
}

long do_domctl(struct xen_domctl *op, const void *buf, uint32_t buf_len,
               struct privcmd_reply_extra *out, bool continuation, const void *client)
{
    if (op->interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (op->cmd == XEN_DOMCTL_createdomain)
        return domctl_createdomain(op, client);
    /* A dying domain is gone for everything but its own destroy and getinfo. */
    bool even_dying = continuation || op->cmd == XEN_DOMCTL_getdomaininfo;
    struct domain *d = domain_lookup(op->domain, even_dying);
    if (!d)
        return -ESRCH;
    return domctl_on_domain(d, op, buf, buf_len, out, client);
}
