/*
 * The sched_op hypercall: a vCPU yields, blocks until an event, polls a
 * set of ports with an optional timeout, or shuts its domain down.  The
 * parking itself happens in check_for_vcpu_work() (vcpu.c).
 */
#include <string.h>
#include <hv/public/event_channel.h>
#include <hv/public/sched.h>
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/hypercall.h>
#include <xen/sched.h>

/* SCHEDOP_block: park until an event reaches this vCPU (at once if one has). */
static long sched_block(struct vcpu *v)
{
    pthread_mutex_lock(&v->domain->lock);
    if (!evtchn_upcall_pending(v))
        v->blocked = true; /* parks in check_for_vcpu_work() until woken */
    pthread_mutex_unlock(&v->domain->lock);
    return 0;
}

static long sched_poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    if (copy_from_guest(v, &p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.pad || p.nr_ports == 0 || p.nr_ports > SCHED_POLL_MAX_PORTS)
        return -XEN_EINVAL;
    uint32_t ports[SCHED_POLL_MAX_PORTS];
    if (copy_from_guest(v, ports, p.ports, p.nr_ports * sizeof(uint32_t)))
        return -XEN_EFAULT;
    bool pending = false;
    for (uint32_t i = 0; i < p.nr_ports; i++) {
        if (ports[i] == 0 || ports[i] >= HV_EVTCHN_PORTS)
            return -XEN_EINVAL;
        pending |= evtchn_port_pending(v->domain, ports[i]);
    }
    struct domain *d = v->domain;
    pthread_mutex_lock(&d->lock);
    memcpy(v->poll_ports, ports, p.nr_ports * sizeof(uint32_t));
    v->nr_poll_ports = p.nr_ports;
    /* A send that raced with the check above finds polling set and clears it. */
    v->polling = !pending;
    for (uint32_t i = 0; v->polling && i < p.nr_ports; i++)
        v->polling = !evtchn_port_pending(d, ports[i]);
    v->poll_deadline = v->polling ? p.timeout : 0;
    pthread_mutex_unlock(&d->lock);
    if (p.timeout)
        timer_arm(v);
    return 0;
}

/* SCHEDOP_shutdown now; SCHEDOP_shutdown_code only records the reason a
 * later crash is to report. */
static long sched_shutdown(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    struct sched_shutdown s;
    if (copy_from_guest(v, &s, arg, sizeof(s)))
        return -XEN_EFAULT;
    if (s.reason > SHUTDOWN_MAX)
        return -XEN_EINVAL;
    if (cmd == SCHEDOP_shutdown_code)
        v->domain->shutdown_code = (int)s.reason;
    else
        domain_shutdown(v->domain, s.reason);
    return 0;
}

long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        return sched_block(v);
    case SCHEDOP_poll:
        return sched_poll(v, arg);
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
        return sched_shutdown(v, cmd, arg);
    default:
        return -XEN_ENOSYS;
    }
}
