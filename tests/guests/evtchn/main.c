/*
 * event_channel_op: IPI, loopback interdomain and VIRQ ports deliver
 * upcalls; status reports each kind; mask, unmask, close, reset and
 * SCHEDOP_poll behave; bad ports, vCPUs, fields and pointers are refused.
 */
#include <hv/public/event_channel.h>
#include <hv/public/sched.h>

#include "check.h"
#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "evtchn: event channel ops, upcalls and errors";

#define EVTCHNOP_UNKNOWN 99
#define WAIT_NS (2 * NSEC_PER_SEC)

static unsigned int nr_vcpus;

static void check_status(const char *name, uint32_t port, uint32_t want_status,
                         uint32_t want_remote_port, bool check_remote_port)
{
    struct evtchn_status st;
    long rc = evtchn_status(port, &st);

    check(rc == 0 && st.status == want_status &&
          (!check_remote_port || st.remote_port == want_remote_port),
          name, "rc %s, status %u, vcpu %u, remote_dom %u, remote_port %u", rc_name(rc),
          st.status, st.vcpu, st.remote_dom, st.remote_port);
}

/* Send on port and check that the upcall for upcall_port ran once. */
static void check_send_reaches(const char *name, uint32_t port, uint32_t upcall_port)
{
    unsigned long seen = evtchn_handled(upcall_port);
    long rc = evtchn_send(port);

    if (rc == 0)
        evtchn_wait(upcall_port, seen, WAIT_NS);
    check(rc == 0 && evtchn_handled(upcall_port) == seen + 1 && !evtchn_is_pending(upcall_port),
          name, "send rc %s, upcalls %lu -> %lu", rc_name(rc), seen, evtchn_handled(upcall_port));
}

static uint32_t check_ipi(void)
{
    uint32_t port = 0;
    unsigned long seen;
    long rc = evtchn_bind_ipi(0, &port);

    check(rc == 0 && port > 0 && port < HV_EVTCHN_PORTS, "bind_ipi_gives_a_valid_port",
          "rc %s, port %u", rc_name(rc), port);
    check_status("status_of_ipi_port_is_ipi", port, EVTCHNSTAT_ipi, 0, false);
    seen = evtchn_handled(port);
    irq_disable();
    rc = evtchn_send(port);
    check(rc == 0 && evtchn_is_pending(port) && shared_info->vcpu_info[0].evtchn_upcall_pending,
          "ipi_send_sets_pending_and_upcall_pending", "rc %s", rc_name(rc));
    printf("waiting in hlt for the IPI upcall\n");
    evtchn_wait_halted(port, seen);
    check(evtchn_handled(port) == seen + 1 && !evtchn_is_pending(port),
          "ipi_upcall_wakes_hlt_and_runs_handler", "upcalls %lu", evtchn_handled(port));
    check_rc("bind_ipi_to_vcpu_max_is_einval", evtchn_bind_ipi(nr_vcpus, &port), -XEN_EINVAL);
    return port;
}

static void check_mask_unmask(uint32_t port)
{
    unsigned long seen = evtchn_handled(port);

    evtchn_mask(port);
    irq_disable();
    evtchn_send(port);
    irq_window();
    irq_window();
    check(evtchn_handled(port) == seen && evtchn_is_pending(port),
          "masked_port_stays_pending_without_upcall", "upcalls %lu -> %lu", seen,
          evtchn_handled(port));
    check_rc("unmask_succeeds", evtchn_unmask(port), 0);
    check(!evtchn_is_masked(port), "unmask_clears_the_mask_bit", "mask bit %d",
          evtchn_is_masked(port));
    evtchn_wait(port, seen, WAIT_NS);
    check(evtchn_handled(port) == seen + 1, "unmask_of_pending_port_raises_the_upcall",
          "upcalls %lu -> %lu", seen, evtchn_handled(port));
}

