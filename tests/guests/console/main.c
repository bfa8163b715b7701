/*
 * console_io: writes of 0, 1 and CONSOLEIO_MAX_COUNT bytes return their
 * count, one byte more is -EINVAL, a read with no input returns 0, bad
 * buffers are -EFAULT and an unknown sub-op is -ENOSYS.
 */
#include "check.h"
#include "xtf.h"

const char test_title[] = "console: console_io write and read, and their errors";

#define CONSOLEIO_UNKNOWN 7

static char big_line[CONSOLEIO_MAX_COUNT + 1];

static void check_write_sizes(void)
{
    memset(big_line, '=', sizeof(big_line));
    big_line[CONSOLEIO_MAX_COUNT - 1] = '\n';
    check_rc("write_of_0_bytes_returns_0", hypercall_console_io(CONSOLEIO_write, 0, big_line), 0);
    check_rc("write_of_1_byte_returns_1", hypercall_console_io(CONSOLEIO_write, 1, "\n"), 1);
    check_rc("write_of_4096_bytes_returns_4096",
             hypercall_console_io(CONSOLEIO_write, CONSOLEIO_MAX_COUNT, big_line),
             CONSOLEIO_MAX_COUNT);
    check_rc("write_of_4097_bytes_is_einval",
             hypercall_console_io(CONSOLEIO_write, CONSOLEIO_MAX_COUNT + 1, big_line),
             -XEN_EINVAL);
    check_rc("write_of_huge_count_is_einval",
             hypercall_console_io(CONSOLEIO_write, ~0ul, big_line), -XEN_EINVAL);
}

/* A buffer whose first bytes are the last of guest RAM: the rest is not
 * in the identity map (RAM is a whole number of 2 MiB pages here). */
static const void *buffer_crossing_ram_end(const struct hv_start_info *si)
{
    return (const void *)(uintptr_t)(si->nr_pages * PAGE_SIZE - 16);
}

static void check_bad_buffers(const struct hv_start_info *si)
{
    check_rc("write_from_unmapped_buffer_is_efault",
             hypercall_console_io(CONSOLEIO_write, 16, (const void *)BAD_PTR_UNMAPPED),
             -XEN_EFAULT);
    check_rc("write_from_noncanonical_buffer_is_efault",
             hypercall_console_io(CONSOLEIO_write, 16, (const void *)BAD_PTR_NONCANONICAL),
             -XEN_EFAULT);
    if (si->nr_pages * PAGE_SIZE % (2u << 20) == 0)
        check_rc("write_from_buffer_crossing_ram_end_is_efault",
                 hypercall_console_io(CONSOLEIO_write, 64, buffer_crossing_ram_end(si)),
                 -XEN_EFAULT);
}

static void check_read(void)
{
    static char buf[64];

    check_rc("read_with_no_input_returns_0",
             hypercall_console_io(CONSOLEIO_read, sizeof(buf), buf), 0);
    check_rc("read_of_4097_bytes_is_einval",
             hypercall_console_io(CONSOLEIO_read, CONSOLEIO_MAX_COUNT + 1, buf), -XEN_EINVAL);
}

void test_main(const struct hv_start_info *si)
{
    check_write_sizes();
    check_bad_buffers(si);
    check_read();
    check_rc("unknown_subop_is_enosys",
             hypercall_console_io(CONSOLEIO_UNKNOWN, 1, "x"), -XEN_ENOSYS);
    check_user_hypercall_refused("console_write_from_ring3_is_refused", __HYPERVISOR_console_io,
                                 CONSOLEIO_write, 1, (uintptr_t)"x");
    checks_done();
}
