/*
 * Unit tests for the domain builder: ELF parsing and loading, the boot
 * layout (page tables, start-info page, vCPU state), and hvguest_build_elf()
 * itself against a fake domain (the hvctl_* calls it makes are defined here).
 *
 * Prints "ok NAME" or "not ok NAME: why" per case; exits 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hvctl.h>
#include <hvguest.h>

#include "../../tools/libhvguest/x86_boot.h"

#define MIB         (1ull << 20)
#define GIB         (1ull << 30)
#define RAM_SIZE    (16 * MIB)
#define IMG_CAP     0x4000u
#define DATA_OFF    0x1000u /* segment bytes start here in test images */
#define MAX_PH      70u
#define POISON      0xcc

static char why[256];

#define EXPECT(cond, ...)                                   \
    do {                                                    \
        if (!(cond)) {                                      \
            snprintf(why, sizeof(why), __VA_ARGS__);        \
            return false;                                   \
        }                                                   \
    } while (0)

static uint8_t *ram; /* RAM_SIZE bytes of "guest RAM" for the ELF tests */

/* ---- building test images ---------------------------------------------- */

/* A test image before serialisation: tests edit the fields, then write it. */
struct spec {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[MAX_PH];
    unsigned int nph; /* program headers written at offset 64 */
};

/* The byte the test images hold at file offset off. */
static uint8_t file_byte(uint64_t off)
{
    return (uint8_t)(off * 131 + 7);
}

static Elf64_Phdr load_phdr(uint64_t paddr, uint64_t offset, uint64_t filesz, uint64_t memsz,
                            uint32_t flags)
{
    return (Elf64_Phdr){
        .p_type = PT_LOAD, .p_flags = flags, .p_offset = offset, .p_vaddr = paddr,
        .p_paddr = paddr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 0x1000,
    };
}

