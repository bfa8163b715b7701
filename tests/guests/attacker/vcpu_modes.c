/* Attacker modes against vCPUs, event channels and the domain lifecycle. */
#include <hv/public/domctl.h>
#include <hv/public/event_channel.h>
#include <hv/public/vcpu.h>

#include "check.h"
#include "cmdline.h"
#include "evtchn.h"
#include "modes.h"
#include "time.h"
#include "vcpu.h"
#include "xtf.h"

#define CLOCK_EVERY 64ul /* the clock costs dozens of (interpreted) instructions */

static uint64_t need_u64(const char *cmdline, const char *key)
{
    uint64_t v;

    if (!cmdline_get_u64(cmdline, key, &v))
        xtf_error("cmdline \"%s\": %s=N missing", cmdline, key);
    return v;
}

/*
 * The test script says when the attack has lasted long enough by typing
 * 'q' on the console: on this project's emulated CPUs a fixed time says
 * little about how much was done.  The seconds= bound stays as a limit.
 */
static bool told_to_stop(void)
{
    char c = 0;

    return hypercall_console_io(CONSOLEIO_read, 1, &c) == 1 && c == 'q';
}

static uint64_t deadline_after(uint64_t seconds)
{
    if (time_init())
        xtf_error("no KVM clock");
    return now_ns() + seconds * NSEC_PER_SEC;
}

/*
 * bind-next first=D count=K seconds=T (or until 'q' on the console):
 * EVTCHNOP_bind_interdomain to port
 * 1 of domids D..D+K-1, round and round, while the toolstack creates and
 * destroys domains there.  A domain still being built must look absent
 * (-ESRCH) and a built one has no port 1 unbound for us (-EINVAL); hvd
 * must not look at a half-built domain's channels.
 */
static void mode_bind_next(const struct hv_start_info *si)
{
    uint64_t first = need_u64(si->cmdline, "first"), count = need_u64(si->cmdline, "count");
    uint64_t deadline = deadline_after(need_u64(si->cmdline, "seconds"));
    unsigned long calls = 0, absent = 0, refused = 0, other = 0;
    long first_other = 0;

    if (count == 0 || first + count > 0x7ff0)
        xtf_error("bind-next: count=%lu from first=%lu is out of range", count, first);
    while (calls % CLOCK_EVERY || (now_ns() < deadline && !told_to_stop())) {
        uint32_t local;
        long rc = evtchn_bind_interdomain((domid_t)(first + calls % count), 1, &local);

        calls++;
        if (rc == -XEN_ESRCH) {
            absent++;
        } else if (rc == -XEN_EINVAL) {
            refused++;
        } else if (!other++) {
            first_other = rc;
        }
    }
    printf("bind-next: %lu binds: %lu -ESRCH (absent or being built), %lu -EINVAL (built), "
           "%lu other\n", calls, absent, refused, other);
    check(other == 0, "binds_to_domains_being_built_fail_cleanly",
          "%lu results other than -ESRCH/-EINVAL, first %s", other, rc_name(first_other));
    check(calls > 0, "binds_were_made", "%lu", calls);
    checks_done();
}

/*
 * initialise-cross seconds=T (or until 'q' on the console), with 3 vCPUs:
 * vCPUs 1 and 2 give each other
 * a new context (VCPUOP_initialise) as fast as they can, while vCPU 0
 * takes both down and up again, so each is often taken down in the middle
 * of its own VCPUOP_initialise of the other.  hvd must never make one wait
 * for the other; at the end vCPU 0 powers the domain off, which must be
 * destroyed at once.
 */
static struct hv_vcpu_context cross_context[VCPU_MAX];
static unsigned long cross_done[VCPU_MAX], cross_busy[VCPU_MAX], cross_other[VCPU_MAX];
static long cross_first_other[VCPU_MAX];

static void cross_initialiser(unsigned int id)
{
    unsigned int target = 3 - id;

    for (;;) {
        long rc = hypercall_vcpu_op(VCPUOP_initialise, target, &cross_context[id]);

        if (rc == 0)
            cross_done[id]++;
        else if (rc == -XEN_EEXIST)
            cross_busy[id]++; /* the target was up */
        else if (!cross_other[id]++)
            cross_first_other[id] = rc;
    }
}

static void cross_bring_up(void)
{
    for (unsigned int id = 1; id <= 2; id++) {
        /* vCPU id re-initialises 3 - id with a context that starts it here again. */
        if (vcpu_context(&cross_context[id], 3 - id, cross_initialiser))
            xtf_error("initialise-cross: no context for vCPU %u", 3 - id);
        long rc = vcpu_initialise(id, cross_initialiser);

        if (rc == 0)
            rc = vcpu_up(id);
        if (rc)
            xtf_error("initialise-cross: cannot bring vCPU %u up: %s", id, rc_name(rc));
    }
}

static void mode_initialise_cross(const struct hv_start_info *si)
{
    uint64_t deadline = deadline_after(need_u64(si->cmdline, "seconds"));
    unsigned long rounds = 0;

    if (si->nr_vcpus < 3)
        xtf_error("initialise-cross needs 3 vCPUs, the domain has %u", si->nr_vcpus);
    cross_bring_up();
    while (rounds % 16 || (now_ns() < deadline && !told_to_stop())) {
        vcpu_down(1);
        vcpu_down(2);
        vcpu_up(1); /* -EINVAL while the other has not given it a context yet */
        vcpu_up(2);
        rounds++;
    }
    vcpu_down(1);
    vcpu_down(2);
    printf("initialise-cross: %lu rounds; initialise of vCPU 2 by 1: %lu done, %lu refused "
           "(up); of 1 by 2: %lu done, %lu refused\n",
           rounds, cross_done[1], cross_busy[1], cross_done[2], cross_busy[2]);
    for (unsigned int id = 1; id <= 2; id++)
        check(cross_other[id] == 0, "initialise_results_are_success_or_eexist",
              "vCPU %u saw %lu other results, first %s", id, cross_other[id],
              rc_name(cross_first_other[id]));
    check(cross_done[1] + cross_done[2] > 0, "some_initialise_reached_a_down_vcpu", "%lu",
          cross_done[1] + cross_done[2]);
    checks_done();
}

const struct attacker_mode vcpu_modes[] = {
    { "bind-next", mode_bind_next },
    { "initialise-cross", mode_initialise_cross },
    { NULL, NULL },
};
