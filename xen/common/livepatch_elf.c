/*
 * The checked ELF view of livepatch_elf.h.  Nothing in the image is
 * trusted: every header is copied out before use (the image may be
 * unaligned), and every offset, size, index and string is bounded against
 * the image or the section it points into before anything follows it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/livepatch_elf.h>

#define MAX_SECTIONS  4096u
#define MAX_ALIGN     4096u
#define NOTE_NAME_GNU "GNU"

static int elf_fail(struct lp_elf *elf, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int elf_fail(struct lp_elf *elf, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(elf->error, sizeof(elf->error), fmt, ap);
    va_end(ap);
    return rc;
}

/* [off, off + len) lies inside a region of size octets. */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static int check_header(struct lp_elf *elf, unsigned int type)
{
    if (elf->size < sizeof(Elf64_Ehdr))
        return elf_fail(elf, -EINVAL, "shorter than an ELF header (%zu octets)", elf->size);
    memcpy(&elf->eh, elf->image, sizeof(elf->eh));
    const Elf64_Ehdr *eh = &elf->eh;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
        return elf_fail(elf, -EINVAL, "not an ELF file");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return elf_fail(elf, -EINVAL, "not a 64-bit little-endian ELF version 1 file");
    if (eh->e_machine != EM_X86_64)
        return elf_fail(elf, -EINVAL, "machine %u is not x86-64", eh->e_machine);
    if (type && eh->e_type != type)
        return elf_fail(elf, -EINVAL, "ELF type %u, not %u (a relocatable object)", eh->e_type,
                        type);
    if (eh->e_ehsize != sizeof(Elf64_Ehdr) || eh->e_shentsize != sizeof(Elf64_Shdr))
        return elf_fail(elf, -EINVAL, "ELF header or section header size is wrong");
    if (eh->e_shnum == 0 || eh->e_shnum > MAX_SECTIONS)
        return elf_fail(elf, -EINVAL, "%u sections (1..%u allowed)", eh->e_shnum, MAX_SECTIONS);
    if (!in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), elf->size))
        return elf_fail(elf, -EINVAL, "the section table lies outside the file");
    if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
        return elf_fail(elf, -EINVAL, "section-name table index %u is out of range",
                        eh->e_shstrndx);
    return 0;
}

/* A string table's contents: inside the file, ending with a NUL. */
static int check_strtab(struct lp_elf *elf, unsigned int i)
{
    const struct lp_elf_sec *s = &elf->secs[i];
    if (s->sh.sh_type != SHT_STRTAB || !s->data || s->sh.sh_size == 0 ||
        s->data[s->sh.sh_size - 1] != '\0')
        return elf_fail(elf, -EINVAL, "section %u is not a NUL-terminated string table", i);
    return 0;
}

/* The string at off in string table i, or NULL if off is outside it. */
static const char *strtab_at(const struct lp_elf *elf, unsigned int i, uint64_t off)
{
    const struct lp_elf_sec *s = &elf->secs[i];
    return off < s->sh.sh_size ? (const char *)s->data + off : NULL;
}

static int check_section(struct lp_elf *elf, unsigned int i)
{
    struct lp_elf_sec *s = &elf->secs[i];
    const Elf64_Shdr *sh = &s->sh;
    if (sh->sh_type != SHT_NOBITS && sh->sh_type != SHT_NULL) {
        if (!in_bounds(sh->sh_offset, sh->sh_size, elf->size))
            return elf_fail(elf, -EINVAL, "section %u (%s) lies outside the file", i, s->name);
        s->data = elf->image + sh->sh_offset;
    }
    if (sh->sh_addralign > MAX_ALIGN || (sh->sh_addralign & (sh->sh_addralign - 1)))
        return elf_fail(elf, -EINVAL,
                        "section %u (%s): alignment %llu is not a power of two up to %u", i,
                        s->name, (unsigned long long)sh->sh_addralign, MAX_ALIGN);
    if ((sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_RELA || sh->sh_type == SHT_REL) &&
        sh->sh_link >= elf->nsecs)
        return elf_fail(elf, -EINVAL, "section %u (%s): link %u is out of range", i, s->name,
                        sh->sh_link);
    return 0;
}

static int read_sections(struct lp_elf *elf)
{
    elf->nsecs = elf->eh.e_shnum;
    elf->secs = calloc(elf->nsecs, sizeof(*elf->secs));
    if (!elf->secs)
        return elf_fail(elf, -ENOMEM, "out of memory for %u sections", elf->nsecs);
    for (unsigned int i = 0; i < elf->nsecs; i++)
        memcpy(&elf->secs[i].sh, elf->image + elf->eh.e_shoff + (size_t)i * sizeof(Elf64_Shdr),
               sizeof(Elf64_Shdr));
    /* The name table first: every other section's name is checked against it. */
    unsigned int names = elf->eh.e_shstrndx;
    elf->secs[names].name = "(the section-name table)";
    int rc = check_section(elf, names);
    if (rc == 0)
        rc = check_strtab(elf, names);
    for (unsigned int i = 0; rc == 0 && i < elf->nsecs; i++) {
        elf->secs[i].name = strtab_at(elf, names, elf->secs[i].sh.sh_name);
        if (!elf->secs[i].name)
            return elf_fail(elf, -EINVAL, "section %u: name offset %u is outside the name table", i,
                            elf->secs[i].sh.sh_name);
        rc = check_section(elf, i);
    }
    return rc;
}

