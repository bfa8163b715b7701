/* libhvcfg: values as the front ends found them, checked and converted. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "private.h"

static const char *kind_name(const struct cfg_value *v)
{
    switch (v->kind) {
    case VALUE_NUMBER:
        return "a number";
    case VALUE_STRING:
        return "a string";
    case VALUE_LIST:
        return "a list";
    case VALUE_OTHER:
        return v->text;
    }
    return "?";
}

int cfg_expect_kind(struct parser *p, const char *key, const struct cfg_value *v,
                    enum value_kind kind)
{
    if (v->kind == kind)
        return 0;
    return cfg_key_fail(p, key, "expected %s, got %s",
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
int cfg_parse_u64(const char *s, size_t len, uint64_t *out)
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

/* Report what cfg_parse_u64 said about text, or a value outside min..max. */
int cfg_number_fail(struct parser *p, const char *key, const char *text, size_t len, int why,
                    uint64_t min, uint64_t max)
{
    char shown[SHOW_MAX + 4];
    cfg_show(shown, text, len);
    if (why == -EINVAL)
        return cfg_key_fail(p, key, "'%s' is not an integer", shown);
    if (why == -ERANGE)
        return cfg_key_fail(p, key, "'%s' is too large (overflows 64 bits)", shown);
    return cfg_key_fail(p, key, "'%s' is out of range %" PRIu64 "..%" PRIu64, shown, min, max);
}

int cfg_get_number(struct parser *p, const char *key, const struct cfg_value *v, uint64_t min,
                   uint64_t max, uint64_t *out)
{
    int rc = cfg_expect_kind(p, key, v, VALUE_NUMBER);
    if (rc)
        return rc;
    uint64_t n;
    rc = cfg_parse_u64(v->text, v->len, &n);
    if (rc == 0 && (n < min || n > max))
        rc = -EDOM;
    if (rc)
        return cfg_number_fail(p, key, v->text, v->len, rc, min, max);
    *out = n;
    return 0;
}

/* Copy a string value into a fixed field of size bytes, NUL included. */
int cfg_get_string(struct parser *p, const char *key, const struct cfg_value *v, char *field,
                   size_t size)
{
    int rc = cfg_expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (v->len >= size)
        return cfg_key_fail(p, key, "longer than %zu bytes", size - 1);
    memcpy(field, v->text, v->len + 1);
    return 0;
}

/* A number in min..max stored in a 32-bit field. */
int cfg_get_u32(struct parser *p, const char *key, const struct cfg_value *v, uint32_t min,
                uint32_t max, uint32_t *out)
{
    uint64_t n = 0;
    int rc = cfg_get_number(p, key, v, min, max, &n);
    if (rc == 0)
        *out = (uint32_t)n;
    return rc;
}
