/*
 * hvcli domain configuration parser: xl.cfg, JSON (yajl) and libvirt-style
 * XML (libxml2).  Each front end turns its syntax into (key, value) pairs
 * and hands them to apply_key(), which holds all the validation, so the
 * three formats accept and reject the same things.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <uuid/uuid.h>
#include <yajl/yajl_tree.h>

/* Largest memory size in MiB whose size in bytes still fits 64 bits. */
#define MEMORY_MAX_MIB (UINT64_MAX >> 20)
#define PAGES_PER_MIB 256u
/* yajl_tree_free recurses once per nesting level: refuse deep documents. */
#define JSON_MAX_DEPTH 32
/* Values quoted in messages are cut to this many bytes. */
#define SHOW_MAX 40

enum cfg_key {
    KEY_NAME, KEY_MEMORY, KEY_MAXMEM, KEY_VCPUS, KEY_KERNEL, KEY_CMDLINE,
    KEY_ON_POWEROFF, KEY_ON_REBOOT, KEY_ON_CRASH, KEY_UUID, KEY_RESTART_LIMIT,
    KEY_RESTART_INTERVAL, KEY_COUNT
};

struct key_name {
    const char *name;
    enum cfg_key key;
};

/* The keys of xl.cfg and JSON; "extra" is xl's old name for "cmdline". */
static const struct key_name key_names[] = {
    { "name", KEY_NAME },           { "memory", KEY_MEMORY },
    { "maxmem", KEY_MAXMEM },       { "vcpus", KEY_VCPUS },
    { "kernel", KEY_KERNEL },       { "cmdline", KEY_CMDLINE },
    { "extra", KEY_CMDLINE },       { "on_poweroff", KEY_ON_POWEROFF },
    { "on_reboot", KEY_ON_REBOOT }, { "on_crash", KEY_ON_CRASH },
    { "uuid", KEY_UUID },           { "restart_limit", KEY_RESTART_LIMIT },
    { "restart_interval", KEY_RESTART_INTERVAL },
};

enum cfg_format { FORMAT_XL, FORMAT_JSON, FORMAT_XML };

enum value_kind { VALUE_NUMBER, VALUE_STRING, VALUE_LIST, VALUE_OTHER };

/* One value as a front end found it. */
struct cfg_value {
    enum value_kind kind;
    const char *text; /* NUMBER: its source text; STRING: the decoded, NUL-terminated bytes;
                         OTHER: what it is ("a boolean") */
    size_t len;       /* bytes in text */
};

struct parser {
    const char *file;             /* for messages */
    const char *dir;              /* NULL: leave a relative kernel path alone */
    enum cfg_format format;
    unsigned line;                /* line of the setting being handled; 0: none */
    bool seen[KEY_COUNT];
    unsigned seen_line[KEY_COUNT];
    const char *seen_as[KEY_COUNT]; /* the name the key was first given under */
    struct hv_domain_config *cfg;
    char *err;
    size_t errlen;
};

/* ---- messages ---------------------------------------------------------- */

/* Copy at most SHOW_MAX bytes of s for a one-line message, hiding bytes that are not printable ASCII. */
static const char *show(char out[SHOW_MAX + 4], const char *s, size_t len)
{
    size_t n = len < SHOW_MAX ? len : SHOW_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    strcpy(out + n, len > SHOW_MAX ? "..." : "");
    return out;
}

/* Describe the byte at which parsing stopped. */
static const char *describe_byte(char out[16], int c)
{
    if (c == EOF)
        return "end of file";
    if (c == '\n')
        return "end of line";
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, 16, "'%c'", c);
    else
        snprintf(out, 16, "byte 0x%02x", (unsigned)c);
    return out;
}

__attribute__((format(printf, 3, 0)))
static void write_message(struct parser *p, const char *prefix, const char *fmt, va_list ap)
{
    if (!p->err || p->errlen == 0)
        return;
    int n = snprintf(p->err, p->errlen, "%s", prefix);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
}

