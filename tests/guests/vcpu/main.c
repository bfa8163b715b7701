/*
 * vcpu_op: is_up, initialise and up of a second vCPU that runs our code
 * on its own stack, an IPI that wakes it from hlt, runstate accounting of
 * both, down, and the errors (up without a context, the last vCPU down,
 * bad vCPU ids and pointers).  Run with 2 vCPUs (vcpu/vcpus).
 */
#include <hv/public/domctl.h>
#include <hv/public/vcpu.h>

#include "check.h"
#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "vcpu.h"
#include "xtf.h"

const char test_title[] = "vcpu: bring-up, IPI, runstate, down and errors";

#define VCPUOP_UNKNOWN 99
#define WAIT_NS (5 * NSEC_PER_SEC)

static unsigned int nr_vcpus;
static uint32_t quiet_port; /* reserved, never sent on: polling it just waits */

/* Written by vCPU 1, read by vCPU 0 (and the other way for ipi_port). */
static volatile uint32_t secondary_id = ~0u;
static volatile bool secondary_running, secondary_woken;
static volatile uint32_t ipi_port;

static bool wait_for(volatile bool *flag)
{
    uint64_t deadline = now_ns() + WAIT_NS;

    while (!*flag) {
        if (now_ns() > deadline)
            return false;
        hypercall_sched_op(SCHEDOP_yield, NULL);
    }
    return true;
}

/* vCPU 1: say so, wait for the IPI in hlt, then idle until taken down. */
static void secondary_main(unsigned int id)
{
    time_init();
    secondary_id = vcpu_self();
    printf("vCPU %u running on its own stack at %p\n", id, (void *)&id);
    secondary_running = true;
    while (!ipi_port)
        hypercall_sched_op(SCHEDOP_yield, NULL);
    evtchn_wait_halted(ipi_port, 0);
    secondary_woken = true;
    for (;;)
        irq_enable_and_halt();
}

