/*
 * The xen_version hypercall: hvd's version, build and platform facts as a
 * guest may ask for them (public/version.h).
 */
#include <string.h>
#include <hv/public/version.h>
#include <hv/public/xen.h>
#include <xen/guest_access.h>
#include <xen/hypercall.h>
#include <xen/livepatch.h>
#include <xen/sched.h>
#include <xen/symbols.h>

#ifndef HV_CHANGESET
#define HV_CHANGESET "unknown"
#endif

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
    case XENVER_guest_handle: {
        uint8_t handle[16]; /* the toolstack may change it (setdomainhandle) */
        pthread_mutex_lock(&v->domain->lock);
        memcpy(handle, v->domain->handle, sizeof(handle));
        pthread_mutex_unlock(&v->domain->lock);
        return copy_to_guest(v, arg, handle, sizeof(handle));
    }
    case XENVER_build_id: {
        struct xen_build_id b;
        memset(&b, 0, sizeof(b));
        b.len = (uint32_t)symbols_build_id(b.buf, sizeof(b.buf));
        long rc = copy_to_guest(v, arg, &b, sizeof(b));
        return rc ? rc : (long)b.len;
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* The version's suffix ("-hv"): tests/livepatch replace this. */
HV_PATCH_POINT static long xen_version_extraversion(struct vcpu *v, uint64_t arg)
{
    return xen_version_string(v, arg, "-hv", sizeof(struct xen_extraversion));
}

long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR;
    case XENVER_pagesize:
        return (long)XEN_PAGE_SIZE;
    case XENVER_extraversion:
        return xen_version_extraversion(v, arg);
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