/* A problem with the file as a whole or at p->line: "FILE:LINE: message". */
__attribute__((format(printf, 2, 0)))
static int vfail(struct parser *p, const char *fmt, va_list ap)
{
    char prefix[PATH_MAX + 32];
    if (p->line)
        snprintf(prefix, sizeof prefix, "%s:%u: ", p->file, p->line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", p->file);
    write_message(p, prefix, fmt, ap);
    return -EINVAL;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(p, fmt, ap);
    va_end(ap);
    return rc;
}

/* A problem with one key: "FILE:LINE: KEY: message", or for JSON "FILE: key 'KEY': message". */
__attribute__((format(printf, 3, 4)))
static int key_fail(struct parser *p, const char *key, const char *fmt, ...)
{
    char prefix[PATH_MAX + 128];
    if (p->format == FORMAT_JSON)
        snprintf(prefix, sizeof prefix, "%s: key '%s': ", p->file, key);
    else if (p->line)
        snprintf(prefix, sizeof prefix, "%s:%u: %s: ", p->file, p->line, key);
    else
        snprintf(prefix, sizeof prefix, "%s: %s: ", p->file, key);
    va_list ap;
    va_start(ap, fmt);
    write_message(p, prefix, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* ---- values ------------------------------------------------------------ */

static const char *kind_name(const struct cfg_value *v)
{
    switch (v->kind) {
    case VALUE_NUMBER: return "a number";
    case VALUE_STRING: return "a string";
    case VALUE_LIST: return "a list";
    case VALUE_OTHER: return v->text;
    }
    return "?";
}

static int expect_kind(struct parser *p, const char *key, const struct cfg_value *v,
                       enum value_kind kind)
{
    if (v->kind == kind)
        return 0;
    return key_fail(p, key, "expected %s, got %s",
                    kind == VALUE_NUMBER ? "a number" : "a string", kind_name(v));
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/*
 * Parse -?(decimal | 0x hex) from exactly len bytes.  Returns 0, -EINVAL
 * (not such a number), -ERANGE (does not fit 64 bits) or -EDOM (negative).
 */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    bool negative = len > 0 && s[0] == '-';
    size_t i = negative ? 1 : 0;
    unsigned base = 10;
    if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    if (i == len)
        return -EINVAL;
    uint64_t n = 0;
    bool overflow = false;
    for (; i < len; i++) {
        int d = digit_value(s[i]);
        if (d >= (int)base)
            return -EINVAL;
        if (n > (UINT64_MAX - (unsigned)d) / base)
            overflow = true;
        n = n * base + (unsigned)d;
    }
    if (overflow)
        return -ERANGE;
    if (negative && n != 0)
        return -EDOM;
    *out = n;
    return 0;
}

/* Report what parse_u64 said about text, or a value outside min..max. */
static int number_fail(struct parser *p, const char *key, const char *text, size_t len,
                       int why, uint64_t min, uint64_t max)
{
    char shown[SHOW_MAX + 4];
    show(shown, text, len);
    if (why == -EINVAL)
        return key_fail(p, key, "'%s' is not an integer", shown);
    if (why == -ERANGE)
        return key_fail(p, key, "'%s' is too large (overflows 64 bits)", shown);
    return key_fail(p, key, "'%s' is out of range %" PRIu64 "..%" PRIu64, shown, min, max);
}

static int get_number(struct parser *p, const char *key, const struct cfg_value *v,
                      uint64_t min, uint64_t max, uint64_t *out)
{
    int rc = expect_kind(p, key, v, VALUE_NUMBER);
    if (rc)
        return rc;
    uint64_t n;
    rc = parse_u64(v->text, v->len, &n);
    if (rc == 0 && (n < min || n > max))
        rc = -EDOM;
    if (rc)
        return number_fail(p, key, v->text, v->len, rc, min, max);
    *out = n;
    return 0;
}

/* Copy a string value into a fixed field of size bytes, NUL included. */
static int get_string(struct parser *p, const char *key, const struct cfg_value *v,
                      char *field, size_t size)
{
    int rc = expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (v->len >= size)
        return key_fail(p, key, "longer than %zu bytes", size - 1);
    memcpy(field, v->text, v->len + 1);
    return 0;
}

/* ---- the keys ---------------------------------------------------------- */

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static int set_name(struct parser *p, const char *key, const struct cfg_value *v)
{
    int rc = expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    char shown[SHOW_MAX + 4];
    if (v->len == 0)
        return key_fail(p, key, "must not be empty");
    if (v->len >= HV_NAME_MAX)
        return key_fail(p, key, "'%s' is longer than %u characters", show(shown, v->text, v->len),
                        HV_NAME_MAX - 1);
    for (size_t i = 0; i < v->len; i++)
        if (!is_name_char(v->text[i]))
            return key_fail(p, key, "'%s' may contain only A-Z a-z 0-9 _ . -",
                            show(shown, v->text, v->len));
    /* Domains are named by domid too: an all-digit name would be ambiguous. */
    if (strspn(v->text, "0123456789") == v->len)
        return key_fail(p, key, "'%s' is all digits, which would read as a domid",
                        show(shown, v->text, v->len));
    memcpy(p->cfg->name, v->text, v->len + 1);
    return 0;
}

static int set_kernel(struct parser *p, const char *key, const struct cfg_value *v)
{
    int rc = expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (v->len == 0)
        return key_fail(p, key, "must not be empty");
    char *out = p->cfg->kernel;
    int n;
    if (v->text[0] == '/' || !p->dir)
        n = snprintf(out, PATH_MAX, "%s", v->text);
    else if (strcmp(p->dir, "/") == 0)
        n = snprintf(out, PATH_MAX, "/%s", v->text);
    else
        n = snprintf(out, PATH_MAX, "%s/%s", p->dir, v->text);
    if (n < 0 || n >= PATH_MAX)
        return key_fail(p, key, "path is longer than %d bytes", PATH_MAX - 1);
    return 0;
}

static int set_action(struct parser *p, const char *key, const struct cfg_value *v, uint8_t *out)
{
    static const char *const actions[] = {
        [HV_ACTION_destroy] = "destroy",
        [HV_ACTION_restart] = "restart",
        [HV_ACTION_preserve] = "preserve",
    };
    int rc = expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    for (uint8_t a = 0; a <= HV_ACTION_MAX; a++)
        if (strcmp(v->text, actions[a]) == 0) {
            *out = a;
            return 0;
        }
    char shown[SHOW_MAX + 4];
    return key_fail(p, key, "'%s' is not one of destroy, restart, preserve",
                    show(shown, v->text, v->len));
}

static int set_uuid(struct parser *p, const char *key, const struct cfg_value *v)
{
    int rc = expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (uuid_parse(v->text, p->cfg->uuid) != 0) {
        char shown[SHOW_MAX + 4];
        return key_fail(p, key, "'%s' is not a UUID (like 01234567-89ab-cdef-0123-456789abcdef)",
                        show(shown, v->text, v->len));
    }
    p->cfg->has_uuid = 1;
    return 0;
}

/* A number in min..max stored in a 32-bit field. */
static int get_u32(struct parser *p, const char *key, const struct cfg_value *v, uint32_t min,
                   uint32_t max, uint32_t *out)
{
    uint64_t n;
    int rc = get_number(p, key, v, min, max, &n);
    if (rc == 0)
        *out = (uint32_t)n;
    return rc;
}

static int set_key(struct parser *p, enum cfg_key key, const char *name, const struct cfg_value *v)
{
    struct hv_domain_config *cfg = p->cfg;
    switch (key) {
    case KEY_NAME:
        return set_name(p, name, v);
    case KEY_MEMORY:
        return get_number(p, name, v, 1, MEMORY_MAX_MIB, &cfg->memory_mib);
    case KEY_MAXMEM:
        return get_number(p, name, v, 1, MEMORY_MAX_MIB, &cfg->maxmem_mib);
    case KEY_VCPUS:
        return get_u32(p, name, v, 1, HV_MAX_VCPUS, &cfg->vcpus);
    case KEY_KERNEL:
        return set_kernel(p, name, v);
    case KEY_CMDLINE:
        return get_string(p, name, v, cfg->cmdline, sizeof cfg->cmdline);
    case KEY_ON_POWEROFF:
        return set_action(p, name, v, &cfg->on_poweroff);
    case KEY_ON_REBOOT:
        return set_action(p, name, v, &cfg->on_reboot);
    case KEY_ON_CRASH:
        return set_action(p, name, v, &cfg->on_crash);
    case KEY_UUID:
        return set_uuid(p, name, v);
    case KEY_RESTART_LIMIT:
        return get_u32(p, name, v, 1, HV_RESTART_LIMIT_MAX, &cfg->restart_limit);
    case KEY_RESTART_INTERVAL:
        return get_u32(p, name, v, 1, HV_RESTART_INTERVAL_MAX, &cfg->restart_interval_s);
    case KEY_COUNT:
        break;
    }
    return -EINVAL;
}

/* Validate and store one setting; name is how the input spelt the key (static storage). */
static int apply_key(struct parser *p, enum cfg_key key, const char *name, const struct cfg_value *v)
{
    if (p->seen[key]) {
        const char *first = p->seen_as[key];
        if (p->format == FORMAT_JSON)
            return key_fail(p, name, "given twice");
        if (strcmp(first, name) != 0)
            return key_fail(p, name, "given twice (first at line %u as '%s')", p->seen_line[key], first);
        return key_fail(p, name, "given twice (first at line %u)", p->seen_line[key]);
    }
    int rc = set_key(p, key, name, v);
    if (rc)
        return rc;
    p->seen[key] = true;
    p->seen_line[key] = p->line;
    p->seen_as[key] = name;
    return 0;
}

static const struct key_name *lookup_key(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strlen(key_names[i].name) == len && memcmp(key_names[i].name, s, len) == 0)
            return &key_names[i];
    return NULL;
}

static int unknown_key(struct parser *p, const char *s, size_t len)
{
    char shown[SHOW_MAX + 4];
    return fail(p, "unknown key '%s'", show(shown, s, len));
}

/* After all settings: required keys, the maxmem default, maxmem >= memory. */
static int finish(struct parser *p)
{
    static const struct { enum cfg_key key; const char *key_name, *xml_name; } required[] = {
        { KEY_NAME, "name", "<name>" },
        { KEY_MEMORY, "memory", "<memory>" },
        { KEY_KERNEL, "kernel", "<os><kernel>" },
    };
    p->line = 0;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (p->seen[required[i].key])
            continue;
        if (p->format == FORMAT_XML)
            return fail(p, "missing required element %s", required[i].xml_name);
        return fail(p, "missing required key '%s'", required[i].key_name);
    }
    struct hv_domain_config *cfg = p->cfg;
    if (!p->seen[KEY_MAXMEM]) {
        cfg->maxmem_mib = cfg->memory_mib;
    } else if (cfg->maxmem_mib < cfg->memory_mib) {
        p->line = p->seen_line[KEY_MAXMEM];
        return key_fail(p, p->seen_as[KEY_MAXMEM], "%" PRIu64 " MiB is less than %s (%" PRIu64 " MiB)",
                        cfg->maxmem_mib, p->seen_as[KEY_MEMORY], cfg->memory_mib);
    }
    return 0;
}

/* ---- xl.cfg ------------------------------------------------------------ */

struct xl_lexer {
    const char *s;
    size_t len, pos;
    unsigned line;
};

static int xl_peek(const struct xl_lexer *lx)
{
    return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos] : EOF;
}

