/* libhvcfg: one-line parse error messages written to the caller's buffer. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "private.h"

/* Copy at most SHOW_MAX bytes of s for a one-line message, hiding bytes that are not printable ASCII. */
const char *cfg_show(char out[SHOW_MAX + 4], const char *s, size_t len)
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
const char *cfg_describe_byte(char out[16], int c)
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

__attribute__((format(printf, 3, 0))) static void
write_message(struct parser *p, const char *prefix, const char *fmt, va_list ap)
{
    if (!p->err || p->errlen == 0)
        return;
    int n = snprintf(p->err, p->errlen, "%s", prefix);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
}

/* A problem with the file as a whole or at p->line: "FILE:LINE: message". */
int cfg_vfail(struct parser *p, const char *fmt, va_list ap)
{
    char prefix[PATH_MAX + 32];
    if (p->line)
        snprintf(prefix, sizeof prefix, "%s:%u: ", p->file, p->line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", p->file);
    write_message(p, prefix, fmt, ap);
    return -EINVAL;
}

int cfg_fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cfg_vfail(p, fmt, ap);
    va_end(ap);
    return rc;
}

/* A problem with one key: "FILE:LINE: KEY: message", or for JSON "FILE: key 'KEY': message". */
int cfg_key_fail(struct parser *p, const char *key, const char *fmt, ...)
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

void cfg_first_line(char *msg)
{
    msg[strcspn(msg, "\n")] = '\0';
}
