/*
 * The guest end of a host<->guest event channel, for
 * tests/integration/evtchn_host.sh.  Reserves a port for the host
 * (remote_dom 0) and one for itself, prints "port=P other=Q", then answers
 * each of the host's `rounds=N` sends with a send of its own, and waits
 * for the host to close its end.
 */
#include "check.h"
#include "cmdline.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "evthost: event channel to the host";

#define HOST_WAIT_NS (60 * NSEC_PER_SEC)
#define SLEEP_NS (20 * NSEC_PER_MSEC)
#define MAX_ROUNDS 1000u

static void check_port_status(const char *name, uint32_t port, uint32_t want_status)
{
    struct evtchn_status st;
    long rc = evtchn_status(port, &st);

    check(rc == 0 && st.status == want_status && st.remote_dom == 0, name,
          "rc %s, status %u, remote_dom %u", rc_name(rc), st.status, st.remote_dom);
}

static bool wait_until_unbound(uint32_t port)
{
    uint64_t deadline = now_ns() + HOST_WAIT_NS;
    struct evtchn_status st;

    while (evtchn_status(port, &st) == 0 && st.status != EVTCHNSTAT_unbound) {
        if (now_ns() > deadline)
            return false;
        sched_poll_port(port, now_ns() + SLEEP_NS);
    }
    return st.status == EVTCHNSTAT_unbound;
}

/* Answer each host send; returns the rounds completed.  The host keeps
 * its end open until our last answer, so its state is checked in round 1. */
static unsigned int answer_host(uint32_t port, unsigned int rounds)
{
    unsigned int done = 0;

    while (done < rounds && evtchn_wait(port, done, HOST_WAIT_NS)) {
        if (done++ == 0)
            check_port_status("host_bound_port_is_interdomain_with_domain_0", port,
                              EVTCHNSTAT_interdomain);
        if (evtchn_send(port))
            break;
    }
    return done;
}

void test_main(const struct hv_start_info *si)
{
    uint32_t port = 0, other = 0;
    unsigned int done;
    uint64_t rounds;
    long rc;

    if (!cmdline_get_u64(si->cmdline, "rounds", &rounds) || !rounds || rounds > MAX_ROUNDS)
        xtf_error("cmdline \"%s\": want rounds=1..%u", si->cmdline, MAX_ROUNDS);
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc == 0)
        rc = evtchn_alloc_unbound(0, &port);
    if (rc == 0)
        rc = evtchn_alloc_unbound(DOMID_SELF, &other);
    if (rc)
        xtf_failure("cannot set up event channels: %s", rc_name(rc));
    check_port_status("port_reserved_for_the_host_is_unbound", port, EVTCHNSTAT_unbound);
    printf("port=%u other=%u\n", port, other);
    done = answer_host(port, (unsigned int)rounds);
    check(done == rounds, "every_host_send_raised_our_port_and_was_answered",
          "%u of %lu rounds", done, rounds);
    check(wait_until_unbound(port), "host_close_leaves_our_port_unbound", "waited up to %lu s",
          HOST_WAIT_NS / NSEC_PER_SEC);
    checks_done();
}
