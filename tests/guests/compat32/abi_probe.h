/*
 * Hypercall results that must not depend on the caller's mode.  The compat32
 * guest (32-bit, compat convention) and the maxram64 guest (64-bit) both
 * print them as "probe: NAME=VALUE" lines; compat32_erange.sh checks that the
 * two lists are identical.  Static functions in a header: each guest is
 * built from one main.c, and this is shared by a 32-bit and a 64-bit build.
 */
#ifndef ABI_PROBE_H
#define ABI_PROBE_H

#include <hv/public/memory.h>

#include "cmdline.h"
#include "xtf.h"

/* Never guest RAM in either mode: 4 GiB - 4 KiB is neither backed (RAM is far
 * smaller) nor mapped by the 64-bit identity map. */
#define PROBE_BAD_PTR ((void *)0xfffff000ul)
#define PROBE_NO_SUCH_SUBOP 0x7fffu
#define PROBE_NO_SUCH_HYPERCALL (NR_hypercalls - 1)

static inline void probe_print(const char *name, long value)
{
    printf("probe: %s=%ld\n", name, value);
}

/* A sub-op that fills a string: its result, then the string it wrote. */
static inline void probe_print_string(const char *name, long rc, const char *s)
{
    printf("probe: %s=%ld \"%s\"\n", name, rc, rc == 0 ? s : "");
}

static inline void probe_xen_version(void)
{
    static struct xen_extraversion extra;
    static struct xen_capabilities_info caps;
    static struct xen_changeset_info changeset;
    long rc;

    probe_print("xen_version.version", hypercall_xen_version(XENVER_version, NULL));
    probe_print("xen_version.pagesize", hypercall_xen_version(XENVER_pagesize, NULL));
    rc = hypercall_xen_version(XENVER_extraversion, &extra);
    probe_print_string("xen_version.extraversion", rc, extra.extraversion);
    rc = hypercall_xen_version(XENVER_capabilities, &caps);
    probe_print_string("xen_version.capabilities", rc, caps.info);
    rc = hypercall_xen_version(XENVER_changeset, &changeset);
    probe_print_string("xen_version.changeset", rc, changeset.info);
    probe_print("xen_version.extraversion_bad_ptr",
                hypercall_xen_version(XENVER_extraversion, PROBE_BAD_PTR));
    probe_print("xen_version.unknown", hypercall_xen_version(PROBE_NO_SUCH_SUBOP, NULL));
}

static inline void probe_console_io(void)
{
    static const char line[] = "(console_io write from the probes)\n";
    static char buf[16];

    probe_print("console_io.write", hypercall_console_io(CONSOLEIO_write, sizeof(line) - 1, line));
    probe_print("console_io.write_too_long",
                hypercall_console_io(CONSOLEIO_write, CONSOLEIO_MAX_COUNT + 1, line));
    probe_print("console_io.write_bad_ptr",
                hypercall_console_io(CONSOLEIO_write, 8, PROBE_BAD_PTR));
    probe_print("console_io.read_nothing", hypercall_console_io(CONSOLEIO_read, 0, buf));
    probe_print("console_io.unknown", hypercall_console_io(PROBE_NO_SUCH_SUBOP, 0, buf));
}

static inline void probe_sched_op(void)
{
    probe_print("sched_op.yield", hypercall_sched_op(SCHEDOP_yield, NULL));
    probe_print("sched_op.shutdown_bad_ptr", hypercall_sched_op(SCHEDOP_shutdown, PROBE_BAD_PTR));
    probe_print("sched_op.unknown", hypercall_sched_op(PROBE_NO_SUCH_SUBOP, NULL));
}

static inline void probe_memory(void)
{
    static domid_t self = DOMID_SELF, other = DOMID_FIRST;

    probe_print("memory_op.current_reservation",
                hypercall_memory_op(XENMEM_current_reservation, &self));
    probe_print("memory_op.maximum_reservation",
                hypercall_memory_op(XENMEM_maximum_reservation, &self));
    probe_print("memory_op.maximum_gpfn", hypercall_memory_op(XENMEM_maximum_gpfn, &self));
    probe_print("memory_op.current_reservation_bad_ptr",
                hypercall_memory_op(XENMEM_current_reservation, PROBE_BAD_PTR));
    probe_print("memory_op.current_reservation_other_domain",
                hypercall_memory_op(XENMEM_current_reservation, &other));
    probe_print("memory_op.unknown", hypercall_memory_op(PROBE_NO_SUCH_SUBOP, NULL));
}

/* Print every probe.  maximum_ram_page is left out: with a host limit above
 * INT32_MAX pages it differs by design (-ERANGE for a 32-bit caller). */
static inline void abi_probe_print_all(void)
{
    probe_xen_version();
    probe_console_io();
    probe_sched_op();
    probe_memory();
    probe_print("unknown_hypercall", hypercall(PROBE_NO_SUCH_HYPERCALL, 0, 0, 0, 0, 0));
}

#endif
