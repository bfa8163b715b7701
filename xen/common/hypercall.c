/*
 * Hypercalls from guests: the dispatch table, checked copies to and from
 * guest virtual addresses, and the xen_version, console_io and sched_op
 * calls.  Every handler returns a long: >= 0 success, -XEN_Exxx failure.
 */
#include <string.h>
#include <hv/public/sched.h>
#include <hv/public/version.h>
#include <hv/public/xen.h>
#include <hv/public/event_channel.h>
#include <hv/public/vcpu.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/memory.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/sched.h>

#ifndef HV_CHANGESET
#define HV_CHANGESET "unknown"
#endif

/* Copy page by page: each page of the guest buffer is translated on its own. */
static int copy_guest(struct vcpu *v, uint64_t gva, void *hbuf, size_t len, bool to_guest)
{
    uint8_t *h = hbuf;
    while (len) {
        size_t chunk = HV_PAGE_SIZE - (gva & (HV_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint64_t gpa;
        if (arch_translate(v, gva, to_guest, &gpa) < 0)
            return -XEN_EFAULT;
        /* Held across the copy: a concurrent decrease_reservation on another
         * vCPU must not unmap the page under memcpy. */
        pthread_rwlock_rdlock(&v->domain->p2m_lock);
        uint8_t *p = gpa_to_hva(v->domain, gpa, chunk);
        if (p && to_guest)
            memcpy(p, h, chunk);
        else if (p)
            memcpy(h, p, chunk);
        pthread_rwlock_unlock(&v->domain->p2m_lock);
        if (!p)
            return -XEN_EFAULT;
        gva += chunk;
        h += chunk;
        len -= chunk;
    }
    return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
    return copy_guest(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
    return copy_guest(v, gva, (void *)src, len, true);
}

static long xen_version_string(struct vcpu *v, uint64_t arg, const char *text, size_t size)
{
    char buf[1024];
    memset(buf, 0, size);
    strncpy(buf, text, size - 1);
    return copy_to_guest(v, arg, buf, size);
}

static long xen_version_struct(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_compile_info: {
        struct xen_compile_info c;
        memset(&c, 0, sizeof(c));
        strncpy(c.compiler, __VERSION__, sizeof(c.compiler) - 1);
        strncpy(c.compile_by, "hv", sizeof(c.compile_by) - 1);
        strncpy(c.compile_domain, "hv.invalid", sizeof(c.compile_domain) - 1);
        strncpy(c.compile_date, HV_CHANGESET, sizeof(c.compile_date) - 1);
        return copy_to_guest(v, arg, &c, sizeof(c));
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = { .virt_start = UINT64_MAX };
        return copy_to_guest(v, arg, &p, sizeof(p));
    }
    case XENVER_get_features: {
        struct xen_feature_info f;
        if (copy_from_guest(v, &f, arg, sizeof(f)))
            return -XEN_EFAULT;
        f.submap = 0; /* no optional features are defined */
        return copy_to_guest(v, arg, &f, sizeof(f));
    }
    case XENVER_guest_handle:
        return copy_to_guest(v, arg, v->domain->handle, sizeof(v->domain->handle));
    case XENVER_build_id: {
        struct xen_build_id b;
        memset(&b, 0, sizeof(b));
        b.len = (uint32_t)hvd_build_id(b.buf, sizeof(b.buf));
        long rc = copy_to_guest(v, arg, &b, sizeof(b));
        return rc ? rc : (long)b.len;
    }
    default:
        return -XEN_ENOSYS;
    }
}

long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR;
    case XENVER_pagesize:
        return (long)HV_PAGE_SIZE;
    case XENVER_extraversion:
        return xen_version_string(v, arg, "-hv", sizeof(struct xen_extraversion));
    case XENVER_capabilities:
        return xen_version_string(v, arg, "hvm-3.0-x86_64 hvm-3.0-x86_32",
                                  sizeof(struct xen_capabilities_info));
    case XENVER_changeset:
        return xen_version_string(v, arg, HV_CHANGESET, sizeof(struct xen_changeset_info));
    case XENVER_commandline:
        return xen_version_string(v, arg, hvd_command_line(), sizeof(struct xen_commandline));
    default:
        return xen_version_struct(v, cmd, arg);
    }
}

