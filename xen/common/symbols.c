/*
 * hvd's own symbols: every function and object with a size in the symbol
 * table of its ELF image, at the address it has in this process (hvd is
 * position-independent: the image's addresses plus the load bias).  Read
 * once, at the first live-patch operation; a payload's undefined symbols
 * resolve by name against them, and a patch target must be the start of
 * one of the functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xen/livepatch_elf.h>
#include <xen/symbols.h>

static struct hvd_symbol *table; /* sorted by name, then address */
static struct hvd_symbol **by_addr;
static size_t nr_symbols;
static char *names;
static uintptr_t text_lo, text_hi;

struct image_layout {
    uintptr_t bias, text_lo, text_hi;
};

/* dl_iterate_phdr: the first object is the program itself. */
static int program_layout(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct image_layout *l = arg;
    (void)size;
    l->bias = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (!l->text_lo || lo < l->text_lo)
            l->text_lo = lo;
        if (hi > l->text_hi)
            l->text_hi = hi;
    }
    return 1;
}

struct build_id_search {
    uint8_t *buf;
    size_t len, found;
};

/* dl_iterate_phdr callback: the GNU build-id note of the main program. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct build_id_search *s = arg;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
        const uint8_t *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const void *)p;
            const uint8_t *desc = p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && desc + n->n_descsz <= end) {
                s->found = n->n_descsz < s->len ? n->n_descsz : s->len;
                memcpy(s->buf, desc, s->found);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* the first object is the program itself */
}

size_t symbols_build_id(uint8_t *buf, size_t len)
{
    struct build_id_search s = { .buf = buf, .len = len };
    dl_iterate_phdr(find_build_id, &s);
    return s.found;
}

/* A symbol worth keeping: a function or object hvd defines, with a size.
 * A ".cold" part is the unlikely tail of a function, not one. */
static bool kept(const struct lp_elf_sym *y)
{
    unsigned int type = ELF64_ST_TYPE(y->sym.st_info);
    return (type == STT_FUNC || type == STT_OBJECT) && y->sym.st_size &&
           y->sym.st_shndx != SHN_UNDEF && y->sym.st_shndx < SHN_LORESERVE && y->name[0] &&
           !strstr(y->name, ".cold");
}

static int by_name_cmp(const void *a, const void *b)
{
    const struct hvd_symbol *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

static int by_addr_cmp(const void *a, const void *b)
{
    const struct hvd_symbol *x = *(struct hvd_symbol *const *)a;
    const struct hvd_symbol *y = *(struct hvd_symbol *const *)b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

static int build_table(const struct lp_elf *elf, uintptr_t bias)
{
    size_t n = 0, chars = 0;
    for (unsigned int i = 0; i < elf->nsyms; i++) {
        if (kept(&elf->syms[i])) {
            n++;
            chars += strlen(elf->syms[i].name) + 1;
        }
    }
    table = calloc(n ? n : 1, sizeof(*table));
    by_addr = calloc(n ? n : 1, sizeof(*by_addr));
    names = malloc(chars ? chars : 1);
    if (!table || !by_addr || !names)
        return -ENOMEM;
    char *p = names;
    for (unsigned int i = 0; i < elf->nsyms; i++) {
        const struct lp_elf_sym *y = &elf->syms[i];
        if (!kept(y))
            continue;
        size_t len = strlen(y->name) + 1;
        memcpy(p, y->name, len);
        table[nr_symbols++] =
            (struct hvd_symbol){ .name = p,
                                 .addr = bias + y->sym.st_value,
                                 .size = y->sym.st_size,
                                 .is_func = ELF64_ST_TYPE(y->sym.st_info) == STT_FUNC };
        p += len;
    }
    qsort(table, nr_symbols, sizeof(*table), by_name_cmp);
    for (size_t i = 0; i < nr_symbols; i++)
        by_addr[i] = &table[i];
    qsort(by_addr, nr_symbols, sizeof(*by_addr), by_addr_cmp);
    return 0;
}

static int read_image(const char *path, const struct image_layout *l)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || st.st_size <= 0) {
        close(fd);
        return -ENOEXEC;
    }
    void *image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (image == MAP_FAILED)
        return -errno;
    struct lp_elf elf;
    int rc = lp_elf_open(&elf, image, (size_t)st.st_size, 0);
    if (rc == 0) {
        /* Stripped: nothing to resolve against, and nothing to patch. */
        rc = elf.nsyms ? build_table(&elf, l->bias) : -ENOEXEC;
        lp_elf_close(&elf);
    }
    munmap(image, (size_t)st.st_size);
    return rc == -EINVAL ? -ENOEXEC : rc;
}

int symbols_init(const char *path)
{
    if (table)
        return 0;
    struct image_layout l = { 0 };
    dl_iterate_phdr(program_layout, &l);
    int rc = read_image(path, &l);
    if (rc < 0) {
        symbols_free();
        return rc;
    }
    text_lo = l.text_lo;
    text_hi = l.text_hi;
    return 0;
}

void symbols_free(void)
{
    free(table);
    free(by_addr);
    free(names);
    table = NULL;
    by_addr = NULL;
    names = NULL;
    nr_symbols = 0;
}

int symbols_lookup(const char *name, uintptr_t *addr)
{
    size_t lo = 0, hi = nr_symbols;
    while (lo < hi) { /* the first entry not below name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(table[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == nr_symbols || strcmp(table[lo].name, name))
        return -ENOENT;
    /* Sorted by address within a name: the same address twice is one symbol. */
    for (size_t i = lo + 1; i < nr_symbols && !strcmp(table[i].name, name); i++)
        if (table[i].addr != table[lo].addr)
            return -EINVAL;
    *addr = table[lo].addr;
    return 0;
}

const struct hvd_symbol *symbols_function_at(uintptr_t addr)
{
    size_t lo = 0, hi = nr_symbols;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_addr[mid]->addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < nr_symbols && by_addr[lo]->addr == addr; lo++)
        if (by_addr[lo]->is_func)
            return by_addr[lo];
    return NULL;
}

void symbols_text_range(uintptr_t *lo, uintptr_t *hi)
{
    *lo = text_lo;
    *hi = text_hi;
}
