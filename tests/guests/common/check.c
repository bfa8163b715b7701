/* Named checks with one line of output each, and the final verdict. */
#include <hv/public/errno.h>

#include "check.h"
#include "xtf.h"

static unsigned int nr_run, nr_failed;

static void report(bool ok, const char *name, const char *detail)
{
    nr_run++;
    if (!ok)
        nr_failed++;
    if (ok)
        printf("PASS %s%s%s%s\n", name, *detail ? " (" : "", detail, *detail ? ")" : "");
    else
        printf("FAIL %s: %s\n", name, detail);
}

void check(bool ok, const char *name, const char *fmt, ...)
{
    char detail[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    report(ok, name, detail);
}

#define ERRNO_NAME(name, value) [value] = "-" #name,
static const char *const errno_names[] = { XEN_ERRNO_LIST(ERRNO_NAME) };
#undef ERRNO_NAME

const char *rc_name(long rc)
{
    static char buf[24];

    if (rc < 0 && -rc < (long)ARRAY_SIZE(errno_names) && errno_names[-rc])
        return errno_names[-rc];
    snprintf(buf, sizeof(buf), "%ld", rc);
    return buf;
}

void check_rc(const char *name, long rc, long want)
{
    char got[24];

    /* rc_name() reuses one buffer: keep the first answer. */
    snprintf(got, sizeof(got), "%s", rc_name(rc));
    if (rc == want)
        check(true, name, "rc %s", got);
    else
        check(false, name, "rc %s, want %s", got, rc_name(want));
}

/* The hypercall ring 3 attempts; set before exec_user. */
static unsigned int user_nr;
static unsigned long user_args[3];
static long user_rc = 1; /* no hypercall returns 1 here: "never returned" */

static long user_make_hypercall(void)
{
    user_rc = hypercall(user_nr, user_args[0], user_args[1], user_args[2], 0, 0);
    return 0;
}

void check_user_hypercall_refused(const char *name, unsigned int nr, unsigned long a1,
                                  unsigned long a2, unsigned long a3)
{
    const uint8_t *stub = hypercall_page + nr * HV_HYPERCALL_STUB_SIZE;
    struct user_fault fault;

    user_nr = nr;
    user_args[0] = a1, user_args[1] = a2, user_args[2] = a3;
    user_rc = 1;
    if (exec_user_expect_fault(user_make_hypercall, &fault))
        check(fault.vector == X86_EXC_GP && fault.rip >= (uintptr_t)stub &&
              fault.rip < (uintptr_t)stub + HV_HYPERCALL_STUB_SIZE,
              name, "%s at rip 0x%lx, want #GP in stub %u", exception_name(fault.vector),
              fault.rip, nr);
    else
        check(user_rc == -XEN_EPERM, name, "rc %ld from ring 3, want -EPERM", user_rc);
}

void checks_done(void)
{
    if (nr_failed)
        xtf_failure("%u of %u checks failed", nr_failed, nr_run);
    printf("all %u checks passed\n", nr_run);
    xtf_success();
}
