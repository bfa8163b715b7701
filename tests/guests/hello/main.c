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
 *   balloon        a balloon driver: give back or take pages until the
 *                  domain holds the target the toolstack set (hvcli mem-set)
 *   extraversion   read XENVER_extraversion in a loop, printing it each
 *                  time it changes (a live patch changes it)
 */
#include <hv/public/hvm_op.h>
#include <hv/public/memory.h>
#include <hv/public/version.h>
#include "evtchn.h"
#include "time.h"
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

#define BALLOON_STEP 256u /* pages moved per memory_op */
#define BALLOON_PERIOD_NS 20000000ull

static uint64_t balloon_gfns[BALLOON_STEP];

static long balloon_move(unsigned int cmd, uint64_t first_gfn, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        balloon_gfns[i] = first_gfn + i;
    struct xen_memory_reservation r = {
        .extent_start = (uint64_t)(uintptr_t)balloon_gfns, .nr_extents = n,
        .domid = DOMID_SELF,
    };
    return hypercall_memory_op(cmd, &r);
}

/*
 * Follow HVM_PARAM_BALLOON_TARGET: give back the highest free pages (above
 * everything the builder and this image use) or take them back.
 */
static _Noreturn void balloon_forever(const struct hv_start_info *si)
{
    uint64_t floor = (si->free_start + PAGE_SIZE - 1) / PAGE_SIZE, top = si->nr_pages;
    uint64_t released = 0; /* gfns [top - released, top) are given back */
    uint32_t port = 0;
    domid_t self = DOMID_SELF;
    if (time_init() || evtchn_bind_ipi(0, &port))
        xtf_error("balloon: no clock or no port to sleep on");
    for (;;) {
        struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_BALLOON_TARGET };
        long tot = hypercall_memory_op(XENMEM_current_reservation, &self);
        if (hypercall_hvm_op(HVMOP_get_param, &p) || tot < 0)
            xtf_error("balloon: cannot read the target or the reservation");
        uint64_t target = p.value, n;
        if (target && (uint64_t)tot > target && top - released > floor) {
            n = (uint64_t)tot - target;
            n = n > BALLOON_STEP ? BALLOON_STEP : n;
            n = n > top - released - floor ? top - released - floor : n;
            long done = balloon_move(XENMEM_decrease_reservation, top - released - n, (unsigned int)n);
            /* Extents go in order: the first `done` pages are back; the rest
             * stay.  Count only a whole step, so the range stays contiguous. */
            if ((uint64_t)done == n)
                released += n;
        } else if (target && (uint64_t)tot < target && released) {
            n = target - (uint64_t)tot;
            n = n > BALLOON_STEP ? BALLOON_STEP : n;
            n = n > released ? released : n;
            if ((uint64_t)balloon_move(XENMEM_populate_physmap, top - released, (unsigned int)n) == n)
                released -= n;
        } else {
            sched_poll_port(port, now_ns() + BALLOON_PERIOD_NS);
        }
    }
}

static _Noreturn void watch_extraversion(void)
{
    static struct xen_extraversion now, last;
    for (;;) {
        long rc = hypercall_xen_version(XENVER_extraversion, &now);
        if (rc)
            xtf_error("extraversion: rc %ld", rc);
        now.extraversion[sizeof(now.extraversion) - 1] = '\0';
        if (strcmp(now.extraversion, last.extraversion)) {
            printf("extraversion \"%s\"\n", now.extraversion);
            last = now;
        }
    }
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
    if (!strcmp(cmd, "balloon"))
        balloon_forever(si);
    if (!strcmp(cmd, "extraversion"))
        watch_extraversion();
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