static int check_symbol(struct lp_elf *elf, unsigned int i)
{
    const struct lp_elf_sym *s = &elf->syms[i];
    uint16_t shndx = s->sym.st_shndx;
    if (shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON)
        return 0;
    if (shndx >= elf->nsecs)
        return elf_fail(elf, -EINVAL, "symbol %u (%s): section index %u is out of range", i,
                        s->name, shndx);
    /* A defined symbol's value is an offset into its section in a
     * relocatable object, an address elsewhere: only the first is checked. */
    const Elf64_Shdr *sh = &elf->secs[shndx].sh;
    if (elf->eh.e_type == ET_REL && !in_bounds(s->sym.st_value, 0, sh->sh_size))
        return elf_fail(elf, -EINVAL, "symbol %u (%s): value %#llx is outside section %u", i,
                        s->name, (unsigned long long)s->sym.st_value, shndx);
    return 0;
}

static int read_symbols(struct lp_elf *elf)
{
    for (unsigned int i = 0; i < elf->nsecs; i++) {
        if (elf->secs[i].sh.sh_type != SHT_SYMTAB)
            continue;
        if (elf->symtab)
            return elf_fail(elf, -EINVAL, "more than one symbol table (sections %u and %u)",
                            elf->symtab, i);
        elf->symtab = i;
    }
    if (!elf->symtab)
        return elf->eh.e_type == ET_REL ? elf_fail(elf, -EINVAL, "no symbol table") : 0;
    const struct lp_elf_sec *st = &elf->secs[elf->symtab];
    int rc = check_strtab(elf, st->sh.sh_link);
    if (rc)
        return rc;
    if (st->sh.sh_entsize != sizeof(Elf64_Sym) || st->sh.sh_size % sizeof(Elf64_Sym))
        return elf_fail(elf, -EINVAL, "symbol table entries are not %zu octets", sizeof(Elf64_Sym));
    elf->nsyms = (unsigned int)(st->sh.sh_size / sizeof(Elf64_Sym));
    elf->syms = elf->nsyms ? calloc(elf->nsyms, sizeof(*elf->syms)) : NULL;
    if (elf->nsyms && !elf->syms)
        return elf_fail(elf, -ENOMEM, "out of memory for %u symbols", elf->nsyms);
    for (unsigned int i = 0; i < elf->nsyms; i++) {
        struct lp_elf_sym *s = &elf->syms[i];
        memcpy(&s->sym, st->data + (size_t)i * sizeof(Elf64_Sym), sizeof(Elf64_Sym));
        s->name = strtab_at(elf, st->sh.sh_link, s->sym.st_name);
        if (!s->name)
            return elf_fail(elf, -EINVAL, "symbol %u: name offset %u is outside its string table",
                            i, s->sym.st_name);
        if ((rc = check_symbol(elf, i)))
            return rc;
    }
    return 0;
}

int lp_elf_reloc_width(uint32_t type)
{
    switch (type) {
    case R_X86_64_NONE:
        return 0;
    case R_X86_64_64:
        return 8;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
    case R_X86_64_32:
    case R_X86_64_32S:
        return 4;
    default:
        return -1;
    }
}

size_t lp_elf_nr_relas(const struct lp_elf_sec *sec)
{
    return sec->sh.sh_size / sizeof(Elf64_Rela);
}

Elf64_Rela lp_elf_rela(const struct lp_elf_sec *sec, size_t i)
{
    Elf64_Rela r;
    memcpy(&r, sec->data + i * sizeof(r), sizeof(r));
    return r;
}

static int check_relocation(struct lp_elf *elf, unsigned int i, const Elf64_Rela *r, size_t n)
{
    const struct lp_elf_sec *s = &elf->secs[i];
    const Elf64_Shdr *target = &elf->secs[s->sh.sh_info].sh;
    uint32_t type = (uint32_t)ELF64_R_TYPE(r->r_info);
    uint64_t sym = ELF64_R_SYM(r->r_info);
    int width = lp_elf_reloc_width(type);
    if (sym >= elf->nsyms)
        return elf_fail(elf, -EINVAL, "%s: relocation %zu: symbol index %llu is out of range",
                        s->name, n, (unsigned long long)sym);
    if (width < 0)
        return elf_fail(elf, -EOPNOTSUPP, "%s: relocation %zu: unsupported type %u", s->name, n,
                        type);
    if (!in_bounds(r->r_offset, (uint64_t)width, target->sh_size))
        return elf_fail(elf, -EINVAL, "%s: relocation %zu: offset %#llx is outside %s", s->name, n,
                        (unsigned long long)r->r_offset, elf->secs[s->sh.sh_info].name);
    return 0;
}

