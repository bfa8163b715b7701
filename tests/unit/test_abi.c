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
#include <hv/public/save.h>
#include <hv/public/memory.h>
#include <hv/public/event_channel.h>
#include <hv/public/vcpu.h>
#include <hv/public/hvm_op.h>
#include <hv/public/livepatch.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int passed, failed;

/* Names of the structs checked, for the scan of the headers. */
static const char *checked[128];
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
        FIELD(xen_domctl_createdomain, restart_limit, 112, 4),
        FIELD(xen_domctl_createdomain, restart_interval_s, 116, 4),
    };
    CHECK_STRUCT(xen_domctl_createdomain, 120);
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
        FIELD(xen_domctl_getdomaininfo, restart_limit, 152, 4),
        FIELD(xen_domctl_getdomaininfo, restart_interval_s, 156, 4),
    };
    CHECK_STRUCT(xen_domctl_getdomaininfo, 160);
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
        FIELD(xen_domctl, u.createdomain, 16, 120),
        FIELD(xen_domctl, u.getdomaininfo, 16, 160),
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
        FIELD(xen_sysctl_physinfo, livepatch_bytes, 56, 8),
        FIELD(xen_sysctl_physinfo, build_id_len, 64, 4),
        FIELD(xen_sysctl_physinfo, pad, 68, 4),
        FIELD(xen_sysctl_physinfo, build_id, 72, 40),
    };
    CHECK_STRUCT(xen_sysctl_physinfo, 112);
    static const struct field xen_sysctl_fields[] = {
        FIELD(xen_sysctl, cmd, 0, 4),
        FIELD(xen_sysctl, interface_version, 4, 4),
        FIELD(xen_sysctl, u, 8, 128),
        FIELD(xen_sysctl, u.readconsole, 8, 24),
        FIELD(xen_sysctl, u.getdomaininfolist, 8, 16),
        FIELD(xen_sysctl, u.physinfo, 8, 112),
        FIELD(xen_sysctl, u.livepatch, 8, 88),
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
/* save.h */
static void check_structs_save_h(void)
{
    static const struct field hv_save_image_header_fields[] = {
        FIELD(hv_save_image_header, magic, 0, 8),
        FIELD(hv_save_image_header, version, 8, 4),
        FIELD(hv_save_image_header, options, 12, 4),
        FIELD(hv_save_image_header, page_size, 16, 4),
        FIELD(hv_save_image_header, pad, 20, 4),
    };
    CHECK_STRUCT(hv_save_image_header, 24);
    static const struct field hv_save_domain_header_fields[] = {
        FIELD(hv_save_domain_header, hvd_version, 0, 4),
        FIELD(hv_save_domain_header, nr_vcpus, 4, 4),
        FIELD(hv_save_domain_header, nr_pages, 8, 8),
        FIELD(hv_save_domain_header, tot_pages, 16, 8),
        FIELD(hv_save_domain_header, config_len, 24, 4),
        FIELD(hv_save_domain_header, pad, 28, 4),
    };
    CHECK_STRUCT(hv_save_domain_header, 32);
    static const struct field hv_save_record_header_fields[] = {
        FIELD(hv_save_record_header, type, 0, 4),
        FIELD(hv_save_record_header, length, 4, 4),
    };
    CHECK_STRUCT(hv_save_record_header, 8);
    static const struct field hv_save_page_data_fields[] = {
        FIELD(hv_save_page_data, count, 0, 4),
        FIELD(hv_save_page_data, pad, 4, 4),
    };
    CHECK_STRUCT(hv_save_page_data, 8);
    static const struct field hv_save_page_data_zlib_fields[] = {
        FIELD(hv_save_page_data_zlib, count, 0, 4),
        FIELD(hv_save_page_data_zlib, zlib_len, 4, 4),
    };
    CHECK_STRUCT(hv_save_page_data_zlib, 8);
    static const struct field hv_save_pic_fields[] = {
        FIELD(hv_save_pic, last_irr, 0, 1),
        FIELD(hv_save_pic, irr, 1, 1),
        FIELD(hv_save_pic, imr, 2, 1),
        FIELD(hv_save_pic, isr, 3, 1),
        FIELD(hv_save_pic, priority_add, 4, 1),
        FIELD(hv_save_pic, irq_base, 5, 1),
        FIELD(hv_save_pic, read_reg_select, 6, 1),
        FIELD(hv_save_pic, poll, 7, 1),
        FIELD(hv_save_pic, special_mask, 8, 1),
        FIELD(hv_save_pic, init_state, 9, 1),
        FIELD(hv_save_pic, auto_eoi, 10, 1),
        FIELD(hv_save_pic, rotate_on_auto_eoi, 11, 1),
        FIELD(hv_save_pic, special_fully_nested_mode, 12, 1),
        FIELD(hv_save_pic, init4, 13, 1),
        FIELD(hv_save_pic, elcr, 14, 1),
        FIELD(hv_save_pic, elcr_mask, 15, 1),
    };
    CHECK_STRUCT(hv_save_pic, 16);
    static const struct field hv_save_ioapic_fields[] = {
        FIELD(hv_save_ioapic, base_address, 0, 8),
        FIELD(hv_save_ioapic, ioregsel, 8, 4),
        FIELD(hv_save_ioapic, id, 12, 4),
        FIELD(hv_save_ioapic, irr, 16, 4),
        FIELD(hv_save_ioapic, pad, 20, 4),
        FIELD(hv_save_ioapic, redirtbl, 24, 192),
    };
    CHECK_STRUCT(hv_save_ioapic, 216);
    static const struct field hv_save_pit_channel_fields[] = {
        FIELD(hv_save_pit_channel, count, 0, 4),
        FIELD(hv_save_pit_channel, latched_count, 4, 2),
        FIELD(hv_save_pit_channel, count_latched, 6, 1),
        FIELD(hv_save_pit_channel, status_latched, 7, 1),
        FIELD(hv_save_pit_channel, status, 8, 1),
        FIELD(hv_save_pit_channel, read_state, 9, 1),
        FIELD(hv_save_pit_channel, write_state, 10, 1),
        FIELD(hv_save_pit_channel, write_latch, 11, 1),
        FIELD(hv_save_pit_channel, rw_mode, 12, 1),
        FIELD(hv_save_pit_channel, mode, 13, 1),
        FIELD(hv_save_pit_channel, bcd, 14, 1),
        FIELD(hv_save_pit_channel, gate, 15, 1),
        FIELD(hv_save_pit_channel, count_load_time, 16, 8),
    };
    CHECK_STRUCT(hv_save_pit_channel, 24);
    static const struct field hv_save_pit_fields[] = {
        FIELD(hv_save_pit, channels, 0, 72),
        FIELD(hv_save_pit, flags, 72, 4),
        FIELD(hv_save_pit, pad, 76, 4),
    };
    CHECK_STRUCT(hv_save_pit, 80);
    static const struct field hv_save_clock_fields[] = {
        FIELD(hv_save_clock, clock_ns, 0, 8),
        FIELD(hv_save_clock, realtime_ns, 8, 8),
        FIELD(hv_save_clock, flags, 16, 4),
        FIELD(hv_save_clock, pad, 20, 4),
        FIELD(hv_save_clock, wallclock_offset_s, 24, 8),
    };
    CHECK_STRUCT(hv_save_clock, 32);
    static const struct field hv_save_vm_state_fields[] = {
        FIELD(hv_save_vm_state, flags, 0, 4),
        FIELD(hv_save_vm_state, pad, 4, 4),
        FIELD(hv_save_vm_state, pic_master, 8, 16),
        FIELD(hv_save_vm_state, pic_slave, 24, 16),
        FIELD(hv_save_vm_state, ioapic, 40, 216),
        FIELD(hv_save_vm_state, pit, 256, 80),
        FIELD(hv_save_vm_state, clock, 336, 32),
    };
    CHECK_STRUCT(hv_save_vm_state, 368);
    static const struct field hv_save_regs_fields[] = {
        FIELD(hv_save_regs, rax, 0, 8),
        FIELD(hv_save_regs, rbx, 8, 8),
        FIELD(hv_save_regs, rcx, 16, 8),
        FIELD(hv_save_regs, rdx, 24, 8),
        FIELD(hv_save_regs, rsi, 32, 8),
        FIELD(hv_save_regs, rdi, 40, 8),
        FIELD(hv_save_regs, rsp, 48, 8),
        FIELD(hv_save_regs, rbp, 56, 8),
        FIELD(hv_save_regs, r8, 64, 8),
        FIELD(hv_save_regs, r9, 72, 8),
        FIELD(hv_save_regs, r10, 80, 8),
        FIELD(hv_save_regs, r11, 88, 8),
        FIELD(hv_save_regs, r12, 96, 8),
        FIELD(hv_save_regs, r13, 104, 8),
        FIELD(hv_save_regs, r14, 112, 8),
        FIELD(hv_save_regs, r15, 120, 8),
        FIELD(hv_save_regs, rip, 128, 8),
        FIELD(hv_save_regs, rflags, 136, 8),
    };
    CHECK_STRUCT(hv_save_regs, 144);
    static const struct field hv_save_segment_fields[] = {
        FIELD(hv_save_segment, base, 0, 8),
        FIELD(hv_save_segment, limit, 8, 4),
        FIELD(hv_save_segment, selector, 12, 2),
        FIELD(hv_save_segment, type, 14, 1),
        FIELD(hv_save_segment, present, 15, 1),
        FIELD(hv_save_segment, dpl, 16, 1),
        FIELD(hv_save_segment, db, 17, 1),
        FIELD(hv_save_segment, s, 18, 1),
        FIELD(hv_save_segment, l, 19, 1),
        FIELD(hv_save_segment, g, 20, 1),
        FIELD(hv_save_segment, avl, 21, 1),
        FIELD(hv_save_segment, unusable, 22, 1),
        FIELD(hv_save_segment, pad, 23, 1),
    };
    CHECK_STRUCT(hv_save_segment, 24);
    static const struct field hv_save_dtable_fields[] = {
        FIELD(hv_save_dtable, base, 0, 8),
        FIELD(hv_save_dtable, limit, 8, 2),
        FIELD(hv_save_dtable, pad, 10, 6),
    };
    CHECK_STRUCT(hv_save_dtable, 16);
    static const struct field hv_save_sregs_fields[] = {
        FIELD(hv_save_sregs, cs, 0, 24),
        FIELD(hv_save_sregs, ds, 24, 24),
        FIELD(hv_save_sregs, es, 48, 24),
        FIELD(hv_save_sregs, fs, 72, 24),
        FIELD(hv_save_sregs, gs, 96, 24),
        FIELD(hv_save_sregs, ss, 120, 24),
        FIELD(hv_save_sregs, tr, 144, 24),
        FIELD(hv_save_sregs, ldt, 168, 24),
        FIELD(hv_save_sregs, gdt, 192, 16),
        FIELD(hv_save_sregs, idt, 208, 16),
        FIELD(hv_save_sregs, cr0, 224, 8),
        FIELD(hv_save_sregs, cr2, 232, 8),
        FIELD(hv_save_sregs, cr3, 240, 8),
        FIELD(hv_save_sregs, cr4, 248, 8),
        FIELD(hv_save_sregs, cr8, 256, 8),
        FIELD(hv_save_sregs, efer, 264, 8),
        FIELD(hv_save_sregs, apic_base, 272, 8),
    };
    CHECK_STRUCT(hv_save_sregs, 280);
    static const struct field hv_save_vcpu_events_fields[] = {
        FIELD(hv_save_vcpu_events, exception_injected, 0, 1),
        FIELD(hv_save_vcpu_events, exception_nr, 1, 1),
        FIELD(hv_save_vcpu_events, exception_has_error_code, 2, 1),
        FIELD(hv_save_vcpu_events, exception_pending, 3, 1),
        FIELD(hv_save_vcpu_events, exception_error_code, 4, 4),
        FIELD(hv_save_vcpu_events, interrupt_injected, 8, 1),
        FIELD(hv_save_vcpu_events, interrupt_nr, 9, 1),
        FIELD(hv_save_vcpu_events, interrupt_soft, 10, 1),
        FIELD(hv_save_vcpu_events, interrupt_shadow, 11, 1),
        FIELD(hv_save_vcpu_events, nmi_injected, 12, 1),
        FIELD(hv_save_vcpu_events, nmi_pending, 13, 1),
        FIELD(hv_save_vcpu_events, nmi_masked, 14, 1),
        FIELD(hv_save_vcpu_events, pad0, 15, 1),
        FIELD(hv_save_vcpu_events, sipi_vector, 16, 4),
        FIELD(hv_save_vcpu_events, flags, 20, 4),
        FIELD(hv_save_vcpu_events, smi_smm, 24, 1),
        FIELD(hv_save_vcpu_events, smi_pending, 25, 1),
        FIELD(hv_save_vcpu_events, smi_smm_inside_nmi, 26, 1),
        FIELD(hv_save_vcpu_events, smi_latched_init, 27, 1),
        FIELD(hv_save_vcpu_events, triple_fault_pending, 28, 1),
        FIELD(hv_save_vcpu_events, exception_has_payload, 29, 1),
        FIELD(hv_save_vcpu_events, pad1, 30, 2),
        FIELD(hv_save_vcpu_events, exception_payload, 32, 8),
    };
    CHECK_STRUCT(hv_save_vcpu_events, 40);
    static const struct field hv_save_debugregs_fields[] = {
        FIELD(hv_save_debugregs, db, 0, 32),
        FIELD(hv_save_debugregs, dr6, 32, 8),
        FIELD(hv_save_debugregs, dr7, 40, 8),
    };
    CHECK_STRUCT(hv_save_debugregs, 48);
    static const struct field hv_save_xcr_fields[] = {
        FIELD(hv_save_xcr, index, 0, 4),
        FIELD(hv_save_xcr, pad, 4, 4),
        FIELD(hv_save_xcr, value, 8, 8),
    };
    CHECK_STRUCT(hv_save_xcr, 16);
    static const struct field hv_save_msr_fields[] = {
        FIELD(hv_save_msr, index, 0, 4),
        FIELD(hv_save_msr, pad, 4, 4),
        FIELD(hv_save_msr, value, 8, 8),
    };
    CHECK_STRUCT(hv_save_msr, 16);
    static const struct field hv_save_vcpu_fields[] = {
        FIELD(hv_save_vcpu, vcpu_id, 0, 4),
        FIELD(hv_save_vcpu, flags, 4, 4),
        FIELD(hv_save_vcpu, mp_state, 8, 4),
        FIELD(hv_save_vcpu, nr_xcrs, 12, 4),
        FIELD(hv_save_vcpu, xsave_len, 16, 4),
        FIELD(hv_save_vcpu, nr_msrs, 20, 4),
        FIELD(hv_save_vcpu, regs, 24, 144),
        FIELD(hv_save_vcpu, sregs, 168, 280),
        FIELD(hv_save_vcpu, events, 448, 40),
        FIELD(hv_save_vcpu, debugregs, 488, 48),
        FIELD(hv_save_vcpu, xcrs, 536, 256),
        FIELD(hv_save_vcpu, lapic, 792, 1024),
    };
    CHECK_STRUCT(hv_save_vcpu, 1816);
    static const struct field hv_save_shared_info_fields[] = {
        FIELD(hv_save_shared_info, gfn, 0, 8),
        FIELD(hv_save_shared_info, page, 8, 4096),
    };
    CHECK_STRUCT(hv_save_shared_info, 4104);
    static const struct field hv_save_event_channels_fields[] = {
        FIELD(hv_save_event_channels, nr_channels, 0, 4),
        FIELD(hv_save_event_channels, upcall_vector, 4, 4),
    };
    CHECK_STRUCT(hv_save_event_channels, 8);
    static const struct field hv_save_evtchn_fields[] = {
        FIELD(hv_save_evtchn, port, 0, 4),
        FIELD(hv_save_evtchn, state, 4, 1),
        FIELD(hv_save_evtchn, pad, 5, 3),
        FIELD(hv_save_evtchn, vcpu, 8, 4),
        FIELD(hv_save_evtchn, remote_domid, 12, 4),
        FIELD(hv_save_evtchn, remote_port, 16, 4),
        FIELD(hv_save_evtchn, virq, 20, 4),
    };
    CHECK_STRUCT(hv_save_evtchn, 24);
    static const struct field hv_save_timers_fields[] = {
        FIELD(hv_save_timers, nr_timers, 0, 4),
        FIELD(hv_save_timers, pad, 4, 4),
    };
    CHECK_STRUCT(hv_save_timers, 8);
    static const struct field hv_save_timer_fields[] = {
        FIELD(hv_save_timer, vcpu, 0, 4),
        FIELD(hv_save_timer, kind, 4, 4),
        FIELD(hv_save_timer, deadline_ns, 8, 8),
        FIELD(hv_save_timer, period_ns, 16, 8),
    };
    CHECK_STRUCT(hv_save_timer, 24);
    static const struct field hv_save_run_state_fields[] = {
        FIELD(hv_save_run_state, state, 0, 4),
        FIELD(hv_save_run_state, shutdown_reason, 4, 4),
    };
    CHECK_STRUCT(hv_save_run_state, 8);
    static const struct field hv_save_console_ring_fields[] = {
        FIELD(hv_save_console_ring, lost, 0, 8),
        FIELD(hv_save_console_ring, len, 8, 4),
        FIELD(hv_save_console_ring, pad, 12, 4),
    };
    CHECK_STRUCT(hv_save_console_ring, 16);
}

/* ---- constants ---------------------------------------------------------- */

/* xen.h (issue 4 additions) */
static void check_structs_xen_h_more(void)
{
    static const struct field vcpu_info_fields[] = {
        FIELD(vcpu_info, evtchn_upcall_pending, 0, 1),
        FIELD(vcpu_info, evtchn_upcall_mask, 1, 1),
        FIELD(vcpu_info, pad0, 2, 6),
        FIELD(vcpu_info, evtchn_pending_sel, 8, 8),
        FIELD(vcpu_info, pad1, 16, 48),
    };
    CHECK_STRUCT(vcpu_info, 64);
    static const struct field shared_info_fields[] = {
        FIELD(shared_info, vcpu_info, 0, 2048),
        FIELD(shared_info, evtchn_pending, 2048, 512),
        FIELD(shared_info, evtchn_mask, 2560, 512),
        FIELD(shared_info, wc_version, 3072, 4),
        FIELD(shared_info, wc_nsec, 3076, 4),
        FIELD(shared_info, wc_sec, 3080, 8),
        FIELD(shared_info, pad, 3088, 1008),
    };
    CHECK_STRUCT(shared_info, 4096);
}

/* domctl.h (issue 4 additions) */
static void check_structs_domctl_h_more(void)
{
    static const struct field xen_domctl_getvcpuinfo_fields[] = {
        FIELD(xen_domctl_getvcpuinfo, vcpu, 0, 4),
        FIELD(xen_domctl_getvcpuinfo, online, 4, 1),
        FIELD(xen_domctl_getvcpuinfo, blocked, 5, 1),
        FIELD(xen_domctl_getvcpuinfo, running, 6, 1),
        FIELD(xen_domctl_getvcpuinfo, pad, 7, 1),
        FIELD(xen_domctl_getvcpuinfo, cpu_time_ns, 8, 8),
    };
    CHECK_STRUCT(xen_domctl_getvcpuinfo, 16);
    static const struct field xen_domctl_settimeoffset_fields[] = {
        FIELD(xen_domctl_settimeoffset, time_offset_seconds, 0, 8),
    };
    CHECK_STRUCT(xen_domctl_settimeoffset, 8);
    static const struct field xen_domctl_set_target_fields[] = {
        FIELD(xen_domctl_set_target, target_pages, 0, 8),
    };
    CHECK_STRUCT(xen_domctl_set_target, 8);
    static const struct field xen_domctl_evtchn_host_fields[] = {
        FIELD(xen_domctl_evtchn_host, cmd, 0, 4),
        FIELD(xen_domctl_evtchn_host, port, 4, 4),
    };
    CHECK_STRUCT(xen_domctl_evtchn_host, 8);
    static const struct field xen_domctl_context_fields[] = {
        FIELD(xen_domctl_context, type, 0, 4),
        FIELD(xen_domctl_context, index, 4, 4),
        FIELD(xen_domctl_context, length, 8, 4),
        FIELD(xen_domctl_context, pad, 12, 4),
    };
    CHECK_STRUCT(xen_domctl_context, 16);
    static const struct field xen_domctl_p2m_set_fields[] = {
        FIELD(xen_domctl_p2m_set, first_gfn, 0, 8),
        FIELD(xen_domctl_p2m_set, nr, 8, 4),
        FIELD(xen_domctl_p2m_set, populate, 12, 4),
    };
    CHECK_STRUCT(xen_domctl_p2m_set, 16);
    static const struct field xen_domctl_toolstack_data_fields[] = {
        FIELD(xen_domctl_toolstack_data, cmd, 0, 4),
        FIELD(xen_domctl_toolstack_data, length, 4, 4),
    };
    CHECK_STRUCT(xen_domctl_toolstack_data, 8);
}

/* domctl.h (issue 12: live migration) */
static void check_structs_domctl_h_migration(void)
{
    static const struct field xen_domctl_shadow_op_fields[] = {
        FIELD(xen_domctl_shadow_op, op, 0, 4),
        FIELD(xen_domctl_shadow_op, nr, 4, 4),
        FIELD(xen_domctl_shadow_op, first_gfn, 8, 8),
        FIELD(xen_domctl_shadow_op, dirty_count, 16, 8),
    };
    CHECK_STRUCT(xen_domctl_shadow_op, 24);
    static const struct field xen_domctl_throttle_fields[] = {
        FIELD(xen_domctl_throttle, percent, 0, 4),
        FIELD(xen_domctl_throttle, pad, 4, 4),
    };
    CHECK_STRUCT(xen_domctl_throttle, 8);
    static const struct field xen_domctl_setdomainhandle_fields[] = {
        FIELD(xen_domctl_setdomainhandle, handle, 0, 16),
    };
    CHECK_STRUCT(xen_domctl_setdomainhandle, 16);
    static const struct field xen_domctl_set_name_fields[] = {
        FIELD(xen_domctl_set_name, name, 0, 64),
    };
    CHECK_STRUCT(xen_domctl_set_name, 64);
    static const struct field xen_domctl_set_transient_fields[] = {
        FIELD(xen_domctl_set_transient, transient, 0, 4),
        FIELD(xen_domctl_set_transient, pad, 4, 4),
    };
    CHECK_STRUCT(xen_domctl_set_transient, 8);
    static const struct field xen_domctl_fields[] = {
        FIELD(xen_domctl, u.shadow_op, 16, 24),
        FIELD(xen_domctl, u.throttle, 16, 8),
        FIELD(xen_domctl, u.setdomainhandle, 16, 16),
        FIELD(xen_domctl, u.set_name, 16, 64),
        FIELD(xen_domctl, u.set_transient, 16, 8),
    };
    CHECK_STRUCT(xen_domctl, 272);
}

/* sched.h (issue 4 additions) */
static void check_structs_sched_h_more(void)
{
    static const struct field sched_poll_fields[] = {
        FIELD(sched_poll, ports, 0, 8),
        FIELD(sched_poll, nr_ports, 8, 4),
        FIELD(sched_poll, pad, 12, 4),
        FIELD(sched_poll, timeout, 16, 8),
    };
    CHECK_STRUCT(sched_poll, 24);
}

/* version.h (issue 4 additions) */
static void check_structs_version_h_more(void)
{
    static const struct field xen_compile_info_fields[] = {
        FIELD(xen_compile_info, compiler, 0, 64),
        FIELD(xen_compile_info, compile_by, 64, 16),
        FIELD(xen_compile_info, compile_domain, 80, 32),
        FIELD(xen_compile_info, compile_date, 112, 32),
    };
    CHECK_STRUCT(xen_compile_info, 144);
    static const struct field xen_platform_parameters_fields[] = {
        FIELD(xen_platform_parameters, virt_start, 0, 8),
    };
    CHECK_STRUCT(xen_platform_parameters, 8);
    static const struct field xen_feature_info_fields[] = {
        FIELD(xen_feature_info, submap_idx, 0, 4),
        FIELD(xen_feature_info, submap, 4, 4),
    };
    CHECK_STRUCT(xen_feature_info, 8);
    static const struct field xen_commandline_fields[] = {
        FIELD(xen_commandline, buf, 0, 1024),
    };
    CHECK_STRUCT(xen_commandline, 1024);
    static const struct field xen_build_id_fields[] = {
        FIELD(xen_build_id, len, 0, 4),
        FIELD(xen_build_id, buf, 4, 64),
        FIELD(xen_build_id, pad, 68, 4),
    };
    CHECK_STRUCT(xen_build_id, 72);
}

/* memory.h (issue 4 additions) */
static void check_structs_memory_h_more(void)
{
    static const struct field xen_memory_reservation_fields[] = {
        FIELD(xen_memory_reservation, extent_start, 0, 8),
        FIELD(xen_memory_reservation, nr_extents, 8, 8),
        FIELD(xen_memory_reservation, extent_order, 16, 4),
        FIELD(xen_memory_reservation, mem_flags, 20, 4),
        FIELD(xen_memory_reservation, domid, 24, 2),
        FIELD(xen_memory_reservation, pad, 26, 6),
    };
    CHECK_STRUCT(xen_memory_reservation, 32);
    static const struct field xen_add_to_physmap_fields[] = {
        FIELD(xen_add_to_physmap, domid, 0, 2),
        FIELD(xen_add_to_physmap, pad, 2, 2),
        FIELD(xen_add_to_physmap, space, 4, 4),
        FIELD(xen_add_to_physmap, idx, 8, 8),
        FIELD(xen_add_to_physmap, gpfn, 16, 8),
    };
    CHECK_STRUCT(xen_add_to_physmap, 24);
}

/* event_channel.h (issue 4 additions) */
static void check_structs_event_channel_h_more(void)
{
    static const struct field evtchn_alloc_unbound_fields[] = {
        FIELD(evtchn_alloc_unbound, dom, 0, 2),
        FIELD(evtchn_alloc_unbound, remote_dom, 2, 2),
        FIELD(evtchn_alloc_unbound, port, 4, 4),
    };
    CHECK_STRUCT(evtchn_alloc_unbound, 8);
    static const struct field evtchn_bind_interdomain_fields[] = {
        FIELD(evtchn_bind_interdomain, remote_dom, 0, 2),
        FIELD(evtchn_bind_interdomain, pad, 2, 2),
        FIELD(evtchn_bind_interdomain, remote_port, 4, 4),
        FIELD(evtchn_bind_interdomain, local_port, 8, 4),
        FIELD(evtchn_bind_interdomain, pad2, 12, 4),
    };
    CHECK_STRUCT(evtchn_bind_interdomain, 16);
    static const struct field evtchn_bind_virq_fields[] = {
        FIELD(evtchn_bind_virq, virq, 0, 4),
        FIELD(evtchn_bind_virq, vcpu, 4, 4),
        FIELD(evtchn_bind_virq, port, 8, 4),
        FIELD(evtchn_bind_virq, pad, 12, 4),
    };
    CHECK_STRUCT(evtchn_bind_virq, 16);
    static const struct field evtchn_bind_ipi_fields[] = {
        FIELD(evtchn_bind_ipi, vcpu, 0, 4),
        FIELD(evtchn_bind_ipi, port, 4, 4),
    };
    CHECK_STRUCT(evtchn_bind_ipi, 8);
    static const struct field evtchn_port_op_fields[] = {
        FIELD(evtchn_port_op, port, 0, 4),
    };
    CHECK_STRUCT(evtchn_port_op, 4);
    static const struct field evtchn_status_fields[] = {
        FIELD(evtchn_status, dom, 0, 2),
        FIELD(evtchn_status, pad, 2, 2),
        FIELD(evtchn_status, port, 4, 4),
        FIELD(evtchn_status, status, 8, 4),
        FIELD(evtchn_status, vcpu, 12, 4),
        FIELD(evtchn_status, remote_dom, 16, 2),
        FIELD(evtchn_status, pad2, 18, 2),
        FIELD(evtchn_status, remote_port, 20, 4),
    };
    CHECK_STRUCT(evtchn_status, 24);
    static const struct field evtchn_bind_vcpu_fields[] = {
        FIELD(evtchn_bind_vcpu, port, 0, 4),
        FIELD(evtchn_bind_vcpu, vcpu, 4, 4),
    };
    CHECK_STRUCT(evtchn_bind_vcpu, 8);
    static const struct field evtchn_reset_fields[] = {
        FIELD(evtchn_reset, dom, 0, 2),
        FIELD(evtchn_reset, pad, 2, 2),
    };
    CHECK_STRUCT(evtchn_reset, 4);
}

/* vcpu.h (issue 4 additions) */
static void check_structs_vcpu_h_more(void)
{
    static const struct field vcpu_runstate_info_fields[] = {
        FIELD(vcpu_runstate_info, state, 0, 4),
        FIELD(vcpu_runstate_info, pad, 4, 4),
        FIELD(vcpu_runstate_info, state_entry_time, 8, 8),
        FIELD(vcpu_runstate_info, time, 16, 32),
    };
    CHECK_STRUCT(vcpu_runstate_info, 48);
    static const struct field vcpu_set_singleshot_timer_fields[] = {
        FIELD(vcpu_set_singleshot_timer, timeout_abs_ns, 0, 8),
        FIELD(vcpu_set_singleshot_timer, flags, 8, 4),
        FIELD(vcpu_set_singleshot_timer, pad, 12, 4),
    };
    CHECK_STRUCT(vcpu_set_singleshot_timer, 16);
}

/* hvm_op.h (issue 4 additions) */
static void check_structs_hvm_op_h_more(void)
{
    static const struct field xen_hvm_param_fields[] = {
        FIELD(xen_hvm_param, domid, 0, 2),
        FIELD(xen_hvm_param, pad, 2, 2),
        FIELD(xen_hvm_param, index, 4, 4),
        FIELD(xen_hvm_param, value, 8, 8),
    };
    CHECK_STRUCT(xen_hvm_param, 16);
}


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
        CONSTANT(XEN_DOMCTL_INTERFACE_VERSION, 3),
        CONSTANT(HV_MAX_VCPUS, 64),
        CONSTANT(HV_NAME_MAX, 64),
        CONSTANT(HV_ACTION_destroy, 0),
        CONSTANT(HV_ACTION_restart, 1),
        CONSTANT(HV_ACTION_preserve, 2),
        CONSTANT(HV_ACTION_MAX, 2),
        CONSTANT(HV_RESTART_LIMIT_DEFAULT, 10),
        CONSTANT(HV_RESTART_LIMIT_MAX, 64),
        CONSTANT(HV_RESTART_INTERVAL_DEFAULT, 60),
        CONSTANT(HV_RESTART_INTERVAL_MAX, 86400),
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
        CONSTANT(XEN_SYSCTL_INTERFACE_VERSION, 4),
        CONSTANT(HV_DOMAININFOLIST_MAX, 256),
        CONSTANT(XEN_SYSCTL_readconsole, 1),
        CONSTANT(XEN_SYSCTL_physinfo, 3),
        CONSTANT(XEN_SYSCTL_getdomaininfolist, 6),
        CONSTANT(XEN_SYSCTL_livepatch_op, 27),
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

static void check_constants_save_h(void)
{
    static const struct constant c[] = {
        CONSTANT(HV_SAVE_MAGIC_LEN, 8),
        CONSTANT(HV_SAVE_VERSION, 1),
        CONSTANT(HV_SAVE_PAGE_SIZE, 4096),
        CONSTANT(HV_SAVE_OPT_BIG_ENDIAN, 1),
        CONSTANT(HV_SAVE_MAX_BODY, 0x1010000),
        CONSTANT(HV_SAVE_PAGES_PER_RECORD, 4096),
        CONSTANT(HV_SAVE_MAX_PAGES, 0x10000000000),
        CONSTANT(HV_SAVE_MAX_VCPUS, 4096),
        CONSTANT(HV_SAVE_CONFIG_MAX, 0x100000),
        CONSTANT(HV_SAVE_MAX_MSRS, 1024),
        CONSTANT(HV_SAVE_MAX_XCRS, 16),
        CONSTANT(HV_SAVE_XSAVE_MIN, 576),
        CONSTANT(HV_SAVE_XSAVE_MAX, 0x10000),
        CONSTANT(HV_SAVE_MAX_EVTCHN, 4096),
        CONSTANT(HV_SAVE_CONSOLE_MAX, 0x100000),
        CONSTANT(HV_SAVE_IOAPIC_PINS, 24),
        CONSTANT(HV_SAVE_LAPIC_SIZE, 1024),
        CONSTANT(HV_SAVE_TYPE_OPTIONAL, 0x80000000),
        CONSTANT(HV_SAVE_TYPE_END, 1),
        CONSTANT(HV_SAVE_TYPE_PAGE_DATA, 2),
        CONSTANT(HV_SAVE_TYPE_PAGE_DATA_ZLIB, 3),
        CONSTANT(HV_SAVE_TYPE_VM_STATE, 4),
        CONSTANT(HV_SAVE_TYPE_VCPU, 5),
        CONSTANT(HV_SAVE_TYPE_SHARED_INFO, 6),
        CONSTANT(HV_SAVE_TYPE_EVENT_CHANNELS, 7),
        CONSTANT(HV_SAVE_TYPE_TIMERS, 8),
        CONSTANT(HV_SAVE_TYPE_RUN_STATE, 9),
        CONSTANT(HV_SAVE_RUN_PAUSED, 1),
        CONSTANT(HV_SAVE_RUN_SHUTDOWN, 2),
        CONSTANT(HV_SAVE_SHUTDOWN_MAX, 4),
        CONSTANT(HV_SAVE_HVD_1_1, 0x00010001),
        CONSTANT(HV_SAVE_TYPE_CONSOLE_RING, 0x80000001),
        CONSTANT(HV_SAVE_PIT_HPET_LEGACY, 1),
        CONSTANT(HV_SAVE_CLOCK_TSC_STABLE, 2),
        CONSTANT(HV_SAVE_VM_IRQCHIP, 1),
        CONSTANT(HV_SAVE_VM_PIT, 2),
        CONSTANT(HV_SAVE_EVENTS_NMI_PENDING, 1),
        CONSTANT(HV_SAVE_EVENTS_SIPI_VECTOR, 2),
        CONSTANT(HV_SAVE_EVENTS_SHADOW, 4),
        CONSTANT(HV_SAVE_EVENTS_SMM, 8),
        CONSTANT(HV_SAVE_EVENTS_PAYLOAD, 16),
        CONSTANT(HV_SAVE_EVENTS_TRIPLE_FAULT, 32),
        CONSTANT(HV_SAVE_EVENTS_ALL, 63),
        CONSTANT(HV_SAVE_VCPU_ONLINE, 1),
        CONSTANT(HV_SAVE_VCPU_LAPIC, 2),
        CONSTANT(HV_SAVE_MP_RUNNABLE, 0),
        CONSTANT(HV_SAVE_MP_UNINITIALIZED, 1),
        CONSTANT(HV_SAVE_MP_INIT_RECEIVED, 2),
        CONSTANT(HV_SAVE_MP_HALTED, 3),
        CONSTANT(HV_SAVE_MP_SIPI_RECEIVED, 4),
        CONSTANT(HV_SAVE_EVTCHN_UNBOUND, 1),
        CONSTANT(HV_SAVE_EVTCHN_INTERDOMAIN, 2),
        CONSTANT(HV_SAVE_EVTCHN_VIRQ, 3),
        CONSTANT(HV_SAVE_EVTCHN_IPI, 4),
        CONSTANT(HV_SAVE_NR_VIRQS, 24),
        CONSTANT(HV_SAVE_MAX_DOMID, 0x7fef),
        CONSTANT(HV_SAVE_TIMER_SINGLESHOT, 1),
        CONSTANT(HV_SAVE_TIMER_PERIODIC, 2),
    };
    check_constants("constants of save.h", c, ARRAY_SIZE(c));
}

/* save.h: the records of a migration stream (hvd 1.2 on). */
static void check_save_h_migration(void)
{
    static const struct field hv_save_page_holes_fields[] = {
        FIELD(hv_save_page_holes, count, 0, 4),
        FIELD(hv_save_page_holes, pad, 4, 4),
    };
    CHECK_STRUCT(hv_save_page_holes, 8);
    static const struct field hv_save_round_end_fields[] = {
        FIELD(hv_save_round_end, round, 0, 4),
        FIELD(hv_save_round_end, flags, 4, 4),
        FIELD(hv_save_round_end, pages, 8, 8),
        FIELD(hv_save_round_end, populated, 16, 8),
    };
    CHECK_STRUCT(hv_save_round_end, 24);
    static const struct field hv_save_final_round_fields[] = {
        FIELD(hv_save_final_round, round, 0, 4),
        FIELD(hv_save_final_round, pad, 4, 4),
    };
    CHECK_STRUCT(hv_save_final_round, 8);
    static const struct constant c[] = {
        CONSTANT(HV_SAVE_HVD_1_2, 0x00010002),
        CONSTANT(HV_SAVE_TYPE_PAGE_HOLES, 0x0a),
        CONSTANT(HV_SAVE_TYPE_ROUND_END, 0x0b),
        CONSTANT(HV_SAVE_TYPE_FINAL_ROUND, 0x0c),
        CONSTANT(HV_SAVE_ROUND_FINAL, 1),
    };
    check_constants("constants of save.h (migration)", c, ARRAY_SIZE(c));
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
    static const uint8_t save_magic[8] = { 0x89, 'H', 'V', 'S', 'A', 'V', 'E', '\n' };
    if (sizeof(HV_SAVE_MAGIC) - 1 != 8 || memcmp(HV_SAVE_MAGIC, save_magic, 8) != 0) {
        printf("not ok magic strings: HV_SAVE_MAGIC is not the octets 89 48 56 53 41 56 45 0a\n");
        ok = false;
    }
    if (ok)
        printf("ok magic strings: CPUID signature, start info, privcmd, save image\n");
    ok ? passed++ : failed++;
}

/* ---- errno -------------------------------------------------------------- */

/* Entries in XEN_ERRNO_LIST. */
#define ERRNO_COUNT 47

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

/* Constants of the issue-4 hypercall surface. */
static void check_constants_hypercall_surface(void)
{
    static const struct constant c[] = {
        CONSTANT(HV_SHARED_INFO_VCPUS, 32),
        CONSTANT(XENMEM_increase_reservation, 0),
        CONSTANT(XENMEM_decrease_reservation, 1),
        CONSTANT(XENMEM_maximum_ram_page, 2),
        CONSTANT(XENMEM_current_reservation, 3),
        CONSTANT(XENMEM_maximum_reservation, 4),
        CONSTANT(XENMEM_populate_physmap, 6),
        CONSTANT(XENMEM_add_to_physmap, 7),
        CONSTANT(XENMEM_maximum_gpfn, 14),
        CONSTANT(XENMEM_MAX_EXTENT_ORDER, 9),
        CONSTANT(XENMAPSPACE_shared_info, 0),
        CONSTANT(EVTCHNOP_bind_interdomain, 0),
        CONSTANT(EVTCHNOP_bind_virq, 1),
        CONSTANT(EVTCHNOP_close, 3),
        CONSTANT(EVTCHNOP_send, 4),
        CONSTANT(EVTCHNOP_status, 5),
        CONSTANT(EVTCHNOP_alloc_unbound, 6),
        CONSTANT(EVTCHNOP_bind_ipi, 7),
        CONSTANT(EVTCHNOP_bind_vcpu, 8),
        CONSTANT(EVTCHNOP_unmask, 9),
        CONSTANT(EVTCHNOP_reset, 10),
        CONSTANT(HV_EVTCHN_PORTS, 1024),
        CONSTANT(VIRQ_TIMER, 0),
        CONSTANT(VIRQ_CONSOLE, 2),
        CONSTANT(VIRQ_DOM_EXC, 3),
        CONSTANT(NR_VIRQS, 24),
        CONSTANT(EVTCHNSTAT_closed, 0),
        CONSTANT(EVTCHNSTAT_unbound, 1),
        CONSTANT(EVTCHNSTAT_interdomain, 2),
        CONSTANT(EVTCHNSTAT_virq, 4),
        CONSTANT(EVTCHNSTAT_ipi, 5),
        CONSTANT(SCHEDOP_poll, 3),
        CONSTANT(SCHEDOP_shutdown_code, 5),
        CONSTANT(SCHED_POLL_MAX_PORTS, 128),
        CONSTANT(VCPUOP_initialise, 0),
        CONSTANT(VCPUOP_up, 2),
        CONSTANT(VCPUOP_down, 3),
        CONSTANT(VCPUOP_is_up, 4),
        CONSTANT(VCPUOP_get_runstate_info, 5),
        CONSTANT(VCPUOP_set_singleshot_timer, 8),
        CONSTANT(VCPUOP_stop_singleshot_timer, 9),
        CONSTANT(RUNSTATE_running, 0),
        CONSTANT(RUNSTATE_runnable, 1),
        CONSTANT(RUNSTATE_blocked, 2),
        CONSTANT(RUNSTATE_offline, 3),
        CONSTANT(VCPU_SSHOTTMR_future, 1),
        CONSTANT(HVMOP_set_param, 0),
        CONSTANT(HVMOP_get_param, 1),
        CONSTANT(HVM_PARAM_CALLBACK_IRQ, 0),
        CONSTANT(HVM_PARAM_CALLBACK_TYPE_VECTOR, 2),
        CONSTANT(HVM_PARAM_BALLOON_TARGET, 40),
        CONSTANT(HVM_PARAM_NR, 41),
        CONSTANT(XENVER_compile_info, 2),
        CONSTANT(XENVER_platform_parameters, 5),
        CONSTANT(XENVER_get_features, 6),
        CONSTANT(XENVER_guest_handle, 8),
        CONSTANT(XENVER_commandline, 9),
        CONSTANT(XENVER_build_id, 10),
        CONSTANT(XEN_DOMCTL_getvcpuinfo, 14),
        CONSTANT(XEN_DOMCTL_settimeoffset, 42),
        CONSTANT(XEN_DOMCTL_set_target, 1004),
        CONSTANT(XEN_DOMCTL_evtchn_host, 1005),
        CONSTANT(XEN_DOMCTL_getcontext, 1006),
        CONSTANT(XEN_DOMCTL_setcontext, 1007),
        CONSTANT(XEN_DOMCTL_p2m_set, 1008),
        CONSTANT(XEN_DOMCTL_toolstack_data, 1009),
        CONSTANT(HV_TOOLSTACK_DATA_MAX, 4096),
        CONSTANT(HV_TOOLSTACK_DATA_set, 0),
        CONSTANT(HV_TOOLSTACK_DATA_get, 1),
        CONSTANT(HV_EVTCHN_HOST_bind, 0),
        CONSTANT(HV_EVTCHN_HOST_send, 1),
        CONSTANT(HV_EVTCHN_HOST_close, 2),
        CONSTANT(XEN_SYSCTL_dom_exc, 7),
        CONSTANT(HV_DOM_EXC_MAX, 16),
    };
    check_constants("hypercall surface", c, ARRAY_SIZE(c));
}

/* livepatch.h */
static void check_structs_livepatch_h(void)
{
    static const struct field livepatch_expectation_fields[] = {
        FIELD(livepatch_expectation, enabled, 0, 1),
        FIELD(livepatch_expectation, len, 1, 1),
        FIELD(livepatch_expectation, data, 2, 31),
        FIELD(livepatch_expectation, pad, 33, 7),
    };
    CHECK_STRUCT(livepatch_expectation, 40);
    static const struct field livepatch_func_fields[] = {
        FIELD(livepatch_func, name, 0, 8),
        FIELD(livepatch_func, new_addr, 8, 8),
        FIELD(livepatch_func, old_addr, 16, 8),
        FIELD(livepatch_func, new_size, 24, 4),
        FIELD(livepatch_func, old_size, 28, 4),
        FIELD(livepatch_func, version, 32, 1),
        FIELD(livepatch_func, pad, 33, 7),
        FIELD(livepatch_func, expect, 40, 40),
    };
    CHECK_STRUCT(livepatch_func, 80);
    static const struct field xen_livepatch_name_fields[] = {
        FIELD(xen_livepatch_name, name, 0, 64),
    };
    CHECK_STRUCT(xen_livepatch_name, 64);
    static const struct field xen_livepatch_status_fields[] = {
        FIELD(xen_livepatch_status, state, 0, 4),
        FIELD(xen_livepatch_status, rc, 4, 4),
    };
    CHECK_STRUCT(xen_livepatch_status, 8);
    static const struct field xen_sysctl_livepatch_upload_fields[] = {
        FIELD(xen_sysctl_livepatch_upload, name, 0, 64),
        FIELD(xen_sysctl_livepatch_upload, size, 64, 8),
        FIELD(xen_sysctl_livepatch_upload, offset, 72, 8),
    };
    CHECK_STRUCT(xen_sysctl_livepatch_upload, 80);
    static const struct field xen_sysctl_livepatch_get_fields[] = {
        FIELD(xen_sysctl_livepatch_get, name, 0, 64),
        FIELD(xen_sysctl_livepatch_get, status, 64, 8),
    };
    CHECK_STRUCT(xen_sysctl_livepatch_get, 72);
    static const struct field xen_livepatch_info_fields[] = {
        FIELD(xen_livepatch_info, name, 0, 64),
        FIELD(xen_livepatch_info, status, 64, 8),
        FIELD(xen_livepatch_info, nr_funcs, 72, 4),
        FIELD(xen_livepatch_info, applied_order, 76, 4),
        FIELD(xen_livepatch_info, build_id, 80, 40),
        FIELD(xen_livepatch_info, depends, 120, 40),
        FIELD(xen_livepatch_info, build_id_len, 160, 4),
        FIELD(xen_livepatch_info, depends_len, 164, 4),
        FIELD(xen_livepatch_info, memory, 168, 8),
        FIELD(xen_livepatch_info, action_ns, 176, 8),
        FIELD(xen_livepatch_info, held_ns, 184, 8),
    };
    CHECK_STRUCT(xen_livepatch_info, 192);
    static const struct field xen_sysctl_livepatch_list_fields[] = {
        FIELD(xen_sysctl_livepatch_list, idx, 0, 4),
        FIELD(xen_sysctl_livepatch_list, nr, 4, 4),
        FIELD(xen_sysctl_livepatch_list, remaining, 8, 4),
        FIELD(xen_sysctl_livepatch_list, version, 12, 4),
    };
    CHECK_STRUCT(xen_sysctl_livepatch_list, 16);
    static const struct field xen_sysctl_livepatch_action_fields[] = {
        FIELD(xen_sysctl_livepatch_action, name, 0, 64),
        FIELD(xen_sysctl_livepatch_action, cmd, 64, 4),
        FIELD(xen_sysctl_livepatch_action, flags, 68, 4),
        FIELD(xen_sysctl_livepatch_action, timeout_ns, 72, 8),
    };
    CHECK_STRUCT(xen_sysctl_livepatch_action, 80);
    static const struct field xen_sysctl_livepatch_op_fields[] = {
        FIELD(xen_sysctl_livepatch_op, cmd, 0, 4),
        FIELD(xen_sysctl_livepatch_op, pad, 4, 4),
        FIELD(xen_sysctl_livepatch_op, u.upload, 8, 80),
        FIELD(xen_sysctl_livepatch_op, u.get, 8, 72),
        FIELD(xen_sysctl_livepatch_op, u.list, 8, 16),
        FIELD(xen_sysctl_livepatch_op, u.action, 8, 80),
    };
    CHECK_STRUCT(xen_sysctl_livepatch_op, 88);
}

static void check_constants_livepatch_h(void)
{
    static const struct constant c[] = {
        CONSTANT(LIVEPATCH_PAYLOAD_VERSION, 1),
        CONSTANT(LIVEPATCH_JUMP_SIZE, 5),
        CONSTANT(LIVEPATCH_EXPECT_MAX, 31),
        CONSTANT(LIVEPATCH_PAYLOAD_MAX, 2097152),
        CONSTANT(LIVEPATCH_BUILD_ID_MAX, 40),
        CONSTANT(LIVEPATCH_NAME_MAX, 64),
        CONSTANT(LIVEPATCH_PAYLOADS_MAX, 64),
        CONSTANT(LIVEPATCH_TIMEOUT_DEFAULT_NS, 30000000),
        CONSTANT(LIVEPATCH_TIMEOUT_MAX_NS, 1000000000),
        CONSTANT(LIVEPATCH_STATE_CHECKED, 1),
        CONSTANT(LIVEPATCH_STATE_APPLIED, 2),
        CONSTANT(LIVEPATCH_ACTION_UNLOAD, 1),
        CONSTANT(LIVEPATCH_ACTION_REVERT, 2),
        CONSTANT(LIVEPATCH_ACTION_APPLY, 3),
        CONSTANT(LIVEPATCH_ACTION_REPLACE, 4),
        CONSTANT(LIVEPATCH_ACTION_NODEPS, 1),
        CONSTANT(XEN_SYSCTL_LIVEPATCH_UPLOAD, 0),
        CONSTANT(XEN_SYSCTL_LIVEPATCH_GET, 1),
        CONSTANT(XEN_SYSCTL_LIVEPATCH_LIST, 2),
        CONSTANT(XEN_SYSCTL_LIVEPATCH_ACTION, 3),
    };
    check_constants("constants of livepatch.h", c, ARRAY_SIZE(c));
}

static void check_constants_domctl_h_migration(void)
{
    static const struct constant c[] = {
        CONSTANT(XEN_DOMCTL_shadow_op, 10),
        CONSTANT(XEN_DOMCTL_setdomainhandle, 17),
        CONSTANT(XEN_DOMCTL_throttle, 1010),
        CONSTANT(XEN_DOMCTL_set_name, 1011),
        CONSTANT(XEN_DOMCTL_set_transient, 1012),
        CONSTANT(XEN_DOMCTL_CDF_transient, 0x80000000),
        CONSTANT(XEN_DOMCTL_SHADOW_OP_OFF, 0),
        CONSTANT(XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 2),
        CONSTANT(XEN_DOMCTL_SHADOW_OP_CLEAN, 11),
        CONSTANT(XEN_DOMCTL_SHADOW_OP_PEEK, 12),
        CONSTANT(HV_DIRTY_QUERY_MAX, 524288),
        CONSTANT(HV_THROTTLE_PERIOD_MS, 20),
        CONSTANT(HV_THROTTLE_MAX, 99),
    };
    check_constants("constants of domctl.h (live migration)", c, ARRAY_SIZE(c));
}

int main(void)
{
    check_structs_xen_h();
    check_structs_domctl_h();
    check_structs_sysctl_h();
    check_structs_sched_h();
    check_structs_version_h();
    check_structs_privcmd_h();
    check_structs_save_h();
    check_structs_livepatch_h();
    check_structs_xen_h_more();
    check_structs_domctl_h_more();
    check_structs_domctl_h_migration();
    check_structs_sched_h_more();
    check_structs_version_h_more();
    check_structs_memory_h_more();
    check_structs_event_channel_h_more();
    check_structs_vcpu_h_more();
    check_structs_hvm_op_h_more();
    check_constants_hypercall_surface();
    check_constants_xen_h();
    check_constants_domctl_h();
    check_constants_sysctl_h();
    check_constants_sched_h();
    check_constants_version_h();
    check_constants_privcmd_h();
    check_constants_save_h();
    check_save_h_migration();
    check_constants_livepatch_h();
    check_constants_domctl_h_migration();
    check_magic_strings();
    check_errno();
    check_every_struct_is_checked();
    printf("test_abi: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
