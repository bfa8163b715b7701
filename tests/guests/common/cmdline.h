/* Reading the start-info command line: words and key=value numbers. */
#ifndef XTF_CMDLINE_H
#define XTF_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

/* True if word appears in cmdline as a whole space-separated word. */
bool cmdline_has_word(const char *cmdline, const char *word);

/* True if cmdline has a word "key=..." (whatever follows the =). */
bool cmdline_has_key(const char *cmdline, const char *key);

/*
 * The number in the word "key=N" (decimal, or hex after 0x).  Returns
 * false, leaving *value alone, if there is no such word or N is not a
 * number that fits.
 */
bool cmdline_get_u64(const char *cmdline, const char *key, uint64_t *value);

#endif
