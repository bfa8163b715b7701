/*
 * Self-test of the guest framework against hvd: the hypercall page and the
 * hypercalls available so far, their error returns, exec_user() and
 * exceptions raised in ring 3.
 */
#include "xtf.h"

const char test_title[] = "selftest: hypercalls, exec_user, ring-3 exceptions";

/* Canonical, but far beyond guest RAM and so not in the identity map. */
#define UNMAPPED_ADDR 0x7f0000000000ul

/* A hypercall number below NR_hypercalls that hv does not implement. */
#define UNUSED_HYPERCALL (NR_hypercalls - 1)

static unsigned int checks_run, checks_failed;

static void __attribute__((format(printf, 2, 3))) check(bool ok, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    checks_run++;
    if (!ok)
        checks_failed++;
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
}

/* ---- hypercalls from ring 0 ---------------------------------------- */

static void check_xen_version(void)
{
    long rc = hypercall_xen_version(XENVER_version, NULL);

    check(rc >= 0x10000, "xen_version(version) = 0x%lx, want >= 0x10000", rc);
    rc = hypercall_xen_version(XENVER_pagesize, NULL);
    check(rc == PAGE_SIZE, "xen_version(pagesize) = %ld, want %d", rc, PAGE_SIZE);
}

/* buf is filled with non-NUL bytes first so a string hvd failed to
 * terminate is seen as such. */
static void check_version_string(unsigned int cmd, const char *name, char *buf, size_t size)
{
    long rc;
    size_t len;

    memset(buf, 'X', size);
    rc = hypercall_xen_version(cmd, buf);
    len = strnlen(buf, size);
    check(rc == 0 && len > 0 && len < size,
          "xen_version(%s) = %ld, string \"%s\" (NUL-terminated, non-empty)",
          name, rc, len < size ? buf : "<no NUL>");
}

static void check_version_strings(void)
{
    static struct xen_extraversion extraversion;
    static struct xen_capabilities_info capabilities;
    static struct xen_changeset_info changeset;

    check_version_string(XENVER_extraversion, "extraversion",
                         extraversion.extraversion, sizeof(extraversion.extraversion));
    check_version_string(XENVER_capabilities, "capabilities",
                         capabilities.info, sizeof(capabilities.info));
    check_version_string(XENVER_changeset, "changeset",
                         changeset.info, sizeof(changeset.info));
}

static void check_console_io(void)
{
    static const char line[] = "console_io: this line is written by one CONSOLEIO_write\n";
    long rc = hypercall_console_write(line, sizeof(line) - 1);

    check(rc == (long)sizeof(line) - 1, "console_io(write, %zu) = %ld, want the count",
          sizeof(line) - 1, rc);
    rc = hypercall_console_io(CONSOLEIO_write, 16, (const void *)UNMAPPED_ADDR);
    check(rc == -XEN_EFAULT, "console_io(write) of unmapped 0x%lx = %ld, want -EFAULT (%d)",
          UNMAPPED_ADDR, rc, -XEN_EFAULT);
}

static void check_unknown_hypercall(void)
{
    long rc = hypercall(UNUSED_HYPERCALL, 0, 0, 0, 0, 0);

    check(rc == -XEN_ENOSYS, "hypercall %d = %ld, want -ENOSYS (%d)",
          UNUSED_HYPERCALL, rc, -XEN_ENOSYS);
}

static void check_sched_op(void)
{
    long rc = hypercall_sched_op(SCHEDOP_yield, NULL);

    check(rc == 0, "sched_op(yield) = %ld, want 0", rc);
    /* A valid reason would end the test here; an invalid one must not. */
    rc = hypercall_shutdown(SHUTDOWN_MAX + 1);
    check(rc == -XEN_EINVAL, "sched_op(shutdown, reason %d) = %ld, want -EINVAL (%d)",
          SHUTDOWN_MAX + 1, rc, -XEN_EINVAL);
}

/* ---- ring 3 --------------------------------------------------------- */

#define SUM_ENTRIES 65536ul
static uint64_t sum_buffer[SUM_ENTRIES];

