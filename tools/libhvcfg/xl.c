/*
 * libhvcfg: the xl.cfg front end.  "key = value" settings, one a line,
 * with '#' comments, an optional ';', quoted strings ('...' or "..." with
 * \" \\ \n), numbers (decimal or 0x hex) and lists (accepted, but no key
 * takes one).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "private.h"

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
static int xl_unexpected(struct parser *p, const struct xl_lexer *lx, const char *key,
                         const char *what)
{
    char byte[16];
    p->line = lx->line;
    return cfg_key_fail(p, key, "%s, found %s", what, cfg_describe_byte(byte, xl_peek(lx)));
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
static int xl_string(struct parser *p, struct xl_lexer *lx, const char *key, char **out,
                     size_t *outlen)
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
        return cfg_key_fail(p, key, "unterminated string");
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
                return cfg_key_fail(p, key,
                                    "unknown escape '\\%c' in string (use \\\" \\\\ or \\n)",
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
            return xl_unexpected(p, lx, key,
                                 xl_peek(lx) == EOF ? "unterminated list"
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
        return cfg_key_fail(p, key, "unquoted value '%s' (put strings in quotes)",
                            cfg_show(shown, lx->s + start, lx->pos - start));
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
        return cfg_fail(p, "expected a key, found %s", cfg_describe_byte(byte, xl_peek(lx)));
    }
    size_t start = lx->pos;
    while (is_key_char(xl_peek(lx)))
        lx->pos++;
    const struct cfg_key_def *k = cfg_lookup_key(lx->s + start, lx->pos - start);
    if (!k)
        return cfg_unknown_key(p, lx->s + start, lx->pos - start);
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
        rc = cfg_apply_key(p, k->key, k->name, &v);
    }
    free(owned);
    return rc;
}

int cfg_parse_xl(struct parser *p, const char *s, size_t len)
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
    return cfg_finish(p);
}
