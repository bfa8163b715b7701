/*
 * ELF64 and ELF32 loading for the domain builder.  Pure functions: the
 * image is hostile input, so every size and offset is checked
 * with overflow-safe arithmetic before it is used.  An ELF32 image's headers
 * are widened to the ELF64 layout on reading, so both classes share one set
 * of checks.
 */
#include "elf.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/*
 * What the loader needs of either class's file header, widened to 64 bits,
 * with the header and program-header sizes that class must declare.
 */
struct elf_header {
    unsigned int elf_class;
    uint64_t entry;
    uint64_t phoff;
    uint16_t ehsize, phentsize, phnum;
    uint16_t want_ehsize, want_phentsize;
};

/* -ENOEXEC unless ident names a little-endian ELF of a class we load. */
static int check_ident(const uint8_t *ident, size_t len)
{
    if (len < EI_NIDENT || memcmp(ident, ELFMAG, SELFMAG) != 0 || ident[EI_DATA] != ELFDATA2LSB ||
        ident[EI_VERSION] != EV_CURRENT)
        return -ENOEXEC;
    if (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32)
        return -ENOEXEC;
    return 0;
}

/* -ENOEXEC unless the ELF64 header describes an x86-64 executable. */
static int read_header64(const uint8_t *img, size_t len, struct elf_header *h)
{
    Elf64_Ehdr eh;

    if (len < sizeof(eh))
        return -ENOEXEC;
    memcpy(&eh, img, sizeof(eh));
    if (eh.e_version != EV_CURRENT || eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
        return -ENOEXEC;
    *h = (struct elf_header){
        .elf_class = ELFCLASS64,
        .entry = eh.e_entry,
        .phoff = eh.e_phoff,
        .ehsize = eh.e_ehsize,
        .phentsize = eh.e_phentsize,
        .phnum = eh.e_phnum,
        .want_ehsize = sizeof(Elf64_Ehdr),
        .want_phentsize = sizeof(Elf64_Phdr),
    };
    return 0;
}

/* -ENOEXEC unless the ELF32 header describes an i386 executable. */
static int read_header32(const uint8_t *img, size_t len, struct elf_header *h)
{
    Elf32_Ehdr eh;

    if (len < sizeof(eh))
        return -ENOEXEC;
    memcpy(&eh, img, sizeof(eh));
    if (eh.e_version != EV_CURRENT || eh.e_machine != EM_386 || eh.e_type != ET_EXEC)
        return -ENOEXEC;
    *h = (struct elf_header){
        .elf_class = ELFCLASS32,
        .entry = eh.e_entry,
        .phoff = eh.e_phoff,
        .ehsize = eh.e_ehsize,
        .phentsize = eh.e_phentsize,
        .phnum = eh.e_phnum,
        .want_ehsize = sizeof(Elf32_Ehdr),
        .want_phentsize = sizeof(Elf32_Phdr),
    };
    return 0;
}

static int read_header(const uint8_t *img, size_t len, struct elf_header *h)
{
    int rc = check_ident(img, len);

    if (rc < 0)
        return rc;
    if (img[EI_CLASS] == ELFCLASS32)
        return read_header32(img, len, h);
    return read_header64(img, len, h);
}

/* The header sizes and the program header table must be sane and in the file. */
static int check_phdr_table(const struct elf_header *h, size_t len)
{
    uint64_t table_size, table_end;

    if (h->ehsize != h->want_ehsize || h->phentsize != h->want_phentsize)
        return -EINVAL;
    if (h->phnum == 0 || h->phnum > ELF_MAX_PHNUM)
        return -EINVAL;
    if (__builtin_mul_overflow((uint64_t)h->phnum, (uint64_t)h->phentsize, &table_size) ||
        __builtin_add_overflow(h->phoff, table_size, &table_end) || table_end > len)
        return -EINVAL;
    return 0;
}

/* Program header i, widened to the ELF64 layout; read with memcpy, as the
 * image need not be aligned. */
static Elf64_Phdr read_phdr(const uint8_t *img, const struct elf_header *h, unsigned int i)
{
    const uint8_t *p = img + h->phoff + (uint64_t)i * h->phentsize;
    Elf64_Phdr ph64;
    Elf32_Phdr ph32;

    if (h->elf_class == ELFCLASS64) {
        memcpy(&ph64, p, sizeof(ph64));
        return ph64;
    }
    memcpy(&ph32, p, sizeof(ph32));
    return (Elf64_Phdr){
        .p_type = ph32.p_type,
        .p_flags = ph32.p_flags,
        .p_offset = ph32.p_offset,
        .p_vaddr = ph32.p_vaddr,
        .p_paddr = ph32.p_paddr,
        .p_filesz = ph32.p_filesz,
        .p_memsz = ph32.p_memsz,
        .p_align = ph32.p_align,
    };
}

/* A PT_LOAD's file bytes must be in the file and fit in its memory size. */
static int check_segment_file(const Elf64_Phdr *ph, size_t len)
{
    uint64_t file_end;

    if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &file_end) || file_end > len)
        return -EINVAL;
    if (ph->p_filesz > ph->p_memsz)
        return -EINVAL;
    return 0;
}

