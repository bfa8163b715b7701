/*
 * Unit tests of the checked ELF view hvd's live-patch loader reads
 * payloads with (xen/common/livepatch_elf.c), on a payload-shaped object
 * built with the tests (tests/unit/lp_fixture.c) and on copies of it
 * broken one field at a time; and of hvd's binary as docs/livepatch.md
 * says a patchable hvd must be.
 *
 * Usage: test_livepatch_elf [--write-seeds DIR]   (the fuzzer's corpus)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/livepatch_elf.h>

#include "cases.h"

#ifndef LP_FIXTURE
#error "LP_FIXTURE (the built tests/unit/lp_fixture.o) is set by tests/unit/livepatch.am"
#endif
#ifndef HVD_BINARY
#error "HVD_BINARY (the built xen/hvd) is set by tests/unit/livepatch.am"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct file {
    uint8_t *data;
    size_t size;
};

static struct file fixture, hvd;

static int read_file(const char *path, struct file *f)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
        perror(path);
        return -1;
    }
    f->size = (size_t)st.st_size;
    f->data = malloc(f->size);
    if (!f->data || read(fd, f->data, f->size) != (ssize_t)f->size) {
        perror(path);
        return -1;
    }
    close(fd);
    return 0;
}

/* A copy of the fixture, to break; freed by check_refused(). */
static uint8_t *copy_fixture(void)
{
    uint8_t *c = malloc(fixture.size);
    if (!c)
        abort();
    memcpy(c, fixture.data, fixture.size);
    return c;
}

/* The fixture, opened: where its parts are. */
static struct lp_elf good;

/* The fixture's code and its relocations: lp_fixture.c's function, in
 * its own section (it is compiled as hvd is, -ffunction-sections). */
#define CODE      ".text.fixture_xen_version"
#define CODE_RELA ".rela.text.fixture_xen_version"

static const struct lp_elf_sec *good_section(const char *name)
{
    const struct lp_elf_sec *s;
    if (lp_elf_section(&good, name, &s)) {
        printf("not ok the fixture has one section %s\n", name);
        exit(1);
    }
    return s;
}

static size_t section_header_offset(const struct lp_elf_sec *s)
{
    return good.eh.e_shoff + (size_t)(s - good.secs) * sizeof(Elf64_Shdr);
}

static void put(uint8_t *img, size_t off, const void *v, size_t len)
{
    memcpy(img + off, v, len);
}

/* img (size octets) is refused with rc and an error containing what; frees img. */
static bool check_refused(uint8_t *img, size_t size, int rc, const char *what)
{
    struct lp_elf e;
    int got = lp_elf_open(&e, img, size, ET_REL);
    char error[sizeof(e.error)];
    memcpy(error, e.error, sizeof(error));
    if (got == 0)
        lp_elf_close(&e);
    free(img);
    CHECK(got == rc, "rc %d (%s), want %d", got, error, rc);
    CHECK(strstr(error, what), "error '%s' does not say '%s'", error, what);
    return true;
}

static bool fixture_opens(void)
{
    const struct lp_elf_sec *funcs = good_section(".livepatch.funcs");
    CHECK(funcs && funcs->sh.sh_size == 80, "no 80-octet .livepatch.funcs");
    CHECK(good.symtab && good.nsyms > 4, "symbol table: section %u, %u symbols", good.symtab,
          good.nsyms);
    const struct lp_elf_sec *rela = good_section(".rela.livepatch.funcs");
    CHECK(rela && lp_elf_rela_applies(&good, rela) && lp_elf_nr_relas(rela) == 2,
          ".rela.livepatch.funcs: not 2 relocations applied to the funcs");
    const struct lp_elf_sec *dbg = good_section(".rela.debug_info");
    CHECK(dbg && !lp_elf_rela_applies(&good, dbg), "debug relocations would be applied");
    bool found = false;
    for (unsigned int i = 0; i < good.nsyms; i++)
        found |= strcmp(good.syms[i].name, "do_xen_version") == 0 &&
                 good.syms[i].sym.st_shndx == SHN_UNDEF;
    CHECK(found, "the undefined symbol do_xen_version is not in the view");
    return true;
}