/* A valid executable: text at 1 MiB (entry inside), data + bss at 2 MiB, a GNU_STACK. */
static void spec_default(struct spec *s)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->eh.e_ident, ELFMAG, SELFMAG);
    s->eh.e_ident[EI_CLASS] = ELFCLASS64;
    s->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    s->eh.e_ident[EI_VERSION] = EV_CURRENT;
    s->eh.e_type = ET_EXEC;
    s->eh.e_machine = EM_X86_64;
    s->eh.e_version = EV_CURRENT;
    s->eh.e_entry = 0x100010;
    s->eh.e_phoff = sizeof(Elf64_Ehdr);
    s->eh.e_ehsize = sizeof(Elf64_Ehdr);
    s->eh.e_phentsize = sizeof(Elf64_Phdr);
    s->eh.e_phnum = 3;
    s->nph = 3;
    s->ph[0] = load_phdr(0x100000, DATA_OFF, 0x300, 0x300, PF_R | PF_X);
    s->ph[1] = load_phdr(0x200000, DATA_OFF + 0x300, 0x100, 0x2000, PF_R | PF_W);
    s->ph[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

/* Write a PT_LOAD's file bytes [offset, offset + filesz) into buf and extend *len over them. */
static void write_segment_bytes(uint8_t *buf, uint64_t offset, uint64_t filesz, size_t *len)
{
    if (offset > IMG_CAP || filesz > IMG_CAP - offset)
        return; /* hostile values: nothing to write */
    for (uint64_t k = 0; k < filesz; k++)
        buf[offset + k] = file_byte(offset + k);
    if (offset + filesz > *len)
        *len = offset + filesz;
}

/* Serialise s into buf; returns the length: the end of the last header or segment bytes. */
static size_t spec_write(const struct spec *s, uint8_t *buf)
{
    size_t len = sizeof(Elf64_Ehdr) + s->nph * sizeof(Elf64_Phdr);

    memset(buf, 0, IMG_CAP);
    memcpy(buf, &s->eh, sizeof(s->eh));
    memcpy(buf + sizeof(s->eh), s->ph, s->nph * sizeof(Elf64_Phdr));
    for (unsigned int i = 0; i < s->nph; i++)
        if (s->ph[i].p_type == PT_LOAD)
            write_segment_bytes(buf, s->ph[i].p_offset, s->ph[i].p_filesz, &len);
    return len;
}

static uint8_t img[IMG_CAP];

/* Parse img[0, len) from an exact-size heap copy, so ASan sees any overread. */
static int parse_exact_copy(size_t len, uint64_t ram_size, struct elf_image *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    if (!copy)
        return -ENOMEM;
    memcpy(copy, img, len);
    rc = elf_parse(copy, len, ram_size, out);
    free(copy);
    return rc;
}

static int parse_spec(const struct spec *s, uint64_t ram_size, struct elf_image *out)
{
    return parse_exact_copy(spec_write(s, img), ram_size, out);
}

static int parse_default_with(void (*edit)(struct spec *))
{
    struct spec s;
    struct elf_image elf;

    spec_default(&s);
    edit(&s);
    return parse_spec(&s, RAM_SIZE, &elf);
}

/* ---- ELF: good images --------------------------------------------------- */

static bool elf_parses_good_image(void)
{
    struct spec s;
    struct elf_image elf;
    int rc;

    spec_default(&s);
    rc = parse_spec(&s, RAM_SIZE, &elf);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(elf.elf_class == ELFCLASS64, "class %u", elf.elf_class);
    EXPECT(elf.nr_segments == 2, "%u segments", elf.nr_segments);
    EXPECT(elf.entry == 0x100010, "entry %#lx", (unsigned long)elf.entry);
    EXPECT(elf.image_start == 0x100000 && elf.image_end == 0x202000,
           "image [%#lx, %#lx)", (unsigned long)elf.image_start, (unsigned long)elf.image_end);
    EXPECT(elf.seg[0].paddr == 0x100000 && elf.seg[0].filesz == 0x300 &&
           elf.seg[0].offset == DATA_OFF && (elf.seg[0].flags & PF_X), "text segment wrong");
    EXPECT(elf.seg[1].paddr == 0x200000 && elf.seg[1].memsz == 0x2000 &&
           elf.seg[1].filesz == 0x100 && elf.seg[1].offset == DATA_OFF + 0x300,
           "data segment wrong");
    return true;
}

/* Every byte of [gpa, gpa + n) in ram equals the image's byte at file offset off + i. */
static bool ram_matches_file(uint64_t gpa, uint64_t off, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (ram[gpa + i] != file_byte(off + i))
            return false;
    return true;
}

static bool ram_all(uint64_t gpa, uint64_t n, uint8_t v)
{
    for (uint64_t i = 0; i < n; i++)
        if (ram[gpa + i] != v)
            return false;
    return true;
}

static bool elf_loads_bytes_and_zeroes_bss(void)
{
    struct spec s;
    struct elf_image elf;
    size_t len;
    int rc;

    spec_default(&s);
    len = spec_write(&s, img);
    EXPECT(elf_parse(img, len, RAM_SIZE, &elf) == 0, "parse failed");
    memset(ram, POISON, RAM_SIZE);
    rc = elf_load(&elf, img, len, &(struct guest_view){ ram, 0, RAM_SIZE });
    EXPECT(rc == 0, "load rc %d", rc);
    EXPECT(ram_matches_file(0x100000, DATA_OFF, 0x300), "text bytes not copied");
    EXPECT(ram_matches_file(0x200000, DATA_OFF + 0x300, 0x100), "data bytes not copied");
    EXPECT(ram_all(0x200100, 0x2000 - 0x100, 0), "bss not zeroed");
    EXPECT(ram[0x100000 - 1] == POISON && ram[0x100300] == POISON && ram[0x1fffff] == POISON &&
           ram[0x202000] == POISON, "bytes outside the segments were written");
    return true;
}

/* Loading through many small windows gives the same RAM as one whole view. */
static bool elf_load_in_windows_matches_whole_load(void)
{
    static const uint64_t window_sizes[] = { 0x1000, 0x1800, 0x7000, 0x100001 };
    struct spec s;
    struct elf_image elf;
    uint8_t *whole = malloc(RAM_SIZE);
    size_t len;
    bool same = true;

    EXPECT(whole, "out of memory");
    spec_default(&s);
    len = spec_write(&s, img);
    if (elf_parse(img, len, RAM_SIZE, &elf) != 0) {
        free(whole);
        EXPECT(false, "parse failed");
    }
    memset(whole, POISON, RAM_SIZE);
    elf_load(&elf, img, len, &(struct guest_view){ whole, 0, RAM_SIZE });
    for (size_t w = 0; w < sizeof(window_sizes) / sizeof(window_sizes[0]) && same; w++) {
        uint64_t size = window_sizes[w];

        memset(ram, POISON, RAM_SIZE);
        for (uint64_t gpa = 0; gpa + size <= RAM_SIZE; gpa += size)
            elf_load(&elf, img, len, &(struct guest_view){ ram + gpa, gpa, size });
        same = memcmp(ram, whole, RAM_SIZE - RAM_SIZE % size) == 0;
        if (!same)
            snprintf(why, sizeof(why), "window size %#lx differs", (unsigned long)size);
    }
    free(whole);
    return same;
}

static bool elf_load_rejects_mismatched_image(void)
{
    struct spec s;
    struct elf_image elf;
    size_t len;
    int rc;

    spec_default(&s);
    len = spec_write(&s, img);
    EXPECT(elf_parse(img, len, RAM_SIZE, &elf) == 0, "parse failed");
    memset(ram, POISON, RAM_SIZE);
    rc = elf_load(&elf, img, DATA_OFF + 0x10, &(struct guest_view){ ram, 0, RAM_SIZE });
    EXPECT(rc == -EINVAL, "rc %d, want -EINVAL", rc);
    return true;
}

static bool elf_accepts_adjacent_segments_and_sorts(void)
{
    struct spec s;
    struct elf_image elf;
    int rc;

    spec_default(&s);
    /* out of order, and the second ends exactly where the first begins */
    s.ph[1] = load_phdr(0x100000 - 0x2000, DATA_OFF + 0x300, 0x100, 0x2000, PF_R | PF_W);
    rc = parse_spec(&s, RAM_SIZE, &elf);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(elf.seg[0].paddr == 0xfe000 && elf.seg[1].paddr == 0x100000, "not sorted by paddr");
    EXPECT(elf.image_start == 0xfe000 && elf.image_end == 0x100300, "image range wrong");
    return true;
}

static bool elf_accepts_64_segments(void)
{
    struct spec s;
    struct elf_image elf;
    int rc;

    spec_default(&s);
    s.eh.e_phnum = s.nph = ELF_MAX_PHNUM;
    for (unsigned int i = 0; i < ELF_MAX_PHNUM; i++)
        s.ph[i] = load_phdr(0x100000 + i * 0x1000, DATA_OFF + i * 0x10, 0x10, 0x1000,
                            PF_R | PF_X);
    rc = parse_spec(&s, RAM_SIZE, &elf);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(elf.nr_segments == ELF_MAX_PHNUM, "%u segments", elf.nr_segments);
    return true;
}

static bool elf_skips_empty_load_segment(void)
{
    struct spec s;
    struct elf_image elf;
    int rc;

    spec_default(&s);
    s.ph[2] = load_phdr(0x100100, 0, 0, 0, PF_R); /* would overlap text if it counted */
    rc = parse_spec(&s, RAM_SIZE, &elf);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(elf.nr_segments == 2, "%u segments", elf.nr_segments);
    return true;
}

/* ---- ELF: truncation and fuzzing ---------------------------------------- */

/* Every proper prefix of the image in img[0, full) is refused; one shorter
 * than the file header (ehdr_size) as not an executable at all. */
static bool check_every_truncation(size_t full, size_t ehdr_size)
{
    struct elf_image elf;

    for (size_t len = 0; len < full; len++) {
        int rc = parse_exact_copy(len, RAM_SIZE, &elf);

        EXPECT(rc == -ENOEXEC || rc == -EINVAL, "length %zu: rc %d", len, rc);
        EXPECT(len >= ehdr_size || rc == -ENOEXEC, "length %zu: rc %d", len, rc);
    }
    return true;
}

static bool elf_rejects_every_truncation(void)
{
    struct spec s;

    spec_default(&s);
    return check_every_truncation(spec_write(&s, img), sizeof(Elf64_Ehdr));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Values likely to hit edge cases in size and offset fields. */
static uint64_t interesting_value(size_t len)
{
    const uint64_t v[] = { 0, 1, 0xfff, 0x1000, len, len - 1, len + 1, RAM_SIZE, RAM_SIZE - 1,
                           RAM_SIZE + 1, UINT64_MAX, UINT64_MAX - 0xfff, 1ull << 63, 0x100000 };

    return v[rng() % (sizeof(v) / sizeof(v[0]))];
}

/* Apply 1-8 random edits: random bytes, or a hostile 8-byte value, mostly in
 * the first `headers` bytes. */
static void mutate(uint8_t *buf, size_t len, size_t headers)
{
    unsigned int n = 1 + rng() % 8;

    for (unsigned int i = 0; i < n; i++) {
        size_t pos = (rng() % 4 ? rng() % headers : rng() % len);

        if (rng() % 3 == 0 && pos + 8 <= len) {
            uint64_t v = interesting_value(len);

            memcpy(buf + pos, &v, 8);
        } else {
            buf[pos] = (uint8_t)rng();
        }
    }
}

/* Check what elf_parse promised about an image it accepted. */
static bool image_is_sane(const struct elf_image *elf, size_t len)
{
    bool entry_ok = false;

    if (elf->nr_segments == 0 || elf->nr_segments > ELF_MAX_PHNUM)
        return false;
    for (unsigned int i = 0; i < elf->nr_segments; i++) {
        const struct elf_segment *s = &elf->seg[i];

        if (s->offset > len || s->filesz > len - s->offset || s->filesz > s->memsz ||
            s->paddr < 0x1000 || s->memsz == 0 || s->memsz > RAM_SIZE - s->paddr)
            return false;
        if (elf->elf_class == ELFCLASS32 && s->paddr + s->memsz > 0x100000000ull)
            return false;
        if (i > 0 && elf->seg[i - 1].paddr + elf->seg[i - 1].memsz > s->paddr)
            return false;
        if ((s->flags & PF_X) && elf->entry >= s->paddr && elf->entry < s->paddr + s->memsz)
            entry_ok = true;
    }
    return entry_ok;
}

/* Mutate the good image in img[0, full) many times: each result is refused
 * with a documented error, or accepted only if it keeps elf_parse's promises. */
static bool check_survives_fuzzing(size_t full, size_t headers)
{
    struct elf_image elf;
    unsigned int accepted = 0, rejected = 0;

    for (unsigned int iter = 0; iter < 4000; iter++) {
        size_t len = rng() % 10 == 0 ? rng() % full : full;
        uint8_t *copy = malloc(full);
        int rc;

        EXPECT(copy, "out of memory");
        memcpy(copy, img, full);
        mutate(copy, full, headers);
        rc = elf_parse(copy, len, RAM_SIZE, &elf);
        if (rc == 0 && image_is_sane(&elf, len))
            rc = elf_load(&elf, copy, len, &(struct guest_view){ ram, 0, RAM_SIZE });
        else if (rc == 0)
            rc = 1; /* accepted an image that breaks the promises */
        free(copy);
        EXPECT(rc == 0 || rc == -ENOEXEC || rc == -EINVAL || rc == -E2BIG,
               "iteration %u: rc %d", iter, rc);
        if (rc == 0)
            accepted++;
        else
            rejected++;
    }
    EXPECT(accepted > 0 && rejected > 0, "accepted %u, rejected %u: mutations too weak or too strong",
           accepted, rejected);
    return true;
}

static bool elf_survives_fuzzing(void)
{
    struct spec s;

    spec_default(&s);
    return check_survives_fuzzing(spec_write(&s, img),
                                  sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr));
}

/* ---- ELF: hostile headers ------------------------------------------------ */

static void edit_class32(struct spec *s) { s->eh.e_ident[EI_CLASS] = ELFCLASS32; }
static void edit_big_endian(struct spec *s) { s->eh.e_ident[EI_DATA] = ELFDATA2MSB; }
static void edit_magic(struct spec *s) { s->eh.e_ident[EI_MAG1] = 'e'; }
static void edit_ident_version(struct spec *s) { s->eh.e_ident[EI_VERSION] = 2; }
static void edit_version(struct spec *s) { s->eh.e_version = 0; }
static void edit_machine(struct spec *s) { s->eh.e_machine = EM_AARCH64; }
static void edit_type_dyn(struct spec *s) { s->eh.e_type = ET_DYN; }
static void edit_type_rel(struct spec *s) { s->eh.e_type = ET_REL; }
static void edit_interp(struct spec *s) { s->ph[2].p_type = PT_INTERP; }

static bool elf_rejects_non_x86_64_executables(void)
{
    static const struct {
        const char *what;
        void (*edit)(struct spec *);
    } cases[] = {
        { "ELFCLASS32 with EM_X86_64", edit_class32 }, { "big endian", edit_big_endian },
        { "bad magic", edit_magic },     { "ident version", edit_ident_version },
        { "e_version", edit_version },   { "EM_AARCH64", edit_machine },
        { "ET_DYN", edit_type_dyn },     { "ET_REL", edit_type_rel },
        { "PT_INTERP", edit_interp },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse_default_with(cases[i].edit);

        EXPECT(rc == -ENOEXEC, "%s: rc %d, want -ENOEXEC", cases[i].what, rc);
    }
    return true;
}

static void edit_ehsize(struct spec *s) { s->eh.e_ehsize = 52; }
static void edit_phentsize(struct spec *s) { s->eh.e_phentsize = 32; }
static void edit_phentsize_big(struct spec *s) { s->eh.e_phentsize = 0xffff; }
static void edit_phoff_overflow(struct spec *s) { s->eh.e_phoff = UINT64_MAX - 0x10; }
static void edit_phoff_past_end(struct spec *s) { s->eh.e_phoff = DATA_OFF + 0x380; }
static void edit_phnum_zero(struct spec *s) { s->eh.e_phnum = 0; }
static void edit_phnum_65(struct spec *s) { s->eh.e_phnum = 65; }
static void edit_phnum_xnum(struct spec *s) { s->eh.e_phnum = PN_XNUM; }
static void edit_phnum_past_end(struct spec *s) { s->eh.e_phoff = DATA_OFF; s->eh.e_phnum = 64; }

static bool elf_rejects_bad_program_header_table(void)
{
    static const struct {
        const char *what;
        void (*edit)(struct spec *);
    } cases[] = {
        { "e_ehsize 52", edit_ehsize },
        { "e_phentsize 32", edit_phentsize },
        { "e_phentsize 0xffff", edit_phentsize_big },
        { "e_phoff overflow", edit_phoff_overflow },
        { "e_phoff past end", edit_phoff_past_end },
        { "e_phnum 0", edit_phnum_zero },
        { "e_phnum 65", edit_phnum_65 },
        { "e_phnum PN_XNUM", edit_phnum_xnum },
        { "e_phnum past end", edit_phnum_past_end },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse_default_with(cases[i].edit);

        EXPECT(rc == -EINVAL, "%s: rc %d, want -EINVAL", cases[i].what, rc);
    }
    return true;
}

static bool elf_rejects_truncated_header(void)
{
    struct spec s;
    struct elf_image elf;

    spec_default(&s);
    spec_write(&s, img);
    EXPECT(elf_parse(img, sizeof(Elf64_Ehdr) - 1, RAM_SIZE, &elf) == -ENOEXEC,
           "short header accepted");
    EXPECT(elf_parse(img, sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), RAM_SIZE, &elf) == -EINVAL,
           "partial program header table accepted");
    return true;
}

