/* libhvguest internals shared between its files. */
#ifndef HVGUEST_PRIVATE_H
#define HVGUEST_PRIVATE_H

#include <stddef.h>
#include "hvguest.h"

/* Exported symbols; everything else in the library stays hidden. */
#define HVGUEST_API __attribute__((visibility("default")))

/* Write the failure's one-line account into why[len]; returns rc. */
int guest_fail(char *why, size_t len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