bool lp_elf_rela_applies(const struct lp_elf *elf, const struct lp_elf_sec *sec)
{
    return sec->sh.sh_type == SHT_RELA && sec->sh.sh_info < elf->nsecs &&
           (elf->secs[sec->sh.sh_info].sh.sh_flags & SHF_ALLOC);
}

/* A payload's relocation sections: RELA only; those for loaded sections checked. */
static int check_relocations(struct lp_elf *elf)
{
    for (unsigned int i = 0; i < elf->nsecs; i++) {
        const struct lp_elf_sec *s = &elf->secs[i];
        if (s->sh.sh_type == SHT_REL)
            return elf_fail(elf, -EOPNOTSUPP, "section %u (%s): SHT_REL relocations", i, s->name);
        if (s->sh.sh_type != SHT_RELA)
            continue;
        if (s->sh.sh_link != elf->symtab || s->sh.sh_entsize != sizeof(Elf64_Rela) ||
            s->sh.sh_size % sizeof(Elf64_Rela))
            return elf_fail(elf, -EINVAL,
                            "%s: not a table of %zu-octet relocations of the symbol table", s->name,
                            sizeof(Elf64_Rela));
        if (s->sh.sh_info == 0 || s->sh.sh_info >= elf->nsecs)
            return elf_fail(elf, -EINVAL, "%s: applies to section %u, which does not exist",
                            s->name, s->sh.sh_info);
        if (!lp_elf_rela_applies(elf, s))
            continue;                       /* debugging information: never loaded, never read */
        if (!elf->secs[s->sh.sh_info].data) /* SHT_NOBITS or SHT_NULL */
            return elf_fail(elf, -EINVAL, "%s: applies to %s, which has no contents", s->name,
                            elf->secs[s->sh.sh_info].name);
        for (size_t n = 0; n < lp_elf_nr_relas(s); n++) {
            Elf64_Rela r = lp_elf_rela(s, n);
            int rc = check_relocation(elf, i, &r, n);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int lp_elf_open(struct lp_elf *elf, const void *image, size_t size, unsigned int type)
{
    memset(elf, 0, sizeof(*elf));
    elf->image = image;
    elf->size = size;
    int rc = check_header(elf, type);
    if (rc == 0)
        rc = read_sections(elf);
    if (rc == 0)
        rc = read_symbols(elf);
    if (rc == 0 && elf->eh.e_type == ET_REL)
        rc = check_relocations(elf);
    if (rc) {
        char error[sizeof(elf->error)];
        memcpy(error, elf->error, sizeof(error));
        lp_elf_close(elf);
        memcpy(elf->error, error, sizeof(error));
    }
    return rc;
}

void lp_elf_close(struct lp_elf *elf)
{
    free(elf->secs);
    free(elf->syms);
    memset(elf, 0, sizeof(*elf));
}

int lp_elf_section(struct lp_elf *elf, const char *name, const struct lp_elf_sec **out)
{
    *out = NULL;
    for (unsigned int i = 0; i < elf->nsecs; i++) {
        if (strcmp(elf->secs[i].name, name))
            continue;
        if (*out)
            return elf_fail(elf, -EINVAL, "more than one %s section", name);
        *out = &elf->secs[i];
    }
    return *out ? 0 : -ENOENT;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

int lp_elf_build_id(struct lp_elf *elf, const struct lp_elf_sec *sec, size_t max,
                    const uint8_t **id, size_t *len)
{
    /* One note: namesz, descsz, type, "GNU\0", the id (4-octet padding between). */
    const size_t name_len = sizeof(NOTE_NAME_GNU), name_padded = 4;
    if (!sec->data || sec->sh.sh_size < 12 + name_padded)
        return elf_fail(elf, -EINVAL, "%s: not a build-id note", sec->name);
    uint32_t namesz = get32(sec->data), descsz = get32(sec->data + 4), type = get32(sec->data + 8);
    if (namesz != name_len || type != NT_GNU_BUILD_ID ||
        memcmp(sec->data + 12, NOTE_NAME_GNU, name_len))
        return elf_fail(elf, -EINVAL, "%s: not a GNU build-id note", sec->name);
    if (descsz == 0 || descsz > max || !in_bounds(12 + name_padded, descsz, sec->sh.sh_size))
        return elf_fail(elf, -EINVAL, "%s: a build-id of %u octets (1..%zu, inside the section)",
                        sec->name, descsz, max);
    *id = sec->data + 12 + name_padded;
    *len = descsz;
    return 0;
}