static void edit_offset_overflow(struct spec *s) { s->ph[0].p_offset = UINT64_MAX - 0x10; }
static void edit_filesz_overflow(struct spec *s) { s->ph[0].p_filesz = UINT64_MAX; s->ph[0].p_memsz = UINT64_MAX; }
static void edit_offset_past_end(struct spec *s) { s->ph[1].p_offset = IMG_CAP; }
static void edit_filesz_gt_memsz(struct spec *s) { s->ph[1].p_memsz = 0x80; }
static void edit_paddr_overflow(struct spec *s) { s->ph[1].p_paddr = s->ph[1].p_vaddr = UINT64_MAX - 0xfff; }
static void edit_page_zero(struct spec *s) { s->ph[1].p_paddr = s->ph[1].p_vaddr = 0x800; }
static void edit_overlap(struct spec *s) { s->ph[1].p_paddr = s->ph[1].p_vaddr = 0x1002ff; }
static void edit_overlap_same(struct spec *s) { s->ph[1].p_paddr = s->ph[1].p_vaddr = 0x100000; }
static void edit_vaddr(struct spec *s) { s->ph[1].p_vaddr = 0xffffffff80200000ull; }
static void edit_entry_outside(struct spec *s) { s->eh.e_entry = 0x100300; }
static void edit_entry_in_data(struct spec *s) { s->eh.e_entry = 0x200000; }
static void edit_no_load(struct spec *s) { s->ph[0].p_type = PT_NOTE; s->ph[1].p_type = PT_NULL; }

static bool elf_rejects_bad_segments(void)
{
    static const struct {
        const char *what;
        void (*edit)(struct spec *);
    } cases[] = {
        { "p_offset + p_filesz overflow", edit_offset_overflow },
        { "p_filesz UINT64_MAX", edit_filesz_overflow },
        { "p_offset past end", edit_offset_past_end },
        { "p_filesz > p_memsz", edit_filesz_gt_memsz },
        { "p_paddr + p_memsz overflow", edit_paddr_overflow },
        { "segment in page 0", edit_page_zero },
        { "overlapping segments", edit_overlap },
        { "segments at the same paddr", edit_overlap_same },
        { "p_vaddr != p_paddr", edit_vaddr },
        { "entry past the text", edit_entry_outside },
        { "entry in a non-executable segment", edit_entry_in_data },
        { "no PT_LOAD", edit_no_load },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse_default_with(cases[i].edit);

        EXPECT(rc == -EINVAL, "%s: rc %d, want -EINVAL", cases[i].what, rc);
    }
    return true;
}

/* A segment ending past RAM is -E2BIG (more RAM would fix it); one ending exactly at the end fits. */
static bool elf_segment_beyond_ram_is_e2big(void)
{
    struct spec s;
    struct elf_image elf;
    int rc;

    spec_default(&s);
    rc = parse_spec(&s, 0x202000, &elf);
    EXPECT(rc == 0, "exact fit: rc %d", rc);
    rc = parse_spec(&s, 0x201000, &elf);
    EXPECT(rc == -E2BIG, "one page short: rc %d, want -E2BIG", rc);
    s.ph[1].p_paddr = s.ph[1].p_vaddr = 64 * GIB;
    rc = parse_spec(&s, RAM_SIZE, &elf);
    EXPECT(rc == -E2BIG, "segment at 64 GiB: rc %d, want -E2BIG", rc);
    return true;
}

/* ---- ELF32: i386 images, booted in 32-bit protected mode ------------------ */

struct spec32 {
    Elf32_Ehdr eh;
    Elf32_Phdr ph[MAX_PH];
    unsigned int nph; /* program headers written at offset 52 */
};

static Elf32_Phdr load_phdr32(uint32_t paddr, uint32_t offset, uint32_t filesz, uint32_t memsz,
                              uint32_t flags)
{
    return (Elf32_Phdr){
        .p_type = PT_LOAD, .p_flags = flags, .p_offset = offset, .p_vaddr = paddr,
        .p_paddr = paddr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 0x1000,
    };
}

