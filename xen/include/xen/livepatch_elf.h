/*
 * A checked view of a 64-bit little-endian x86-64 ELF file in memory: its
 * sections, its one symbol table and its relocations, every offset, index
 * and string bounded before use (docs/livepatch.md, "What hvd checks").
 * hvd reads payloads and its own image with it, patchtool reads hvd's
 * binary and the objects it builds, and a fuzzer attacks it.  It depends
 * on nothing in hvd: failures return -errno and leave one line in
 * elf->error naming what was wrong.
 */
#ifndef HV_XEN_LIVEPATCH_ELF_H
#define HV_XEN_LIVEPATCH_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lp_elf_sec {
    Elf64_Shdr sh;       /* a copy: the image need not be aligned */
    const char *name;    /* inside the section-name table */
    const uint8_t *data; /* sh.sh_size octets in the image; NULL for SHT_NOBITS */
};

struct lp_elf_sym {
    Elf64_Sym sym;
    const char *name; /* inside the symbol string table; "" for none */
};

struct lp_elf {
    const uint8_t *image;
    size_t size;
    Elf64_Ehdr eh;
    struct lp_elf_sec *secs; /* eh.e_shnum of them */
    unsigned int nsecs;
    struct lp_elf_sym *syms; /* the SHT_SYMTAB's entries; NULL if it has none */
    unsigned int nsyms;
    unsigned int symtab; /* its section index, 0 if none */
    char error[160];
};

/*
 * Check the ELF header, every section header and string table, the one
 * symbol table and every symbol; type is ET_REL for a payload (whose
 * relocation sections are then checked too, and which must have a symbol
 * table), or 0 for any type.  The image must outlive the view.
 */
int lp_elf_open(struct lp_elf *elf, const void *image, size_t size, unsigned int type);
void lp_elf_close(struct lp_elf *elf);

/* The one section of that name: 0, -ENOENT if none, -EINVAL if several. */
int lp_elf_section(struct lp_elf *elf, const char *name, const struct lp_elf_sec **out);

/* A relocation section hvd applies: SHT_RELA for an allocated section
 * (those for debugging information are ignored). */
bool lp_elf_rela_applies(const struct lp_elf *elf, const struct lp_elf_sec *sec);
/* Relocation i of SHT_RELA section sec, copied out (checked by lp_elf_open()). */
Elf64_Rela lp_elf_rela(const struct lp_elf_sec *sec, size_t i);
size_t lp_elf_nr_relas(const struct lp_elf_sec *sec);
/* Octets a relocation of this type writes; 0 for R_X86_64_NONE, -1 if unsupported. */
int lp_elf_reloc_width(uint32_t type);

/*
 * The build-id in a note section (name "GNU", type NT_GNU_BUILD_ID,
 * 1..max octets): 0 with *id pointing into the section, or -EINVAL.
 */
int lp_elf_build_id(struct lp_elf *elf, const struct lp_elf_sec *sec, size_t max,
                    const uint8_t **id, size_t *len);

#endif