static void xl_skip_blanks(struct xl_lexer *lx)
{
    /* '\r' counts as a blank so that CRLF files read like LF files. */
    while (xl_peek(lx) == ' ' || xl_peek(lx) == '\t' || xl_peek(lx) == '\r')
        lx->pos++;
}

static void xl_skip_comment(struct xl_lexer *lx)
{
    if (xl_peek(lx) != '#')
        return;
    while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
        lx->pos++;
}

static bool xl_at_line_end(const struct xl_lexer *lx)
{
    return xl_peek(lx) == EOF || xl_peek(lx) == '\n';
}

/* Between list elements: blanks, comments and newlines. */
static void xl_skip_list_space(struct xl_lexer *lx)
{
    for (;;) {
        xl_skip_blanks(lx);
        xl_skip_comment(lx);
        if (xl_peek(lx) != '\n')
            return;
        lx->pos++;
        lx->line++;
    }
}

/* A problem at the lexer's position: "FILE:LINE: KEY: what, found X". */
static int xl_unexpected(struct parser *p, const struct xl_lexer *lx, const char *key, const char *what)
{
    char byte[16];
    p->line = lx->line;
    return key_fail(p, key, "%s, found %s", what, describe_byte(byte, xl_peek(lx)));
}

static bool is_key_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_key_char(int c)
{
    return is_key_start(c) || (c >= '0' && c <= '9');
}

