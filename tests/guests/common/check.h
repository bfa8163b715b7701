/*
 * One line per check: "PASS name (detail)" or "FAIL name: detail".  A test
 * names each check for the behaviour it proves and ends with checks_done().
 */
#ifndef XTF_CHECK_H
#define XTF_CHECK_H

#include <stdbool.h>

/* Guest addresses no hypercall may use: canonical but beyond guest RAM
 * (not in the identity map), and non-canonical. */
#define BAD_PTR_UNMAPPED     0x7f0000000000ul
#define BAD_PTR_NONCANONICAL 0x8000000000000000ul

void check(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A hypercall result: passes when rc == want. */
void check_rc(const char *name, long rc, long want);

/* "-EINVAL" for a known -XEN_Exxx, else the number (a static buffer). */
const char *rc_name(long rc);

/*
 * Hypercall nr (a1, a2, a3) made from ring 3 must be refused: hvd answers
 * -EPERM, or (on this project's nested KVM) the stub's `out` raises #GP.
 */
void check_user_hypercall_refused(const char *name, unsigned int nr, unsigned long a1,
                                  unsigned long a2, unsigned long a3);

/* SUCCESS if every check passed, else FAILURE with the count. */
_Noreturn void checks_done(void);

#endif
