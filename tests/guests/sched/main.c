/*
 * sched_op: yield, block until a timer event, poll with a timeout (timed
 * with the KVM clock), poll's argument checks, shutdown_code, and an
 * unknown sub-op.
 */
#include <hv/public/sched.h>

#include "check.h"
#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "sched: yield, block, poll, shutdown_code and errors";

#define SCHEDOP_UNKNOWN 99
#define TIMER_DELAY_NS (20 * NSEC_PER_MSEC)
#define POLL_TIMEOUT_NS (30 * NSEC_PER_MSEC)

static uint32_t poll_ports[SCHED_POLL_MAX_PORTS + 1];
static struct sched_poll poll;

static long poll_op(uint64_t ports, uint32_t nr, uint32_t pad, uint64_t timeout)
{
    poll = (struct sched_poll){ .ports = ports, .nr_ports = nr, .pad = pad, .timeout = timeout };
    return hypercall_sched_op(SCHEDOP_poll, &poll);
}

/* The timer's VIRQ wakes a vCPU blocked with interrupts on. */
static void check_block(uint32_t timer_port)
{
    unsigned long seen = evtchn_handled(timer_port);
    uint64_t deadline = now_ns() + TIMER_DELAY_NS;
    long rc = hypercall_set_timer_op(deadline);

    check_rc("set_timer_op_in_the_future_succeeds", rc, 0);
    printf("blocking until the timer fires\n");
    __asm__ volatile("sti" ::: "memory");
    rc = hypercall_sched_op(SCHEDOP_block, NULL);
    irq_disable();
    uint64_t woke = now_ns();
    check(rc == 0 && woke >= deadline, "block_returns_when_the_timer_fires",
          "rc %s, woke %ld us after the deadline", rc_name(rc), (long)(woke - deadline) / 1000);
    evtchn_wait(timer_port, seen, NSEC_PER_SEC);
    check(evtchn_handled(timer_port) == seen + 1, "timer_upcall_ran_once",
          "upcalls %lu -> %lu", seen, evtchn_handled(timer_port));
}

/* A port that nobody sends on: poll can only end at its timeout. */
static void check_poll_timeout(uint32_t quiet_port)
{
    uint64_t t0 = now_ns(), deadline = t0 + POLL_TIMEOUT_NS, t1;
    long rc;

    poll_ports[0] = quiet_port;
    rc = poll_op((uintptr_t)poll_ports, 1, 0, deadline);
    t1 = now_ns();
    check(rc == 0 && t1 >= deadline && t1 - t0 < 5 * NSEC_PER_SEC,
          "poll_returns_0_at_its_timeout", "rc %s after %lu us, timeout %lu us", rc_name(rc),
          (t1 - t0) / 1000, POLL_TIMEOUT_NS / 1000);
    t0 = now_ns();
    rc = poll_op((uintptr_t)poll_ports, 1, 0, 1);
    t1 = now_ns();
    check(rc == 0 && t1 - t0 < NSEC_PER_SEC, "poll_with_past_timeout_returns_at_once",
          "rc %s after %lu us", rc_name(rc), (t1 - t0) / 1000);
}

static void check_poll_errors(uint32_t quiet_port)
{
    uint64_t soon = now_ns() + POLL_TIMEOUT_NS;

    poll_ports[0] = HV_EVTCHN_PORTS;
    check_rc("poll_on_port_1024_is_einval", poll_op((uintptr_t)poll_ports, 1, 0, soon),
             -XEN_EINVAL);
    poll_ports[0] = 0;
    check_rc("poll_on_port_0_is_einval", poll_op((uintptr_t)poll_ports, 1, 0, soon),
             -XEN_EINVAL);
    poll_ports[0] = quiet_port;
    poll_ports[1] = 0xffffffffu;
    check_rc("poll_with_one_bad_port_of_two_is_einval",
             poll_op((uintptr_t)poll_ports, 2, 0, soon), -XEN_EINVAL);
    for (unsigned int i = 0; i < ARRAY_SIZE(poll_ports); i++)
        poll_ports[i] = quiet_port;
    check_rc("poll_on_129_ports_is_einval",
             poll_op((uintptr_t)poll_ports, SCHED_POLL_MAX_PORTS + 1, 0, soon), -XEN_EINVAL);
    check_rc("poll_on_0_ports_is_einval", poll_op((uintptr_t)poll_ports, 0, 0, soon),
             -XEN_EINVAL);
    check_rc("poll_with_pad_is_einval", poll_op((uintptr_t)poll_ports, 1, 1, soon), -XEN_EINVAL);
    check_rc("poll_unreadable_port_list_is_efault", poll_op(BAD_PTR_UNMAPPED, 1, 0, soon),
             -XEN_EFAULT);
    check_rc("poll_unmapped_argument_is_efault",
             hypercall_sched_op(SCHEDOP_poll, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
}

static void check_shutdown_code(void)
{
    static struct sched_shutdown sd;

    sd.reason = SHUTDOWN_watchdog;
    check_rc("shutdown_code_records_a_reason", hypercall_sched_op(SCHEDOP_shutdown_code, &sd), 0);
    sd.reason = SHUTDOWN_MAX + 1;
    check_rc("shutdown_code_bad_reason_is_einval",
             hypercall_sched_op(SCHEDOP_shutdown_code, &sd), -XEN_EINVAL);
    check_rc("shutdown_code_unmapped_pointer_is_efault",
             hypercall_sched_op(SCHEDOP_shutdown_code, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    check_rc("shutdown_unmapped_pointer_is_efault",
             hypercall_sched_op(SCHEDOP_shutdown, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    sd.reason = SHUTDOWN_MAX + 1;
    check_rc("shutdown_bad_reason_is_einval", hypercall_sched_op(SCHEDOP_shutdown, &sd),
             -XEN_EINVAL);
}

void test_main(const struct hv_start_info *si)
{
    uint32_t timer_port, quiet_port;
    long rc;

    (void)si;
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc)
        xtf_failure("evtchn_init (shared info, callback vector): %s", rc_name(rc));
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port);
    if (rc == 0)
        rc = evtchn_alloc_unbound(DOMID_SELF, &quiet_port);
    if (rc)
        xtf_failure("cannot set up ports: %s", rc_name(rc));

    check_rc("yield_returns_0", hypercall_sched_op(SCHEDOP_yield, NULL), 0);
    check_block(timer_port);
    check_poll_timeout(quiet_port);
    check_poll_errors(quiet_port);
    check_shutdown_code();
    check_rc("unknown_subop_is_enosys", hypercall_sched_op(SCHEDOP_UNKNOWN, NULL), -XEN_ENOSYS);
    check_user_hypercall_refused("sched_op_from_ring3_is_refused", __HYPERVISOR_sched_op,
                                 SCHEDOP_yield, 0, 0);
    checks_done();
}
