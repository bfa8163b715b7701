/*
 * The demo guest: greet the console with what the domain builder told us.
 * The command line picks what it does after the greeting, for the CLI
 * tests:
 *   (empty), bye   report SUCCESS and power off
 *   idle           block in SCHEDOP_block until destroyed
 *   spin           loop in ring 3 until destroyed
 *   reboot         shut down with SHUTDOWN_reboot
 *   crash          shut down with SHUTDOWN_crash
 *   triple-fault   load an empty IDT and fault: a triple fault
 */
#include "xtf.h"

const char test_title[] = "hello";

static long spin_in_user_mode(void)
{
    for (volatile unsigned long i = 0;; i++)
        ;
    return 0;
}

static _Noreturn void triple_fault(void)
{
    static const struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty_idt = { 0, 0 };
    __asm__ volatile("lidt %0; ud2" : : "m"(empty_idt));
    halt_forever();
}

static void act_on_cmdline(const char *cmd)
{
    if (!strcmp(cmd, "idle")) {
        for (;;)
            hypercall_sched_op(SCHEDOP_block, NULL);
    }
    if (!strcmp(cmd, "spin"))
        exec_user(spin_in_user_mode);
    if (!strcmp(cmd, "reboot"))
        domain_shutdown(SHUTDOWN_reboot);
    if (!strcmp(cmd, "crash"))
        domain_shutdown(SHUTDOWN_crash);
    if (!strcmp(cmd, "triple-fault"))
        triple_fault();
}

void test_main(const struct hv_start_info *si)
{
    if (strnlen(si->cmdline, HV_CMDLINE_MAX) == HV_CMDLINE_MAX)
        xtf_error("start info cmdline is not NUL-terminated");

    printf("Hello from hv! domain %u, %u vCPU(s), %lu MiB, cmdline \"%s\"\n",
           si->domid, si->nr_vcpus, (unsigned long)(si->nr_pages * PAGE_SIZE >> 20),
           si->cmdline);
    act_on_cmdline(si->cmdline);
    xtf_success();
}