static void check_before_bringup(void)
{
    static struct hv_vcpu_context ctx;

    check_rc("is_up_of_vcpu_0_is_1", vcpu_is_up(0), 1);
    check_rc("is_up_of_vcpu_1_is_0", vcpu_is_up(1), 0);
    check_rc("is_up_of_vcpu_max_is_einval", vcpu_is_up(nr_vcpus), -XEN_EINVAL);
    check_rc("is_up_of_huge_vcpu_is_einval", vcpu_is_up(0xffffffffu), -XEN_EINVAL);
    check_rc("up_without_initialise_is_einval", vcpu_up(1), -XEN_EINVAL);
    check_rc("initialise_of_running_vcpu_0_is_eexist",
             hypercall_vcpu_op(VCPUOP_initialise, 0, &ctx), -XEN_EEXIST);
    check_rc("initialise_of_vcpu_max_is_einval",
             hypercall_vcpu_op(VCPUOP_initialise, nr_vcpus, &ctx), -XEN_EINVAL);
    check_rc("initialise_unmapped_context_is_efault",
             hypercall_vcpu_op(VCPUOP_initialise, 1, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    check_rc("up_of_vcpu_max_is_einval", vcpu_up(nr_vcpus), -XEN_EINVAL);
}

static void check_bringup(void)
{
    long rc = vcpu_initialise(1, secondary_main);

    check_rc("initialise_vcpu_1_with_64bit_context_succeeds", rc, 0);
    if (rc)
        return;
    check_rc("up_of_vcpu_1_succeeds", vcpu_up(1), 0);
    check(wait_for(&secondary_running) && secondary_id == 1, "vcpu_1_runs_our_code",
          "running %d, it sees itself as vCPU %u", secondary_running, secondary_id);
    check_rc("is_up_of_vcpu_1_is_1", vcpu_is_up(1), 1);
    check_rc("up_of_running_vcpu_is_0", vcpu_up(1), 0);
    check_rc("initialise_of_running_vcpu_1_is_eexist", vcpu_initialise(1, secondary_main),
             -XEN_EEXIST);
}

static void check_ipi_wakes_vcpu_1(void)
{
    uint32_t port = 0;
    long rc = evtchn_bind_ipi(1, &port);

    check(rc == 0 && port > 0, "bind_ipi_to_vcpu_1_gives_a_port", "rc %s, port %u", rc_name(rc),
          port);
    if (rc)
        return;
    ipi_port = port;
    check_rc("send_ipi_to_vcpu_1_succeeds", evtchn_send(port), 0);
    check(wait_for(&secondary_woken) && evtchn_last_vcpu(port) == 1,
          "ipi_wakes_vcpu_1_and_its_upcall_runs_there", "woken %d, upcalls %lu, last on vCPU %u",
          secondary_woken, evtchn_handled(port), evtchn_last_vcpu(port));
}

/* Time accounted to the vCPU so far: hvd includes the current state's
 * time up to the call, as Xen does. */
static uint64_t runstate_sum(const struct vcpu_runstate_info *r)
{
    uint64_t sum = 0;

    for (unsigned int i = 0; i < ARRAY_SIZE(r->time); i++)
        sum += r->time[i];
    return sum;
}

/* Over a 5 ms sleep the accounted time grows, and by about that much. */
static void check_runstate_grows(unsigned int id, const char *name)
{
    static struct vcpu_runstate_info a, b;
    uint64_t ta, tb, grew;
    long rc1, rc2;

    ta = now_ns();
    rc1 = vcpu_runstate(id, &a);
    sched_poll_port(quiet_port, now_ns() + 5 * NSEC_PER_MSEC);
    rc2 = vcpu_runstate(id, &b);
    tb = now_ns();
    grew = runstate_sum(&b) - runstate_sum(&a);
    check(rc1 == 0 && rc2 == 0 && b.state <= RUNSTATE_offline &&
          runstate_sum(&b) > runstate_sum(&a) && grew <= 2 * (tb - ta) + 10 * NSEC_PER_MSEC &&
          b.state_entry_time <= tb,
          name, "rc %ld/%ld, grew %lu us in %lu us, state %u, times %lu/%lu/%lu/%lu ns", rc1,
          rc2, grew / 1000, (tb - ta) / 1000, b.state, b.time[0], b.time[1], b.time[2],
          b.time[3]);
}

static void check_runstate(void)
{
    static struct vcpu_runstate_info r;
    long rc = vcpu_runstate(0, &r);

    check(rc == 0 && r.state == RUNSTATE_running, "runstate_of_calling_vcpu_is_running",
          "rc %s, state %u", rc_name(rc), r.state);
    check_runstate_grows(0, "runstate_times_of_vcpu_0_increase");
    check_runstate_grows(1, "runstate_times_of_vcpu_1_increase");
    check_rc("runstate_of_vcpu_max_is_einval", vcpu_runstate(nr_vcpus, &r), -XEN_EINVAL);
    check_rc("runstate_unmapped_pointer_is_efault",
             hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)BAD_PTR_UNMAPPED),
             -XEN_EFAULT);
}

static void check_down(void)
{
    static struct vcpu_runstate_info r;
    long rc;

    check_rc("down_of_vcpu_1_succeeds", vcpu_down(1), 0);
    check_rc("is_up_of_downed_vcpu_1_is_0", vcpu_is_up(1), 0);
    rc = vcpu_runstate(1, &r);
    check(rc == 0 && r.state == RUNSTATE_offline, "runstate_of_downed_vcpu_is_offline",
          "rc %s, state %u", rc_name(rc), r.state);
    check_rc("down_of_the_last_vcpu_up_is_ebusy", vcpu_down(0), -XEN_EBUSY);
    check_rc("down_of_vcpu_max_is_einval", vcpu_down(nr_vcpus), -XEN_EINVAL);
}

void test_main(const struct hv_start_info *si)
{
    long rc;

    nr_vcpus = si->nr_vcpus;
    if (nr_vcpus < 2)
        xtf_error("needs 2 vCPUs, has %u", nr_vcpus);
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc == 0)
        rc = evtchn_alloc_unbound(DOMID_SELF, &quiet_port);
    if (rc)
        xtf_failure("cannot set up event channels: %s", rc_name(rc));
    check_before_bringup();
    check_bringup();
    if (secondary_running) {
        check_ipi_wakes_vcpu_1();
        check_runstate();
        check_down();
    }
    check_rc("unknown_subop_is_enosys", hypercall_vcpu_op(VCPUOP_UNKNOWN, 0, NULL), -XEN_ENOSYS);
    check_user_hypercall_refused("vcpu_op_from_ring3_is_refused", __HYPERVISOR_vcpu_op,
                                 VCPUOP_is_up, 0, 0);
    checks_done();
}