/* The 32-bit twin of spec_default: the same segments and entry. */
static void spec32_default(struct spec32 *s)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->eh.e_ident, ELFMAG, SELFMAG);
    s->eh.e_ident[EI_CLASS] = ELFCLASS32;
    s->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    s->eh.e_ident[EI_VERSION] = EV_CURRENT;
    s->eh.e_type = ET_EXEC;
    s->eh.e_machine = EM_386;
    s->eh.e_version = EV_CURRENT;
    s->eh.e_entry = 0x100010;
    s->eh.e_phoff = sizeof(Elf32_Ehdr);
    s->eh.e_ehsize = sizeof(Elf32_Ehdr);
    s->eh.e_phentsize = sizeof(Elf32_Phdr);
    s->eh.e_phnum = 3;
    s->nph = 3;
    s->ph[0] = load_phdr32(0x100000, DATA_OFF, 0x300, 0x300, PF_R | PF_X);
    s->ph[1] = load_phdr32(0x200000, DATA_OFF + 0x300, 0x100, 0x2000, PF_R | PF_W);
    s->ph[2] = (Elf32_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

static size_t spec32_write(const struct spec32 *s, uint8_t *buf)
{
    size_t len = sizeof(Elf32_Ehdr) + s->nph * sizeof(Elf32_Phdr);

    memset(buf, 0, IMG_CAP);
    memcpy(buf, &s->eh, sizeof(s->eh));
    memcpy(buf + sizeof(s->eh), s->ph, s->nph * sizeof(Elf32_Phdr));
    for (unsigned int i = 0; i < s->nph; i++)
        if (s->ph[i].p_type == PT_LOAD)
            write_segment_bytes(buf, s->ph[i].p_offset, s->ph[i].p_filesz, &len);
    return len;
}

static int parse_spec32(const struct spec32 *s, uint64_t ram_size, struct elf_image *out)
{
    return parse_exact_copy(spec32_write(s, img), ram_size, out);
}

static int parse_default32_with(void (*edit)(struct spec32 *))
{
    struct spec32 s;
    struct elf_image elf;

    spec32_default(&s);
    edit(&s);
    return parse_spec32(&s, RAM_SIZE, &elf);
}

static bool elf32_parses_good_image(void)
{
    struct spec32 s;
    struct elf_image elf;
    int rc;

    spec32_default(&s);
    rc = parse_spec32(&s, RAM_SIZE, &elf);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(elf.elf_class == ELFCLASS32, "class %u", elf.elf_class);
    EXPECT(elf.nr_segments == 2, "%u segments", elf.nr_segments);
    EXPECT(elf.entry == 0x100010, "entry %#lx", (unsigned long)elf.entry);
    EXPECT(elf.image_start == 0x100000 && elf.image_end == 0x202000,
           "image [%#lx, %#lx)", (unsigned long)elf.image_start, (unsigned long)elf.image_end);
    EXPECT(elf.seg[0].paddr == 0x100000 && elf.seg[0].filesz == 0x300 &&
           elf.seg[0].memsz == 0x300 && elf.seg[0].offset == DATA_OFF &&
           elf.seg[0].flags == (PF_R | PF_X), "text segment wrong");
    EXPECT(elf.seg[1].paddr == 0x200000 && elf.seg[1].memsz == 0x2000 &&
           elf.seg[1].filesz == 0x100 && elf.seg[1].offset == DATA_OFF + 0x300 &&
           elf.seg[1].flags == (PF_R | PF_W), "data segment wrong");
    return true;
}

static bool elf32_loads_bytes_and_zeroes_bss(void)
{
    struct spec32 s;
    struct elf_image elf;
    size_t len;
    int rc;

    spec32_default(&s);
    len = spec32_write(&s, img);
    EXPECT(elf_parse(img, len, RAM_SIZE, &elf) == 0, "parse failed");
    memset(ram, POISON, RAM_SIZE);
    rc = elf_load(&elf, img, len, &(struct guest_view){ ram, 0, RAM_SIZE });
    EXPECT(rc == 0, "load rc %d", rc);
    EXPECT(ram_matches_file(0x100000, DATA_OFF, 0x300), "text bytes not copied");
    EXPECT(ram_matches_file(0x200000, DATA_OFF + 0x300, 0x100), "data bytes not copied");
    EXPECT(ram_all(0x200100, 0x2000 - 0x100, 0), "bss not zeroed");
    EXPECT(ram[0x100000 - 1] == POISON && ram[0x100300] == POISON && ram[0x202000] == POISON,
           "bytes outside the segments were written");
    return true;
}

static bool elf32_rejects_every_truncation(void)
{
    struct spec32 s;

    spec32_default(&s);
    return check_every_truncation(spec32_write(&s, img), sizeof(Elf32_Ehdr));
}

static bool elf32_survives_fuzzing(void)
{
    struct spec32 s;

    spec32_default(&s);
    return check_survives_fuzzing(spec32_write(&s, img),
                                  sizeof(Elf32_Ehdr) + 3 * sizeof(Elf32_Phdr));
}

static void edit32_machine_x86_64(struct spec32 *s) { s->eh.e_machine = EM_X86_64; }
static void edit32_machine_arm(struct spec32 *s) { s->eh.e_machine = EM_ARM; }
static void edit32_big_endian(struct spec32 *s) { s->eh.e_ident[EI_DATA] = ELFDATA2MSB; }
static void edit32_class_none(struct spec32 *s) { s->eh.e_ident[EI_CLASS] = ELFCLASSNONE; }
static void edit32_version(struct spec32 *s) { s->eh.e_version = 0; }
static void edit32_type_dyn(struct spec32 *s) { s->eh.e_type = ET_DYN; }
static void edit32_type_rel(struct spec32 *s) { s->eh.e_type = ET_REL; }
static void edit32_interp(struct spec32 *s) { s->ph[2].p_type = PT_INTERP; }

static bool elf32_rejects_non_i386_executables(void)
{
    static const struct {
        const char *what;
        void (*edit)(struct spec32 *);
    } cases[] = {
        { "EM_X86_64", edit32_machine_x86_64 }, { "EM_ARM", edit32_machine_arm },
        { "big endian", edit32_big_endian },    { "ELFCLASSNONE", edit32_class_none },
        { "e_version", edit32_version },        { "ET_DYN", edit32_type_dyn },
        { "ET_REL", edit32_type_rel },          { "PT_INTERP", edit32_interp },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse_default32_with(cases[i].edit);

        EXPECT(rc == -ENOEXEC, "%s: rc %d, want -ENOEXEC", cases[i].what, rc);
    }
    return true;
}

static void edit32_ehsize64(struct spec32 *s) { s->eh.e_ehsize = sizeof(Elf64_Ehdr); }
static void edit32_phentsize64(struct spec32 *s) { s->eh.e_phentsize = sizeof(Elf64_Phdr); }
static void edit32_phoff_max(struct spec32 *s) { s->eh.e_phoff = UINT32_MAX - 0x10; }
static void edit32_phoff_past_end(struct spec32 *s) { s->eh.e_phoff = DATA_OFF + 0x380; }
static void edit32_phnum_zero(struct spec32 *s) { s->eh.e_phnum = 0; }
static void edit32_phnum_65(struct spec32 *s) { s->eh.e_phnum = 65; }
static void edit32_phnum_xnum(struct spec32 *s) { s->eh.e_phnum = PN_XNUM; }
static void edit32_offset_max(struct spec32 *s) { s->ph[0].p_offset = UINT32_MAX - 0x10; }
static void edit32_filesz_max(struct spec32 *s) { s->ph[0].p_filesz = s->ph[0].p_memsz = 0xffffffffu; }
static void edit32_filesz_gt_memsz(struct spec32 *s) { s->ph[1].p_memsz = 0x80; }
static void edit32_page_zero(struct spec32 *s) { s->ph[1].p_paddr = s->ph[1].p_vaddr = 0x800; }
static void edit32_overlap(struct spec32 *s) { s->ph[1].p_paddr = s->ph[1].p_vaddr = 0x1002ff; }
static void edit32_vaddr(struct spec32 *s) { s->ph[1].p_vaddr = 0xc0200000u; }
static void edit32_entry_outside(struct spec32 *s) { s->eh.e_entry = 0x100300; }
static void edit32_entry_in_data(struct spec32 *s) { s->eh.e_entry = 0x200000; }
static void edit32_no_load(struct spec32 *s)
{
    s->ph[0].p_type = PT_NOTE;
    s->ph[1].p_type = PT_NULL;
}

static bool elf32_rejects_malformed_headers(void)
{
    static const struct {
        const char *what;
        void (*edit)(struct spec32 *);
    } cases[] = {
        { "e_ehsize 64", edit32_ehsize64 },
        { "e_phentsize 56", edit32_phentsize64 },
        { "e_phoff near 2^32", edit32_phoff_max },
        { "e_phoff past end", edit32_phoff_past_end },
        { "e_phnum 0", edit32_phnum_zero },
        { "e_phnum 65", edit32_phnum_65 },
        { "e_phnum PN_XNUM", edit32_phnum_xnum },
        { "p_offset near 2^32", edit32_offset_max },
        { "p_filesz 2^32 - 1", edit32_filesz_max },
        { "p_filesz > p_memsz", edit32_filesz_gt_memsz },
        { "segment in page 0", edit32_page_zero },
        { "overlapping segments", edit32_overlap },
        { "p_vaddr != p_paddr", edit32_vaddr },
        { "entry past the text", edit32_entry_outside },
        { "entry in a non-executable segment", edit32_entry_in_data },
        { "no PT_LOAD", edit32_no_load },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse_default32_with(cases[i].edit);

        EXPECT(rc == -EINVAL, "%s: rc %d, want -EINVAL", cases[i].what, rc);
    }
    return true;
}

/* A 32-bit segment may end exactly at 4 GiB but not cross it, however much RAM. */
static bool elf32_segments_end_at_or_below_4g(void)
{
    struct spec32 s;
    struct elf_image elf;
    int rc;

    spec32_default(&s);
    s.ph[1] = load_phdr32(0xffffe000u, DATA_OFF + 0x300, 0x100, 0x2000, PF_R | PF_W);
    rc = parse_spec32(&s, 8 * GIB, &elf);
    EXPECT(rc == 0, "segment ending at 4 GiB: rc %d", rc);
    EXPECT(elf.image_end == 4 * GIB, "image_end %#lx", (unsigned long)elf.image_end);
    s.ph[1].p_memsz = 0x2001;
    rc = parse_spec32(&s, 8 * GIB, &elf);
    EXPECT(rc == -EINVAL, "segment crossing 4 GiB: rc %d, want -EINVAL", rc);
    s.ph[1].p_memsz = UINT32_MAX;
    rc = parse_spec32(&s, 8 * GIB, &elf);
    EXPECT(rc == -EINVAL, "segment of 4 GiB - 1 at 4 GiB - 8 KiB: rc %d, want -EINVAL", rc);
    return true;
}

static bool elf32_segment_beyond_ram_is_e2big(void)
{
    struct spec32 s;
    struct elf_image elf;
    int rc;

    spec32_default(&s);
    rc = parse_spec32(&s, 0x202000, &elf);
    EXPECT(rc == 0, "exact fit: rc %d", rc);
    rc = parse_spec32(&s, 0x201000, &elf);
    EXPECT(rc == -E2BIG, "one page short: rc %d, want -E2BIG", rc);
    s.ph[1].p_paddr = s.ph[1].p_vaddr = 0xc0000000u;
    rc = parse_spec32(&s, RAM_SIZE, &elf);
    EXPECT(rc == -E2BIG, "segment at 3 GiB: rc %d, want -E2BIG", rc);
    return true;
}

/* ---- boot layout: page tables and start info ----------------------------- */

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_US  (1ull << 2)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Read entry idx of the table at guest address table; pt holds [pt_base, free_start). */
static bool read_pte(const uint8_t *pt, const struct boot_layout *l, uint64_t table,
                     unsigned int idx, uint64_t *pte)
{
    if (table % 0x1000 || table < l->pt_base || table >= l->free_start)
        return false; /* a table pointer must stay inside the page tables */
    memcpy(pte, pt + (table - l->pt_base) + idx * 8, 8);
    return true;
}

/* Walk the tables like the MMU.  0: mapped to *pa; 1: not present; -1: malformed entry. */
static int translate(const uint8_t *pt, const struct boot_layout *l, uint64_t va, uint64_t *pa)
{
    uint64_t table = l->pt_base, pte = 0;
    const unsigned int shifts[] = { 39, 30, 21 };

    for (unsigned int level = 0; level < 3; level++) {
        if (!read_pte(pt, l, table, (va >> shifts[level]) & 511, &pte))
            return -1;
        if (!(pte & PTE_P))
            return 1;
        if ((pte & (PTE_RW | PTE_US)) != (PTE_RW | PTE_US) || (pte & PTE_NX))
            return -1;
        if (level < 2 && (pte & PTE_PS))
            return -1; /* only PD entries may map large pages */
        table = pte & PTE_ADDR;
    }
    if (!(pte & PTE_PS) || (pte & PTE_ADDR & 0x1fffff))
        return -1;
    *pa = (pte & PTE_ADDR) + (va & 0x1fffff);
    return 0;
}

static bool check_identity_map(const uint8_t *pt, const struct boot_layout *l)
{
    uint64_t mapped = (l->ram_size + 0x1fffff) & ~0x1fffffull;
    uint64_t pa = 0;
    int rc;

    for (uint64_t va = 0; va < mapped; va += 0x200000) {
        uint64_t probes[] = { va, va + 0x1234f, va + 0x1fffff };

        for (unsigned int i = 0; i < 3; i++) {
            rc = translate(pt, l, probes[i], &pa);
            EXPECT(rc == 0 && pa == probes[i], "va %#lx: rc %d pa %#lx", (unsigned long)probes[i],
                   rc, (unsigned long)pa);
        }
    }
    rc = translate(pt, l, l->ram_size - 1, &pa);
    EXPECT(rc == 0 && pa == l->ram_size - 1, "last byte of RAM not mapped");
    rc = translate(pt, l, mapped, &pa);
    EXPECT(rc == 1, "va %#lx past RAM: rc %d, want not present", (unsigned long)mapped, rc);
    rc = translate(pt, l, 1ull << 47, &pa);
    EXPECT(rc == 1, "va 128 TiB: rc %d, want not present", rc);
    return true;
}

/* The memmap covers [0x1000, ram_size) in order without gaps, the builder's part reserved. */
static bool check_memmap(const struct hv_start_info *si, const struct boot_layout *l)
{
    uint64_t next = 0x1000;
    unsigned int reserved = 0;

    EXPECT(si->nr_memmap >= 1 && si->nr_memmap <= HV_MEMMAP_MAX, "nr_memmap %u", si->nr_memmap);
    for (unsigned int i = 0; i < si->nr_memmap; i++) {
        const struct hv_memmap_entry *e = &si->memmap[i];

        EXPECT(e->addr % 0x1000 == 0 && e->size % 0x1000 == 0, "entry %u not whole pages", i);
        EXPECT(e->addr == next && e->size > 0, "entry %u [%#lx +%#lx), expected start %#lx", i,
               (unsigned long)e->addr, (unsigned long)e->size, (unsigned long)next);
        EXPECT(e->type == HV_MEMMAP_RAM || e->type == HV_MEMMAP_RESERVED, "entry %u type %u", i,
               e->type);
        EXPECT(e->pad == 0, "entry %u pad not zero", i);
        if (e->type == HV_MEMMAP_RESERVED) {
            reserved++;
            EXPECT(e->addr == (l->image_start & ~0xfffull) && e->addr + e->size == l->free_start,
                   "reserved entry is not [image_start rounded down, free_start)");
        }
        next = e->addr + e->size;
    }
    EXPECT(next == l->ram_size, "memmap ends at %#lx, RAM at %#lx", (unsigned long)next,
           (unsigned long)l->ram_size);
    EXPECT(reserved == 1, "%u reserved entries", reserved);
    return true;
}

static bool check_layout_for(uint64_t ram_size, uint64_t image_start, uint64_t image_end)
{
    struct boot_layout l;
    struct hv_start_info si;
    uint8_t *pt;
    bool ok;
    int rc = boot_layout_compute(ram_size, image_start, image_end, &l);

    EXPECT(rc == 0, "RAM %#lx: rc %d", (unsigned long)ram_size, rc);
    EXPECT(l.start_info >= image_end && l.start_info % 0x1000 == 0 &&
           l.start_info - image_end < 0x1000, "start_info %#lx", (unsigned long)l.start_info);
    EXPECT(l.pt_base == l.start_info + 0x1000, "pt_base %#lx", (unsigned long)l.pt_base);
    EXPECT(l.free_start <= ram_size && boot_layout_size(&l) == l.free_start - l.start_info,
           "free_start %#lx", (unsigned long)l.free_start);
    EXPECT(boot_fill_start_info(&si, &l, 7, 2, "x") == 0, "start info failed");
    if (!check_memmap(&si, &l))
        return false;
    pt = malloc(l.free_start - l.pt_base);
    EXPECT(pt, "out of memory");
    memset(pt, POISON, l.free_start - l.pt_base);
    boot_write_page_tables(pt, &l);
    ok = check_identity_map(pt, &l);
    free(pt);
    return ok;
}

static bool layout_maps_16m(void)
{
    return check_layout_for(16 * MIB, 0x100000, 0x123456);
}

static bool layout_maps_16m_plus_a_page(void)
{
    return check_layout_for(16 * MIB + 0x1000, 0x100080, 0x200000); /* image not page-aligned */
}

static bool layout_maps_1g_plus_2m(void)
{
    return check_layout_for(GIB + 2 * MIB, 0x100000, 0x180000);
}

static bool layout_maps_4g(void)
{
    return check_layout_for(4 * GIB, 0x200000, 0x300000);
}

/* More than 512 GiB needs a second PDPT page. */
static bool layout_maps_513g(void)
{
    struct boot_layout l;

    EXPECT(boot_layout_compute(513 * GIB, 0x100000, 0x101000, &l) == 0, "layout failed");
    EXPECT(l.nr_pdpt == 2 && l.nr_pd == 513, "nr_pdpt %lu nr_pd %lu", (unsigned long)l.nr_pdpt,
           (unsigned long)l.nr_pd);
    return check_layout_for(513 * GIB, 0x100000, 0x101000);
}

/* 2 MiB of RAM: one start-info page and three table pages after the image. */
static bool layout_exact_fit_and_one_byte_over(void)
{
    struct boot_layout l;
    struct hv_start_info si;
    int rc = boot_layout_compute(2 * MIB, 0x1000, 2 * MIB - 4 * 0x1000, &l);

    EXPECT(rc == 0, "exact fit: rc %d", rc);
    EXPECT(l.free_start == 2 * MIB, "free_start %#lx", (unsigned long)l.free_start);
    EXPECT(boot_fill_start_info(&si, &l, 1, 1, NULL) == 0, "start info failed");
    EXPECT(si.nr_memmap == 1 && si.memmap[0].type == HV_MEMMAP_RESERVED,
           "want a single reserved entry, got %u entries", si.nr_memmap);
    if (!check_memmap(&si, &l))
        return false;
    rc = boot_layout_compute(2 * MIB, 0x1000, 2 * MIB - 4 * 0x1000 + 1, &l);
    EXPECT(rc == -E2BIG, "one byte over: rc %d, want -E2BIG", rc);
    return true;
}

static bool layout_rejects_too_small_ram(void)
{
    struct boot_layout l;
    int rc = boot_layout_compute(2 * MIB, 0x100000, 2 * MIB, &l);

    EXPECT(rc == -E2BIG, "image fills RAM: rc %d, want -E2BIG", rc);
    rc = boot_layout_compute(16 * MIB, 0x100000, 16 * MIB - 0x1000, &l);
    EXPECT(rc == -E2BIG, "no room for the tables: rc %d, want -E2BIG", rc);
    return true;
}

static bool layout_rejects_bad_input(void)
{
    struct boot_layout l;

    EXPECT(boot_layout_compute(16 * MIB + 1, 0x100000, 0x200000, &l) == -EINVAL,
           "unaligned RAM size accepted");
    EXPECT(boot_layout_compute(16 * MIB, 0x0, 0x200000, &l) == -EINVAL, "image in page 0 accepted");
    EXPECT(boot_layout_compute(16 * MIB, 0x200000, 0x200000, &l) == -EINVAL, "empty image accepted");
    EXPECT(boot_layout_compute(16 * MIB, 0x100000, 17 * MIB, &l) == -EINVAL,
           "image past RAM accepted");
    EXPECT(boot_layout_compute(UINT64_MAX & ~0xfffull, 0x100000, 0x200000, &l) == -E2BIG,
           "2^64 bytes of RAM accepted");
    return true;
}

static bool start_info_fields_and_cmdline(void)
{
    struct boot_layout l;
    struct hv_start_info si;
    char longest[HV_CMDLINE_MAX], too_long[HV_CMDLINE_MAX + 1];

    EXPECT(boot_layout_compute(16 * MIB, 0x100000, 0x180000, &l) == 0, "layout failed");
    EXPECT(boot_fill_start_info(&si, &l, 42, 3, "console=hvc0 quiet") == 0, "fill failed");
    EXPECT(si.magic == HV_START_INFO_MAGIC && si.version == HV_START_INFO_VERSION, "magic/version");
    EXPECT(si.domid == 42 && si.nr_vcpus == 3 && si.nr_pages == 4096, "domid/vcpus/pages");
    EXPECT(si.image_start == 0x100000 && si.image_end == 0x180000 && si.pt_base == l.pt_base &&
           si.free_start == l.free_start, "layout fields");
    EXPECT(strcmp(si.cmdline, "console=hvc0 quiet") == 0, "cmdline '%.64s'", si.cmdline);
    memset(longest, 'a', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    EXPECT(boot_fill_start_info(&si, &l, 1, 1, longest) == 0, "1023-byte cmdline refused");
    EXPECT(si.cmdline[HV_CMDLINE_MAX - 2] == 'a' && si.cmdline[HV_CMDLINE_MAX - 1] == '\0',
           "long cmdline not NUL-terminated");
    memset(too_long, 'b', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    EXPECT(boot_fill_start_info(&si, &l, 1, 1, too_long) == -E2BIG, "1024-byte cmdline accepted");
    EXPECT(boot_fill_start_info(&si, &l, 1, 1, NULL) == 0 && si.cmdline[0] == '\0',
           "NULL cmdline not empty");
    return true;
}

/* The boot state must be consistent 64-bit mode (what VM entry checks). */
static bool vcpu_context_is_long_mode(void)
{
    struct hv_vcpu_context c;

    boot_vcpu_context(&c, 0x100010, 0x203000, 0x204000);
    EXPECT(c.flags & HV_VCPU_CTX_ONLINE, "not online");
    EXPECT(c.rip == 0x100010 && c.rsi == 0x203000 && c.cr3 == 0x204000 && c.rsp == 0,
           "rip/rsi/cr3/rsp wrong");
    EXPECT((c.cr0 & 0x80000001) == 0x80000001, "cr0 %#lx lacks PE|PG", (unsigned long)c.cr0);
    EXPECT(c.cr4 & 0x20, "cr4 lacks PAE");
    EXPECT((c.efer & 0x500) == 0x500 && !(c.efer & 0x800), "efer %#lx", (unsigned long)c.efer);
    EXPECT(c.rflags & 0x2, "rflags bit 1 clear");
    EXPECT(c.cs.l == 1 && c.cs.db == 0 && c.cs.s == 1 && c.cs.present && (c.cs.type & 0x8),
           "cs is not a 64-bit code segment");
    EXPECT(c.ss.present && c.ss.s && (c.ss.type & 0xa) == 0x2, "ss not a writable data segment");
    EXPECT(c.tr.present && c.tr.s == 0 && c.tr.type == 0xb, "tr not a busy 64-bit TSS");
    EXPECT(c.ldt.unusable, "ldt usable");
    return true;
}

/* ---- boot layout and vCPU state for 32-bit images ------------------------- */

/* The start-info page follows the image; no page tables; the memmap covers all RAM. */
static bool check_layout32_for(uint64_t ram_size, uint64_t image_start, uint64_t image_end)
{
    struct boot_layout l;
    struct hv_start_info si;
    int rc = boot_layout_compute_32(ram_size, image_start, image_end, &l);

    EXPECT(rc == 0, "RAM %#lx image [%#lx, %#lx): rc %d", (unsigned long)ram_size,
           (unsigned long)image_start, (unsigned long)image_end, rc);
    EXPECT(l.start_info >= image_end && l.start_info % 0x1000 == 0 &&
           l.start_info - image_end < 0x1000, "start_info %#lx", (unsigned long)l.start_info);
    EXPECT(l.pt_base == 0 && l.nr_pd == 0 && l.nr_pdpt == 0, "page tables planned");
    EXPECT(l.free_start == l.start_info + 0x1000 && boot_layout_size(&l) == 0x1000,
           "free_start %#lx", (unsigned long)l.free_start);
    EXPECT(l.free_start <= 4 * GIB, "start info above 4 GiB");
    EXPECT(boot_fill_start_info(&si, &l, 7, 2, "x") == 0, "start info failed");
    EXPECT(si.pt_base == 0 && si.free_start == l.free_start && si.nr_pages == ram_size / 0x1000,
           "start info fields");
    return check_memmap(&si, &l);
}

static bool layout32_16m(void)
{
    return check_layout32_for(16 * MIB, 0x100000, 0x202000);
}

static bool layout32_unaligned_image(void)
{
    return check_layout32_for(16 * MIB, 0x100080, 0x123456);
}

/* RAM above 4 GiB is allowed and listed; the guest needs PAE paging to reach it. */
static bool layout32_6g_lists_all_ram(void)
{
    return check_layout32_for(6 * GIB, 0x100000, 0x180000);
}

/* The start-info page must end at or below 4 GiB: rsi holds its address in 32 bits. */
static bool layout32_start_info_below_4g(void)
{
    struct boot_layout l;
    int rc;

    if (!check_layout32_for(8 * GIB, 0x100000, 4 * GIB - 0x1000))
        return false;
    rc = boot_layout_compute_32(8 * GIB, 0x100000, 4 * GIB - 0xfff, &l);
    EXPECT(rc == -E2BIG, "start info at 4 GiB: rc %d, want -E2BIG", rc);
    rc = boot_layout_compute_32(8 * GIB, 0x100000, 4 * GIB, &l);
    EXPECT(rc == -E2BIG, "image ending at 4 GiB: rc %d, want -E2BIG", rc);
    return true;
}

static bool layout32_rejects_bad_input_and_no_room(void)
{
    struct boot_layout l;

    EXPECT(boot_layout_compute_32(16 * MIB + 1, 0x100000, 0x200000, &l) == -EINVAL,
           "unaligned RAM size accepted");
    EXPECT(boot_layout_compute_32(16 * MIB, 0x0, 0x200000, &l) == -EINVAL,
           "image in page 0 accepted");
    EXPECT(boot_layout_compute_32(16 * MIB, 0x200000, 0x200000, &l) == -EINVAL,
           "empty image accepted");
    EXPECT(boot_layout_compute_32(16 * MIB, 0x100000, 17 * MIB, &l) == -EINVAL,
           "image past RAM accepted");
    EXPECT(boot_layout_compute_32(2 * MIB, 0x100000, 2 * MIB, &l) == -E2BIG,
           "image filling RAM accepted");
    EXPECT(boot_layout_compute_32(2 * MIB, 0x100000, 2 * MIB - 0x1000, &l) == 0,
           "exact fit refused");
    return true;
}

static bool segment_is(const struct hv_segment *s, uint16_t selector, uint8_t type, uint8_t db)
{
    return s->base == 0 && s->limit == 0xffffffff && s->selector == selector && s->type == type &&
           s->present == 1 && s->dpl == 0 && s->db == db && s->s == 1 && s->l == 0 &&
           s->g == 1 && s->unusable == 0;
}

/* Protected mode, paging off, flat segments: exactly the documented state. */
static bool vcpu_context_is_flat_protected_mode(void)
{
    struct hv_vcpu_context c;

    memset(&c, POISON, sizeof(c));
    boot_vcpu_context_32(&c, 0x100010, 0x203000);
    EXPECT(c.flags == HV_VCPU_CTX_ONLINE, "flags %#x", c.flags);
    EXPECT(c.rip == 0x100010 && c.rsi == 0x203000 && c.rsp == 0, "eip/esi/esp wrong");
    EXPECT(c.rax == 0 && c.rbx == 0 && c.rdi == 0 && c.r8 == 0 && c.r15 == 0,
           "other registers not zero");
    EXPECT(c.rflags == 0x2, "rflags %#lx", (unsigned long)c.rflags);
    EXPECT(c.cr0 == 0x11, "cr0 %#lx, want PE|ET", (unsigned long)c.cr0);
    EXPECT(c.cr3 == 0 && c.cr4 == 0 && c.efer == 0, "cr3 %#lx cr4 %#lx efer %#lx",
           (unsigned long)c.cr3, (unsigned long)c.cr4, (unsigned long)c.efer);
    EXPECT(segment_is(&c.cs, 0x08, 0xb, 1), "cs is not flat 32-bit code");
    EXPECT(segment_is(&c.ds, 0x10, 0x3, 1) && segment_is(&c.es, 0x10, 0x3, 1) &&
           segment_is(&c.fs, 0x10, 0x3, 1) && segment_is(&c.gs, 0x10, 0x3, 1) &&
           segment_is(&c.ss, 0x10, 0x3, 1), "data segments are not flat 32-bit data");
    EXPECT(c.tr.present && c.tr.s == 0 && c.tr.type == 0xb && c.tr.limit >= 0x67,
           "tr not a busy TSS");
    EXPECT(c.ldt.unusable, "ldt usable");
    EXPECT(c.gdt_limit == 0 && c.idt_limit == 0, "descriptor tables set");
    return true;
}

/* ---- hvguest_build_elf against a fake domain -------------------------------- */

#define FAKE_MAX_MAPS 8

struct fake_map {
    void *addr;
    uint64_t gfn, nr;
};

/* The domain the hvctl_* calls below pretend to talk to. */
static struct {
    uint8_t *ram;
    uint64_t pages;
    uint32_t flags, max_vcpus;
    unsigned int maps_total, fail_map_nr, bad_unmaps;
    uint64_t largest_map;
    struct fake_map live[FAKE_MAX_MAPS];
    bool ctx_set;
    uint32_t ctx_vcpu;
    struct hv_vcpu_context ctx;
} fake;

static hvctl_t *const fake_handle = (hvctl_t *)&fake;

static bool fake_setup(uint64_t ram_bytes)
{
    memset(&fake, 0, sizeof(fake));
    fake.ram = malloc(ram_bytes);
    if (!fake.ram)
        return false;
    memset(fake.ram, POISON, ram_bytes);
    fake.pages = ram_bytes / 0x1000;
    fake.flags = XEN_DOMINF_paused;
    fake.max_vcpus = 2;
    return true;
}

static void fake_teardown(void)
{
    for (unsigned int i = 0; i < FAKE_MAX_MAPS; i++)
        free(fake.live[i].addr);
    free(fake.ram);
    memset(&fake, 0, sizeof(fake));
}

static unsigned int fake_live_maps(void)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < FAKE_MAX_MAPS; i++)
        n += fake.live[i].addr != NULL;
    return n;
}

int hvctl_domain_getinfo(hvctl_t *h, uint32_t domid, struct xen_domctl_getdomaininfo *info)
{
    if (h != fake_handle || domid != 5)
        return -ESRCH;
    memset(info, 0, sizeof(*info));
    info->domain = (uint16_t)domid;
    info->flags = fake.flags;
    info->max_vcpus = fake.max_vcpus;
    info->tot_pages = fake.pages;
    return 0;
}

/* A mapping is a private copy written back on unmap, so ASan catches writes past it. */
int hvctl_map_foreign(hvctl_t *h, uint32_t domid, uint64_t gfn, uint64_t nr, int prot, void **addr)
{
    unsigned int slot = 0;

    (void)prot;
    if (h != fake_handle || domid != 5)
        return -ESRCH;
    if (nr == 0 || gfn > fake.pages || nr > fake.pages - gfn)
        return -ENXIO;
    if (++fake.maps_total == fake.fail_map_nr)
        return -ENOMEM;
    while (slot < FAKE_MAX_MAPS && fake.live[slot].addr)
        slot++;
    if (slot == FAKE_MAX_MAPS || !(*addr = malloc(nr * 0x1000)))
        return -ENOMEM;
    memcpy(*addr, fake.ram + gfn * 0x1000, nr * 0x1000);
    fake.live[slot] = (struct fake_map){ *addr, gfn, nr };
    if (nr > fake.largest_map)
        fake.largest_map = nr;
    return 0;
}

int hvctl_unmap_foreign(void *addr, uint64_t nr)
{
    for (unsigned int i = 0; i < FAKE_MAX_MAPS; i++) {
        struct fake_map *m = &fake.live[i];

        if (m->addr != addr)
            continue;
        if (m->nr != nr)
            break;
        memcpy(fake.ram + m->gfn * 0x1000, addr, nr * 0x1000);
        free(addr);
        *m = (struct fake_map){ 0 };
        return 0;
    }
    fake.bad_unmaps++;
    return -EINVAL;
}

int hvctl_vcpu_setcontext(hvctl_t *h, uint32_t domid, uint32_t vcpu,
                          const struct hv_vcpu_context *ctx)
{
    if (h != fake_handle || domid != 5)
        return -ESRCH;
    fake.ctx_set = true;
    fake.ctx_vcpu = vcpu;
    fake.ctx = *ctx;
    return 0;
}

static bool fake_ram_untouched(void)
{
    for (uint64_t i = 0; i < fake.pages * 0x1000; i++)
        if (fake.ram[i] != POISON)
            return false;
    return true;
}

static bool builder_builds_bootable_domain(void)
{
    struct spec s;
    struct hvguest_build_info info;
    struct hv_start_info si;
    struct boot_layout l;
    size_t len;
    int rc;

    EXPECT(fake_setup(RAM_SIZE), "out of memory");
    spec_default(&s);
    len = spec_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, "console=hvc0", &info);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(fake_live_maps() == 0 && fake.bad_unmaps == 0, "mappings left or bad unmaps");
    EXPECT(info.entry == 0x100010 && info.image_start == 0x100000 && info.image_end == 0x202000 &&
           info.start_info == 0x202000 && info.pt_base == 0x203000, "build info wrong");
    EXPECT(memcmp(fake.ram + 0x100000, img + DATA_OFF, 0x300) == 0, "text not in guest RAM");
    EXPECT(memcmp(fake.ram + 0x200000, img + DATA_OFF + 0x300, 0x100) == 0, "data not in guest RAM");
    for (uint64_t i = 0x200100; i < 0x202000; i++)
        EXPECT(fake.ram[i] == 0, "bss byte %#lx not zero", (unsigned long)i);
    memcpy(&si, fake.ram + info.start_info, sizeof(si));
    for (uint64_t i = info.start_info + sizeof(si); i < info.pt_base; i++)
        EXPECT(fake.ram[i] == 0, "start-info page byte %#lx not zero", (unsigned long)i);
    EXPECT(si.magic == HV_START_INFO_MAGIC && si.domid == 5 && si.nr_vcpus == 2 &&
           si.nr_pages == fake.pages, "start info header wrong");
    EXPECT(strcmp(si.cmdline, "console=hvc0") == 0, "cmdline '%.64s'", si.cmdline);
    EXPECT(boot_layout_compute(RAM_SIZE, 0x100000, 0x202000, &l) == 0, "layout");
    if (!check_memmap(&si, &l) || !check_identity_map(fake.ram + l.pt_base, &l))
        return false;
    EXPECT(fake.ctx_set && fake.ctx_vcpu == 0, "vCPU 0 context not set");
    EXPECT(fake.ctx.rip == info.entry && fake.ctx.rsi == info.start_info &&
           fake.ctx.cr3 == info.pt_base, "context does not point at the build");
    return true;
}

