/* libhvguest: the one-line account of a failure the caller gets in hvguest_status. */
#include <stdarg.h>
#include <stdio.h>
#include "private.h"

int guest_fail(char *why, size_t len, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return rc;
}
