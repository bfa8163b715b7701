/* printf to the domain's console: one console_io write per call. */
#include "hypercall.h"
#include "libc.h"

/* Longer output is cut here; lines of test output are far shorter. */
#define PRINTF_BUF_SIZE 512

int vprintf(const char *fmt, va_list ap)
{
    char buf[PRINTF_BUF_SIZE];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = strnlen(buf, sizeof(buf));
    long rc = hypercall_console_write(buf, len);

    return rc < 0 ? (int)rc : n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