/* A 32-bit image: loaded, the start-info page written, no page tables, vCPU 0 in 32-bit mode. */
static bool builder_builds_32bit_domain(void)
{
    struct spec32 s;
    struct hvguest_build_info info;
    struct hv_start_info si;
    struct boot_layout l;
    size_t len;
    int rc;

    EXPECT(fake_setup(RAM_SIZE), "out of memory");
    spec32_default(&s);
    len = spec32_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, "expect-erange", &info);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(fake_live_maps() == 0 && fake.bad_unmaps == 0, "mappings left or bad unmaps");
    EXPECT(info.entry == 0x100010 && info.image_start == 0x100000 && info.image_end == 0x202000 &&
           info.start_info == 0x202000 && info.pt_base == 0, "build info wrong");
    EXPECT(memcmp(fake.ram + 0x100000, img + DATA_OFF, 0x300) == 0, "text not in guest RAM");
    EXPECT(memcmp(fake.ram + 0x200000, img + DATA_OFF + 0x300, 0x100) == 0, "data not in guest RAM");
    memcpy(&si, fake.ram + info.start_info, sizeof(si));
    EXPECT(si.magic == HV_START_INFO_MAGIC && si.domid == 5 && si.pt_base == 0 &&
           si.free_start == info.start_info + 0x1000, "start info header wrong");
    EXPECT(strcmp(si.cmdline, "expect-erange") == 0, "cmdline '%.64s'", si.cmdline);
    EXPECT(boot_layout_compute_32(RAM_SIZE, 0x100000, 0x202000, &l) == 0, "layout");
    if (!check_memmap(&si, &l))
        return false;
    for (uint64_t i = info.start_info + 0x1000; i < info.start_info + 0x4000; i++)
        EXPECT(fake.ram[i] == POISON, "byte %#lx after the start-info page written",
               (unsigned long)i);
    EXPECT(fake.ctx_set && fake.ctx_vcpu == 0, "vCPU 0 context not set");
    EXPECT(fake.ctx.rip == info.entry && fake.ctx.rsi == info.start_info && fake.ctx.cr0 == 0x11 &&
           fake.ctx.efer == 0 && fake.ctx.cs.db == 1 && fake.ctx.cs.l == 0,
           "context is not 32-bit protected mode at the entry");
    return true;
}