/* Decode a quoted string; on success *out is malloc'd and NUL-terminated. */
static int xl_string(struct parser *p, struct xl_lexer *lx, const char *key, char **out, size_t *outlen)
{
    char quote = lx->s[lx->pos++];
    size_t start = lx->pos, end = start;
    /* Find the closing quote first so the decoded copy can be sized. */
    while (end < lx->len && lx->s[end] != quote && lx->s[end] != '\n') {
        if (quote == '"' && lx->s[end] == '\\' && end + 1 < lx->len && lx->s[end + 1] != '\n')
            end++;
        end++;
    }
    if (end >= lx->len || lx->s[end] != quote) {
        p->line = lx->line;
        return key_fail(p, key, "unterminated string");
    }
    char *buf = malloc(end - start + 1);
    if (!buf)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = start; i < end; i++) {
        char c = lx->s[i];
        if (quote == '"' && c == '\\') {
            c = lx->s[++i];
            if (c == 'n') {
                c = '\n';
            } else if (c != '"' && c != '\\') {
                free(buf);
                p->line = lx->line;
                return key_fail(p, key, "unknown escape '\\%c' in string (use \\\" \\\\ or \\n)",
                                isprint((unsigned char)c) ? c : '?');
            }
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    lx->pos = end + 1;
    *out = buf;
    *outlen = n;
    return 0;
}

/* A number token: -?[0-9]+ or -?0x[0-9a-fA-F]+; parse_u64 validates it later. */
static void xl_number(struct xl_lexer *lx, struct cfg_value *v)
{
    size_t start = lx->pos;
    if (xl_peek(lx) == '-')
        lx->pos++;
    if (xl_peek(lx) == '0' && lx->pos + 1 < lx->len && (lx->s[lx->pos + 1] | 0x20) == 'x') {
        lx->pos += 2;
        while (lx->pos < lx->len && isxdigit((unsigned char)lx->s[lx->pos]))
            lx->pos++;
    } else {
        while (lx->pos < lx->len && isdigit((unsigned char)lx->s[lx->pos]))
            lx->pos++;
    }
    v->kind = VALUE_NUMBER;
    v->text = lx->s + start;
    v->len = lx->pos - start;
}

static bool is_number_start(int c)
{
    return c == '-' || (c >= '0' && c <= '9');
}

/* One list element: a string or a number (lists do not nest). */
static int xl_list_element(struct parser *p, struct xl_lexer *lx, const char *key)
{
    int c = xl_peek(lx);
    if (c == '"' || c == '\'') {
        char *s;
        size_t len;
        int rc = xl_string(p, lx, key, &s, &len);
        if (rc == 0)
            free(s);
        return rc;
    }
    if (is_number_start(c)) {
        struct cfg_value ignored;
        xl_number(lx, &ignored);
        return 0;
    }
    if (c == EOF)
        return xl_unexpected(p, lx, key, "unterminated list");
    return xl_unexpected(p, lx, key, "expected a string or a number in the list");
}

/* [ element, element, ... ] with an optional trailing comma, across lines. */
static int xl_list(struct parser *p, struct xl_lexer *lx, const char *key)
{
    lx->pos++;
    for (;;) {
        xl_skip_list_space(lx);
        if (xl_peek(lx) == ']')
            break;
        int rc = xl_list_element(p, lx, key);
        if (rc)
            return rc;
        xl_skip_list_space(lx);
        if (xl_peek(lx) == ',') {
            lx->pos++;
        } else if (xl_peek(lx) != ']') {
            return xl_unexpected(p, lx, key, xl_peek(lx) == EOF ? "unterminated list"
                                                                : "expected ',' or ']' in the list");
        }
    }
    lx->pos++;
    return 0;
}

/* The value after "key =".  A decoded string is returned in *owned for the caller to free. */
static int xl_value(struct parser *p, struct xl_lexer *lx, const char *key, struct cfg_value *v,
                    char **owned)
{
    int c = xl_peek(lx);
    if (c == '"' || c == '\'') {
        int rc = xl_string(p, lx, key, owned, &v->len);
        v->kind = VALUE_STRING;
        v->text = *owned;
        return rc;
    }
    if (c == '[') {
        v->kind = VALUE_LIST;
        return xl_list(p, lx, key);
    }
    if (is_number_start(c)) {
        xl_number(lx, v);
        return 0;
    }
    if (is_key_start(c)) {
        size_t start = lx->pos;
        while (is_key_char(xl_peek(lx)))
            lx->pos++;
        char shown[SHOW_MAX + 4];
        return key_fail(p, key, "unquoted value '%s' (put strings in quotes)",
                        show(shown, lx->s + start, lx->pos - start));
    }
    return xl_unexpected(p, lx, key, "expected a value");
}

/* What may follow a value: blanks, one ';', a comment, the end of the line. */
static int xl_end_of_setting(struct parser *p, struct xl_lexer *lx, const char *key)
{
    xl_skip_blanks(lx);
    if (xl_peek(lx) == ';') {
        lx->pos++;
        xl_skip_blanks(lx);
    }
    xl_skip_comment(lx);
    if (xl_at_line_end(lx))
        return 0;
    return xl_unexpected(p, lx, key, "unexpected text after the value");
}

/* key = value [;] [# comment] */
static int xl_setting(struct parser *p, struct xl_lexer *lx)
{
    unsigned line = lx->line;
    p->line = line;
    if (!is_key_start(xl_peek(lx))) {
        char byte[16];
        return fail(p, "expected a key, found %s", describe_byte(byte, xl_peek(lx)));
    }
    size_t start = lx->pos;
    while (is_key_char(xl_peek(lx)))
        lx->pos++;
    const struct key_name *k = lookup_key(lx->s + start, lx->pos - start);
    if (!k)
        return unknown_key(p, lx->s + start, lx->pos - start);
    xl_skip_blanks(lx);
    if (xl_peek(lx) != '=')
        return xl_unexpected(p, lx, k->name, "expected '='");
    lx->pos++;
    xl_skip_blanks(lx);
    struct cfg_value v = { 0 };
    char *owned = NULL;
    int rc = xl_value(p, lx, k->name, &v, &owned);
    if (rc == 0)
        rc = xl_end_of_setting(p, lx, k->name);
    if (rc == 0) {
        p->line = line;
        rc = apply_key(p, k->key, k->name, &v);
    }
    free(owned);
    return rc;
}

static int parse_xl(struct parser *p, const char *s, size_t len)
{
    struct xl_lexer lx = { .s = s, .len = len, .pos = 0, .line = 1 };
    while (lx.pos < lx.len) {
        xl_skip_blanks(&lx);
        xl_skip_comment(&lx);
        if (!xl_at_line_end(&lx)) {
            int rc = xl_setting(p, &lx);
            if (rc)
                return rc;
        }
        if (xl_peek(&lx) == '\n') {
            lx.pos++;
            lx.line++;
        }
    }
    return finish(p);
}

/* ---- JSON -------------------------------------------------------------- */

static bool json_nesting_ok(const char *s, size_t len)
{
    unsigned depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH)
                return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

static void json_to_value(yajl_val j, struct cfg_value *v)
{
    if (YAJL_IS_STRING(j)) {
        *v = (struct cfg_value){ VALUE_STRING, j->u.string, strlen(j->u.string) };
    } else if (YAJL_IS_NUMBER(j)) {
        *v = (struct cfg_value){ VALUE_NUMBER, j->u.number.r, strlen(j->u.number.r) };
    } else if (YAJL_IS_ARRAY(j)) {
        *v = (struct cfg_value){ VALUE_LIST, "a list", 0 };
    } else if (YAJL_IS_OBJECT(j)) {
        *v = (struct cfg_value){ VALUE_OTHER, "an object", 0 };
    } else if (YAJL_IS_NULL(j)) {
        *v = (struct cfg_value){ VALUE_OTHER, "null", 0 };
    } else {
        *v = (struct cfg_value){ VALUE_OTHER, "a boolean", 0 };
    }
}

/* root is an object: the format was chosen because the text starts with '{'. */
static int json_object(struct parser *p, yajl_val root)
{
    for (size_t i = 0; i < root->u.object.len; i++) {
        const char *name = root->u.object.keys[i];
        const struct key_name *k = lookup_key(name, strlen(name));
        if (!k)
            return unknown_key(p, name, strlen(name));
        struct cfg_value v;
        json_to_value(root->u.object.values[i], &v);
        int rc = apply_key(p, k->key, k->name, &v);
        if (rc)
            return rc;
    }
    return finish(p);
}

/* yajl's message spans several lines (it draws an arrow): keep the first. */
static void first_line(char *msg)
{
    msg[strcspn(msg, "\n")] = '\0';
}

static int parse_json(struct parser *p, const char *s, size_t len)
{
    if (!json_nesting_ok(s, len))
        return fail(p, "invalid JSON: nested deeper than %d levels", JSON_MAX_DEPTH);
    /* yajl_tree_parse wants a NUL-terminated string; the text has no NUL (checked). */
    char *copy = strndup(s, len);
    if (!copy)
        return -ENOMEM;
    char msg[256] = "";
    yajl_val root = yajl_tree_parse(copy, msg, sizeof msg);
    free(copy);
    if (!root) {
        first_line(msg);
        return fail(p, "invalid JSON: %s", msg[0] ? msg : "parse error");
    }
    int rc = json_object(p, root);
    yajl_tree_free(root);
    return rc;
}

/* ---- libvirt-style XML -------------------------------------------------- */

enum xml_kind { XML_STRING, XML_NUMBER, XML_MEMORY, XML_OS };

struct xml_element {
    const char *name;
    enum xml_kind kind;
    enum cfg_key key; /* unused for XML_OS */
};

static const struct xml_element domain_elements[] = {
    { "name", XML_STRING, KEY_NAME },
    { "uuid", XML_STRING, KEY_UUID },
    { "memory", XML_MEMORY, KEY_MAXMEM },
    { "currentMemory", XML_MEMORY, KEY_MEMORY },
    { "vcpu", XML_NUMBER, KEY_VCPUS },
    { "os", XML_OS, KEY_COUNT },
    { "on_poweroff", XML_STRING, KEY_ON_POWEROFF },
    { "on_reboot", XML_STRING, KEY_ON_REBOOT },
    { "on_crash", XML_STRING, KEY_ON_CRASH },
    { "restart_limit", XML_NUMBER, KEY_RESTART_LIMIT },
    { "restart_interval", XML_NUMBER, KEY_RESTART_INTERVAL },
};

static const struct xml_element os_elements[] = {
    { "kernel", XML_STRING, KEY_KERNEL },
    { "cmdline", XML_STRING, KEY_CMDLINE },
};

static const char *xml_name(const xmlNode *n)
{
    return (const char *)n->name;
}

/* A problem at node n: "FILE:LINE: message". */
__attribute__((format(printf, 3, 4)))
static int xml_fail(struct parser *p, const xmlNode *n, const char *fmt, ...)
{
    long line = xmlGetLineNo(n);
    p->line = line > 0 ? (unsigned)line : 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(p, fmt, ap);
    va_end(ap);
    return rc;
}

/* Blank text and comments may sit between elements; nothing else may. */
static bool xml_is_ignorable(const xmlNode *n)
{
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
        return true;
    return n->type == XML_TEXT_NODE && xmlIsBlankNode(n);
}

/* The text of a leaf element, trimmed; *out is malloc'd. */
static int xml_text(struct parser *p, const xmlNode *el, char **out, size_t *outlen)
{
    size_t len = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            len += strlen((const char *)c->content);
        else if (c->type == XML_ENTITY_REF_NODE)
            return xml_fail(p, el, "<%s>: entity references are not supported", xml_name(el));
        else if (c->type == XML_ELEMENT_NODE)
            return xml_fail(p, c, "<%s> may not contain elements", xml_name(el));
    }
    char *buf = malloc(len + 1);
    if (!buf)
        return -ENOMEM;
    size_t n = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            size_t l = strlen((const char *)c->content);
            memcpy(buf + n, c->content, l);
            n += l;
        }
    }
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    size_t lead = strspn(buf, " \t\r\n");
    memmove(buf, buf + lead, n - lead + 1);
    *out = buf;
    *outlen = n - lead;
    return 0;
}

