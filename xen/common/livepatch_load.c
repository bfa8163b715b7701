/*
 * The live-patch loader: a payload file becomes a CHECKED payload, or is
 * refused with nothing left behind (docs/livepatch.md, "What hvd checks
 * when it loads a payload").  Steps: the ELF view (livepatch_elf.c), the
 * special sections, the layout of the loaded sections in one mapping
 * within ±2 GiB of hvd's text, the relocations, the protections, and
 * then each struct livepatch_func and hook against what was loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/livepatch.h>
#include <xen/livepatch_elf.h>
#include <xen/symbols.h>

#define PAGE       4096u
#define LOADED_MAX (8u << 20) /* octets of loaded sections, .bss included */
#define PLACE_STEP (2u << 20)
#define REACH      (2ull << 30) /* what a 32-bit displacement reaches, either way */

enum region { TEXT, RO, DATA, REGIONS };

struct loader {
    struct lp_elf elf;
    const struct lp_env *env;
    struct lp_payload *p;
    uintptr_t *sec_addr; /* per section: where it is loaded, 0 if not */
    uint8_t *sec_region; /* per section: its region */
    size_t region_size[REGIONS], region_off[REGIONS];
    char *error;
    size_t error_len;
};

static int fail(struct loader *l, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct loader *l, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->error, l->error_len, fmt, ap);
    va_end(ap);
    return rc;
}

static size_t align_up(size_t v, size_t a)
{
    return a > 1 ? (v + a - 1) & ~(a - 1) : v;
}

/* q provides something to the payload: remember it once. */
static int add_provider(struct loader *l, const struct lp_payload *q)
{
    struct lp_payload *p = l->p;
    for (size_t i = 0; i < p->nproviders; i++)
        if (p->providers[i] == q)
            return 0;
    const struct lp_payload **more =
        realloc(p->providers, (p->nproviders + 1) * sizeof(*p->providers));
    if (!more)
        return fail(l, -ENOMEM, "out of memory");
    p->providers = more;
    p->providers[p->nproviders++] = q;
    p->memory += sizeof(*more);
    return 0;
}

/* ---- build-ids and dependencies ---- */

static int read_note(struct loader *l, const char *name, bool required, uint8_t *id, size_t *len)
{
    const struct lp_elf_sec *s;
    const uint8_t *found;
    int rc = lp_elf_section(&l->elf, name, &s);
    if (rc == -ENOENT && !required) {
        *len = 0;
        return 0;
    }
    if (rc == -ENOENT)
        return fail(l, -EINVAL, "no %s section", name);
    if (rc == 0)
        rc = lp_elf_build_id(&l->elf, s, LIVEPATCH_BUILD_ID_MAX, &found, len);
    if (rc)
        return fail(l, rc, "%s", l->elf.error);
    memcpy(id, found, *len);
    return 0;
}

