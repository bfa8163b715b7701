/*
 * libFuzzer target: the checked ELF view hvd's live-patch loader reads
 * payloads with (xen/common/livepatch_elf.c), on arbitrary input.  The
 * input is opened as a payload; if it opens, everything a loader reads
 * is read: every section looked up by name, every note as a build-id,
 * every relocation of every applied section, and every symbol's name.
 * A crash, a sanitizer report or a leak is a bug in the view.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined; see docs/fuzzing.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/livepatch_elf.h>

static volatile size_t sink;

static void read_everything(struct lp_elf *elf)
{
    for (unsigned int i = 0; i < elf->nsecs; i++) {
        const struct lp_elf_sec *s = &elf->secs[i], *found;
        const uint8_t *id;
        size_t len;
        if (lp_elf_section(elf, s->name, &found) == 0)
            sink += found->sh.sh_size;
        if (s->sh.sh_type == SHT_NOTE && lp_elf_build_id(elf, s, 40, &id, &len) == 0)
            sink += id[len - 1];
        if (!lp_elf_rela_applies(elf, s))
            continue;
        for (size_t n = 0; n < lp_elf_nr_relas(s); n++) {
            Elf64_Rela r = lp_elf_rela(s, n);
            const struct lp_elf_sym *y = &elf->syms[ELF64_R_SYM(r.r_info)];
            const uint8_t *place = elf->secs[s->sh.sh_info].data + r.r_offset;
            int width = lp_elf_reloc_width((uint32_t)ELF64_R_TYPE(r.r_info));
            sink += strlen(y->name) + (width > 0 ? place[width - 1] : 0);
        }
    }
    for (unsigned int i = 0; i < elf->nsyms; i++)
        sink += strlen(elf->syms[i].name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly the input's size, so that any read past it is caught. */
    uint8_t *image = malloc(size ? size : 1);
    if (!image)
        abort();
    memcpy(image, data, size);
    struct lp_elf elf;
    if (lp_elf_open(&elf, image, size, ET_REL) == 0) {
        read_everything(&elf);
        lp_elf_close(&elf);
    }
    free(image);
    return 0;
}