/* Turn "<memory unit='U'>N</memory>" into MiB, written to mib_text. */
static int xml_memory_mib(struct parser *p, const xmlNode *el, const char *text, size_t len,
                          char mib_text[32])
{
    uint64_t n;
    int rc = parse_u64(text, len, &n);
    if (rc)
        return number_fail(p, xml_name(el), text, len, rc, 1, MEMORY_MAX_MIB);
    xmlChar *unit = xmlGetProp(el, (const xmlChar *)"unit");
    const char *u = unit ? (const char *)unit : "KiB";
    if (strcmp(u, "KiB") == 0) {
        if (n % 1024)
            rc = key_fail(p, xml_name(el), "%" PRIu64 " KiB is not a whole number of MiB", n);
        n /= 1024;
    } else if (strcmp(u, "GiB") == 0) {
        if (n > MEMORY_MAX_MIB / 1024)
            rc = key_fail(p, xml_name(el), "%" PRIu64 " GiB is too large", n);
        n *= 1024;
    } else if (strcmp(u, "MiB") != 0) {
        char shown[SHOW_MAX + 4];
        rc = key_fail(p, xml_name(el), "unknown unit '%s' (use KiB, MiB or GiB)",
                      show(shown, u, strlen(u)));
    }
    xmlFree(unit);
    snprintf(mib_text, 32, "%" PRIu64, n);
    return rc;
}

