/*
 * compat32: hypercalls from a 32-bit protected-mode guest.  hvd must use the
 * compat convention for it (arguments in ebx, ecx, edx, esi, edi, 32-bit
 * pointers, result in eax) and give the same results a 64-bit guest gets,
 * except that a result above INT32_MAX is -ERANGE.
 *
 * cmdline "expect-erange": hvd runs with a host limit above INT32_MAX pages
 * (compat32_erange.sh), so XENMEM_maximum_ram_page must be -ERANGE.
 * Without it, the value must come back whole.  The "probe:" lines are
 * compared with a 64-bit guest's by compat32_erange.sh.
 */
#include <stdint.h>

#include "abi_probe.h"

const char test_title[] = "compat32: the 32-bit hypercall convention";

_Static_assert(sizeof(long) == 4 && sizeof(void *) == 4, "compat32 is built for i386");

#define X86_CR0_PE 0x1u
#define X86_CR0_PG 0x80000000u

static void expect_rc(const char *what, long rc, long want)
{
    if (rc != want)
        xtf_failure("%s returned %ld, expected %ld", what, rc, want);
}

/* The domain builder must have started us in protected mode with paging off. */
static void check_cpu_mode(void)
{
    uint32_t cr0;

    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    if (!(cr0 & X86_CR0_PE) || (cr0 & X86_CR0_PG))
        xtf_failure("cr0 0x%x: not protected mode with paging off", cr0);
}

static uint32_t cpuid_eax(uint32_t leaf)
{
    uint32_t eax, ebx, ecx, edx;

    __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(leaf), "c"(0));
    return eax;
}

/* A buffer of n bytes is a NUL-terminated string. */
static bool is_string(const char *buf, size_t n)
{
    return strnlen(buf, n) < n;
}

static void check_xen_version(const struct hv_start_info *si)
{
    static struct xen_extraversion extra;
    uintptr_t ram_end = (uintptr_t)si->nr_pages * PAGE_SIZE;

    /* hvd announces its version in CPUID too: both must agree. */
    expect_rc("xen_version(version)", hypercall_xen_version(XENVER_version, NULL),
              (long)cpuid_eax(HV_CPUID_BASE + 1));
    expect_rc("xen_version(pagesize)", hypercall_xen_version(XENVER_pagesize, NULL), PAGE_SIZE);
    memset(&extra, 0xff, sizeof(extra));
    expect_rc("xen_version(extraversion)", hypercall_xen_version(XENVER_extraversion, &extra), 0);
    if (!is_string(extra.extraversion, sizeof(extra.extraversion)))
        xtf_failure("xen_version(extraversion) left no NUL-terminated string");
    expect_rc("xen_version(extraversion, bad pointer)",
              hypercall_xen_version(XENVER_extraversion, PROBE_BAD_PTR), -XEN_EFAULT);
    /* The buffer's first 8 bytes are RAM, the rest is past the end of it. */
    expect_rc("xen_version(extraversion, buffer crossing the end of RAM)",
              hypercall_xen_version(XENVER_extraversion, (void *)(ram_end - 8)), -XEN_EFAULT);
    expect_rc("xen_version(unknown sub-op)",
              hypercall_xen_version(PROBE_NO_SUCH_SUBOP, NULL), -XEN_ENOSYS);
}

static void check_console_io(void)
{
    static const char line[] = "compat32: console_io write\n";
    static char buf[16];
    long rc;

    expect_rc("console_io(write)", hypercall_console_io(CONSOLEIO_write, sizeof(line) - 1, line),
              sizeof(line) - 1);
    expect_rc("console_io(write, bad pointer)",
              hypercall_console_io(CONSOLEIO_write, 8, PROBE_BAD_PTR), -XEN_EFAULT);
    expect_rc("console_io(write, count above the maximum)",
              hypercall_console_io(CONSOLEIO_write, CONSOLEIO_MAX_COUNT + 1, line), -XEN_EINVAL);
    rc = hypercall_console_io(CONSOLEIO_read, sizeof(buf), buf);
    if (rc < 0 || rc > (long)sizeof(buf))
        xtf_failure("console_io(read, %zu) returned %ld", sizeof(buf), rc);
    expect_rc("console_io(unknown sub-op)",
              hypercall_console_io(PROBE_NO_SUCH_SUBOP, 0, buf), -XEN_ENOSYS);
}

static void check_sched_op(void)
{
    expect_rc("sched_op(yield)", hypercall_sched_op(SCHEDOP_yield, NULL), 0);
    expect_rc("sched_op(shutdown, bad pointer)",
              hypercall_sched_op(SCHEDOP_shutdown, PROBE_BAD_PTR), -XEN_EFAULT);
    expect_rc("sched_op(unknown sub-op)", hypercall_sched_op(PROBE_NO_SUCH_SUBOP, NULL),
              -XEN_ENOSYS);
}

/* The runner's config gives the domain its memory and no maxmem, so the
 * reservation and its maximum are both the pages the builder reports. */
static void check_reservation(const struct hv_start_info *si)
{
    static domid_t self = DOMID_SELF, other = DOMID_FIRST;
    long pages = (long)si->nr_pages;

    expect_rc("memory_op(current_reservation)",
              hypercall_memory_op(XENMEM_current_reservation, &self), pages);
    expect_rc("memory_op(maximum_reservation)",
              hypercall_memory_op(XENMEM_maximum_reservation, &self), pages);
    expect_rc("memory_op(maximum_gpfn)", hypercall_memory_op(XENMEM_maximum_gpfn, &self), pages - 1);
    expect_rc("memory_op(current_reservation, bad pointer)",
              hypercall_memory_op(XENMEM_current_reservation, PROBE_BAD_PTR), -XEN_EFAULT);
    expect_rc("memory_op(current_reservation, another domain)",
              hypercall_memory_op(XENMEM_current_reservation, &other), -XEN_ESRCH);
    expect_rc("memory_op(unknown sub-op)", hypercall_memory_op(PROBE_NO_SUCH_SUBOP, NULL),
              -XEN_ENOSYS);
}

/* hvd's host limit in pages - 1: whole if it fits in int32, else -ERANGE. */
static void check_maximum_ram_page(const struct hv_start_info *si)
{
    long rc = hypercall_memory_op(XENMEM_maximum_ram_page, NULL);

    printf("maximum_ram_page: %ld\n", rc);
    if (cmdline_has_word(si->cmdline, "expect-erange"))
        expect_rc("memory_op(maximum_ram_page) with a host limit above INT32_MAX pages", rc,
                  -XEN_ERANGE);
    else if (rc < (long)si->nr_pages - 1)
        xtf_failure("memory_op(maximum_ram_page) returned %ld, below this domain's %lu pages",
                    rc, (unsigned long)si->nr_pages);
}

void test_main(const struct hv_start_info *si)
{
    check_cpu_mode();
    check_xen_version(si);
    check_console_io();
    check_sched_op();
    check_reservation(si);
    check_maximum_ram_page(si);
    expect_rc("unknown hypercall", hypercall(PROBE_NO_SUCH_HYPERCALL, 0, 0, 0, 0, 0),
              -XEN_ENOSYS);
    abi_probe_print_all();
    xtf_success();
}