/* A hostile 32-bit image is refused before anything is mapped. */
static bool builder_writes_nothing_for_bad_32bit_image(void)
{
    struct spec32 s;
    size_t len;
    int rc;

    EXPECT(fake_setup(RAM_SIZE), "out of memory");
    spec32_default(&s);
    edit32_overlap(&s);
    len = spec32_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
    EXPECT(rc == -EINVAL, "rc %d, want -EINVAL", rc);
    EXPECT(fake.maps_total == 0 && !fake.ctx_set && fake_ram_untouched(), "guest was touched");
    return true;
}

static bool builder_writes_nothing_for_bad_image(void)
{
    struct spec s;
    size_t len;
    int rc;

    EXPECT(fake_setup(RAM_SIZE), "out of memory");
    spec_default(&s);
    edit_overlap(&s);
    len = spec_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
    EXPECT(rc == -EINVAL, "rc %d, want -EINVAL", rc);
    EXPECT(fake.maps_total == 0 && !fake.ctx_set && fake_ram_untouched(), "guest was touched");
    spec_default(&s);
    len = spec_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
    EXPECT(rc == 0, "good image after a bad one: rc %d", rc);
    return true;
}

static bool builder_checks_before_writing(void)
{
    struct spec s;
    char too_long[HV_CMDLINE_MAX + 1];
    size_t len;
    int rc;

    EXPECT(fake_setup(0x202000), "out of memory"); /* the image fits, the tables do not */
    spec_default(&s);
    len = spec_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
    EXPECT(rc == -E2BIG, "no room for tables: rc %d, want -E2BIG", rc);
    fake_teardown();
    EXPECT(fake_setup(RAM_SIZE), "out of memory");
    memset(too_long, 'c', HV_CMDLINE_MAX);
    too_long[HV_CMDLINE_MAX] = '\0';
    rc = hvguest_build_elf(fake_handle, 5, img, len, too_long, NULL);
    EXPECT(rc == -E2BIG, "long cmdline: rc %d, want -E2BIG", rc);
    fake.flags = 0;
    rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
    EXPECT(rc == -EBUSY, "running domain: rc %d, want -EBUSY", rc);
    fake.flags = XEN_DOMINF_paused;
    rc = hvguest_build_elf(fake_handle, 6, img, len, NULL, NULL);
    EXPECT(rc == -ESRCH, "missing domain: rc %d, want -ESRCH", rc);
    rc = hvguest_build_elf(fake_handle, 5, NULL, 10, NULL, NULL);
    EXPECT(rc == -EINVAL, "NULL image: rc %d, want -EINVAL", rc);
    EXPECT(fake.maps_total == 0 && !fake.ctx_set && fake_ram_untouched(), "guest was touched");
    return true;
}

