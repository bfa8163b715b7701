/*
 * maxram64: XENMEM_maximum_ram_page from a 64-bit guest, the counterpart of
 * compat32.  A 64-bit caller always gets the whole value.
 *
 * cmdline "maxram": hvd runs with a host limit above INT32_MAX pages
 * (compat32_erange.sh), so the value must exceed INT32_MAX.  Without it, it
 * must be at least this domain's last page.  Either way the "probe:" lines
 * follow, for compat32_erange.sh to compare with the 32-bit guest's.
 */
#include <stdint.h>

#include "../compat32/abi_probe.h"

const char test_title[] = "maxram64: maximum_ram_page from a 64-bit guest";

void test_main(const struct hv_start_info *si)
{
    long rc = hypercall_memory_op(XENMEM_maximum_ram_page, NULL);

    printf("maximum_ram_page: %ld\n", rc);
    if (cmdline_has_word(si->cmdline, "maxram") && rc <= INT32_MAX)
        xtf_failure("memory_op(maximum_ram_page) returned %ld, expected more than INT32_MAX", rc);
    if (rc < (long)si->nr_pages - 1)
        xtf_failure("memory_op(maximum_ram_page) returned %ld, below this domain's %lu pages",
                    rc, (unsigned long)si->nr_pages);
    abi_probe_print_all();
    xtf_success();
}
