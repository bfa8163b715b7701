/* Command-line words: "listen peer=3" style. */
#include "cmdline.h"
#include "libc.h"

/* Length of the word starting at s (up to a space or the end). */
static size_t word_len(const char *s)
{
    size_t n = 0;

    while (s[n] && s[n] != ' ')
        n++;
    return n;
}

static bool same_bytes(const char *a, const char *b, size_t n)
{
    while (n--) {
        if (*a++ != *b++)
            return false;
    }
    return true;
}

/* The word of cmdline that starts with prefix, or NULL.  With whole set,
 * the word must be exactly the prefix. */
static const char *find_word(const char *cmdline, const char *prefix, bool whole)
{
    size_t prefix_len = strlen(prefix);
    const char *s = cmdline;

    while (*s) {
        size_t n;

        while (*s == ' ')
            s++;
        n = word_len(s);
        if (n >= prefix_len && (!whole || n == prefix_len) && same_bytes(s, prefix, prefix_len))
            return s;
        s += n;
    }
    return NULL;
}

bool cmdline_has_word(const char *cmdline, const char *word)
{
    return find_word(cmdline, word, true) != NULL;
}

/* Write "key=" to prefix; false if it does not fit. */
static bool key_prefix(char *prefix, size_t size, const char *key)
{
    return snprintf(prefix, size, "%s=", key) < (int)size;
}

bool cmdline_has_key(const char *cmdline, const char *key)
{
    char prefix[64];

    return key_prefix(prefix, sizeof(prefix), key) && find_word(cmdline, prefix, false);
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

/* Parse the n characters at s as a number; false if any is not a digit,
 * there are none, or the value overflows. */
static bool parse_u64(const char *s, size_t n, uint64_t *value)
{
    unsigned int base = 10;
    uint64_t v = 0;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        n -= 2;
    }
    if (n == 0)
        return false;
    for (; n; s++, n--) {
        int d = digit_value(*s);

        if (d >= (int)base || v > (UINT64_MAX - (uint64_t)d) / base)
            return false;
        v = v * base + (uint64_t)d;
    }
    *value = v;
    return true;
}

bool cmdline_get_u64(const char *cmdline, const char *key, uint64_t *value)
{
    char prefix[64];
    const char *w;
    size_t len;

    if (!key_prefix(prefix, sizeof(prefix), key))
        return false;
    w = find_word(cmdline, prefix, false);
    if (!w)
        return false;
    len = strlen(prefix);
    return parse_u64(w + len, word_len(w) - len, value);
}