static bool build_ids_read(void)
{
    const uint8_t *id;
    size_t len;
    const struct lp_elf_sec *own = good_section(".note.gnu.build-id");
    const struct lp_elf_sec *dep = good_section(".livepatch.hvd_depends");
    CHECK(own && dep, "no build-id notes");
    CHECK(lp_elf_build_id(&good, own, 40, &id, &len) == 0 && len == 20, "own: %s", good.error);
    CHECK(lp_elf_build_id(&good, dep, 40, &id, &len) == 0 && len == 20 && id[0] == 1 &&
              id[19] == 20,
          "hvd_depends: %s", good.error);
    CHECK(lp_elf_build_id(&good, dep, 19, &id, &len) == -EINVAL, "a 20-octet id over max 19");
    CHECK(lp_elf_build_id(&good, good_section(CODE), 40, &id, &len) == -EINVAL,
          "code read as a note");
    return true;
}

static bool every_truncation_refused(void)
{
    for (size_t n = 0; n < fixture.size; n++) {
        uint8_t *img = malloc(n ? n : 1);
        if (!img)
            abort();
        memcpy(img, fixture.data, n);
        struct lp_elf e;
        int rc = lp_elf_open(&e, img, n, ET_REL);
        if (rc == 0)
            lp_elf_close(&e);
        free(img);
        /* The section table is at the end: every cut loses some of it. */
        CHECK(rc == -EINVAL, "cut at %zu: rc %d", n, rc);
    }
    return true;
}

