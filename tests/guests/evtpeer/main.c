/*
 * One end of an interdomain event channel, for
 * tests/integration/evtchn_interdomain.sh.  Command line:
 *   listen peer=B          reserve a port for domain B and print
 *                          "port=P other=Q" (Q is reserved for the host,
 *                          so B may not bind it); wait for B's send,
 *                          answer it, then wait until B's end goes away.
 *   connect dom=A port=P other=Q
 *                          bind A's port P (and fail to bind Q), send,
 *                          wait for A's answer.
 */
#include "check.h"
#include "cmdline.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "evtpeer: interdomain event channel between two guests";

#define PEER_WAIT_NS (60 * NSEC_PER_SEC)
#define SLEEP_NS (20 * NSEC_PER_MSEC)

static uint64_t arg(const char *cmdline, const char *key)
{
    uint64_t v;

    if (!cmdline_get_u64(cmdline, key, &v) || v > 0xffffffffu)
        xtf_error("cmdline \"%s\" lacks %s=N", cmdline, key);
    return v;
}

static void check_port_status(const char *name, uint32_t port, uint32_t want_status,
                              domid_t want_dom)
{
    struct evtchn_status st;
    long rc = evtchn_status(port, &st);

    check(rc == 0 && st.status == want_status && st.remote_dom == want_dom, name,
          "rc %s, status %u, remote_dom %u, remote_port %u", rc_name(rc), st.status,
          st.remote_dom, st.remote_port);
}

/* Wait (up to PEER_WAIT_NS) until port's status is want. */
static bool wait_for_status(uint32_t port, uint32_t want)
{
    uint64_t deadline = now_ns() + PEER_WAIT_NS;
    struct evtchn_status st;

    while (evtchn_status(port, &st) == 0 && st.status != want) {
        if (now_ns() > deadline)
            return false;
        sched_poll_port(port, now_ns() + SLEEP_NS);
    }
    return st.status == want;
}

static void listen(domid_t peer)
{
    uint32_t port = 0, other = 0;
    long rc = evtchn_alloc_unbound(peer, &port);
    bool came;

    if (rc == 0)
        rc = evtchn_alloc_unbound(0, &other);
    if (rc)
        xtf_failure("alloc_unbound: %s", rc_name(rc));
    check_port_status("reserved_port_is_unbound_for_the_peer", port, EVTCHNSTAT_unbound, peer);
    printf("port=%u other=%u\n", port, other);
    came = evtchn_wait(port, 0, PEER_WAIT_NS);
    check(came, "peer_send_raises_our_port", "upcalls %lu", evtchn_handled(port));
    check_port_status("bound_port_is_interdomain_with_the_peer", port, EVTCHNSTAT_interdomain,
                      peer);
    check_rc("send_back_to_the_peer_succeeds", evtchn_send(port), 0);
    check(wait_for_status(port, EVTCHNSTAT_unbound), "peer_teardown_leaves_our_port_unbound",
          "waited up to %lu s", PEER_WAIT_NS / NSEC_PER_SEC);
}

static void connect(domid_t dom, uint32_t port, uint32_t other)
{
    uint32_t local = 0, unused;
    bool came;
    long rc;

    check_rc("bind_to_port_reserved_for_another_domain_is_einval",
             evtchn_bind_interdomain(dom, other, &unused), -XEN_EINVAL);
    check_rc("bind_to_port_of_missing_domain_is_esrch",
             evtchn_bind_interdomain(DOMID_MAX, port, &unused), -XEN_ESRCH);
    rc = evtchn_bind_interdomain(dom, port, &local);
    check(rc == 0 && local > 0, "bind_interdomain_to_peer_port_succeeds", "rc %s, local port %u",
          rc_name(rc), local);
    if (rc)
        return;
    check_port_status("bound_port_is_interdomain_with_the_peer", local, EVTCHNSTAT_interdomain,
                      dom);
    check_rc("send_to_the_peer_succeeds", evtchn_send(local), 0);
    came = evtchn_wait(local, 0, PEER_WAIT_NS);
    check(came, "peer_answer_raises_our_port", "upcalls %lu", evtchn_handled(local));
}

void test_main(const struct hv_start_info *si)
{
    const char *cmd = si->cmdline;
    long rc;

    printf("I am domain %u\n", si->domid);
    if (time_init())
        xtf_error("no KVM clock");
    rc = evtchn_init();
    if (rc)
        xtf_failure("evtchn_init (shared info, callback vector): %s", rc_name(rc));
    if (cmdline_has_word(cmd, "listen"))
        listen((domid_t)arg(cmd, "peer"));
    else if (cmdline_has_word(cmd, "connect"))
        connect((domid_t)arg(cmd, "dom"), (uint32_t)arg(cmd, "port"),
                (uint32_t)arg(cmd, "other"));
    else
        xtf_error("cmdline \"%s\": want listen or connect", cmd);
    checks_done();
}