static bool same_id(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static int check_build_ids(struct loader *l)
{
    struct lp_payload *p = l->p;
    uint8_t hvd_id[LIVEPATCH_BUILD_ID_MAX];
    size_t hvd_len;
    int rc = read_note(l, ".note.gnu.build-id", true, p->build_id, &p->build_id_len);
    if (rc == 0)
        rc = read_note(l, ".livepatch.hvd_depends", true, hvd_id, &hvd_len);
    if (rc == 0)
        rc = read_note(l, ".livepatch.depends", false, p->depends, &p->depends_len);
    if (rc)
        return rc;
    const struct lp_payload *depends_on = NULL;
    for (const struct lp_payload *q = l->env->loaded; q; q = q->next) {
        if (same_id(q->build_id, q->build_id_len, p->build_id, p->build_id_len))
            return fail(l, -EEXIST, "payload '%s' has the same build-id", q->name);
        if (same_id(q->build_id, q->build_id_len, p->depends, p->depends_len))
            depends_on = q;
    }
    if (!same_id(hvd_id, hvd_len, l->env->hvd_build_id, l->env->hvd_build_id_len))
        return fail(l, -EINVAL,
                    "built for another hvd (.livepatch.hvd_depends is not this "
                    "hvd's build-id)");
    if (p->depends_len && !depends_on)
        return fail(l, -EINVAL, "it depends on a payload that is not loaded");
    return depends_on ? add_provider(l, depends_on) : 0;
}

/* ---- layout and placement ---- */

static enum region region_of(const struct lp_elf_sec *s)
{
    if (strncmp(s->name, ".livepatch.", 11) == 0)
        return RO; /* read-only once loaded, whatever its flags say */
    if (s->sh.sh_flags & SHF_EXECINSTR)
        return TEXT;
    return s->sh.sh_flags & SHF_WRITE ? DATA : RO;
}

static bool is_loaded(const struct lp_elf_sec *s)
{
    return (s->sh.sh_flags & SHF_ALLOC) && s->sh.sh_size;
}

static int lay_out(struct loader *l)
{
    for (unsigned int i = 0; i < l->elf.nsecs; i++) {
        const struct lp_elf_sec *s = &l->elf.secs[i];
        if (!is_loaded(s))
            continue;
        enum region r = region_of(s);
        size_t off = align_up(l->region_size[r], s->sh.sh_addralign);
        if (s->sh.sh_size > LOADED_MAX || off > LOADED_MAX - s->sh.sh_size)
            return fail(l, -E2BIG, "its sections need more than %u octets", LOADED_MAX);
        l->sec_region[i] = (uint8_t)r;
        l->sec_addr[i] = off; /* within the region until placed */
        l->region_size[r] = off + s->sh.sh_size;
    }
    size_t total = 0;
    for (int r = 0; r < REGIONS; r++) {
        l->region_off[r] = total;
        total += align_up(l->region_size[r], PAGE);
    }
    if (total > LOADED_MAX)
        return fail(l, -E2BIG, "its sections need more than %u octets", LOADED_MAX);
    if (total == 0)
        return fail(l, -EINVAL, "no section to load");
    l->p->mem_size = total;
    return 0;
}

/* [a, a + size) is within a 32-bit displacement of all of [lo, hi). */
static bool within_reach(uintptr_t a, size_t size, uintptr_t lo, uintptr_t hi)
{
    uintptr_t first = a < lo ? a : lo, last = a + size > hi ? a + size : hi;
    return last - first < REACH;
}

/* One mapping near hvd's text: above it first, then below. */
static int place(struct loader *l)
{
    uintptr_t lo, hi;
    size_t size = l->p->mem_size;
    symbols_text_range(&lo, &hi);
    for (int dir = 0; dir < 2; dir++) {
        for (uintptr_t k = 1; k * PLACE_STEP < REACH; k++) {
            uintptr_t hint = dir == 0 ? align_up(hi, PLACE_STEP) + (k - 1) * PLACE_STEP
                                      : (lo & ~(uintptr_t)(PLACE_STEP - 1)) - k * PLACE_STEP;
            if ((dir == 1 && hint > lo) || !within_reach(hint, size, lo, hi))
                break;
            void *m = mmap((void *)hint, size, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (m == MAP_FAILED)
                continue;
            if ((uintptr_t)m != hint) { /* a kernel without MAP_FIXED_NOREPLACE */
                munmap(m, size);
                continue;
            }
            l->p->mem = m;
            return 0;
        }
    }
    return fail(l, -ENOMEM, "no room within 2 GiB of hvd's code");
}

static void copy_sections(struct loader *l)
{
    struct lp_payload *p = l->p;
    for (unsigned int i = 0; i < l->elf.nsecs; i++) {
        const struct lp_elf_sec *s = &l->elf.secs[i];
        if (!is_loaded(s))
            continue;
        l->sec_addr[i] += (uintptr_t)p->mem + l->region_off[l->sec_region[i]];
        if (s->data) /* SHT_NOBITS stays as mmap() zeroed it */
            memcpy((void *)l->sec_addr[i], s->data, s->sh.sh_size);
    }
    uintptr_t base = (uintptr_t)p->mem;
    p->text_lo = base + l->region_off[TEXT];
    p->text_hi = p->text_lo + l->region_size[TEXT];
    p->ro_lo = base + l->region_off[RO];
    p->ro_hi = p->ro_lo + l->region_size[RO];
}

/* ---- symbols and relocations ---- */

/* name among the global symbols of loaded payloads and hvd's: one address. */
static int resolve(struct loader *l, const char *name, uintptr_t *addr)
{
    uintptr_t found = 0;
    const struct lp_payload *from = NULL;
    int rc = symbols_lookup(name, &found), n = rc == 0;
    if (rc == -EINVAL)
        return fail(l, -EINVAL, "symbol %s is ambiguous: hvd has several", name);
    for (const struct lp_payload *q = l->env->loaded; q; q = q->next) {
        for (size_t i = 0; i < q->nexports; i++) {
            if (strcmp(q->exports[i].name, name) || (n && q->exports[i].addr == found))
                continue;
            if (n++)
                return fail(l, -EINVAL, "symbol %s is ambiguous: payload '%s' defines it too", name,
                            q->name);
            found = q->exports[i].addr;
            from = q;
        }
    }
    if (!n)
        return fail(l, -ENOENT, "symbol %s is not in hvd or a loaded payload", name);
    *addr = found;
    return from ? add_provider(l, from) : 0;
}

static int symbol_address(struct loader *l, unsigned int i, uintptr_t *addr)
{
    const struct lp_elf_sym *y = &l->elf.syms[i];
    uint16_t shndx = y->sym.st_shndx;
    if (i == 0) /* the null symbol: relocations without one */
        *addr = 0;
    else if (shndx == SHN_UNDEF)
        return resolve(l, y->name, addr);
    else if (shndx == SHN_ABS)
        *addr = y->sym.st_value;
    else if (shndx == SHN_COMMON)
        return fail(l, -EOPNOTSUPP, "symbol %s is a common symbol (build with -fno-common)",
                    y->name);
    else if (!l->sec_addr[shndx])
        return fail(l, -EINVAL, "symbol %s is in section %s, which is not loaded", y->name,
                    l->elf.secs[shndx].name);
    else
        *addr = l->sec_addr[shndx] + y->sym.st_value;
    return 0;
}

static int relocate_one(struct loader *l, const struct lp_elf_sec *rs, size_t n)
{
    Elf64_Rela r = lp_elf_rela(rs, n);
    uint32_t type = (uint32_t)ELF64_R_TYPE(r.r_info);
    uintptr_t s = 0;
    int rc = symbol_address(l, (unsigned int)ELF64_R_SYM(r.r_info), &s);
    if (rc)
        return rc;
    uintptr_t place = l->sec_addr[rs->sh.sh_info] + r.r_offset;
    uint64_t value = s + (uint64_t)r.r_addend;
    int64_t sv = (int64_t)value;
    bool fits = true;
    switch (type) {
    case R_X86_64_NONE:
        return 0;
    case R_X86_64_64:
        memcpy((void *)place, &value, 8);
        return 0;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
        sv = (int64_t)(value - place);
        fits = sv >= INT32_MIN && sv <= INT32_MAX;
        break;
    case R_X86_64_32:
        fits = value <= UINT32_MAX;
        break;
    case R_X86_64_32S:
        fits = sv >= INT32_MIN && sv <= INT32_MAX;
        break;
    }
    if (!fits)
        return fail(l, -EOVERFLOW, "%s: relocation %zu (type %u, symbol %s) does not fit 32 bits",
                    rs->name, n, type, l->elf.syms[ELF64_R_SYM(r.r_info)].name);
    uint32_t v32 = (uint32_t)sv;
    memcpy((void *)place, &v32, 4);
    return 0;
}

static int relocate(struct loader *l)
{
    for (unsigned int i = 0; i < l->elf.nsecs; i++) {
        const struct lp_elf_sec *rs = &l->elf.secs[i];
        if (!lp_elf_rela_applies(&l->elf, rs))
            continue;
        for (size_t n = 0; n < lp_elf_nr_relas(rs); n++) {
            int rc = relocate_one(l, rs, n);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int protect(struct loader *l)
{
    static const int prot[REGIONS] = { PROT_READ | PROT_EXEC, PROT_READ, PROT_READ | PROT_WRITE };
    for (int r = 0; r < REGIONS; r++) {
        size_t len = align_up(l->region_size[r], PAGE);
        if (len && mprotect(l->p->mem + l->region_off[r], len, prot[r]) < 0)
            return fail(l, -errno, "cannot protect its memory: %s", strerror(errno));
    }
    return 0;
}

/* ---- functions and hooks ---- */

static const char *string_in_ro(const struct lp_payload *p, uint64_t addr)
{
    if (addr < p->ro_lo || addr >= p->ro_hi)
        return NULL;
    const char *s = (const char *)(uintptr_t)addr;
    return memchr(s, '\0', p->ro_hi - addr) ? s : NULL;
}

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static int find_old_function(struct loader *l, const struct livepatch_func *f, const char *name,
                             const struct hvd_symbol **old)
{
    uintptr_t addr = f->old_addr;
    if (!addr) {
        int rc = symbols_lookup(name, &addr);
        if (rc == -ENOENT)
            return fail(l, rc, "%s: hvd has no such function", name);
        if (rc)
            return fail(l, rc, "%s: hvd has several functions of that name (give old_addr)", name);
    }
    *old = symbols_function_at(addr);
    if (!*old)
        return fail(l, -EINVAL, "%s: %#lx is not the start of a function of hvd", name,
                    (unsigned long)addr);
    if (addr >= l->env->nopatch_lo && addr < l->env->nopatch_hi)
        return fail(l, -EINVAL, "%s may not be patched (it is HV_NOPATCH code)", name);
    return 0;
}

static int check_expectation(struct loader *l, const struct livepatch_func *f, const char *name)
{
    const struct livepatch_expectation *e = &f->expect;
    if (!all_zero(e->pad, sizeof(e->pad)) || e->enabled > 1)
        return fail(l, -EINVAL, "%s: a malformed expectation", name);
    if (!e->enabled)
        return e->len || !all_zero(e->data, sizeof(e->data))
                   ? fail(l, -EINVAL, "%s: a disabled expectation with data", name)
                   : 0;
    if (e->len == 0 || e->len > LIVEPATCH_EXPECT_MAX || e->len > f->old_size)
        return fail(l, -EINVAL, "%s: an expectation of %u octets", name, e->len);
    uint8_t now[LIVEPATCH_EXPECT_MAX];
    lp_original_octets(l->env->loaded, (uintptr_t)f->old_addr, now, e->len);
    if (memcmp(now, e->data, e->len))
        return fail(l, -EINVAL, "%s does not start with the octets the payload expects", name);
    return 0;
}

static int check_new_code(struct loader *l, const struct livepatch_func *f, const char *name)
{
    const struct lp_payload *p = l->p;
    if (f->new_addr == 0) {
        uint32_t max = f->old_size < LIVEPATCH_EXPECT_MAX ? f->old_size : LIVEPATCH_EXPECT_MAX;
        if (f->new_size == 0 || f->new_size > max)
            return fail(l, -EINVAL, "%s: %u octets of NOPs (1..%u)", name, f->new_size, max);
        return 0;
    }
    if (f->new_size == 0 || f->new_addr < p->text_lo || f->new_addr >= p->text_hi ||
        f->new_size > p->text_hi - f->new_addr)
        return fail(l, -EINVAL, "%s: its replacement is not inside the payload's code", name);
    if (!arch_livepatch_reaches((uintptr_t)f->old_addr, (uintptr_t)f->new_addr))
        return fail(l, -EOVERFLOW, "%s: the jump to its replacement is out of reach", name);
    return 0;
}

/* f, a copy of element i, with old_addr resolved; its patch filled. */
static int check_function(struct loader *l, struct livepatch_func *f, size_t i)
{
    const char *name = string_in_ro(l->p, f->name);
    if (!name)
        return fail(l, -EINVAL, ".livepatch.funcs[%zu]: its name is not a string of the payload",
                    i);
    if (f->version != LIVEPATCH_PAYLOAD_VERSION || !all_zero(f->pad, sizeof(f->pad)))
        return fail(l, -EINVAL, "%s: version %u (not %u) or padding not zero", name, f->version,
                    LIVEPATCH_PAYLOAD_VERSION);
    const struct hvd_symbol *old = NULL;
    int rc = find_old_function(l, f, name, &old);
    if (rc)
        return rc;
    f->old_addr = old->addr;
    if (f->old_size != old->size || f->old_size < LIVEPATCH_JUMP_SIZE)
        return fail(l, -EINVAL, "%s: old_size %u, but the function is %llu octets (at least %u)",
                    name, f->old_size, (unsigned long long)old->size, LIVEPATCH_JUMP_SIZE);
    if ((rc = check_new_code(l, f, name)) || (rc = check_expectation(l, f, name)))
        return rc;
    for (size_t j = 0; j < i; j++)
        if (l->p->patches[j].old_addr == f->old_addr)
            return fail(l, -EINVAL, "%s is patched twice by this payload", name);
    l->p->patches[i] = (struct lp_patch){
        .name = name,
        .old_addr = (uintptr_t)f->old_addr,
        .new_addr = (uintptr_t)f->new_addr,
        .old_size = f->old_size,
        .new_size = f->new_size,
        .len = f->new_addr ? LIVEPATCH_JUMP_SIZE : (uint8_t)f->new_size,
    };
    return 0;
}

static int check_functions(struct loader *l)
{
    const struct lp_elf_sec *s;
    int rc = lp_elf_section(&l->elf, ".livepatch.funcs", &s);
    if (rc == -ENOENT)
        return fail(l, -EINVAL, "no .livepatch.funcs section");
    if (rc)
        return fail(l, rc, "%s", l->elf.error);
    if (!is_loaded(s) || s->sh.sh_size % sizeof(struct livepatch_func))
        return fail(l, -EINVAL, ".livepatch.funcs is not a loaded array of %zu-octet elements",
                    sizeof(struct livepatch_func));
    struct lp_payload *p = l->p;
    p->npatches = s->sh.sh_size / sizeof(struct livepatch_func);
    p->patches = calloc(p->npatches, sizeof(*p->patches));
    if (!p->patches)
        return fail(l, -ENOMEM, "out of memory");
    p->memory += p->npatches * sizeof(*p->patches);
    const uint8_t *funcs = (const uint8_t *)l->sec_addr[s - l->elf.secs];
    for (size_t i = 0; i < p->npatches; i++) {
        struct livepatch_func f;
        memcpy(&f, funcs + i * sizeof(f), sizeof(f));
        if ((rc = check_function(l, &f, i)))
            return rc;
    }
    return 0;
}

static const char *const hook_sections[LP_HOOK_KINDS] = {
    [LP_HOOK_LOAD] = ".livepatch.hooks.load",
    [LP_HOOK_UNLOAD] = ".livepatch.hooks.unload",
    [LP_HOOK_PREAPPLY] = ".livepatch.hooks.preapply",
    [LP_HOOK_POSTAPPLY] = ".livepatch.hooks.postapply",
    [LP_HOOK_PREREVERT] = ".livepatch.hooks.prerevert",
    [LP_HOOK_POSTREVERT] = ".livepatch.hooks.postrevert",
    [LP_HOOK_APPLY] = ".livepatch.hooks.apply",
    [LP_HOOK_REVERT] = ".livepatch.hooks.revert",
};

static int check_hooks(struct loader *l)
{
    struct lp_payload *p = l->p;
    for (int k = 0; k < LP_HOOK_KINDS; k++) {
        const struct lp_elf_sec *s;
        int rc = lp_elf_section(&l->elf, hook_sections[k], &s);
        if (rc == -ENOENT)
            continue;
        if (rc)
            return fail(l, rc, "%s", l->elf.error);
        bool one = k == LP_HOOK_APPLY || k == LP_HOOK_REVERT;
        if (!is_loaded(s) || s->sh.sh_size % 8 || (one && s->sh.sh_size != 8))
            return fail(l, -EINVAL, "%s is not %s 8-octet function address%s", s->name,
                        one ? "one" : "an array of", one ? "" : "es");
        const uint64_t *fn = (const uint64_t *)l->sec_addr[s - l->elf.secs];
        size_t n = s->sh.sh_size / 8;
        for (size_t i = 0; i < n; i++) {
            uint64_t a;
            memcpy(&a, fn + i, sizeof(a));
            if (a < p->text_lo || a >= p->text_hi)
                return fail(l, -EINVAL, "%s[%zu] is not in the payload's code", s->name, i);
        }
        p->hooks[k] = (struct lp_hooks){ .fn = fn, .n = n };
    }
    return 0;
}

/* A global function or object the payload defines, loaded. */
static bool exported(const struct loader *l, const struct lp_elf_sym *y)
{
    unsigned int bind = ELF64_ST_BIND(y->sym.st_info), type = ELF64_ST_TYPE(y->sym.st_info);
    return (bind == STB_GLOBAL || bind == STB_WEAK) && (type == STT_FUNC || type == STT_OBJECT) &&
           y->sym.st_shndx != SHN_UNDEF && y->sym.st_shndx < l->elf.nsecs &&
           l->sec_addr[y->sym.st_shndx] && y->name[0];
}

/* The payload's exported symbols, for payloads loaded later. */
static int collect_exports(struct loader *l)
{
    struct lp_payload *p = l->p;
    size_t n = 0;
    for (unsigned int i = 1; i < l->elf.nsyms; i++)
        n += exported(l, &l->elf.syms[i]);
    if (!n)
        return 0;
    p->exports = calloc(n, sizeof(*p->exports));
    if (!p->exports)
        return fail(l, -ENOMEM, "out of memory");
    p->memory += n * sizeof(*p->exports);
    for (unsigned int i = 1; i < l->elf.nsyms; i++) {
        const struct lp_elf_sym *y = &l->elf.syms[i];
        if (!exported(l, y))
            continue;
        struct lp_export *e = &p->exports[p->nexports];
        if (!(e->name = strdup(y->name)))
            return fail(l, -ENOMEM, "out of memory");
        e->addr = l->sec_addr[y->sym.st_shndx] + y->sym.st_value;
        p->memory += strlen(y->name) + 1;
        p->nexports++;
    }
    return 0;
}

static int load_steps(struct loader *l, const void *image, size_t size)
{
    int rc = lp_elf_open(&l->elf, image, size, ET_REL);
    if (rc)
        return fail(l, rc, "%s", l->elf.error);
    l->sec_addr = calloc(l->elf.nsecs, sizeof(*l->sec_addr));
    l->sec_region = calloc(l->elf.nsecs, sizeof(*l->sec_region));
    if (!l->sec_addr || !l->sec_region)
        return fail(l, -ENOMEM, "out of memory");
    if ((rc = check_build_ids(l)) || (rc = lay_out(l)) || (rc = place(l)))
        return rc;
    l->p->memory += l->p->mem_size;
    copy_sections(l);
    if ((rc = relocate(l)) || (rc = protect(l)) || (rc = check_functions(l)) ||
        (rc = check_hooks(l)))
        return rc;
    return collect_exports(l);
}

int lp_load(const char *name, const void *image, size_t size, const struct lp_env *env,
            struct lp_payload **out, char *error, size_t error_len)
{
    struct loader l = { .env = env, .error = error, .error_len = error_len };
    *out = NULL;
    l.p = calloc(1, sizeof(*l.p));
    if (!l.p)
        return fail(&l, -ENOMEM, "out of memory");
    snprintf(l.p->name, sizeof(l.p->name), "%s", name);
    l.p->state = LIVEPATCH_STATE_CHECKED;
    l.p->memory = sizeof(*l.p);
    int rc = load_steps(&l, image, size);
    lp_elf_close(&l.elf);
    free(l.sec_addr);
    free(l.sec_region);
    if (rc) {
        lp_free(l.p);
        return rc;
    }
    *out = l.p;
    return 0;
}

void lp_free(struct lp_payload *p)
{
    if (!p)
        return;
    if (p->mem)
        munmap(p->mem, p->mem_size);
    for (size_t i = 0; i < p->nexports; i++)
        free(p->exports[i].name);
    free(p->exports);
    free(p->providers);
    free(p->patches);
    free(p);
}

void lp_original_octets(const struct lp_payload *loaded, uintptr_t addr, uint8_t *buf, size_t n)
{
    memcpy(buf, (const void *)addr, n);
    /* The first payload applied over addr saved what hvd built. */
    const struct lp_patch *first = NULL;
    uint32_t first_order = 0;
    for (const struct lp_payload *q = loaded; q; q = q->next) {
        for (size_t i = 0; i < q->npatches; i++) {
            const struct lp_patch *t = &q->patches[i];
            if (t->applied && t->old_addr == addr && (!first || q->applied_order < first_order)) {
                first = t;
                first_order = q->applied_order;
            }
        }
    }
    if (first)
        memcpy(buf, first->saved, first->len < n ? first->len : n);
}
