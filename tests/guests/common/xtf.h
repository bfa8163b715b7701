/*
 * The test-guest framework.  A test defines test_title and test_main();
 * test_main() ends by calling exactly one of the xtf_* result functions,
 * each of which prints one "Test result: X" line and powers the domain off.
 */
#ifndef XTF_H
#define XTF_H

#include <hv/public/xen.h>

#include "hypercall.h"
#include "libc.h"
#include "traps.h"

extern const char test_title[];
void test_main(const struct hv_start_info *si);

_Noreturn void xtf_success(void);
/* The test found hv misbehaving. */
_Noreturn void xtf_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The test itself could not run properly (a framework or set-up problem). */
_Noreturn void xtf_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The test does not apply here. */
_Noreturn void xtf_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