long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
    char tmp[CONSOLEIO_MAX_COUNT];
    if (cmd != CONSOLEIO_write && cmd != CONSOLEIO_read)
        return -XEN_ENOSYS;
    if (count > CONSOLEIO_MAX_COUNT)
        return -XEN_EINVAL;
    switch (cmd) {
    case CONSOLEIO_write:
        if (copy_from_guest(v, tmp, buf, count))
            return -XEN_EFAULT;
        console_write(&v->domain->console, tmp, count);
        return (long)count;
    case CONSOLEIO_read: {
        size_t n = console_read_input(&v->domain->console, tmp, count);
        /* Input taken but not delivered is lost; the guest gave a bad buffer. */
        return copy_to_guest(v, buf, tmp, n) ? -XEN_EFAULT : (long)n;
    }
    default:
        return -XEN_ENOSYS;
    }
}

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
    case SCHEDOP_shutdown_code: {
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
    default:
        return -XEN_ENOSYS;
    }
}

typedef long (*hypercall_fn)(struct vcpu *v, const struct hypercall_args *a);

static long hc_xen_version(struct vcpu *v, const struct hypercall_args *a)
{
    return do_xen_version(v, a->a[0], a->a[1]);
}

static long hc_console_io(struct vcpu *v, const struct hypercall_args *a)
{
    return do_console_io(v, a->a[0], a->a[1], a->a[2]);
}

static long hc_sched_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_sched_op(v, a->a[0], a->a[1]);
}

static long hc_memory_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_memory_op(v, a->a[0], a->a[1], a->cont);
}

static long hc_set_timer_op(struct vcpu *v, const struct hypercall_args *a)
{
    /* A 32-bit guest passes the 64-bit timeout as ebx (low) and ecx (high). */
    return do_set_timer_op(v, a->compat ? a->a[0] | a->a[1] << 32 : a->a[0]);
}

static long hc_vcpu_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_vcpu_op(v, a->a[0], a->a[1], a->a[2]);
}

static long hc_event_channel_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_event_channel_op(v, a->a[0], a->a[1]);
}

static long hc_hvm_op(struct vcpu *v, const struct hypercall_args *a)
{
    return do_hvm_op(v, a->a[0], a->a[1]);
}

static const hypercall_fn hypercall_table[NR_hypercalls] = {
    [__HYPERVISOR_memory_op] = hc_memory_op,
    [__HYPERVISOR_set_timer_op] = hc_set_timer_op,
    [__HYPERVISOR_xen_version] = hc_xen_version,
    [__HYPERVISOR_console_io] = hc_console_io,
    [__HYPERVISOR_vcpu_op] = hc_vcpu_op,
    [__HYPERVISOR_sched_op] = hc_sched_op,
    [__HYPERVISOR_event_channel_op] = hc_event_channel_op,
    [__HYPERVISOR_hvm_op] = hc_hvm_op,
};

bool hypercall_preempt_check(struct vcpu *v)
{
    const struct domain *d = v->domain;
    return __atomic_load_n(&v->run->immediate_exit, __ATOMIC_RELAXED) ||
           __atomic_load_n(&d->pause_count, __ATOMIC_RELAXED) ||
           __atomic_load_n(&d->dying, __ATOMIC_RELAXED);
}

long hypercall_dispatch(struct vcpu *v, const struct hypercall_args *args)
{
    if (args->nr >= NR_hypercalls || !hypercall_table[args->nr])
        return -XEN_ENOSYS;
    long rc = hypercall_table[args->nr](v, args);
    /* A 32-bit guest sees eax: a value it cannot hold is an error, never a
     * truncated number (docs/hypercall-abi.md lists the cases). */
    if (args->compat && (rc > INT32_MAX || rc < INT32_MIN))
        return -XEN_ERANGE;
    return rc;
}
