/*
 * Unit tests of the live-patch loader (xen/common/livepatch_load.c) and
 * the x86 patch writer, with this program in hvd's place: it is built as
 * hvd is (function sections, 5-NOP entries, a build-id) and reads its own
 * symbols, and the payload (tests/unit/lp_payload.o) replaces its
 * lp_target_answer.  The patch is written and undone for real, and the
 * function called in between.  Broken copies of the payload are each
 * refused with their error, leaving no mapping behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/livepatch.h>
#include <xen/livepatch_elf.h>
#include <xen/symbols.h>

#include "cases.h"
#include "lp_host.h"

#ifndef LP_PAYLOAD
#error "LP_PAYLOAD (the built tests/unit/lp_payload.o) is set by tests/unit/livepatch.am"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A function no payload may patch, with a name as long as the target's. */
HV_NOPATCH long lp_nopatch_bound(long x)
{
    return x - 1;
}

extern const char __start_hv_nopatch_text[], __stop_hv_nopatch_text[];

static uint8_t *payload;
static size_t payload_size;
static struct lp_env env;
static uint8_t own_id[LIVEPATCH_BUILD_ID_MAX];
static struct lp_elf view; /* of the pristine payload: where its parts are */
static char error[256];

/* The payload as patchtool would finish it: this program's build-id in
 * .livepatch.hvd_depends. */
static uint8_t *finished_copy(void)
{
    const struct lp_elf_sec *dep;
    uint8_t *c = malloc(payload_size);
    if (!c || lp_elf_section(&view, ".livepatch.hvd_depends", &dep))
        abort();
    memcpy(c, payload, payload_size);
    memcpy(c + dep->sh.sh_offset + 16, own_id, 20);
    return c;
}

static size_t section_offset(const char *name)
{
    const struct lp_elf_sec *s;
    if (lp_elf_section(&view, name, &s))
        abort();
    return s->sh.sh_offset;
}

static int count_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    int n = 0, c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

/* img is refused with rc and an error saying what; no mapping is left. */
static bool refused(uint8_t *img, int rc, const char *what)
{
    struct lp_payload *p = NULL;
    int maps = count_mappings();
    int got = lp_load("bad", img, payload_size, &env, &p, error, sizeof(error));
    free(img);
    lp_free(p);
    CHECK(got == rc, "rc %d (%s), want %d", got, error, rc);
    CHECK(!p, "a payload came back with an error");
    CHECK(strstr(error, what), "error '%s' does not say '%s'", error, what);
    CHECK(count_mappings() == maps, "mappings went from %d to %d", maps, count_mappings());
    return true;
}

static const struct lp_export *export_named(const struct lp_payload *p, const char *name)
{
    for (size_t i = 0; i < p->nexports; i++)
        if (strcmp(p->exports[i].name, name) == 0)
            return &p->exports[i];
    return NULL;
}

static bool write_patch(struct lp_patch *t, bool apply)
{
    uint8_t insn[LIVEPATCH_EXPECT_MAX];
    if (apply) {
        memcpy(t->saved, (const void *)t->old_addr, t->len);
        arch_livepatch_insn(t, insn);
    }
    int rc = arch_livepatch_write(t->old_addr, apply ? insn : t->saved, t->len);
    CHECK(rc == 0, "writing the patch: %s", strerror(-rc));
    t->applied = apply;
    return true;
}

static bool loads_applies_and_reverts(void)
{
    struct lp_payload *p;
    uint8_t *img = finished_copy();
    int rc = lp_load("good", img, payload_size, &env, &p, error, sizeof(error));
    free(img);
    CHECK(rc == 0, "load: %d %s", rc, error);
    bool ok = false;
    const struct lp_export *runs = export_named(p, "lp_load_hook_runs");
    struct lp_patch *t = &p->patches[0];
    if (p->npatches != 1 || t->old_addr != (uintptr_t)lp_target_answer || t->len != 5 ||
        strcmp(t->name, "lp_target_answer")) {
        set_why("patch: %zu functions, old %#lx, len %u", p->npatches, (unsigned long)t->old_addr,
                t->len);
    } else if (!runs || p->hooks[LP_HOOK_LOAD].n != 1 || !export_named(p, "lp_new_answer")) {
        set_why("exports or the load hook are missing");
    } else {
        ((void (*)(void))(uintptr_t)p->hooks[LP_HOOK_LOAD].fn[0])();
        long before = lp_target_answer(3);
        ok = *(int *)runs->addr == 1 && write_patch(t, true);
        long during = lp_target_answer(3);
        uint8_t original[10];
        lp_original_octets(p, t->old_addr, original, sizeof(original));
        ok = ok && write_patch(t, false);
        long after = lp_target_answer(3);
        if (ok && (before != 4 || during != 3000 || after != 4 || original[0] != 0x90))
            ok = false, set_why("answers %ld, %ld, %ld (want 4, 3000, 4)", before, during, after);
    }
    lp_free(p);
    return ok;
}

static bool another_hvd_refused(void)
{
    uint8_t *img = malloc(payload_size);
    if (!img)
        abort();
    memcpy(img, payload, payload_size); /* the placeholder build-id */
    return refused(img, -EINVAL, "another hvd");
}

