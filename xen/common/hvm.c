/*
 * The hvm_op hypercall: a guest reads or writes its own domain's
 * parameters (HVM_PARAM_*), such as the event-channel upcall vector.
 * Parameters the toolstack owns (the balloon target) are read-only here.
 */
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/sched.h>

static long param_set(struct domain *d, uint32_t index, uint64_t value)
{
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ: {
        uint64_t type = value >> 56, vector = value & 0xff;
        bool valid = value == 0 || (type == HVM_PARAM_CALLBACK_TYPE_VECTOR && vector >= 0x20 &&
                                    (value & ~(0xffull << 56 | 0xffull)) == 0);
        if (!valid)
            return -XEN_EINVAL;
        pthread_mutex_lock(&d->lock);
        d->hvm_params[index] = value;
        domain_kick_all(d); /* pending upcalls may now be delivered */
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    case HVM_PARAM_BALLOON_TARGET:
        return -XEN_EPERM; /* the toolstack's: XEN_DOMCTL_set_target */
    default:
        return -XEN_EINVAL;
    }
}

static long param_get(struct domain *d, uint32_t index, uint64_t *value)
{
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
        *value = d->hvm_params[index];
        return 0;
    case HVM_PARAM_BALLOON_TARGET:
        *value = __atomic_load_n(&d->target_pages, __ATOMIC_RELAXED);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

long do_hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    if (cmd != HVMOP_set_param && cmd != HVMOP_get_param)
        return -XEN_ENOSYS;
    struct xen_hvm_param p;
    if (copy_from_guest(v, &p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.domid != DOMID_SELF)
        return -XEN_ESRCH;
    if (p.pad || p.index >= HVM_PARAM_NR)
        return -XEN_EINVAL;
    if (cmd == HVMOP_set_param)
        return param_set(v->domain, p.index, p.value);
    long rc = param_get(v->domain, p.index, &p.value);
    if (rc == 0 && copy_to_guest(v, arg, &p, sizeof(p)))
        return -XEN_EFAULT;
    return rc;
}
