/*
 * patchtool build: a payload from a C file (docs/livepatch.md).
 *
 * 1. From hvd's binary: its build-id, the compiler command it was built
 *    with (.hv.build_flags), and for each function replaced its size and
 *    first octets (the expectation).
 * 2. The C file is compiled with that command; its HVPATCH_REPLACE and
 *    HVPATCH_NOP records (hvpatch.h) name the functions.
 * 3. An assembly file is written with .livepatch.funcs, the names, and
 *    the build-id notes, and assembled.
 * 4. Both objects are linked with `-r --build-id`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hv/public/livepatch.h>
#include <xen/livepatch_elf.h>
#include "patchtool.h"

#define MAX_ARGS 256

struct image {
    uint8_t *data;
    size_t size;
    struct lp_elf elf;
};

struct build {
    const struct build_opts *o;
    struct image hvd, fix;
    const char *flags;
    char dir[64];
    char fix_o[128], funcs_s[128], funcs_o[128];
    FILE *s;
    unsigned int nr_funcs;
};

static int image_open(struct image *img, const char *path, unsigned int type)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return pt_err(1, "cannot read %s: %s", path, strerror(errno));
    img->size = (size_t)st.st_size;
    img->data = malloc(img->size ? img->size : 1);
    ssize_t got = img->data ? read(fd, img->data, img->size) : -1;
    close(fd);
    if (got != (ssize_t)img->size)
        return pt_err(1, "cannot read %s", path);
    if (lp_elf_open(&img->elf, img->data, img->size, type))
        return pt_err(1, "%s: %s", path, img->elf.error);
    return 0;
}

static void image_close(struct image *img)
{
    lp_elf_close(&img->elf);
    free(img->data);
    img->data = NULL;
}

static int build_id_of(struct image *img, const char *path, const uint8_t **id, size_t *len)
{
    const struct lp_elf_sec *s;
    if (lp_elf_section(&img->elf, ".note.gnu.build-id", &s) ||
        lp_elf_build_id(&img->elf, s, LIVEPATCH_BUILD_ID_MAX, id, len))
        return pt_err(1, "%s has no GNU build-id", path);
    return 0;
}

/* Copies the compiler made of hvd's function name for some callers
 * (name.constprop.0, name.isra.0, name.part.0): those calls keep the old
 * code.  A .cold part is the same function's tail, not a copy. */
static void warn_about_clones(const struct build *b, const char *name)
{
    size_t len = strlen(name);
    for (unsigned int i = 0; i < b->hvd.elf.nsyms; i++) {
        const struct lp_elf_sym *y = &b->hvd.elf.syms[i];
        if (ELF64_ST_TYPE(y->sym.st_info) == STT_FUNC && !strncmp(y->name, name, len) &&
            y->name[len] == '.' && !strstr(y->name + len, ".cold"))
            pt_warn("hvd also has %s, a copy of %s for some callers: they keep the old code",
                    y->name, name);
    }
}

/* hvd's function name: unique, with a size; its first octets in the file. */
static int hvd_function(struct build *b, const char *name, const struct lp_elf_sym **out,
                        const uint8_t **code)
{
    const struct lp_elf_sym *found = NULL;
    for (unsigned int i = 0; i < b->hvd.elf.nsyms; i++) {
        const struct lp_elf_sym *y = &b->hvd.elf.syms[i];
        if (ELF64_ST_TYPE(y->sym.st_info) != STT_FUNC || strcmp(y->name, name) ||
            y->sym.st_shndx == SHN_UNDEF || y->sym.st_shndx >= b->hvd.elf.nsecs)
            continue;
        if (found && found->sym.st_value != y->sym.st_value)
            return pt_err(1, "hvd has several functions named %s", name);
        found = y;
    }
    if (!found)
        return pt_err(1, "hvd has no function %s", name);
    const struct lp_elf_sec *sec = &b->hvd.elf.secs[found->sym.st_shndx];
    uint64_t off = found->sym.st_value - sec->sh.sh_addr;
    if (!sec->data || found->sym.st_value < sec->sh.sh_addr || off > sec->sh.sh_size ||
        found->sym.st_size > sec->sh.sh_size - off)
        return pt_err(1, "%s: hvd's binary does not hold its code", name);
    if (found->sym.st_size < LIVEPATCH_JUMP_SIZE)
        return pt_err(1, "%s is %llu octets, too small to patch", name,
                      (unsigned long long)found->sym.st_size);
    if (ELF64_ST_BIND(found->sym.st_info) == STB_LOCAL)
        pt_warn("%s is static in hvd: calls the compiler inlined elsewhere keep the old code",
                name);
    if (!strcmp(sec->name, "hv_nopatch_text"))
        pt_warn("%s is HV_NOPATCH code: hvd will refuse to patch it", name);
    warn_about_clones(b, name);
    *out = found;
    *code = sec->data + off;
    return 0;
}

