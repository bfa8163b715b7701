/*
 * The x86 boot layout that follows a loaded image: the start-info page,
 * identity page tables for 64-bit images, and the boot vCPU's state.
 * Nothing here does I/O, so all of it is unit-tested against plain buffers.
 */
#ifndef HVGUEST_X86_BOOT_H
#define HVGUEST_X86_BOOT_H

#include <stdint.h>
#include <hv/public/domctl.h>
#include "elf.h"
#include <hv/public/xen.h>

#define BOOT_LARGE_PAGE  0x200000ull /* 2 MiB: the identity map's page size */
#define BOOT_32BIT_LIMIT ELF32_LIMIT /* a 32-bit image and its start info end below 4 GiB */

/*
 * Guest-physical layout after the image:
 *   start_info  one page at image_end rounded up to 4 KiB
 *   pt_base     PML4, then the PDPT page(s), then one PD page per GiB
 *               (0 for a 32-bit image: it starts with paging off)
 *   free_start  the first byte after the page tables (after the
 *               start-info page for a 32-bit image)
 */
struct boot_layout {
    uint64_t ram_size; /* bytes of RAM at gpa 0 */
    uint64_t image_start;
    uint64_t image_end;
    uint64_t start_info;
    uint64_t pt_base;
    uint64_t nr_pdpt; /* PDPT pages */
    uint64_t nr_pd;   /* PD pages */
    uint64_t free_start;
};

/* The layout of a 64-bit image.
 * -EINVAL: bad image range or ram_size not page-aligned; -E2BIG: no room. */
int boot_layout_compute(uint64_t ram_size, uint64_t image_start, uint64_t image_end,
                        struct boot_layout *out);

/*
 * The layout of a 32-bit image: the start-info page and no page tables
 * (pt_base = 0, nr_pdpt = nr_pd = 0).  RAM above 4 GiB is allowed and
 * listed in the memmap like any RAM, but a guest running with paging off
 * cannot reach it (it needs PAE paging of its own to use it).
 * -EINVAL as boot_layout_compute(); -E2BIG: no room for the start-info
 * page, or it would not end at or below 4 GiB.
 */
int boot_layout_compute_32(uint64_t ram_size, uint64_t image_start, uint64_t image_end,
                           struct boot_layout *out);

/* Bytes of guest memory [start_info, free_start) that the builder writes. */
uint64_t boot_layout_size(const struct boot_layout *l);

/*
 * Write the identity map of RAM (rounded up to 2 MiB, 2 MiB pages,
 * Present|RW|User) into pt, which holds guest memory [pt_base, free_start).
 */
void boot_write_page_tables(void *pt, const struct boot_layout *l);

/* Fill *si.  cmdline may be NULL.  -E2BIG: cmdline of HV_CMDLINE_MAX bytes or more. */
int boot_fill_start_info(struct hv_start_info *si, const struct boot_layout *l, uint32_t domid,
                         uint32_t nr_vcpus, const char *cmdline);

/* The boot vCPU's state: 64-bit mode, paging on with cr3 = pt_base,
 * rip = entry, rsi = start_info, rsp = 0. */
void boot_vcpu_context(struct hv_vcpu_context *ctx, uint64_t entry, uint64_t start_info,
                       uint64_t pt_base);

/* The boot vCPU's state for a 32-bit image: protected mode with paging off
 * (CR0 = PE|ET, CR4 = EFER = 0), flat 32-bit CS (0x08) and data segments
 * (0x10), eip = entry, esi = start_info (the register 64-bit guests get it
 * in), esp = 0. */
void boot_vcpu_context_32(struct hv_vcpu_context *ctx, uint32_t entry, uint32_t start_info);

#endif
