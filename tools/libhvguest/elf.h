/*
 * The domain builder's ELF loader (ELF64 x86-64 and ELF32 i386
 * executables).  Nothing here does I/O, so all of it is unit-tested
 * against plain buffers.
 */
#ifndef HVGUEST_ELF_H
#define HVGUEST_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/public/domctl.h>
#include <hv/public/xen.h>

#define ELF_MAX_PHNUM 64u            /* program headers we accept */
#define ELF_FIRST_GPA 0x1000ull      /* guest page 0 stays unused */
#define ELF32_LIMIT   0x100000000ull /* an ELF32 image ends at or below 4 GiB */

/* One PT_LOAD segment; the image is loaded at paddr (== vaddr). */
struct elf_segment {
    uint64_t paddr;
    uint64_t memsz;
    uint64_t offset; /* in the file */
    uint64_t filesz;
    uint32_t flags; /* PF_* */
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

#endif