/* Loopback: a port reserved for ourselves, bound by ourselves. */
static void check_loopback(uint32_t *unbound, uint32_t *bound)
{
    long rc = evtchn_alloc_unbound(DOMID_SELF, unbound);

    check(rc == 0 && *unbound > 0, "alloc_unbound_for_self_gives_a_port", "rc %s, port %u",
          rc_name(rc), *unbound);
    check_status("status_of_new_port_is_unbound", *unbound, EVTCHNSTAT_unbound, 0, false);
    check_rc("send_on_unbound_port_is_a_noop", evtchn_send(*unbound), 0);
    rc = evtchn_bind_interdomain(DOMID_SELF, *unbound, bound);
    check(rc == 0 && *bound > 0 && *bound != *unbound, "bind_interdomain_to_own_port_succeeds",
          "rc %s, local port %u", rc_name(rc), *bound);
    check_status("status_of_bound_port_names_its_peer", *bound, EVTCHNSTAT_interdomain,
                 *unbound, true);
    check_status("status_of_reserved_port_is_now_interdomain", *unbound, EVTCHNSTAT_interdomain,
                 *bound, true);
    check_send_reaches("send_on_one_end_raises_the_other", *unbound, *bound);
    check_send_reaches("send_on_the_other_end_raises_the_first", *bound, *unbound);
    check_rc("bind_interdomain_to_a_bound_port_is_einval",
             evtchn_bind_interdomain(DOMID_SELF, *unbound, &(uint32_t){ 0 }), -XEN_EINVAL);
    check_rc("bind_interdomain_to_missing_domain_is_esrch",
             evtchn_bind_interdomain(DOMID_MAX, 1, &(uint32_t){ 0 }), -XEN_ESRCH);
}

static uint32_t check_virqs(void)
{
    uint32_t port = 0, other;
    long rc = evtchn_bind_virq(VIRQ_TIMER, 0, &port);

    check(rc == 0 && port > 0, "bind_virq_timer_gives_a_port", "rc %s, port %u", rc_name(rc),
          port);
    check_status("status_of_virq_port_names_the_virq", port, EVTCHNSTAT_virq, VIRQ_TIMER, true);
    check_rc("bind_virq_timer_twice_is_eexist", evtchn_bind_virq(VIRQ_TIMER, 0, &other),
             -XEN_EEXIST);
    check_rc("bind_virq_dom_exc_is_eperm", evtchn_bind_virq(VIRQ_DOM_EXC, 0, &other), -XEN_EPERM);
    check_rc("bind_virq_past_nr_virqs_is_einval", evtchn_bind_virq(NR_VIRQS, 0, &other),
             -XEN_EINVAL);
    check_rc("bind_virq_to_vcpu_max_is_einval", evtchn_bind_virq(VIRQ_TIMER, nr_vcpus, &other),
             -XEN_EINVAL);
    rc = evtchn_bind_virq(VIRQ_CONSOLE, 0, &other);
    check(rc == 0 && other != port, "bind_virq_console_gives_another_port", "rc %s, port %u",
          rc_name(rc), other);
    check_status("status_of_console_virq_port_names_virq_console", other, EVTCHNSTAT_virq,
                 VIRQ_CONSOLE, true);
    return port;
}

static void check_bind_vcpu(uint32_t interdomain_port, uint32_t ipi_port)
{
    check_rc("bind_vcpu_to_vcpu_max_is_einval", evtchn_bind_vcpu(interdomain_port, nr_vcpus),
             -XEN_EINVAL);
    check_rc("bind_vcpu_of_interdomain_port_to_vcpu_0_succeeds",
             evtchn_bind_vcpu(interdomain_port, 0), 0);
    check_rc("bind_vcpu_of_ipi_port_is_einval", evtchn_bind_vcpu(ipi_port, 0), -XEN_EINVAL);
    check_rc("bind_vcpu_of_port_0_is_einval", evtchn_bind_vcpu(0, 0), -XEN_EINVAL);
}

/* send_port's peer is pending_port. */
static void check_poll_returns_at_once(uint32_t send_port, uint32_t pending_port)
{
    uint64_t t0, elapsed;
    long rc;

    irq_disable();
    evtchn_send(send_port);
    t0 = now_ns();
    rc = sched_poll_port(pending_port, t0 + 5 * NSEC_PER_SEC);
    elapsed = now_ns() - t0;
    check(rc == 0 && elapsed < NSEC_PER_SEC, "poll_on_pending_port_returns_at_once",
          "rc %s after %lu us", rc_name(rc), elapsed / 1000);
    irq_window(); /* let the upcall clear it */
}

static void check_close(uint32_t port)
{
    check_rc("close_of_ipi_port_succeeds", evtchn_close(port), 0);
    check_status("status_of_closed_port_is_closed", port, EVTCHNSTAT_closed, 0, false);
    check_rc("send_on_closed_port_is_einval", evtchn_send(port), -XEN_EINVAL);
    check_rc("close_of_closed_port_is_einval", evtchn_close(port), -XEN_EINVAL);
}

