/* Test programs' one check: print "ok COND" or "not ok COND: why" and count failures. */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>

extern int failures; /* defined by the test program */

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            printf("ok %s\n", #cond);                                      \
        } else {                                                           \
            printf("not ok %s: ", #cond);                                  \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#endif
