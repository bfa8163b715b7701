/*
 * The domain builder's pure parts: ELF64 parsing and loading, and the boot
 * layout that follows the image (start-info page, identity page tables,
 * boot vCPU state).  Nothing here does I/O, so all of it is unit-tested
 * against plain buffers.
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
 * Validate the ELF64 x86-64 executable img[0, len) for a guest with
 * ram_size bytes of RAM and describe it in *out.
 * -ENOEXEC: not an ELF64 x86-64 executable (or needs an interpreter);
 * -EINVAL: malformed (offsets, sizes, overlaps, entry, vaddr != paddr);
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
 *   free_start  the first byte after the page tables
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

/* -EINVAL: bad image range or ram_size not page-aligned; -E2BIG: no room. */
int boot_layout_compute(uint64_t ram_size, uint64_t image_start, uint64_t image_end,
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

#endif