/*
 * A PT_LOAD's memory must lie in guest RAM above page 0, and below 4 GiB
 * for a 32-bit image.  The guest runs on an identity map (or with paging
 * off), so it must also be linked to run where it is loaded.
 */
static int check_segment_memory(const Elf64_Phdr *ph, unsigned int elf_class, uint64_t ram_size)
{
    uint64_t mem_end;

    if (ph->p_vaddr != ph->p_paddr || ph->p_paddr < ELF_FIRST_GPA)
        return -EINVAL;
    if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &mem_end))
        return -EINVAL;
    if (elf_class == ELFCLASS32 && mem_end > ELF32_LIMIT)
        return -EINVAL; /* no amount of RAM makes it reachable */
    if (mem_end > ram_size)
        return -E2BIG;
    return 0;
}

/* Insert s into out's segments, kept sorted by paddr; -EINVAL if it overlaps one. */
static int insert_segment(struct elf_image *out, const struct elf_segment *s)
{
    unsigned int pos = out->nr_segments;

    while (pos > 0 && out->seg[pos - 1].paddr > s->paddr)
        pos--;
    if (pos > 0 && out->seg[pos - 1].paddr + out->seg[pos - 1].memsz > s->paddr)
        return -EINVAL;
    if (pos < out->nr_segments && s->paddr + s->memsz > out->seg[pos].paddr)
        return -EINVAL;
    memmove(&out->seg[pos + 1], &out->seg[pos], (out->nr_segments - pos) * sizeof(*s));
    out->seg[pos] = *s;
    out->nr_segments++;
    return 0;
}

static int add_load_segment(struct elf_image *out, const Elf64_Phdr *ph, size_t len,
                            uint64_t ram_size)
{
    struct elf_segment s;
    int rc = check_segment_file(ph, len);

    if (rc < 0)
        return rc;
    if (ph->p_memsz == 0) /* loads nothing: nothing to place */
        return 0;
    rc = check_segment_memory(ph, out->elf_class, ram_size);
    if (rc < 0)
        return rc;
    s = (struct elf_segment){
        .paddr = ph->p_paddr,
        .memsz = ph->p_memsz,
        .offset = ph->p_offset,
        .filesz = ph->p_filesz,
        .flags = ph->p_flags,
    };
    return insert_segment(out, &s);
}

static int read_segments(const uint8_t *img, size_t len, const struct elf_header *h,
                         uint64_t ram_size, struct elf_image *out)
{
    for (unsigned int i = 0; i < h->phnum; i++) {
        Elf64_Phdr ph = read_phdr(img, h, i);
        int rc = 0;

        if (ph.p_type == PT_INTERP) /* a dynamically linked program, not a kernel */
            return -ENOEXEC;
        if (ph.p_type == PT_LOAD)
            rc = add_load_segment(out, &ph, len, ram_size);
        if (rc < 0)
            return rc;
    }
    return out->nr_segments > 0 ? 0 : -EINVAL;
}

static bool entry_is_executable(const struct elf_image *elf)
{
    for (unsigned int i = 0; i < elf->nr_segments; i++) {
        const struct elf_segment *s = &elf->seg[i];

        if ((s->flags & PF_X) && elf->entry >= s->paddr && elf->entry - s->paddr < s->memsz)
            return true;
    }
    return false;
}

int elf_parse(const void *img, size_t len, uint64_t ram_size, struct elf_image *out)
{
    struct elf_header h;
    int rc = read_header(img, len, &h);

    if (rc < 0)
        return rc;
    rc = check_phdr_table(&h, len);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->elf_class = h.elf_class;
    rc = read_segments(img, len, &h, ram_size, out);
    if (rc < 0)
        return rc;
    out->entry = h.entry;
    if (!entry_is_executable(out))
        return -EINVAL;
    out->image_start = out->seg[0].paddr;
    for (unsigned int i = 0; i < out->nr_segments; i++)
        out->image_end = max_u64(out->image_end, out->seg[i].paddr + out->seg[i].memsz);
    return 0;
}

/* Load the part of segment s that falls in guest memory [lo, hi) of view. */
static void load_segment_part(const struct elf_segment *s, const uint8_t *img,
                              const struct guest_view *view, uint64_t lo, uint64_t hi)
{
    uint64_t file_end = s->paddr + s->filesz;
    uint64_t copy_end = min_u64(hi, file_end);
    uint64_t zero_start = max_u64(lo, file_end);

    if (lo < copy_end)
        memcpy(view->base + (lo - view->gpa), img + s->offset + (lo - s->paddr), copy_end - lo);
    if (zero_start < hi)
        memset(view->base + (zero_start - view->gpa), 0, hi - zero_start);
}

int elf_load(const struct elf_image *elf, const void *img, size_t len,
             const struct guest_view *view)
{
    uint64_t view_end;

    if (__builtin_add_overflow(view->gpa, view->size, &view_end))
        return -EINVAL;
    for (unsigned int i = 0; i < elf->nr_segments; i++) {
        const struct elf_segment *s = &elf->seg[i];
        uint64_t lo = max_u64(s->paddr, view->gpa);
        uint64_t hi = min_u64(s->paddr + s->memsz, view_end);

        if (s->offset > len || s->filesz > len - s->offset)
            return -EINVAL;
        if (lo < hi)
            load_segment_part(s, img, view, lo, hi);
    }
    return 0;
}
