/*
 * The public ABI's layout, pinned: the size of every struct in the
 * headers of xen/include/public, the offset and size of each of its
 * fields, the values of the hypercall, sub-op and command numbers and of
 * the error list.  The expected numbers are written out here on purpose: a layout
 * change must come with a deliberate edit of this file.  The test also
 * scans the headers and fails for any struct it does not check.
 *
 * Prints one line per struct (and per group of constants) and exits
 * non-zero on any mismatch.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/public/xen.h>
#include <hv/public/errno.h>
#include <hv/public/domctl.h>
#include <hv/public/sysctl.h>
#include <hv/public/sched.h>
#include <hv/public/version.h>
#include <hv/public/privcmd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int passed, failed;

/* Names of the structs checked, for the scan of the headers. */
static const char *checked[64];
static size_t nr_checked;

struct field {
    const char *name;
    size_t offset, size;           /* as compiled */
    size_t want_offset, want_size; /* as pinned here */
};

#define FIELD(type, member, off, sz) \
    { #member, offsetof(struct type, member), sizeof(((struct type *)0)->member), off, sz }

#define CHECK_STRUCT(type, sz) \
    check_struct(#type, sizeof(struct type), sz, type##_fields, ARRAY_SIZE(type##_fields))

static void check_struct(const char *name, size_t size, size_t want_size, const struct field *fields,
                         size_t nr_fields)
{
    bool ok = true;
    if (nr_checked < ARRAY_SIZE(checked))
        checked[nr_checked++] = name;
    if (size != want_size) {
        printf("not ok struct %s: size %zu, want %zu\n", name, size, want_size);
        ok = false;
    }
    for (size_t i = 0; i < nr_fields; i++) {
        const struct field *f = &fields[i];
        if (f->offset == f->want_offset && f->size == f->want_size)
            continue;
        printf("not ok struct %s: field %s at offset %zu size %zu, want offset %zu size %zu\n", name,
               f->name, f->offset, f->size, f->want_offset, f->want_size);
        ok = false;
    }
    if (ok)
        printf("ok struct %s: %zu bytes, %zu field%s\n", name, size, nr_fields, nr_fields == 1 ? "" : "s");
    ok ? passed++ : failed++;
}

/* xen.h */
static void check_structs_xen_h(void)
{
    static const struct field hv_memmap_entry_fields[] = {
        FIELD(hv_memmap_entry, addr, 0, 8),
        FIELD(hv_memmap_entry, size, 8, 8),
        FIELD(hv_memmap_entry, type, 16, 4),
        FIELD(hv_memmap_entry, pad, 20, 4),
    };
    CHECK_STRUCT(hv_memmap_entry, 24);
    static const struct field hv_start_info_fields[] = {
        FIELD(hv_start_info, magic, 0, 8),
        FIELD(hv_start_info, version, 8, 4),
        FIELD(hv_start_info, domid, 12, 4),
        FIELD(hv_start_info, nr_pages, 16, 8),
        FIELD(hv_start_info, image_start, 24, 8),
        FIELD(hv_start_info, image_end, 32, 8),
        FIELD(hv_start_info, pt_base, 40, 8),
        FIELD(hv_start_info, free_start, 48, 8),
        FIELD(hv_start_info, nr_vcpus, 56, 4),
        FIELD(hv_start_info, nr_memmap, 60, 4),
        FIELD(hv_start_info, memmap, 64, 384),
        FIELD(hv_start_info, cmdline, 448, 1024),
    };
    CHECK_STRUCT(hv_start_info, 1472);
}

/* domctl.h */
static void check_structs_domctl_h(void)
{
    static const struct field xen_domctl_createdomain_fields[] = {
        FIELD(xen_domctl_createdomain, handle, 0, 16),
        FIELD(xen_domctl_createdomain, name, 16, 64),
        FIELD(xen_domctl_createdomain, max_vcpus, 80, 4),
        FIELD(xen_domctl_createdomain, flags, 84, 4),
        FIELD(xen_domctl_createdomain, max_pages, 88, 8),
        FIELD(xen_domctl_createdomain, init_pages, 96, 8),
        FIELD(xen_domctl_createdomain, on_poweroff, 104, 1),
        FIELD(xen_domctl_createdomain, on_reboot, 105, 1),
        FIELD(xen_domctl_createdomain, on_crash, 106, 1),
        FIELD(xen_domctl_createdomain, pad, 107, 1),
        FIELD(xen_domctl_createdomain, fault_ttl, 108, 4),
    };
    CHECK_STRUCT(xen_domctl_createdomain, 112);
    static const struct field xen_domctl_getdomaininfo_fields[] = {
        FIELD(xen_domctl_getdomaininfo, domain, 0, 2),
        FIELD(xen_domctl_getdomaininfo, pad0, 2, 2),
        FIELD(xen_domctl_getdomaininfo, flags, 4, 4),
        FIELD(xen_domctl_getdomaininfo, shutdown_reason, 8, 4),
        FIELD(xen_domctl_getdomaininfo, nr_online_vcpus, 12, 4),
        FIELD(xen_domctl_getdomaininfo, max_vcpus, 16, 4),
        FIELD(xen_domctl_getdomaininfo, pause_count, 20, 4),
        FIELD(xen_domctl_getdomaininfo, tot_pages, 24, 8),
        FIELD(xen_domctl_getdomaininfo, max_pages, 32, 8),
        FIELD(xen_domctl_getdomaininfo, cpu_time_ns, 40, 8),
        FIELD(xen_domctl_getdomaininfo, handle, 48, 16),
        FIELD(xen_domctl_getdomaininfo, name, 64, 64),
        FIELD(xen_domctl_getdomaininfo, on_poweroff, 128, 1),
        FIELD(xen_domctl_getdomaininfo, on_reboot, 129, 1),
        FIELD(xen_domctl_getdomaininfo, on_crash, 130, 1),
        FIELD(xen_domctl_getdomaininfo, pad1, 131, 1),
        FIELD(xen_domctl_getdomaininfo, create_fault_points, 132, 4),
        FIELD(xen_domctl_getdomaininfo, overhead_bytes, 136, 8),
        FIELD(xen_domctl_getdomaininfo, overhead_allocs, 144, 8),
    };
    CHECK_STRUCT(xen_domctl_getdomaininfo, 152);
    static const struct field xen_domctl_shutdown_fields[] = {
        FIELD(xen_domctl_shutdown, reason, 0, 4),
        FIELD(xen_domctl_shutdown, pad, 4, 4),
    };
    CHECK_STRUCT(xen_domctl_shutdown, 8);
    static const struct field hv_segment_fields[] = {
        FIELD(hv_segment, base, 0, 8),
        FIELD(hv_segment, limit, 8, 4),
        FIELD(hv_segment, selector, 12, 2),
        FIELD(hv_segment, type, 14, 1),
        FIELD(hv_segment, present, 15, 1),
        FIELD(hv_segment, dpl, 16, 1),
        FIELD(hv_segment, db, 17, 1),
        FIELD(hv_segment, s, 18, 1),
        FIELD(hv_segment, l, 19, 1),
        FIELD(hv_segment, g, 20, 1),
        FIELD(hv_segment, avl, 21, 1),
        FIELD(hv_segment, unusable, 22, 1),
        FIELD(hv_segment, pad, 23, 1),
    };
    CHECK_STRUCT(hv_segment, 24);
    static const struct field hv_vcpu_context_fields[] = {
        FIELD(hv_vcpu_context, flags, 0, 4),
        FIELD(hv_vcpu_context, pad0, 4, 4),
        FIELD(hv_vcpu_context, rax, 8, 8),
        FIELD(hv_vcpu_context, rbx, 16, 8),
        FIELD(hv_vcpu_context, rcx, 24, 8),
        FIELD(hv_vcpu_context, rdx, 32, 8),
        FIELD(hv_vcpu_context, rsi, 40, 8),
        FIELD(hv_vcpu_context, rdi, 48, 8),
        FIELD(hv_vcpu_context, rsp, 56, 8),
        FIELD(hv_vcpu_context, rbp, 64, 8),
        FIELD(hv_vcpu_context, r8, 72, 8),
        FIELD(hv_vcpu_context, r9, 80, 8),
        FIELD(hv_vcpu_context, r10, 88, 8),
        FIELD(hv_vcpu_context, r11, 96, 8),
        FIELD(hv_vcpu_context, r12, 104, 8),
        FIELD(hv_vcpu_context, r13, 112, 8),
        FIELD(hv_vcpu_context, r14, 120, 8),
        FIELD(hv_vcpu_context, r15, 128, 8),
        FIELD(hv_vcpu_context, rip, 136, 8),
        FIELD(hv_vcpu_context, rflags, 144, 8),
        FIELD(hv_vcpu_context, cr0, 152, 8),
        FIELD(hv_vcpu_context, cr2, 160, 8),
        FIELD(hv_vcpu_context, cr3, 168, 8),
        FIELD(hv_vcpu_context, cr4, 176, 8),
        FIELD(hv_vcpu_context, cr8, 184, 8),
        FIELD(hv_vcpu_context, efer, 192, 8),
        FIELD(hv_vcpu_context, apic_base, 200, 8),
        FIELD(hv_vcpu_context, cs, 208, 24),
        FIELD(hv_vcpu_context, ds, 232, 24),
        FIELD(hv_vcpu_context, es, 256, 24),
        FIELD(hv_vcpu_context, fs, 280, 24),
        FIELD(hv_vcpu_context, gs, 304, 24),
        FIELD(hv_vcpu_context, ss, 328, 24),
        FIELD(hv_vcpu_context, tr, 352, 24),
        FIELD(hv_vcpu_context, ldt, 376, 24),
        FIELD(hv_vcpu_context, gdt_base, 400, 8),
        FIELD(hv_vcpu_context, gdt_limit, 408, 2),
        FIELD(hv_vcpu_context, pad1, 410, 6),
        FIELD(hv_vcpu_context, idt_base, 416, 8),
        FIELD(hv_vcpu_context, idt_limit, 424, 2),
        FIELD(hv_vcpu_context, pad2, 426, 6),
    };
    CHECK_STRUCT(hv_vcpu_context, 432);
    static const struct field xen_domctl_vcpucontext_fields[] = {
        FIELD(xen_domctl_vcpucontext, vcpu, 0, 4),
        FIELD(xen_domctl_vcpucontext, pad, 4, 4),
    };
    CHECK_STRUCT(xen_domctl_vcpucontext, 8);
    static const struct field xen_domctl_max_mem_fields[] = {
        FIELD(xen_domctl_max_mem, max_memkb, 0, 8),
    };
    CHECK_STRUCT(xen_domctl_max_mem, 8);
    static const struct field xen_domctl_memory_fd_fields[] = {
        FIELD(xen_domctl_memory_fd, size, 0, 8),
    };
    CHECK_STRUCT(xen_domctl_memory_fd, 8);
    static const struct field xen_domctl_p2m_query_fields[] = {
        FIELD(xen_domctl_p2m_query, first_gfn, 0, 8),
        FIELD(xen_domctl_p2m_query, nr, 8, 4),
        FIELD(xen_domctl_p2m_query, pad, 12, 4),
    };
    CHECK_STRUCT(xen_domctl_p2m_query, 16);
    static const struct field xen_domctl_console_attach_fields[] = {
        FIELD(xen_domctl_console_attach, lost, 0, 8),
    };
    CHECK_STRUCT(xen_domctl_console_attach, 8);
    static const struct field xen_domctl_fields[] = {
        FIELD(xen_domctl, cmd, 0, 4),
        FIELD(xen_domctl, interface_version, 4, 4),
        FIELD(xen_domctl, domain, 8, 2),
        FIELD(xen_domctl, pad, 10, 6),
        FIELD(xen_domctl, u, 16, 256),
        FIELD(xen_domctl, u.createdomain, 16, 112),
        FIELD(xen_domctl, u.getdomaininfo, 16, 152),
        FIELD(xen_domctl, u.shutdown, 16, 8),
        FIELD(xen_domctl, u.vcpucontext, 16, 8),
        FIELD(xen_domctl, u.max_mem, 16, 8),
        FIELD(xen_domctl, u.memory_fd, 16, 8),
        FIELD(xen_domctl, u.p2m_query, 16, 16),
        FIELD(xen_domctl, u.console_attach, 16, 8),
        FIELD(xen_domctl, u.raw, 16, 256),
    };
    CHECK_STRUCT(xen_domctl, 272);
}

/* sysctl.h */
static void check_structs_sysctl_h(void)
{
    static const struct field xen_sysctl_readconsole_fields[] = {
        FIELD(xen_sysctl_readconsole, index, 0, 8),
        FIELD(xen_sysctl_readconsole, count, 8, 4),
        FIELD(xen_sysctl_readconsole, pad, 12, 4),
        FIELD(xen_sysctl_readconsole, lost, 16, 8),
    };
    CHECK_STRUCT(xen_sysctl_readconsole, 24);
    static const struct field xen_sysctl_getdomaininfolist_fields[] = {
        FIELD(xen_sysctl_getdomaininfolist, first_domain, 0, 4),
        FIELD(xen_sysctl_getdomaininfolist, max_domains, 4, 4),
        FIELD(xen_sysctl_getdomaininfolist, num_domains, 8, 4),
        FIELD(xen_sysctl_getdomaininfolist, pad, 12, 4),
    };
    CHECK_STRUCT(xen_sysctl_getdomaininfolist, 16);
    static const struct field xen_sysctl_physinfo_fields[] = {
        FIELD(xen_sysctl_physinfo, nr_cpus, 0, 4),
        FIELD(xen_sysctl_physinfo, nr_domains, 4, 4),
        FIELD(xen_sysctl_physinfo, total_pages, 8, 8),
        FIELD(xen_sysctl_physinfo, free_pages, 16, 8),
        FIELD(xen_sysctl_physinfo, hv_version, 24, 4),
        FIELD(xen_sysctl_physinfo, max_vcpus, 28, 4),
        FIELD(xen_sysctl_physinfo, uptime_ns, 32, 8),
        FIELD(xen_sysctl_physinfo, overhead_bytes, 40, 8),
        FIELD(xen_sysctl_physinfo, overhead_allocs, 48, 8),
    };
    CHECK_STRUCT(xen_sysctl_physinfo, 56);
    static const struct field xen_sysctl_fields[] = {
        FIELD(xen_sysctl, cmd, 0, 4),
        FIELD(xen_sysctl, interface_version, 4, 4),
        FIELD(xen_sysctl, u, 8, 128),
        FIELD(xen_sysctl, u.readconsole, 8, 24),
        FIELD(xen_sysctl, u.getdomaininfolist, 8, 16),
        FIELD(xen_sysctl, u.physinfo, 8, 56),
        FIELD(xen_sysctl, u.raw, 8, 128),
    };
    CHECK_STRUCT(xen_sysctl, 136);
}

/* sched.h */
static void check_structs_sched_h(void)
{
    static const struct field sched_shutdown_fields[] = {
        FIELD(sched_shutdown, reason, 0, 4),
    };
    CHECK_STRUCT(sched_shutdown, 4);
}

/* version.h */
static void check_structs_version_h(void)
{
    static const struct field xen_extraversion_fields[] = {
        FIELD(xen_extraversion, extraversion, 0, 16),
    };
    CHECK_STRUCT(xen_extraversion, 16);
    static const struct field xen_capabilities_info_fields[] = {
        FIELD(xen_capabilities_info, info, 0, 1024),
    };
    CHECK_STRUCT(xen_capabilities_info, 1024);
    static const struct field xen_changeset_info_fields[] = {
        FIELD(xen_changeset_info, info, 0, 64),
    };
    CHECK_STRUCT(xen_changeset_info, 64);
}

/* privcmd.h */
static void check_structs_privcmd_h(void)
{
    static const struct field hv_privcmd_request_fields[] = {
        FIELD(hv_privcmd_request, magic, 0, 4),
        FIELD(hv_privcmd_request, kind, 4, 4),
        FIELD(hv_privcmd_request, buf_len, 8, 4),
        FIELD(hv_privcmd_request, pad, 12, 4),
    };
    CHECK_STRUCT(hv_privcmd_request, 16);
    static const struct field hv_privcmd_reply_fields[] = {
        FIELD(hv_privcmd_reply, magic, 0, 4),
        FIELD(hv_privcmd_reply, kind, 4, 4),
        FIELD(hv_privcmd_reply, buf_len, 8, 4),
        FIELD(hv_privcmd_reply, nr_fds, 12, 4),
        FIELD(hv_privcmd_reply, rc, 16, 8),
    };
    CHECK_STRUCT(hv_privcmd_reply, 24);
}
/* ---- constants ---------------------------------------------------------- */

struct constant {
    const char *name;
    uint64_t value, want;
};

#define CONSTANT(name, want) { #name, (uint64_t)(name), want }

static void check_constants(const char *group, const struct constant *c, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (c[i].value == c[i].want)
            continue;
        printf("not ok %s: %s is %#" PRIx64 ", want %#" PRIx64 "\n", group, c[i].name, c[i].value,
               c[i].want);
        ok = false;
    }
    if (ok)
        printf("ok %s: %zu values\n", group, n);
    ok ? passed++ : failed++;
}

static void check_constants_xen_h(void)
{
    static const struct constant c[] = {
        CONSTANT(XEN_INTERFACE_VERSION, 0x00010000),
        CONSTANT(sizeof(domid_t), 2),
        CONSTANT(DOMID_FIRST, 1),
        CONSTANT(DOMID_MAX, 0x7fef),
        CONSTANT(DOMID_SELF, 0x7ff0),
        CONSTANT(DOMID_INVALID, 0x7ff4),
        CONSTANT(__HYPERVISOR_memory_op, 12),
        CONSTANT(__HYPERVISOR_set_timer_op, 15),
        CONSTANT(__HYPERVISOR_xen_version, 17),
        CONSTANT(__HYPERVISOR_console_io, 18),
        CONSTANT(__HYPERVISOR_vcpu_op, 24),
        CONSTANT(__HYPERVISOR_sched_op, 29),
        CONSTANT(__HYPERVISOR_event_channel_op, 32),
        CONSTANT(__HYPERVISOR_hvm_op, 34),
        CONSTANT(NR_hypercalls, 64),
        CONSTANT(HV_CPUID_BASE, 0x40000000),
        CONSTANT(HV_CPUID_SIGNATURE_EBX, 0x79487648),
        CONSTANT(HV_CPUID_SIGNATURE_ECX, 0x76726570),
        CONSTANT(HV_CPUID_SIGNATURE_EDX, 0x726f7369),
        CONSTANT(HV_HYPERCALL_MSR, 0x40000000),
        CONSTANT(HV_HYPERCALL_PORT, 0x9e),
        CONSTANT(HV_HYPERCALL_STUB_SIZE, 32),
        CONSTANT(CONSOLEIO_write, 0),
        CONSTANT(CONSOLEIO_read, 1),
        CONSTANT(CONSOLEIO_MAX_COUNT, 4096),
        CONSTANT(HV_START_INFO_MAGIC, 0x6f666e4974727453),
        CONSTANT(HV_START_INFO_VERSION, 1),
        CONSTANT(HV_MEMMAP_MAX, 16),
        CONSTANT(HV_CMDLINE_MAX, 1024),
        CONSTANT(HV_MEMMAP_RAM, 1),
        CONSTANT(HV_MEMMAP_RESERVED, 2),
    };
    check_constants("constants of xen.h", c, ARRAY_SIZE(c));
}

static void check_constants_domctl_h(void)
{
    static const struct constant c[] = {
        CONSTANT(XEN_DOMCTL_INTERFACE_VERSION, 2),
        CONSTANT(HV_MAX_VCPUS, 64),
        CONSTANT(HV_NAME_MAX, 64),
        CONSTANT(HV_ACTION_destroy, 0),
        CONSTANT(HV_ACTION_restart, 1),
        CONSTANT(HV_ACTION_preserve, 2),
        CONSTANT(HV_ACTION_MAX, 2),
        CONSTANT(XEN_DOMINF_dying, 0x01),
        CONSTANT(XEN_DOMINF_shutdown, 0x04),
        CONSTANT(XEN_DOMINF_paused, 0x08),
        CONSTANT(XEN_DOMINF_blocked, 0x10),
        CONSTANT(XEN_DOMINF_running, 0x20),
        CONSTANT(HV_VCPU_CTX_ONLINE, 1),
        CONSTANT(HV_P2M_QUERY_MAX, 8192),
        CONSTANT(HV_INVALID_FRAME, 0xffffffffffffffff),
        CONSTANT(XEN_DOMCTL_createdomain, 1),
        CONSTANT(XEN_DOMCTL_destroydomain, 2),
        CONSTANT(XEN_DOMCTL_pausedomain, 3),
        CONSTANT(XEN_DOMCTL_unpausedomain, 4),
        CONSTANT(XEN_DOMCTL_getdomaininfo, 5),
        CONSTANT(XEN_DOMCTL_max_mem, 11),
        CONSTANT(XEN_DOMCTL_setvcpucontext, 12),
        CONSTANT(XEN_DOMCTL_getvcpucontext, 13),
        CONSTANT(XEN_DOMCTL_shutdown, 48),
        CONSTANT(XEN_DOMCTL_get_memory_fd, 1001),
        CONSTANT(XEN_DOMCTL_p2m_query, 1002),
        CONSTANT(XEN_DOMCTL_console_attach, 1003),
    };
    check_constants("constants of domctl.h", c, ARRAY_SIZE(c));
}

static void check_constants_sysctl_h(void)
{
    static const struct constant c[] = {
        CONSTANT(XEN_SYSCTL_INTERFACE_VERSION, 2),
        CONSTANT(HV_DOMAININFOLIST_MAX, 256),
        CONSTANT(XEN_SYSCTL_readconsole, 1),
        CONSTANT(XEN_SYSCTL_physinfo, 3),
        CONSTANT(XEN_SYSCTL_getdomaininfolist, 6),
    };
    check_constants("constants of sysctl.h", c, ARRAY_SIZE(c));
}

static void check_constants_sched_h(void)
{
    static const struct constant c[] = {
        CONSTANT(SCHEDOP_yield, 0),
        CONSTANT(SCHEDOP_block, 1),
        CONSTANT(SCHEDOP_shutdown, 2),
        CONSTANT(SHUTDOWN_poweroff, 0),
        CONSTANT(SHUTDOWN_reboot, 1),
        CONSTANT(SHUTDOWN_suspend, 2),
        CONSTANT(SHUTDOWN_crash, 3),
        CONSTANT(SHUTDOWN_watchdog, 4),
        CONSTANT(SHUTDOWN_MAX, 4),
    };
    check_constants("constants of sched.h", c, ARRAY_SIZE(c));
}

static void check_constants_version_h(void)
{
    static const struct constant c[] = {
        CONSTANT(XENVER_version, 0),
        CONSTANT(XENVER_extraversion, 1),
        CONSTANT(XENVER_capabilities, 3),
        CONSTANT(XENVER_changeset, 4),
        CONSTANT(XENVER_pagesize, 7),
    };
    check_constants("constants of version.h", c, ARRAY_SIZE(c));
}

static void check_constants_privcmd_h(void)
{
    static const struct constant c[] = {
        CONSTANT(HV_PRIVCMD_MAGIC, 0x31637668),
        CONSTANT(HV_PRIVCMD_DOMCTL, 1),
        CONSTANT(HV_PRIVCMD_SYSCTL, 2),
        CONSTANT(HV_PRIVCMD_MAX_BUF, 65536),
        CONSTANT(HV_PRIVCMD_MAX_FDS, 4),
    };
    check_constants("constants of privcmd.h", c, ARRAY_SIZE(c));
}

/* The magic numbers spell what their comments say, in x86 (little-endian) byte order. */
static void check_magic_strings(void)
{
    uint32_t sig[3] = { HV_CPUID_SIGNATURE_EBX, HV_CPUID_SIGNATURE_ECX, HV_CPUID_SIGNATURE_EDX };
    uint64_t start = HV_START_INFO_MAGIC;
    uint32_t privcmd = HV_PRIVCMD_MAGIC;
    char got[13] = "";
    bool ok = true;
    memcpy(got, sig, 12);
    if (strcmp(got, "HvHypervisor") != 0) {
        printf("not ok magic strings: CPUID signature reads '%s', want 'HvHypervisor'\n", got);
        ok = false;
    }
    if (memcmp(&start, "StrtInfo", 8) != 0) {
        printf("not ok magic strings: HV_START_INFO_MAGIC does not read 'StrtInfo'\n");
        ok = false;
    }
    if (memcmp(&privcmd, "hvc1", 4) != 0) {
        printf("not ok magic strings: HV_PRIVCMD_MAGIC does not read 'hvc1'\n");
        ok = false;
    }
    if (ok)
        printf("ok magic strings: CPUID signature, start info, privcmd\n");
    ok ? passed++ : failed++;
}

/* ---- errno -------------------------------------------------------------- */

/* Entries in XEN_ERRNO_LIST. */
#define ERRNO_COUNT 45

struct errno_entry {
    const char *name;
    int xen, linux_value, listed;
};

/* For each X(name, value) of the list: the enum, <errno.h>'s value, the list's value. */
#define ERRNO_ENTRY(name, value) { "XEN_" #name, XEN_##name, name, value },

static void check_errno(void)
{
    static const struct errno_entry list[] = { XEN_ERRNO_LIST(ERRNO_ENTRY) };
    bool ok = true;
    for (size_t i = 0; i < ARRAY_SIZE(list); i++) {
        const struct errno_entry *e = &list[i];
        if (e->xen != e->linux_value || e->listed != e->linux_value) {
            printf("not ok errno: %s is %d (listed %d), Linux has %d\n", e->name, e->xen, e->listed,
                   e->linux_value);
            ok = false;
        }
        for (size_t j = 0; j < i; j++)
            if (list[j].xen == e->xen) {
                printf("not ok errno: %s and %s are both %d\n", list[j].name, e->name, e->xen);
                ok = false;
            }
    }
    /* Entries are only ever added: a shorter list means one was removed. */
    if (ARRAY_SIZE(list) != ERRNO_COUNT) {
        printf("not ok errno: the list has %zu entries, want %d\n", ARRAY_SIZE(list), ERRNO_COUNT);
        ok = false;
    }
    if (ok)
        printf("ok errno: %zu values equal Linux's\n", ARRAY_SIZE(list));
    ok ? passed++ : failed++;
}

/* ---- every struct in the headers is checked ----------------------------- */

static bool is_checked(const char *name, size_t len)
{
    for (size_t i = 0; i < nr_checked; i++)
        if (strlen(checked[i]) == len && memcmp(checked[i], name, len) == 0)
            return true;
    return false;
}

static bool is_ident(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Every "struct NAME {" in text must be among the checked structs. */
static bool header_structs_checked(const char *file, const char *text)
{
    bool ok = true;
    for (const char *s = strstr(text, "struct "); s; s = strstr(s + 1, "struct ")) {
        if (s > text && is_ident(s[-1]))
            continue;
        const char *name = s + 7 + strspn(s + 7, " \t\n"), *end = name;
        while (is_ident(*end))
            end++;
        const char *brace = end + strspn(end, " \t\n");
        if (end == name || *brace != '{' || is_checked(name, (size_t)(end - name)))
            continue;
        printf("not ok headers: struct %.*s in %s has no layout check here\n", (int)(end - name), name,
               file);
        ok = false;
    }
    return ok;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    if (n < 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void check_every_struct_is_checked(void)
{
    const char *srcdir = getenv("srcdir");
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s/xen/include/public", srcdir && *srcdir ? srcdir : ".");
    DIR *dir = opendir(dirpath);
    if (!dir) {
        printf("not ok headers: cannot open %s: %s (run from the top of the tree or set srcdir)\n",
               dirpath, strerror(errno));
        failed++;
        return;
    }
    bool ok = true;
    size_t headers = 0;
    for (struct dirent *d; (d = readdir(dir));) {
        size_t len = strlen(d->d_name);
        if (len < 3 || strcmp(d->d_name + len - 2, ".h") != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dirpath, d->d_name);
        char *text = read_text(path);
        if (!text) {
            printf("not ok headers: cannot read %s\n", path);
            ok = false;
            continue;
        }
        ok &= header_structs_checked(d->d_name, text);
        free(text);
        headers++;
    }
    closedir(dir);
    if (ok)
        printf("ok headers: every struct in %zu headers of %s is checked\n", headers, dirpath);
    ok ? passed++ : failed++;
}

int main(void)
{
    check_structs_xen_h();
    check_structs_domctl_h();
    check_structs_sysctl_h();
    check_structs_sched_h();
    check_structs_version_h();
    check_structs_privcmd_h();
    check_constants_xen_h();
    check_constants_domctl_h();
    check_constants_sysctl_h();
    check_constants_sched_h();
    check_constants_version_h();
    check_constants_privcmd_h();
    check_magic_strings();
    check_errno();
    check_every_struct_is_checked();
    printf("test_abi: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
