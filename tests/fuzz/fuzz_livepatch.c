/*
 * libFuzzer target: hvd's live-patch loader on arbitrary input.  The
 * input is opened with the checked ELF view (xen/common/livepatch_elf.c)
 * and everything a loader reads is read: every section by name, every
 * note as a build-id, every relocation of every applied section.  Then
 * it is loaded for real (xen/common/livepatch_load.c) against this
 * program, which plays hvd as test_livepatch_load does: it resolves
 * symbols against this program's own, maps the payload near its code and
 * relocates it, and frees it again.  The build-id it stands for is the
 * placeholder of the seed tests/unit/lp_payload.o, so inputs derived from
 * that seed get past the build-id check to the relocations and the
 * function checks.  A crash, a sanitizer report or a leak is a bug.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined; see docs/fuzzing.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/livepatch.h>
#include <xen/livepatch_elf.h>
#include <xen/symbols.h>

#include "../unit/lp_host.h"

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

static void load(const uint8_t *image, size_t size)
{
    static uint8_t placeholder[20];
    static struct lp_env env = { .hvd_build_id = placeholder, .hvd_build_id_len = 20 };
    if (!env.nopatch_hi) {
        memset(placeholder, 0xee, sizeof(placeholder)); /* lp_payload.c's */
        if (symbols_init("/proc/self/exe"))
            abort(); /* the harness itself is broken */
        env.nopatch_lo = (uintptr_t)lp_helper;
        env.nopatch_hi = env.nopatch_lo + 1;
    }
    struct lp_payload *p;
    char error[256];
    if (lp_load("fuzz", image, size, &env, &p, error, sizeof(error)))
        return;
    uint8_t octets[LIVEPATCH_EXPECT_MAX];
    for (size_t i = 0; i < p->npatches; i++)
        lp_original_octets(p, p->patches[i].old_addr, octets, p->patches[i].len);
    sink += p->nexports + p->memory;
    lp_free(p);
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
        load(image, size);
    }
    free(image);
    return 0;
}