static int xml_leaf(struct parser *p, const xmlNode *el, const struct xml_element *e)
{
    char *text = NULL;
    size_t len = 0;
    int rc = xml_text(p, el, &text, &len);
    if (rc)
        return rc;
    long line = xmlGetLineNo(el);
    p->line = line > 0 ? (unsigned)line : 0;
    struct cfg_value v = { e->kind == XML_STRING ? VALUE_STRING : VALUE_NUMBER, text, len };
    char mib[32];
    if (e->kind == XML_MEMORY) {
        rc = xml_memory_mib(p, el, text, len, mib);
        v = (struct cfg_value){ VALUE_NUMBER, mib, strlen(mib) };
    }
    if (rc == 0)
        rc = apply_key(p, e->key, e->name, &v);
    free(text);
    return rc;
}

static int xml_children(struct parser *p, const xmlNode *parent, const struct xml_element *table,
                        size_t count);

static int xml_element(struct parser *p, const xmlNode *el, const struct xml_element *table,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(xml_name(el), table[i].name) != 0)
            continue;
        if (table[i].kind == XML_OS)
            return xml_children(p, el, os_elements, sizeof os_elements / sizeof os_elements[0]);
        return xml_leaf(p, el, &table[i]);
    }
    char shown[SHOW_MAX + 4];
    return xml_fail(p, el, "unknown element <%s>", show(shown, xml_name(el), strlen(xml_name(el))));
}