/* This file's global function name: its size. */
static int new_function(struct build *b, const char *name, uint64_t *size)
{
    for (unsigned int i = 0; i < b->fix.elf.nsyms; i++) {
        const struct lp_elf_sym *y = &b->fix.elf.syms[i];
        if (ELF64_ST_TYPE(y->sym.st_info) == STT_FUNC && !strcmp(y->name, name) &&
            y->sym.st_shndx != SHN_UNDEF && ELF64_ST_BIND(y->sym.st_info) != STB_LOCAL &&
            y->sym.st_size) {
            *size = y->sym.st_size;
            return 0;
        }
    }
    return pt_err(1, "%s: no such function in %s, or it is static", name, b->o->source);
}

static void emit_bytes(FILE *s, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(s, "%s%u", i ? "," : "\t.byte ", b[i]);
    if (n)
        fputc('\n', s);
}

/* One struct livepatch_func (new NULL: a NOP patch of nop_len octets). */
static int emit_func(struct build *b, const char *old, const char *new, uint32_t nop_len)
{
    const struct lp_elf_sym *y = NULL;
    const uint8_t *code = NULL;
    uint64_t new_size = nop_len;
    int rc = hvd_function(b, old, &y, &code);
    if (rc == 0 && new)
        rc = new_function(b, new, &new_size);
    if (rc)
        return rc;
    if (!new && (nop_len == 0 || nop_len > LIVEPATCH_EXPECT_MAX || nop_len > y->sym.st_size))
        return pt_err(1, "HVPATCH_NOP(%s, %u): 1 to %u octets", old, nop_len,
                      (unsigned int)(y->sym.st_size < LIVEPATCH_EXPECT_MAX ? y->sym.st_size
                                                                           : LIVEPATCH_EXPECT_MAX));
    uint8_t expect[LIVEPATCH_EXPECT_MAX] = { 0 };
    size_t len = y->sym.st_size < LIVEPATCH_EXPECT_MAX ? y->sym.st_size : LIVEPATCH_EXPECT_MAX;
    memcpy(expect, code, len);
    fprintf(b->s, "\t.section .livepatch.funcs,\"a\",@progbits\n\t.balign 8\n");
    fprintf(b->s, "\t.quad .Lhvpatch_name%u\n\t.quad %s\n\t.quad 0\n", b->nr_funcs,
            new ? new : "0");
    fprintf(b->s, "\t.long %llu, %llu\n", (unsigned long long)new_size,
            (unsigned long long)y->sym.st_size);
    fprintf(b->s, "\t.byte %u, 0,0,0,0,0,0,0\n\t.byte 1, %zu\n", LIVEPATCH_PAYLOAD_VERSION, len);
    emit_bytes(b->s, expect, sizeof(expect));
    fprintf(b->s, "\t.byte 0,0,0,0,0,0,0\n");
    fprintf(b->s, "\t.section .rodata.hvpatch.names,\"a\",@progbits\n");
    fprintf(b->s, ".Lhvpatch_name%u:\n\t.asciz \"%s\"\n", b->nr_funcs++, old);
    return 0;
}

static void emit_note(FILE *s, const char *section, const uint8_t *id, size_t len)
{
    fprintf(s, "\t.section %s,\"a\",@note\n\t.balign 4\n\t.long 4, %zu, 3\n\t.asciz \"GNU\"\n",
            section, len);
    emit_bytes(s, id, len);
    fprintf(s, "\t.balign 4\n");
}

/* The records of one hvpatch.h section: "old new" strings. */
static int emit_records(struct build *b, const char *section, bool nop)
{
    const struct lp_elf_sec *s;
    int rc = lp_elf_section(&b->fix.elf, section, &s);
    if (rc == -ENOENT)
        return 0;
    if (rc || !s->data)
        return pt_err(1, "%s: a broken %s section", b->o->source, section);
    for (size_t off = 0; off < s->sh.sh_size;) {
        const char *rec = (const char *)s->data + off;
        size_t n = strnlen(rec, s->sh.sh_size - off);
        char old[256], second[256];
        if (n == s->sh.sh_size - off || n >= sizeof(old) ||
            sscanf(rec, "%255s %255s", old, second) != 2)
            return pt_err(1, "%s: a broken record in %s", b->o->source, section);
        rc = nop ? emit_func(b, old, NULL, (uint32_t)strtoul(second, NULL, 0))
                 : emit_func(b, old, second, 0);
        if (rc)
            return rc;
        off += n + 1;
    }
    return 0;
}

