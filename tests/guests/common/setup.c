/* C entry from head.S: traps, hypercalls, start-info checks, then the test. */
#include "xtf.h"

void xtf_start(const struct hv_start_info *si);
void xtf_start(const struct hv_start_info *si)
{
    traps_init();
    /* Without hvd's hypercall page there is no console to say anything on. */
    if (hypercall_page_init() < 0)
        halt_forever();

    printf("--- hv test: %s ---\n", test_title);
    if (!si || si->magic != HV_START_INFO_MAGIC)
        xtf_error("no start info at %p (rsi)", (const void *)si);
    if (si->version != HV_START_INFO_VERSION)
        xtf_error("start info version %u, expected %u", si->version, HV_START_INFO_VERSION);

    test_main(si);
    xtf_error("test_main() returned without a result");
}