static int xml_children(struct parser *p, const xmlNode *parent, const struct xml_element *table,
                        size_t count)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        int rc;
        if (c->type == XML_ELEMENT_NODE)
            rc = xml_element(p, c, table, count);
        else if (xml_is_ignorable(c))
            rc = 0;
        else
            rc = xml_fail(p, c, "unexpected content in <%s>", xml_name(parent));
        if (rc)
            return rc;
    }
    return 0;
}

static int xml_domain(struct parser *p, const xmlNode *root)
{
    if (strcmp(xml_name(root), "domain") != 0)
        return xml_fail(p, root, "expected <domain> as the root element, found <%s>", xml_name(root));
    xmlChar *type = xmlGetProp(root, (const xmlChar *)"type");
    int rc = 0;
    if (type && strcmp((const char *)type, "hv") != 0) {
        char shown[SHOW_MAX + 4];
        rc = xml_fail(p, root, "domain type '%s' is not supported (use 'hv')",
                         show(shown, (const char *)type, strlen((const char *)type)));
    }
    xmlFree(type);
    if (rc == 0)
        rc = xml_children(p, root, domain_elements, sizeof domain_elements / sizeof domain_elements[0]);
    if (rc)
        return rc;
    /* libvirt's <memory> is the maximum; <currentMemory> defaults to it. */
    if (!p->seen[KEY_MEMORY] && p->seen[KEY_MAXMEM]) {
        p->cfg->memory_mib = p->cfg->maxmem_mib;
        p->seen[KEY_MEMORY] = true;
        p->seen_as[KEY_MEMORY] = "currentMemory";
    }
    return finish(p);
}

static int parse_xml(struct parser *p, const char *s, size_t len)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return -ENOMEM;
    /* No XML_PARSE_NOENT or DTDLOAD: entities stay unexpanded and nothing external is read. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, s, (int)len, p->file, NULL, options);
    int rc;
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[256];
        snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "parse error");
        first_line(msg);
        p->line = e && e->line > 0 ? (unsigned)e->line : 0;
        rc = fail(p, "invalid XML: %s", msg);
    } else {
        const xmlNode *root = xmlDocGetRootElement(doc);
        rc = root ? xml_domain(p, root) : fail(p, "invalid XML: no root element");
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* ---- entry points ------------------------------------------------------ */

