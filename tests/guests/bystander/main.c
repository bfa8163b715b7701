/*
 * The bystander of the noisy-neighbour test (tests/integration/
 * iso_noisy_neighbour.sh): while other guests and clients attack hvd, it
 * sleeps sleep_ms at a time (SCHEDOP_poll with a timeout, on a port nobody
 * sends on) and measures how late each wake-up is, and times null
 * hypercalls between the sleeps.  Command line: seconds=T sleep_ms=S
 * max_ms=M — SUCCESS only if every sleep ended within M ms.
 */
#include "check.h"
#include "cmdline.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "bystander: timer accuracy and hypercall latency under attack";

#define CALLS_PER_ROUND 20u

struct measures {
    unsigned long sleeps, late_sleeps, calls;
    uint64_t longest_sleep_ns, call_ns_total, longest_call_ns;
};

static uint64_t need(const char *cmdline, const char *key)
{
    uint64_t v;

    if (!cmdline_get_u64(cmdline, key, &v) || v == 0)
        xtf_error("cmdline \"%s\": want seconds=T sleep_ms=S max_ms=M", cmdline);
    return v;
}

static void time_calls(struct measures *m)
{
    for (unsigned int i = 0; i < CALLS_PER_ROUND; i++) {
        uint64_t t0 = now_ns();

        hypercall_xen_version(XENVER_version, NULL);
        uint64_t t1 = now_ns(), ns = t1 > t0 ? t1 - t0 : 0; /* never negative */

        m->calls++;
        m->call_ns_total += ns;
        if (ns > m->longest_call_ns)
            m->longest_call_ns = ns;
    }
}

static void sleep_once(struct measures *m, uint32_t port, uint64_t sleep_ns, uint64_t max_ns)
{
    uint64_t t0 = now_ns();
    long rc = sched_poll_port(port, t0 + sleep_ns);
    uint64_t slept = now_ns() - t0;

    if (rc)
        xtf_failure("SCHEDOP_poll: %s", rc_name(rc));
    m->sleeps++;
    if (slept > m->longest_sleep_ns)
        m->longest_sleep_ns = slept;
    if (slept > max_ns && m->late_sleeps++ < 5)
        printf("sleep %lu took %lu ms\n", m->sleeps, slept / NSEC_PER_MSEC);
}

void test_main(const struct hv_start_info *si)
{
    uint64_t seconds = need(si->cmdline, "seconds"), sleep_ms = need(si->cmdline, "sleep_ms");
    uint64_t max_ms = need(si->cmdline, "max_ms");
    struct measures m = { 0 };
    uint32_t port;

    if (time_init() || evtchn_init() || evtchn_bind_ipi(0, &port))
        xtf_error("no clock, or no event channel to sleep on");
    printf("bystander: ready\n");
    uint64_t end = now_ns() + seconds * NSEC_PER_SEC;
    while (now_ns() < end) {
        sleep_once(&m, port, sleep_ms * NSEC_PER_MSEC, max_ms * NSEC_PER_MSEC);
        time_calls(&m);
    }
    printf("bystander: %lu sleeps of %lu ms, longest %lu ms, %lu over %lu ms; %lu null "
           "hypercalls, %lu us on average, longest %lu us\n", m.sleeps, sleep_ms,
           m.longest_sleep_ns / NSEC_PER_MSEC, m.late_sleeps, max_ms, m.calls,
           m.calls ? m.call_ns_total / m.calls / 1000 : 0, m.longest_call_ns / 1000);
    check(m.sleeps > 0, "the_bystander_slept", "%lu sleeps", m.sleeps);
    check(m.late_sleeps == 0, "every_sleep_ended_in_time", "%lu of %lu sleeps over %lu ms",
          m.late_sleeps, m.sleeps, max_ms);
    checks_done();
}
