/* libhvcfg: JSON generation over yajl_gen, for the writer and the listings. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "private.h"

int gen_begin(struct json_gen *j, bool beautify)
{
    j->g = yajl_gen_alloc(NULL);
    if (!j->g)
        return -ENOMEM;
    j->status = yajl_gen_status_ok;
    if (beautify) {
        yajl_gen_config(j->g, yajl_gen_beautify, 1);
        yajl_gen_config(j->g, yajl_gen_indent_string, "  ");
    }
    return 0;
}

void gen_note(struct json_gen *j, yajl_gen_status st)
{
    if (j->status == yajl_gen_status_ok)
        j->status = st;
}

void gen_string(struct json_gen *j, const char *s)
{
    gen_note(j, yajl_gen_string(j->g, (const unsigned char *)s, strlen(s)));
}

/* The members of an object: "key": value. */
void gen_str(struct json_gen *j, const char *key, const char *val)
{
    gen_string(j, key);
    gen_string(j, val);
}

/* A string that may fill its buffer with no NUL (the ABI's name fields). */
void gen_strn(struct json_gen *j, const char *key, const char *val, size_t max)
{
    gen_string(j, key);
    gen_note(j, yajl_gen_string(j->g, (const unsigned char *)val, strnlen(val, max)));
}

/* yajl_gen_integer takes a long long; a uint64_t may not fit, so emit
 * the decimal digits as a number. */
void gen_u64(struct json_gen *j, const char *key, uint64_t val)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, val);

    gen_string(j, key);
    gen_note(j, yajl_gen_number(j->g, digits, (size_t)len));
}

void gen_bool(struct json_gen *j, const char *key, bool val)
{
    gen_string(j, key);
    gen_note(j, yajl_gen_bool(j->g, val));
}

int gen_end(struct json_gen *j, char **out)
{
    const unsigned char *buf;
    size_t len;
    int rc = -EINVAL;

    *out = NULL;
    if (j->status == yajl_gen_status_ok)
        gen_note(j, yajl_gen_get_buf(j->g, &buf, &len));
    if (j->status == yajl_gen_status_ok) {
        *out = strndup((const char *)buf, len);
        rc = *out ? 0 : -ENOMEM;
    }
    yajl_gen_free(j->g);
    return rc;
}
