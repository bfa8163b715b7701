/*
 * The domain builder's pure parts: ELF parsing and loading (ELF64 x86-64
 * and ELF32 i386 executables), and the boot layout that follows the image
 * (start-info page, identity page tables for 64-bit images, boot vCPU
 * state).  Nothing here does I/O, so all of it is unit-tested against
 * plain buffers.
 */
#ifndef HVCTL_ELF_H
#define HVCTL_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/public/domctl.h>
#include <hv/public/xen.h>

#define ELF_MAX_PHNUM   64u        /* program headers we accept */
#define ELF_FIRST_GPA   0x1000ull  /* guest page 0 stays unused */
#define BOOT_PAGE_SIZE  0x1000ull
#define BOOT_LARGE_PAGE 0x200000ull /* 2 MiB: the identity map's page size */
#define BOOT_32BIT_LIMIT 0x100000000ull /* a 32-bit image and its start info end below 4 GiB */

/* One PT_LOAD segment; the image is loaded at paddr (== vaddr). */
struct elf_segment {
    uint64_t paddr;
    uint64_t memsz;
    uint64_t offset; /* in the file */
    uint64_t filesz;
    uint32_t flags;  /* PF_* */
};

/* A validated image: segments sorted by paddr, none overlapping. */
struct elf_image {
    unsigned int elf_class; /* ELFCLASS64: boots in 64-bit mode; ELFCLASS32: in 32-bit mode */
    unsigned int nr_segments;
    struct elf_segment seg[ELF_MAX_PHNUM];
    uint64_t entry;
    uint64_t image_start; /* lowest paddr */
    uint64_t image_end;   /* highest paddr + memsz */
};

/* A window of guest RAM mapped at base: guest-physical [gpa, gpa + size). */
struct guest_view {
    uint8_t *base;
    uint64_t gpa;
    uint64_t size;
};

/*
 * Validate the executable img[0, len) for a guest with ram_size bytes of
 * RAM and describe it in *out.  Accepted: ELF64 x86-64 and ELF32 i386
 * little-endian ET_EXEC images; both follow the same rules, and every
 * segment of an ELF32 image must end at or below 4 GiB.
 * -ENOEXEC: not such an executable (or needs an interpreter);
 * -EINVAL: malformed (offsets, sizes, overlaps, entry, vaddr != paddr,
 *          an ELF32 segment crossing 4 GiB);
 * -E2BIG: a segment ends beyond guest RAM.
 */
int elf_parse(const void *img, size_t len, uint64_t ram_size, struct elf_image *out);

/*
 * Copy the file bytes of every segment of elf that falls in view and zero
 * the rest of its memsz there.  Parts outside the view are left alone, so
 * an image can be loaded one mapped window at a time.
 * -EINVAL: img/len is not the image elf was parsed from, or the view wraps.
 */
int elf_load(const struct elf_image *elf, const void *img, size_t len,
             const struct guest_view *view);

/*
 * Guest-physical layout after the image:
 *   start_info  one page at image_end rounded up to 4 KiB
 *   pt_base     PML4, then the PDPT page(s), then one PD page per GiB
 *               (0 for a 32-bit image: it starts with paging off)
 *   free_start  the first byte after the page tables (after the
 *               start-info page for a 32-bit image)
 */
struct boot_layout {
    uint64_t ram_size;     /* bytes of RAM at gpa 0 */
    uint64_t image_start;
    uint64_t image_end;
    uint64_t start_info;
    uint64_t pt_base;
    uint64_t nr_pdpt;      /* PDPT pages */
    uint64_t nr_pd;        /* PD pages */
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
int boot_fill_start_info(struct hv_start_info *si, const struct boot_layout *l,
                         uint32_t domid, uint32_t nr_vcpus, const char *cmdline);

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