static bool builder_unmaps_when_mapping_fails(void)
{
    struct spec s;
    size_t len;

    spec_default(&s);
    len = spec_write(&s, img);
    for (unsigned int fail_at = 1; fail_at <= 3; fail_at++) {
        int rc;

        fake_teardown();
        EXPECT(fake_setup(RAM_SIZE), "out of memory");
        fake.fail_map_nr = fail_at;
        rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
        EXPECT(rc == -ENOMEM, "map %u failing: rc %d", fail_at, rc);
        EXPECT(fake_live_maps() == 0 && fake.bad_unmaps == 0, "map %u failing: mappings left",
               fail_at);
        EXPECT(!fake.ctx_set, "map %u failing: context set anyway", fail_at);
    }
    return true;
}

/* A 70 MiB bss is mapped in windows of at most 64 MiB. */
static bool builder_maps_big_segments_in_pieces(void)
{
    struct spec s;
    size_t len;
    int rc;

    EXPECT(fake_setup(80 * MIB), "out of memory");
    spec_default(&s);
    s.ph[1].p_memsz = 70 * MIB;
    len = spec_write(&s, img);
    rc = hvguest_build_elf(fake_handle, 5, img, len, NULL, NULL);
    EXPECT(rc == 0, "rc %d", rc);
    EXPECT(fake.largest_map <= 16384, "mapped %lu pages at once", (unsigned long)fake.largest_map);
    EXPECT(fake.maps_total >= 4, "only %u mappings", fake.maps_total);
    EXPECT(fake.ram[0x200000 + 70 * MIB - 1] == 0 && fake.ram[0x200000 + 64 * MIB] == 0,
           "bss end not zeroed");
    EXPECT(fake_live_maps() == 0 && fake.bad_unmaps == 0, "mappings left");
    return true;
}

