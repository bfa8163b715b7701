/* Memory, string and formatting helpers for freestanding test guests. */
#include "libc.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* ---- vsnprintf ---------------------------------------------------- */

/* Output cursor: counts every character, stores those that fit. */
struct outbuf {
    char *buf;
    size_t size;
    size_t len;
};

struct conv_spec {
    bool left;     /* '-': pad on the right */
    bool zero;     /* '0': pad numbers with zeros */
    size_t width;
    int length;    /* 0: int, 1: long (l, z), 2: long long (ll) */
};

static void put_char(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_repeated(struct outbuf *o, char c, size_t n)
{
    while (n--)
        put_char(o, c);
}

static void put_string(struct outbuf *o, const char *s, const struct conv_spec *spec)
{
    size_t n = strlen(s);
    size_t pad = spec->width > n ? spec->width - n : 0;

    if (!spec->left)
        put_repeated(o, ' ', pad);
    while (*s)
        put_char(o, *s++);
    if (spec->left)
        put_repeated(o, ' ', pad);
}

static void put_number(struct outbuf *o, unsigned long long v, unsigned int base,
                       bool negative, const struct conv_spec *spec)
{
    char digits[24];
    size_t n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);

    size_t body = n + negative;
    size_t pad = spec->width > body ? spec->width - body : 0;

    if (!spec->left && !spec->zero)
        put_repeated(o, ' ', pad);
    if (negative)
        put_char(o, '-');
    if (!spec->left && spec->zero)
        put_repeated(o, '0', pad);
    while (n)
        put_char(o, digits[--n]);
    if (spec->left)
        put_repeated(o, ' ', pad);
}

static long long next_signed(va_list *ap, int length)
{
    if (length == 2)
        return va_arg(*ap, long long);
    if (length == 1)
        return va_arg(*ap, long);
    return va_arg(*ap, int);
}

static unsigned long long next_unsigned(va_list *ap, int length)
{
    if (length == 2)
        return va_arg(*ap, unsigned long long);
    if (length == 1)
        return va_arg(*ap, unsigned long);
    return va_arg(*ap, unsigned int);
}

/* Parse flags, width and length after '%'; returns the conversion character. */
static const char *parse_spec(const char *fmt, struct conv_spec *spec)
{
    *spec = (struct conv_spec){ 0 };
    for (;; fmt++) {
        if (*fmt == '-')
            spec->left = true;
        else if (*fmt == '0')
            spec->zero = true;
        else
            break;
    }
    while (*fmt >= '0' && *fmt <= '9')
        spec->width = spec->width * 10 + (size_t)(*fmt++ - '0');
    if (*fmt == 'z') {
        spec->length = 1;
        fmt++;
    }
    while (*fmt == 'l' && spec->length < 2) {
        spec->length++;
        fmt++;
    }
    return fmt;
}

static void format_conversion(struct outbuf *o, char conv,
                              const struct conv_spec *spec, va_list *ap)
{
    long long sv;
    const char *s;

    switch (conv) {
    case 'd':
    case 'i':
        sv = next_signed(ap, spec->length);
        put_number(o, sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv,
                   10, sv < 0, spec);
        break;
    case 'u':
        put_number(o, next_unsigned(ap, spec->length), 10, false, spec);
        break;
    case 'x':
        put_number(o, next_unsigned(ap, spec->length), 16, false, spec);
        break;
    case 'p':
        put_char(o, '0');
        put_char(o, 'x');
        put_number(o, (uintptr_t)va_arg(*ap, void *), 16, false, spec);
        break;
    case 'c':
        put_char(o, (char)va_arg(*ap, int));
        break;
    case 's':
        s = va_arg(*ap, const char *);
        put_string(o, s ? s : "(null)", spec);
        break;
    case '%':
        put_char(o, '%');
        break;
    default: /* unknown: show it as written */
        put_char(o, '%');
        put_char(o, conv);
        break;
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct outbuf o = { .buf = buf, .size = size, .len = 0 };
    struct conv_spec spec;
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            put_char(&o, *fmt++);
            continue;
        }
        fmt = parse_spec(fmt + 1, &spec);
        if (!*fmt)
            break;
        format_conversion(&o, *fmt++, &spec, &args);
    }
    va_end(args);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
