/*
 * Timers: set_timer_op raises VIRQ_TIMER no earlier than its deadline and
 * 0 cancels it; VCPUOP_set_singleshot_timer with VCPU_SSHOTTMR_future
 * refuses a past deadline, stop_singleshot_timer cancels, and another
 * vCPU's timer is out of reach.  Run with 2 vCPUs (timer/vcpus).
 */
#include <hv/public/vcpu.h>

#include "check.h"
#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "timer: set_timer_op and the singleshot timer";

#define DELAY_NS (20 * NSEC_PER_MSEC)
#define QUIET_NS (60 * NSEC_PER_MSEC) /* long past DELAY_NS: a cancelled timer stays quiet */

static uint32_t timer_port;
static uint64_t fired_at;

static void note_timer(uint32_t port, void *data)
{
    (void)port;
    (void)data;
    fired_at = now_ns();
}

static long singleshot(unsigned int vcpu, uint64_t deadline, uint32_t flags, uint32_t pad)
{
    static struct vcpu_set_singleshot_timer t;

    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = deadline, .flags = flags,
                                            .pad = pad };
    return hypercall_vcpu_op(VCPUOP_set_singleshot_timer, vcpu, &t);
}

/* Wait for the timer's upcall; check it came, and not before deadline. */
static void check_fires(const char *name, uint64_t deadline)
{
    unsigned long seen = evtchn_handled(timer_port);

    printf("waiting in hlt for the timer\n");
    evtchn_wait_halted(timer_port, seen);
    check(fired_at >= deadline, name, "upcall %ld us after the deadline",
          (long)(fired_at - deadline) / 1000);
}

/* Nothing arrives on the timer port for QUIET_NS. */
static void check_stays_quiet(const char *name)
{
    unsigned long seen = evtchn_handled(timer_port);
    uint64_t t0 = now_ns();

    evtchn_wait(timer_port, seen, QUIET_NS);
    check(evtchn_handled(timer_port) == seen && !evtchn_is_pending(timer_port), name,
          "%lu upcalls in %lu ms", evtchn_handled(timer_port) - seen,
          (now_ns() - t0) / NSEC_PER_MSEC);
}

static void check_set_timer_op(void)
{
    uint64_t deadline = now_ns() + DELAY_NS;

    check_rc("set_timer_op_in_the_future_succeeds", hypercall_set_timer_op(deadline), 0);
    check_fires("set_timer_op_upcall_comes_not_before_deadline", deadline);
    check_rc("set_timer_op_rearm_succeeds", hypercall_set_timer_op(now_ns() + DELAY_NS), 0);
    check_rc("set_timer_op_0_succeeds", hypercall_set_timer_op(0), 0);
    check_stays_quiet("set_timer_op_0_cancels_the_timer");
}

static void check_singleshot(void)
{
    uint64_t deadline = now_ns() + DELAY_NS;

    check_rc("singleshot_in_the_future_succeeds",
             singleshot(0, deadline, VCPU_SSHOTTMR_future, 0), 0);
    check_fires("singleshot_upcall_comes_not_before_deadline", deadline);
    /* Half of now is long past: the guest's kvmclock and hvd's clock may
     * disagree by a millisecond or more under nested emulation. */
    check_rc("singleshot_future_flag_with_past_deadline_is_etime",
             singleshot(0, now_ns() / 2, VCPU_SSHOTTMR_future, 0), -XEN_ETIME);
    check_rc("singleshot_rearm_succeeds", singleshot(0, now_ns() + DELAY_NS, 0, 0), 0);
    check_rc("stop_singleshot_succeeds",
             hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    check_stays_quiet("stop_singleshot_cancels_the_timer");
    check_rc("singleshot_on_another_vcpu_is_einval",
             singleshot(1, now_ns() + DELAY_NS, 0, 0), -XEN_EINVAL);
    check_rc("stop_singleshot_on_another_vcpu_is_einval",
             hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL), -XEN_EINVAL);
    check_rc("singleshot_with_pad_is_einval", singleshot(0, now_ns() + DELAY_NS, 0, 1),
             -XEN_EINVAL);
    check_rc("singleshot_unmapped_pointer_is_efault",
             hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)BAD_PTR_UNMAPPED),
             -XEN_EFAULT);
}

void test_main(const struct hv_start_info *si)
{
    long rc;

    if (si->nr_vcpus < 2)
        xtf_error("needs 2 vCPUs, has %u", si->nr_vcpus);
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc == 0)
        rc = evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port);
    if (rc)
        xtf_failure("cannot set up the timer port: %s", rc_name(rc));
    evtchn_set_handler(timer_port, note_timer, NULL);
    check_set_timer_op();
    check_singleshot();
    check_user_hypercall_refused("set_timer_op_from_ring3_is_refused", __HYPERVISOR_set_timer_op,
                                 0, 0, 0);
    checks_done();
}