static bool header_fields_refused(void)
{
    static const struct {
        size_t off;
        uint8_t value;
        const char *what;
    } cases[] = {
        { 0, 0x7e, "not an ELF file" },
        { EI_CLASS, ELFCLASS32, "64-bit" },
        { EI_DATA, ELFDATA2MSB, "little-endian" },
        { EI_VERSION, 0, "version 1" },
        { offsetof(Elf64_Ehdr, e_type), ET_DYN, "relocatable" },
        { offsetof(Elf64_Ehdr, e_machine), EM_386, "x86-64" },
        { offsetof(Elf64_Ehdr, e_shentsize), 32, "header size" },
        { offsetof(Elf64_Ehdr, e_ehsize), 32, "header size" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t *img = copy_fixture();
        img[cases[i].off] = cases[i].value;
        if (!check_refused(img, fixture.size, -EINVAL, cases[i].what))
            return set_why("header octet %zu = %u: %s", cases[i].off, cases[i].value, why), false;
    }
    return true;
}

static bool section_table_refused(void)
{
    uint8_t *img = copy_fixture();
    uint64_t off = fixture.size - 8;
    put(img, offsetof(Elf64_Ehdr, e_shoff), &off, sizeof(off));
    if (!check_refused(img, fixture.size, -EINVAL, "section table lies outside"))
        return false;
    img = copy_fixture();
    uint16_t n = 0;
    put(img, offsetof(Elf64_Ehdr, e_shnum), &n, sizeof(n));
    if (!check_refused(img, fixture.size, -EINVAL, "0 sections"))
        return false;
    img = copy_fixture();
    n = good.eh.e_shnum;
    put(img, offsetof(Elf64_Ehdr, e_shstrndx), &n, sizeof(n));
    return check_refused(img, fixture.size, -EINVAL, "section-name table index");
}

/* Section s's header field at offset field set to value (8 or 4 octets). */
static uint8_t *with_section_field(const char *name, size_t field, uint64_t value, size_t width)
{
    uint8_t *img = copy_fixture();
    put(img, section_header_offset(good_section(name)) + field, &value, width);
    return img;
}

static bool section_fields_refused(void)
{
    static const struct {
        const char *section;
        size_t field, width;
        uint64_t value;
        int rc;
        const char *what;
    } cases[] = {
        { CODE, offsetof(Elf64_Shdr, sh_offset), 8, 1ull << 40, -EINVAL, "outside the file" },
        { CODE, offsetof(Elf64_Shdr, sh_size), 8, ~0ull, -EINVAL, "outside the file" },
        { CODE, offsetof(Elf64_Shdr, sh_addralign), 8, 24, -EINVAL, "power of two" },
        { CODE, offsetof(Elf64_Shdr, sh_addralign), 8, 8192, -EINVAL, "power of two" },
        { CODE, offsetof(Elf64_Shdr, sh_name), 4, 1u << 20, -EINVAL, "outside the name table" },
        { ".symtab", offsetof(Elf64_Shdr, sh_link), 4, 999, -EINVAL, "link 999" },
        { ".symtab", offsetof(Elf64_Shdr, sh_entsize), 8, 16, -EINVAL, "symbol table entries" },
        { ".symtab", offsetof(Elf64_Shdr, sh_type), 4, SHT_PROGBITS, -EINVAL, "no symbol table" },
        { CODE_RELA, offsetof(Elf64_Shdr, sh_type), 4, SHT_REL, -EOPNOTSUPP, "SHT_REL" },
        { CODE_RELA, offsetof(Elf64_Shdr, sh_info), 4, 999, -EINVAL, "does not exist" },
        { CODE_RELA, offsetof(Elf64_Shdr, sh_entsize), 8, 16, -EINVAL, "relocations" },
        { CODE_RELA, offsetof(Elf64_Shdr, sh_size), 8, 20, -EINVAL, "relocations" },
        { ".strtab", offsetof(Elf64_Shdr, sh_size), 8, 5, -EINVAL, "string table" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t *img =
            with_section_field(cases[i].section, cases[i].field, cases[i].value, cases[i].width);
        if (!check_refused(img, fixture.size, cases[i].rc, cases[i].what))
            return set_why("case %zu (%s field %zu): %s", i, cases[i].section, cases[i].field, why),
                   false;
    }
    /* Links to sections of the wrong kind. */
    uint8_t *img = with_section_field(".symtab", offsetof(Elf64_Shdr, sh_link),
                                      (uint64_t)(good_section(CODE) - good.secs), 4);
    if (!check_refused(img, fixture.size, -EINVAL, "string table"))
        return false;
    img = with_section_field(CODE_RELA, offsetof(Elf64_Shdr, sh_info),
                             (uint64_t)(good_section(".bss") - good.secs), 4);
    if (!check_refused(img, fixture.size, -EINVAL, "no contents"))
        return false;
    /* Allocated but SHT_NULL (the fuzzer's first find): no contents either. */
    img = with_section_field(CODE, offsetof(Elf64_Shdr, sh_type), SHT_NULL, 4);
    return check_refused(img, fixture.size, -EINVAL, "no contents");
}

static size_t symbol_offset(unsigned int i)
{
    return good.secs[good.symtab].sh.sh_offset + (size_t)i * sizeof(Elf64_Sym);
}

static unsigned int symbol_named(const char *name)
{
    for (unsigned int i = 0; i < good.nsyms; i++)
        if (strcmp(good.syms[i].name, name) == 0)
            return i;
    return 0;
}

static bool symbols_refused(void)
{
    unsigned int i = symbol_named("fixture_xen_version");
    CHECK(i, "no fixture_xen_version symbol");
    uint8_t *img = copy_fixture();
    uint32_t name = 1u << 24;
    put(img, symbol_offset(i) + offsetof(Elf64_Sym, st_name), &name, sizeof(name));
    if (!check_refused(img, fixture.size, -EINVAL, "outside its string table"))
        return false;
    img = copy_fixture();
    uint16_t shndx = (uint16_t)good.nsecs;
    put(img, symbol_offset(i) + offsetof(Elf64_Sym, st_shndx), &shndx, sizeof(shndx));
    if (!check_refused(img, fixture.size, -EINVAL, "section index"))
        return false;
    img = copy_fixture();
    uint64_t value = 1ull << 32;
    put(img, symbol_offset(i) + offsetof(Elf64_Sym, st_value), &value, sizeof(value));
    return check_refused(img, fixture.size, -EINVAL, "outside section");
}

/* The first relocation of .rela.livepatch.funcs with field set. */
static uint8_t *with_relocation_field(size_t field, uint64_t value)
{
    uint8_t *img = copy_fixture();
    put(img, good_section(".rela.livepatch.funcs")->sh.sh_offset + field, &value, sizeof(value));
    return img;
}

static bool relocations_refused(void)
{
    Elf64_Rela r = lp_elf_rela(good_section(".rela.livepatch.funcs"), 0);
    uint8_t *img = with_relocation_field(offsetof(Elf64_Rela, r_info),
                                         ELF64_R_INFO(good.nsyms, ELF64_R_TYPE(r.r_info)));
    if (!check_refused(img, fixture.size, -EINVAL, "symbol index"))
        return false;
    img = with_relocation_field(offsetof(Elf64_Rela, r_info),
                                ELF64_R_INFO(ELF64_R_SYM(r.r_info), R_X86_64_GOTPCREL));
    if (!check_refused(img, fixture.size, -EOPNOTSUPP, "unsupported type 9"))
        return false;
    img = with_relocation_field(offsetof(Elf64_Rela, r_offset), 76); /* 8 octets at 76 of 80 */
    if (!check_refused(img, fixture.size, -EINVAL, "outside .livepatch.funcs"))
        return false;
    img = with_relocation_field(offsetof(Elf64_Rela, r_offset), ~0ull);
    return check_refused(img, fixture.size, -EINVAL, "outside .livepatch.funcs");
}

static bool duplicate_section_found(void)
{
    /* Rename .livepatch.hooks.load to .livepatch.funcs: two of them. */
    uint8_t *img = copy_fixture();
    const struct lp_elf_sec *hooks = good_section(".livepatch.hooks.load");
    const struct lp_elf_sec *funcs = good_section(".livepatch.funcs");
    put(img, section_header_offset(hooks) + offsetof(Elf64_Shdr, sh_name), &funcs->sh.sh_name,
        sizeof(funcs->sh.sh_name));
    struct lp_elf e;
    const struct lp_elf_sec *s;
    CHECK(lp_elf_open(&e, img, fixture.size, ET_REL) == 0, "%s", e.error);
    int rc = lp_elf_section(&e, ".livepatch.funcs", &s);
    bool named = strstr(e.error, "more than one .livepatch.funcs") != NULL;
    int none = lp_elf_section(&e, ".livepatch.nothing", &s);
    lp_elf_close(&e);
    free(img);
    CHECK(rc == -EINVAL && named, "rc %d for two .livepatch.funcs", rc);
    CHECK(none == -ENOENT, "rc %d for a missing section", none);
    return true;
}

static bool reloc_widths(void)
{
    CHECK(lp_elf_reloc_width(R_X86_64_NONE) == 0 && lp_elf_reloc_width(R_X86_64_64) == 8 &&
              lp_elf_reloc_width(R_X86_64_PC32) == 4 && lp_elf_reloc_width(R_X86_64_PLT32) == 4 &&
              lp_elf_reloc_width(R_X86_64_32) == 4 && lp_elf_reloc_width(R_X86_64_32S) == 4,
          "a supported type has the wrong width");
    CHECK(lp_elf_reloc_width(R_X86_64_GOTPCRELX) < 0 && lp_elf_reloc_width(R_X86_64_TPOFF32) < 0,
          "an unsupported type is accepted");
    return true;
}

/* ---- hvd's binary ---- */

static struct lp_elf hvd_elf;

static const Elf64_Sym *hvd_symbol(const char *name)
{
    for (unsigned int i = 0; i < hvd_elf.nsyms; i++)
        if (strcmp(hvd_elf.syms[i].name, name) == 0)
            return &hvd_elf.syms[i].sym;
    return NULL;
}

/* The octets at virtual address addr of hvd's image (n of them), or NULL. */
static const uint8_t *hvd_text_at(uint64_t addr, size_t n)
{
    for (unsigned int i = 0; i < hvd_elf.nsecs; i++) {
        const Elf64_Shdr *sh = &hvd_elf.secs[i].sh;
        if ((sh->sh_flags & SHF_EXECINSTR) && hvd_elf.secs[i].data && addr >= sh->sh_addr &&
            addr - sh->sh_addr + n <= sh->sh_size)
            return hvd_elf.secs[i].data + (addr - sh->sh_addr);
    }
    return NULL;
}

static bool hvd_is_patchable(void)
{
    CHECK(lp_elf_open(&hvd_elf, hvd.data, hvd.size, 0) == 0, "%s: %s", HVD_BINARY, hvd_elf.error);
    const struct lp_elf_sec *s;
    const uint8_t *id;
    size_t len;
    CHECK(lp_elf_section(&hvd_elf, ".note.gnu.build-id", &s) == 0 &&
              lp_elf_build_id(&hvd_elf, s, 40, &id, &len) == 0 && len == 20,
          "no 20-octet build-id");
    CHECK(lp_elf_section(&hvd_elf, ".hv.build_flags", &s) == 0 && !(s->sh.sh_flags & SHF_ALLOC) &&
              s->sh.sh_size > 1 && s->data[s->sh.sh_size - 1] == '\0' &&
              strstr((const char *)s->data, "-fpatchable-function-entry=5"),
          "no .hv.build_flags naming the patchable-entry flag");
    unsigned int funcs = 0;
    for (unsigned int i = 0; i < hvd_elf.nsyms; i++) {
        const struct lp_elf_sym *y = &hvd_elf.syms[i];
        /* _start and the size-0 ones: the C runtime's start-up code, not
         * hvd's; .cold: the unlikely part of a function, moved away. */
        if (ELF64_ST_TYPE(y->sym.st_info) != STT_FUNC || y->sym.st_shndx == SHN_UNDEF ||
            y->sym.st_size == 0 || strstr(y->name, ".cold") || strcmp(y->name, "_start") == 0)
            continue;
        const uint8_t *code = hvd_text_at(y->sym.st_value, 5);
        CHECK(y->sym.st_size >= 5, "%s is %llu octets", y->name,
              (unsigned long long)y->sym.st_size);
        CHECK(code && !memcmp(code, "\x90\x90\x90\x90\x90", 5), "%s does not start with 5 NOPs",
              y->name);
        funcs++;
    }
    CHECK(funcs > 100, "only %u functions", funcs);
    CHECK(lp_elf_section(&hvd_elf, "hv_nopatch_text", &s) == 0, "no hv_nopatch_text section");
    static const char *const nopatch[] = { "main", "privcmd_run", "vcpu_thread", "kick_handler" };
    for (size_t i = 0; i < ARRAY_SIZE(nopatch); i++) {
        const Elf64_Sym *y = hvd_symbol(nopatch[i]);
        CHECK(y && &hvd_elf.secs[y->st_shndx] == s, "%s is not in hv_nopatch_text", nopatch[i]);
    }
    const Elf64_Sym *y = hvd_symbol("do_xen_version");
    CHECK(y && &hvd_elf.secs[y->st_shndx] != s, "do_xen_version is missing or not patchable");
    return true;
}

static int write_seeds(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/fixture.o", dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(fixture.data, 1, fixture.size, f) != fixture.size || fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (read_file(LP_FIXTURE, &fixture) || read_file(HVD_BINARY, &hvd))
        return 1;
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
        return write_seeds(argv[2]);
    if (lp_elf_open(&good, fixture.data, fixture.size, ET_REL)) {
        printf("not ok the fixture opens: %s\n", good.error);
        return 1;
    }
    static const struct test tests[] = {
        TEST(fixture_opens),         TEST(build_ids_read),        TEST(every_truncation_refused),
        TEST(header_fields_refused), TEST(section_table_refused), TEST(section_fields_refused),
        TEST(symbols_refused),       TEST(relocations_refused),   TEST(duplicate_section_found),
        TEST(reloc_widths),          TEST(hvd_is_patchable),
    };
    int failed = run_cases("test_livepatch_elf", tests, ARRAY_SIZE(tests));
    lp_elf_close(&good);
    lp_elf_close(&hvd_elf);
    free(fixture.data);
    free(hvd.data);
    return failed ? 1 : 0;
}