static void check_bad_ports(void)
{
    static const uint32_t bad[] = { 0, HV_EVTCHN_PORTS, 0xffffffffu };
    struct evtchn_status st;
    char name[64];

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(name, sizeof(name), "send_on_port_%u_is_einval", bad[i]);
        check_rc(name, evtchn_send(bad[i]), -XEN_EINVAL);
        snprintf(name, sizeof(name), "close_of_port_%u_is_einval", bad[i]);
        check_rc(name, evtchn_close(bad[i]), -XEN_EINVAL);
        snprintf(name, sizeof(name), "unmask_of_port_%u_is_einval", bad[i]);
        check_rc(name, evtchn_unmask(bad[i]), -XEN_EINVAL);
    }
    check_rc("status_of_port_1024_is_einval", evtchn_status(HV_EVTCHN_PORTS, &st), -XEN_EINVAL);
    check_rc("bind_interdomain_to_port_1024_is_einval",
             evtchn_bind_interdomain(DOMID_SELF, HV_EVTCHN_PORTS, &(uint32_t){ 0 }), -XEN_EINVAL);
}

static void check_bad_fields(void)
{
    static struct evtchn_alloc_unbound alloc;
    static struct evtchn_bind_interdomain bind;
    static struct evtchn_status st;
    static struct evtchn_reset reset;

    alloc = (struct evtchn_alloc_unbound){ .dom = 0, .remote_dom = DOMID_SELF };
    check_rc("alloc_unbound_for_other_dom_is_esrch",
             hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), -XEN_ESRCH);
    bind = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .pad = 1,
                                             .remote_port = 1 };
    check_rc("bind_interdomain_with_pad_is_einval",
             hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bind), -XEN_EINVAL);
    st = (struct evtchn_status){ .dom = DOMID_SELF, .pad = 1, .port = 1 };
    check_rc("status_with_pad_is_einval", hypercall_event_channel_op(EVTCHNOP_status, &st),
             -XEN_EINVAL);
    st = (struct evtchn_status){ .dom = DOMID_MAX, .port = 1 };
    check_rc("status_of_other_dom_is_esrch", hypercall_event_channel_op(EVTCHNOP_status, &st),
             -XEN_ESRCH);
    reset = (struct evtchn_reset){ .dom = 0 };
    check_rc("reset_of_other_dom_is_esrch", hypercall_event_channel_op(EVTCHNOP_reset, &reset),
             -XEN_ESRCH);
    reset = (struct evtchn_reset){ .dom = DOMID_SELF, .pad = 1 };
    check_rc("reset_with_pad_is_einval", hypercall_event_channel_op(EVTCHNOP_reset, &reset),
             -XEN_EINVAL);
    check_rc("send_unmapped_pointer_is_efault",
             hypercall_event_channel_op(EVTCHNOP_send, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    check_rc("alloc_unbound_noncanonical_pointer_is_efault",
             hypercall_event_channel_op(EVTCHNOP_alloc_unbound, (void *)BAD_PTR_NONCANONICAL),
             -XEN_EFAULT);
    check_rc("unknown_subop_is_enosys", hypercall_event_channel_op(EVTCHNOP_UNKNOWN, &reset),
             -XEN_ENOSYS);
}

static void check_reset(uint32_t p1, uint32_t p2, uint32_t p3)
{
    check_rc("reset_succeeds", evtchn_reset(), 0);
    check_status("reset_closes_the_reserved_port", p1, EVTCHNSTAT_closed, 0, false);
    check_status("reset_closes_the_interdomain_port", p2, EVTCHNSTAT_closed, 0, false);
    check_status("reset_closes_the_virq_port", p3, EVTCHNSTAT_closed, 0, false);
    check_rc("virq_timer_can_be_bound_again_after_reset", evtchn_bind_virq(VIRQ_TIMER, 0, &p3),
             0);
}

void test_main(const struct hv_start_info *si)
{
    uint32_t ipi, unbound, bound, virq;
    long rc;

    nr_vcpus = si->nr_vcpus;
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc)
        xtf_failure("evtchn_init (shared info, callback vector): %s", rc_name(rc));
    ipi = check_ipi();
    check_mask_unmask(ipi);
    check_loopback(&unbound, &bound);
    virq = check_virqs();
    check_bind_vcpu(bound, ipi);
    check_poll_returns_at_once(bound, unbound);
    check_close(ipi);
    check_bad_ports();
    check_bad_fields();
    check_reset(unbound, bound, virq);
    check_user_hypercall_refused("event_channel_op_from_ring3_is_refused",
                                 __HYPERVISOR_event_channel_op, EVTCHNOP_send,
                                 (uintptr_t)&unbound, 0);
    checks_done();
}
