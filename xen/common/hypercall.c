/*
 * Hypercalls from guests: the dispatch table, checked copies to and from
 * guest virtual addresses, and the xen_version, console_io and sched_op
 * calls.  Every handler returns a long: >= 0 success, -XEN_Exxx failure.
 */
#include <string.h>
#include <hv/public/sched.h>
#include <hv/public/version.h>
#include <hv/public/xen.h>
#include <xen/arch.h>
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
        uint8_t *p = gpa_to_hva(v->domain, gpa, chunk);
        if (!p)
            return -XEN_EFAULT;
        if (to_guest)
            memcpy(p, h, chunk);
        else
            memcpy(h, p, chunk);
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

long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR;
    case XENVER_pagesize:
        return (long)HV_PAGE_SIZE;
    case XENVER_extraversion: {
        struct xen_extraversion x = { .extraversion = "-hv" };
        return copy_to_guest(v, arg, &x, sizeof(x));
    }
    case XENVER_capabilities: {
        struct xen_capabilities_info x = { .info = "hvm-3.0-x86_64" };
        return copy_to_guest(v, arg, &x, sizeof(x));
    }
    case XENVER_changeset: {
        struct xen_changeset_info x;
        memset(&x, 0, sizeof(x));
        strncpy(x.info, HV_CHANGESET, sizeof(x.info) - 1);
        return copy_to_guest(v, arg, &x, sizeof(x));
    }
    default:
        return -XEN_ENOSYS;
    }
}

long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
    char tmp[CONSOLEIO_MAX_COUNT];
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

long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        pthread_mutex_lock(&v->domain->lock);
        v->blocked = true; /* parks in check_for_vcpu_work() until woken */
        pthread_mutex_unlock(&v->domain->lock);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(v, &s, arg, sizeof(s)))
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
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

static const hypercall_fn hypercall_table[NR_hypercalls] = {
    [__HYPERVISOR_xen_version] = hc_xen_version,
    [__HYPERVISOR_console_io] = hc_console_io,
    [__HYPERVISOR_sched_op] = hc_sched_op,
};

long hypercall_dispatch(struct vcpu *v, const struct hypercall_args *args)
{
    if (args->nr >= NR_hypercalls || !hypercall_table[args->nr])
        return -XEN_ENOSYS;
    return hypercall_table[args->nr](v, args);
}