static bool builder_reads_image_files(void)
{
    char path[] = "/tmp/test_elf.XXXXXX";
    struct spec s;
    struct hvguest_build_info info;
    size_t len;
    int fd, rc_good, rc_empty, rc_big, rc_dir, rc_missing;

    EXPECT(fake_setup(RAM_SIZE), "out of memory");
    spec_default(&s);
    len = spec_write(&s, img);
    fd = mkstemp(path);
    EXPECT(fd >= 0, "mkstemp: %s", strerror(errno));
    rc_good = write(fd, img, len) == (ssize_t)len
                  ? hvguest_build_elf_file(fake_handle, 5, path, NULL, &info) : -EIO;
    rc_empty = ftruncate(fd, 0) == 0 ? hvguest_build_elf_file(fake_handle, 5, path, NULL, NULL)
                                     : -EIO;
    rc_big = ftruncate(fd, (256 << 20) + 1) == 0
                 ? hvguest_build_elf_file(fake_handle, 5, path, NULL, NULL) : -EIO;
    close(fd);
    unlink(path);
    rc_dir = hvguest_build_elf_file(fake_handle, 5, "/tmp", NULL, NULL);
    rc_missing = hvguest_build_elf_file(fake_handle, 5, path, NULL, NULL);
    EXPECT(rc_good == 0 && info.entry == 0x100010, "good file: rc %d", rc_good);
    EXPECT(memcmp(fake.ram + 0x100000, img + DATA_OFF, 0x300) == 0, "file not loaded");
    EXPECT(rc_empty == -ENOEXEC, "empty file: rc %d, want -ENOEXEC", rc_empty);
    EXPECT(rc_big == -EFBIG, "256 MiB + 1 file: rc %d, want -EFBIG", rc_big);
    EXPECT(rc_dir == -EINVAL, "directory: rc %d, want -EINVAL", rc_dir);
    EXPECT(rc_missing == -ENOENT, "missing file: rc %d, want -ENOENT", rc_missing);
    return true;
}

/* ---- runner ---------------------------------------------------------------- */

#define TEST(fn) { #fn, fn }

static const struct {
    const char *name;
    bool (*fn)(void);
} tests[] = {
    TEST(elf_parses_good_image),
    TEST(elf_loads_bytes_and_zeroes_bss),
    TEST(elf_load_in_windows_matches_whole_load),
    TEST(elf_load_rejects_mismatched_image),
    TEST(elf_accepts_adjacent_segments_and_sorts),
    TEST(elf_accepts_64_segments),
    TEST(elf_skips_empty_load_segment),
    TEST(elf_rejects_truncated_header),
    TEST(elf_rejects_every_truncation),
    TEST(elf_rejects_non_x86_64_executables),
    TEST(elf_rejects_bad_program_header_table),
    TEST(elf_rejects_bad_segments),
    TEST(elf_segment_beyond_ram_is_e2big),
    TEST(elf_survives_fuzzing),
    TEST(elf32_parses_good_image),
    TEST(elf32_loads_bytes_and_zeroes_bss),
    TEST(elf32_rejects_every_truncation),
    TEST(elf32_rejects_non_i386_executables),
    TEST(elf32_rejects_malformed_headers),
    TEST(elf32_segments_end_at_or_below_4g),
    TEST(elf32_segment_beyond_ram_is_e2big),
    TEST(elf32_survives_fuzzing),
    TEST(layout_maps_16m),
    TEST(layout_maps_16m_plus_a_page),
    TEST(layout_maps_1g_plus_2m),
    TEST(layout_maps_4g),
    TEST(layout_maps_513g),
    TEST(layout_exact_fit_and_one_byte_over),
    TEST(layout_rejects_too_small_ram),
    TEST(layout_rejects_bad_input),
    TEST(start_info_fields_and_cmdline),
    TEST(vcpu_context_is_long_mode),
    TEST(layout32_16m),
    TEST(layout32_unaligned_image),
    TEST(layout32_6g_lists_all_ram),
    TEST(layout32_start_info_below_4g),
    TEST(layout32_rejects_bad_input_and_no_room),
    TEST(vcpu_context_is_flat_protected_mode),
    TEST(builder_builds_bootable_domain),
    TEST(builder_builds_32bit_domain),
    TEST(builder_writes_nothing_for_bad_32bit_image),
    TEST(builder_writes_nothing_for_bad_image),
    TEST(builder_checks_before_writing),
    TEST(builder_unmaps_when_mapping_fails),
    TEST(builder_maps_big_segments_in_pieces),
    TEST(builder_reads_image_files),
};

int main(void)
{
    unsigned int failed = 0;

    ram = malloc(RAM_SIZE);
    if (!ram) {
        fprintf(stderr, "test_elf: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        bool ok;

        why[0] = '\0';
        ok = tests[i].fn();
        fake_teardown();
        if (ok) {
            printf("ok %s\n", tests[i].name);
        } else {
            printf("not ok %s: %s\n", tests[i].name, why);
            failed++;
        }
    }
    free(ram);
    printf("%u passed, %u failed\n", (unsigned int)(sizeof(tests) / sizeof(tests[0])) - failed,
           failed);
    return failed ? 1 : 0;
}