static bool same_build_id_refused(void)
{
    struct lp_payload *p;
    uint8_t *img = finished_copy();
    int rc = lp_load("first", img, payload_size, &env, &p, error, sizeof(error));
    free(img);
    CHECK(rc == 0, "load: %s", error);
    env.loaded = p;
    bool ok = refused(finished_copy(), -EEXIST, "same build-id");
    env.loaded = NULL;
    lp_free(p);
    return ok;
}

static bool wrong_expectation_refused(void)
{
    uint8_t *img = finished_copy();
    img[section_offset(".livepatch.funcs") + offsetof(struct livepatch_func, expect) + 2 + 5] ^= 1;
    return refused(img, -EINVAL, "does not start with the octets");
}

static bool wrong_old_size_refused(void)
{
    uint8_t *img = finished_copy();
    uint32_t size = 11;
    memcpy(img + section_offset(".livepatch.funcs") + offsetof(struct livepatch_func, old_size),
           &size, sizeof(size));
    return refused(img, -EINVAL, "old_size 11");
}

static bool bad_version_refused(void)
{
    uint8_t *img = finished_copy();
    img[section_offset(".livepatch.funcs") + offsetof(struct livepatch_func, version)] = 2;
    return refused(img, -EINVAL, "version 2");
}

/* The payload with string `from` (in its string tables) replaced by `to`, as long. */
static uint8_t *with_string(const char *from, const char *to)
{
    uint8_t *img = finished_copy();
    size_t n = strlen(from);
    for (size_t i = 0; i + n <= payload_size; i++)
        if (memcmp(img + i, from, n) == 0 && img[i + n] == '\0')
            memcpy(img + i, to, n);
    return img;
}

static bool unknown_symbol_refused(void)
{
    return refused(with_string("lp_helper", "lp_helpeX"), -ENOENT, "symbol lp_helpeX");
}

static bool unknown_function_refused(void)
{
    return refused(with_string("lp_target_answer", "lp_target_answeX"), -ENOENT,
                   "lp_target_answeX: hvd has no such function");
}

static bool nopatch_target_refused(void)
{
    return refused(with_string("lp_target_answer", "lp_nopatch_bound"), -EINVAL,
                   "may not be patched");
}

/* The first relocation of section rela with its type or addend changed. */
static uint8_t *with_relocation(const char *rela, uint32_t type, int64_t addend)
{
    uint8_t *img = finished_copy();
    Elf64_Rela r;
    size_t off = section_offset(rela);
    memcpy(&r, img + off, sizeof(r));
    if (type)
        r.r_info = ELF64_R_INFO(ELF64_R_SYM(r.r_info), type);
    r.r_addend += addend;
    memcpy(img + off, &r, sizeof(r));
    return img;
}

static bool relocation_overflow_refused(void)
{
    /* The name's address, far above 4 GiB in a PIE process, as 32 bits. */
    return refused(with_relocation(".rela.livepatch.funcs", R_X86_64_32, 0), -EOVERFLOW,
                   "does not fit 32 bits");
}

static bool hook_outside_code_refused(void)
{
    return refused(with_relocation(".rela.livepatch.hooks.load", 0, 1 << 20), -EINVAL,
                   "not in the payload's code");
}

static bool every_truncation_refused(void)
{
    int maps = count_mappings();
    for (size_t n = 0; n < payload_size; n += 7) {
        uint8_t *img = finished_copy();
        struct lp_payload *p = NULL;
        int rc = lp_load("cut", img, n, &env, &p, error, sizeof(error));
        free(img);
        lp_free(p);
        CHECK(rc < 0, "cut at %zu: loaded", n);
    }
    CHECK(count_mappings() == maps, "mappings went from %d to %d", maps, count_mappings());
    return true;
}

static int read_payload(void)
{
    int fd = open(LP_PAYLOAD, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 ||
        !(payload = malloc((size_t)st.st_size)) ||
        read(fd, payload, (size_t)st.st_size) != st.st_size) {
        perror(LP_PAYLOAD);
        return -1;
    }
    close(fd);
    payload_size = (size_t)st.st_size;
    return lp_elf_open(&view, payload, payload_size, ET_REL);
}

int main(void)
{
    int rc = symbols_init("/proc/self/exe");
    if (rc || read_payload()) {
        printf("not ok setup: symbols %d, payload %s\n", rc, view.error);
        return 1;
    }
    env.hvd_build_id = own_id;
    env.hvd_build_id_len = symbols_build_id(own_id, sizeof(own_id));
    env.nopatch_lo = (uintptr_t)__start_hv_nopatch_text;
    env.nopatch_hi = (uintptr_t)__stop_hv_nopatch_text;
    if (env.hvd_build_id_len != 20 || lp_nopatch_bound(1) != 0) {
        printf("not ok setup: this program has no 20-octet build-id\n");
        return 1;
    }
    static const struct test tests[] = {
        TEST(loads_applies_and_reverts), TEST(another_hvd_refused),
        TEST(same_build_id_refused),     TEST(wrong_expectation_refused),
        TEST(wrong_old_size_refused),    TEST(bad_version_refused),
        TEST(unknown_symbol_refused),    TEST(unknown_function_refused),
        TEST(nopatch_target_refused),    TEST(relocation_overflow_refused),
        TEST(hook_outside_code_refused), TEST(every_truncation_refused),
    };
    int failed = run_cases("test_livepatch_load", tests, ARRAY_SIZE(tests));
    lp_elf_close(&view);
    free(payload);
    symbols_free();
    return failed ? 1 : 0;
}