static long user_cpl(void)
{
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

/* Fill a buffer with i*i + 1 and sum it back: real work, at native speed. */
static long user_sum_of_squares(void)
{
    uint64_t sum = 0;

    for (uint64_t i = 0; i < SUM_ENTRIES; i++)
        sum_buffer[i] = i * i + 1;
    __asm__ volatile("" ::: "memory"); /* sum what is in memory, not a formula */
    for (uint64_t i = 0; i < SUM_ENTRIES; i++)
        sum += sum_buffer[i];
    return (long)sum;
}

/* Starts as a value no hypercall returns, so "never returned" is visible. */
static long user_hypercall_rc = 1;

static long user_hypercall(void)
{
    user_hypercall_rc = hypercall_xen_version(XENVER_version, NULL);
    return 0;
}

static const volatile long *const unmapped_long = (const volatile long *)UNMAPPED_ADDR;

static long user_read_unmapped(void)
{
    return *unmapped_long;
}

/* Faulting instructions with labels, so the reported rip can be checked. */
long user_ud2(void);
long user_int3(void);
extern const char user_ud2_insn[], user_int3_next[];
__asm__(".pushsection .text\n"
        "user_ud2:\n"
        "user_ud2_insn:\n"
        "    ud2\n"
        "    ret\n"
        "user_int3:\n"
        "    int3\n"
        "user_int3_next:\n"
        "    ret\n"
        ".popsection\n");

static void check_exec_user(void)
{
    /* sum of (i*i + 1) for i < N = (N-1) N (2N-1) / 6 + N */
    uint64_t n = SUM_ENTRIES;
    uint64_t want = (n - 1) * n * (2 * n - 1) / 6 + n;
    long sum;

    check(exec_user(user_cpl) == 3, "exec_user runs code at CPL 3");
    sum = exec_user(user_sum_of_squares);
    check((uint64_t)sum == want, "exec_user sum of squares = %ld, want %lu", sum, want);
    check(sum_buffer[n - 1] == (n - 1) * (n - 1) + 1,
          "ring 0 sees the buffer ring 3 wrote (last entry %lu)", sum_buffer[n - 1]);
}

/*
 * exec_user asks for IOPL 3 so that the stub's `out` reaches hvd, whose
 * answer must be -EPERM.  This project's nested KVM runs ring 3 with IOPL 0
 * whatever iretq loads, so there the CPU refuses the `out` with #GP first.
 * Either refusal passes; a hypercall performed from ring 3 does not.
 */
static void check_user_hypercall(void)
{
    const uint8_t *stub = hypercall_page + __HYPERVISOR_xen_version * HV_HYPERCALL_STUB_SIZE;
    struct user_fault fault;

    if (exec_user_expect_fault(user_hypercall, &fault))
        check(fault.vector == X86_EXC_GP && fault.rip >= (uintptr_t)stub &&
              fault.rip < (uintptr_t)stub + HV_HYPERCALL_STUB_SIZE,
              "xen_version from ring 3: %s at rip 0x%lx, want #GP in its stub at %p",
              exception_name(fault.vector), fault.rip, (const void *)stub);
    else
        check(user_hypercall_rc == -XEN_EPERM, "xen_version from ring 3 = %ld, want -EPERM (%d)",
              user_hypercall_rc, -XEN_EPERM);
}

static void check_user_fault(long (*fn)(void), const char *what, unsigned int vector,
                             const char *rip)
{
    struct user_fault fault;
    bool faulted = exec_user_expect_fault(fn, &fault);

    check(faulted && fault.vector == vector && fault.rip == (uintptr_t)rip,
          "%s in ring 3: %s vector %u at rip 0x%lx, want %s (%u) at %p",
          what, faulted ? "got" : "no exception,", fault.vector, fault.rip,
          exception_name(vector), vector, (const void *)rip);
}

static void check_user_page_fault(void)
{
    struct user_fault fault;
    bool faulted = exec_user_expect_fault(user_read_unmapped, &fault);
    uint64_t want_ec = PFEC_USER; /* a read, not-present, from user mode */

    check(faulted && fault.vector == X86_EXC_PF && fault.cr2 == UNMAPPED_ADDR &&
          (fault.error_code & (PFEC_USER | PFEC_WRITE | PFEC_PRESENT)) == want_ec,
          "read of 0x%lx in ring 3: %s vector %u, error code 0x%lx, cr2 0x%lx; "
          "want #PF (%d), error code user|read|not-present",
          UNMAPPED_ADDR, faulted ? "got" : "no exception,", fault.vector,
          fault.error_code, fault.cr2, X86_EXC_PF);
}

static void check_user_exceptions(void)
{
    struct user_fault fault;

    check(!exec_user_expect_fault(user_cpl, &fault),
          "exec_user_expect_fault reports no exception for code that returns");
    check_user_fault(user_ud2, "ud2", X86_EXC_UD, user_ud2_insn);
    check_user_fault(user_int3, "int3", X86_EXC_BP, user_int3_next);
    check_user_page_fault();
    check(exec_user(user_cpl) == 3, "exec_user still works after ring-3 exceptions");
}

void test_main(const struct hv_start_info *si)
{
    (void)si;
    check_xen_version();
    check_version_strings();
    check_console_io();
    check_unknown_hypercall();
    check_sched_op();
    check_exec_user();
    check_user_hypercall();
    check_user_exceptions();

    if (checks_failed)
        xtf_failure("%u of %u checks failed", checks_failed, checks_run);
    printf("all %u checks passed\n", checks_run);
    xtf_success();
}
