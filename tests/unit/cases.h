/*
 * The small harness of the unit tests that are lists of cases: each case
 * is a function returning true, or false after CHECK said why; run_cases()
 * prints "ok NAME" or "not ok NAME: why" for each and the closing count.
 * Include it in one .c file only (its definitions are static).
 */
#ifndef HV_TESTS_UNIT_CASES_H
#define HV_TESTS_UNIT_CASES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static char why[2048];

/* Record why a case failed (long values are cut to fit). */
__attribute__((format(printf, 1, 2)))
static void set_why(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
}

#define CHECK(cond, ...)           \
    do {                           \
        if (!(cond)) {             \
            set_why(__VA_ARGS__);  \
            return false;          \
        }                          \
    } while (0)

struct test {
    const char *name;
    bool (*fn)(void);
};

#define TEST(fn) { #fn, fn }

/* Run the n cases; prints "PROG: N passed, N failed" last.  Returns the
 * number that failed. */
static int run_cases(const char *prog, const struct test *tests, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        why[0] = '\0';
        if (tests[i].fn()) {
            printf("ok %s\n", tests[i].name);
            passed++;
        } else {
            printf("not ok %s: %s\n", tests[i].name, why);
            failed++;
        }
    }
    printf("%s: %d passed, %d failed\n", prog, passed, failed);
    return failed;
}

#endif