static int write_funcs(struct build *b)
{
    const uint8_t *id;
    size_t len;
    int rc = build_id_of(&b->hvd, b->o->hvd, &id, &len);
    if (rc)
        return rc;
    if (!(b->s = fopen(b->funcs_s, "w")))
        return pt_err(1, "cannot write %s: %s", b->funcs_s, strerror(errno));
    fprintf(b->s, "\t.section .note.GNU-stack,\"\",@progbits\n"); /* no executable stack */
    emit_note(b->s, ".livepatch.hvd_depends", id, len);
    if (b->o->depends) {
        struct image dep = { 0 };
        rc = image_open(&dep, b->o->depends, ET_REL);
        if (rc == 0 && (rc = build_id_of(&dep, b->o->depends, &id, &len)) == 0)
            emit_note(b->s, ".livepatch.depends", id, len);
        image_close(&dep);
    }
    if (rc == 0)
        rc = emit_records(b, ".hvpatch.replace", false);
    if (rc == 0)
        rc = emit_records(b, ".hvpatch.nop", true);
    if (fclose(b->s) && rc == 0)
        rc = pt_err(1, "cannot write %s", b->funcs_s);
    if (rc == 0 && b->nr_funcs == 0)
        rc = pt_err(1, "%s names no function to patch (HVPATCH_REPLACE or HVPATCH_NOP)",
                    b->o->source);
    return rc;
}

/* argv[0] is a program: run it, 0 when it exits 0. */
static int run(char **argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "patchtool: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return pt_err(1, "cannot run %s: %s", argv[0], strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return pt_err(1, "%s failed (see above)", argv[0]);
    return 0;
}

/* The recorded compiler command, split at spaces, then the rest. */
static int compile(struct build *b, char *flags_copy)
{
    char *argv[MAX_ARGS], inc[3][4200];
    int n = 0;
    for (char *t = strtok(flags_copy, " "); t && n < MAX_ARGS - 16; t = strtok(NULL, " "))
        argv[n++] = t;
    if (n == 0)
        return pt_err(1, "%s records no compiler command", b->o->hvd);
    argv[n++] = "-fno-common";
    argv[n++] = "-I";
    argv[n++] = (char *)b->o->include_dir;
    if (b->o->src) {
        static const char *const sub[3] = { "xen/include", "include", "tools/patchtool/include" };
        for (int i = 0; i < 3; i++) {
            snprintf(inc[i], sizeof(inc[i]), "-I%s/%s", b->o->src, sub[i]);
            argv[n++] = inc[i];
        }
    }
    argv[n++] = "-c";
    argv[n++] = (char *)b->o->source;
    argv[n++] = "-o";
    argv[n++] = b->fix_o;
    argv[n] = NULL;
    return run(argv);
}

static int assemble_and_link(struct build *b, const char *cc)
{
    char *as[] = { (char *)cc, "-c", b->funcs_s, "-o", b->funcs_o, NULL };
    char *ld[] = {
        (char *)cc, "-r",       "-nostdlib", "-Wl,--build-id=sha1", "-o", (char *)b->o->out,
        b->fix_o,   b->funcs_o, NULL
    };
    int rc = run(as);
    return rc ? rc : run(ld);
}

static int build_steps(struct build *b)
{
    const struct lp_elf_sec *s;
    int rc = image_open(&b->hvd, b->o->hvd, 0);
    if (rc)
        return rc;
    if (lp_elf_section(&b->hvd.elf, ".hv.build_flags", &s) || !s->data ||
        !memchr(s->data, '\0', s->sh.sh_size))
        return pt_err(1, "%s records no compiler command (.hv.build_flags): not a patchable hvd",
                      b->o->hvd);
    char *flags = strdup((const char *)s->data), cc[256];
    if (!flags)
        return pt_err(1, "out of memory");
    snprintf(cc, sizeof(cc), "%.*s", (int)strcspn(flags, " "), flags);
    rc = compile(b, flags);
    free(flags);
    if (rc == 0)
        rc = image_open(&b->fix, b->fix_o, ET_REL);
    if (rc == 0)
        rc = write_funcs(b);
    if (rc == 0)
        rc = assemble_and_link(b, cc);
    return rc;
}

int patchtool_build(const struct build_opts *o)
{
    struct build b = { .o = o };
    const char *tmp = getenv("TMPDIR");
    snprintf(b.dir, sizeof(b.dir), "%.40s/patchtool.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(b.dir))
        return pt_err(1, "cannot make a directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
                      strerror(errno));
    snprintf(b.fix_o, sizeof(b.fix_o), "%s/fix.o", b.dir);
    snprintf(b.funcs_s, sizeof(b.funcs_s), "%s/funcs.s", b.dir);
    snprintf(b.funcs_o, sizeof(b.funcs_o), "%s/funcs.o", b.dir);
    int rc = build_steps(&b);
    image_close(&b.hvd);
    image_close(&b.fix);
    unlink(b.fix_o);
    unlink(b.funcs_s);
    unlink(b.funcs_o);
    rmdir(b.dir);
    if (rc)
        unlink(o->out);
    return rc;
}