void hv_config_init(struct hv_domain_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->vcpus = 1;
    cfg->on_poweroff = HV_ACTION_destroy;
    cfg->on_reboot = HV_ACTION_restart;
    cfg->on_crash = HV_ACTION_destroy;
    cfg->restart_limit = HV_RESTART_LIMIT_DEFAULT;
    cfg->restart_interval_s = HV_RESTART_INTERVAL_DEFAULT;
}

static enum cfg_format detect_format(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i < len && s[i] == '{')
        return FORMAT_JSON;
    if (i < len && s[i] == '<')
        return FORMAT_XML;
    return FORMAT_XL;
}

static unsigned line_of(const char *s, size_t offset)
{
    unsigned line = 1;
    for (size_t i = 0; i < offset; i++)
        line += s[i] == '\n';
    return line;
}

int hv_config_parse_buffer(const char *text, size_t len, const char *name, const char *dir,
                           struct hv_domain_config *cfg, char *err, size_t errlen)
{
    struct parser p = {
        .file = name ? name : "config",
        .dir = dir && dir[0] ? dir : NULL,
        .cfg = cfg,
        .err = err,
        .errlen = errlen,
    };
    if (err && errlen)
        err[0] = '\0';
    hv_config_init(cfg);
    if (len > HV_CONFIG_MAX_SIZE) {
        fail(&p, "file is larger than %u MiB", HV_CONFIG_MAX_SIZE >> 20);
        return -EFBIG;
    }
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul) {
        p.line = line_of(text, (size_t)(nul - text));
        return fail(&p, "NUL byte in the file");
    }
    p.format = detect_format(text, len);
    switch (p.format) {
    case FORMAT_JSON: return parse_json(&p, text, len);
    case FORMAT_XML: return parse_xml(&p, text, len);
    case FORMAT_XL: break;
    }
    return parse_xl(&p, text, len);
}

/* Read at most HV_CONFIG_MAX_SIZE + 1 bytes: one more than allowed shows that the file is too big. */
static int read_file(int fd, char **out, size_t *outlen)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len == cap && cap <= HV_CONFIG_MAX_SIZE) {
            cap = cap * 2 > HV_CONFIG_MAX_SIZE + 1 ? HV_CONFIG_MAX_SIZE + 1 : cap * 2;
            char *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                return -ENOMEM;
            }
            buf = bigger;
        }
        if (len == cap)
            break;
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return -e;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* The directory part of path: "." when it has none. */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

int hv_config_parse_file(const char *path, struct hv_domain_config *cfg, char *err, size_t errlen)
{
    struct parser p = { .file = path, .err = err, .errlen = errlen };
    hv_config_init(cfg);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        fail(&p, "cannot open: %s", strerror(e));
        return -e;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(fd, &text, &len);
    close(fd);
    if (rc) {
        fail(&p, "cannot read: %s", strerror(-rc));
        return rc;
    }
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    rc = hv_config_parse_buffer(text, len, path, dir, cfg, err, errlen);
    free(text);
    return rc;
}

int hv_config_to_createdomain(const struct hv_domain_config *cfg, struct xen_domctl_createdomain *cd)
{
    memset(cd, 0, sizeof *cd);
    if (strnlen(cfg->name, sizeof cfg->name) == sizeof cfg->name)
        return -EINVAL;
    if (cfg->vcpus < 1 || cfg->vcpus > HV_MAX_VCPUS)
        return -EINVAL;
    if (cfg->memory_mib < 1 || cfg->maxmem_mib < cfg->memory_mib ||
        cfg->maxmem_mib > UINT64_MAX / PAGES_PER_MIB)
        return -EINVAL;
    if (cfg->on_poweroff > HV_ACTION_MAX || cfg->on_reboot > HV_ACTION_MAX ||
        cfg->on_crash > HV_ACTION_MAX)
        return -EINVAL;
    if (cfg->restart_limit < 1 || cfg->restart_limit > HV_RESTART_LIMIT_MAX ||
        cfg->restart_interval_s < 1 || cfg->restart_interval_s > HV_RESTART_INTERVAL_MAX)
        return -EINVAL;
    memcpy(cd->name, cfg->name, sizeof cd->name);
    if (cfg->has_uuid)
        memcpy(cd->handle, cfg->uuid, sizeof cd->handle);
    cd->max_vcpus = cfg->vcpus;
    cd->init_pages = cfg->memory_mib * PAGES_PER_MIB;
    cd->max_pages = cfg->maxmem_mib * PAGES_PER_MIB;
    cd->on_poweroff = cfg->on_poweroff;
    cd->on_reboot = cfg->on_reboot;
    cd->on_crash = cfg->on_crash;
    cd->restart_limit = cfg->restart_limit;
    cd->restart_interval_s = cfg->restart_interval_s;
    return 0;
}
