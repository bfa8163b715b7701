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
 *   hypercalls     make hypercalls in a loop until destroyed
 *   touch          write every free page of RAM from ring 3, then idle
 */
#include "xtf.h"

const char test_title[] = "hello";

static long spin_in_user_mode(void)
{
    for (volatile unsigned long i = 0;; i++)
        ;
    return 0;
}

static uint64_t touch_start, touch_end;

static long touch_memory_in_user_mode(void)
{
    for (uint64_t a = touch_start; a < touch_end; a += PAGE_SIZE)
        *(volatile uint64_t *)a = a;
    return 0;
}

static _Noreturn void idle_forever(void)
{
    for (;;)
        hypercall_sched_op(SCHEDOP_block, NULL);
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

static void act_on_cmdline(const struct hv_start_info *si)
{
    const char *cmd = si->cmdline;
    if (!strcmp(cmd, "idle"))
        idle_forever();
    if (!strcmp(cmd, "hypercalls")) {
        for (;;)
            hypercall_xen_version(XENVER_version, NULL);
    }
    if (!strcmp(cmd, "touch")) {
        touch_start = si->free_start;
        touch_end = si->nr_pages * PAGE_SIZE;
        exec_user(touch_memory_in_user_mode);
        printf("touched %lu MiB\n", (unsigned long)((touch_end - touch_start) >> 20));
        idle_forever();
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
    act_on_cmdline(si);
    xtf_success();
}
