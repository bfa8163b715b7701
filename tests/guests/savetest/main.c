/*
 * savetest: a guest to be saved in the middle of its work and restored,
 * for tests/integration/save_restore_guest.sh.
 *
 * It fills a large region of its free memory with a known pattern and
 * takes its checksum, binds an IPI port, VIRQ_TIMER, VIRQ_CONSOLE and an
 * unbound port reserved for the host, and arms a timer that re-arms
 * itself each time it fires.  Then it computes in ring 3: a running
 * checksum over the region driven by a counter, in chunks.  Each chunk is
 * computed twice from the same starting point and the results must agree,
 * so a save that changes a register or a page under a running chunk is
 * caught.  Between chunks (ring 0) it takes pending upcalls, prints
 * "progress count=N ..." about twice a second and polls console input.
 *
 * The test script saves it, restores it and writes "restored count=N" to
 * its console, N being the last count it printed before the save.  The
 * guest then checks that its memory (the region's checksum), its counter
 * (not below N: it went on from where it was), its timer (fires again),
 * its channels (same status; an IPI still arrives; VIRQ_CONSOLE came) all
 * survived, and reports the result.
 */
#include "check.h"
#include "cmdline.h"
#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "savetest: ring-3 work, channels and a timer across save/restore";

#define REGION_MAX     (16ul << 20)  /* octets of patterned memory */
#define CHUNK_STEPS    (1ul << 20)   /* ring-3 steps per chunk */
#define TIMER_NS       (200 * NSEC_PER_MSEC)
#define PROGRESS_NS    (500 * NSEC_PER_MSEC)
#define RUN_LIMIT_NS   (300 * NSEC_PER_SEC) /* give up if no restore comes */
#define WAIT_NS        (5 * NSEC_PER_SEC)

/* The patterned region (free RAM above the image). */
static uint64_t region_start, region_words; /* region_words is a power of two */
static uint64_t region_checksum;

/* A chunk of ring-3 work: in and out through memory. */
static struct {
    uint64_t counter, acc;
} job;

enum { PORT_IPI, PORT_TIMER, PORT_CONSOLE, PORT_HOST, NR_PORTS };
static const char *const port_names[NR_PORTS] = { "ipi", "virq_timer", "virq_console",
                                                 "unbound_for_host" };
static uint32_t ports[NR_PORTS];
static struct evtchn_status status_before[NR_PORTS];

static char input[128];
static size_t input_len;

static uint64_t pattern(uint64_t addr)
{
    return addr * 0x9e3779b97f4a7c15ul ^ 0x5a17e57a5a17e57aul;
}

/* Ring 3: write the pattern over the region. */
static long fill_region(void)
{
    uint64_t *w = (uint64_t *)region_start;

    for (uint64_t i = 0; i < region_words; i++)
        w[i] = pattern((uint64_t)&w[i]);
    return 0;
}

/* Ring 3: a checksum of the region, position-sensitive. */
static long checksum_region(void)
{
    const uint64_t *w = (const uint64_t *)region_start;
    uint64_t sum = 0;

    for (uint64_t i = 0; i < region_words; i++)
        sum = (sum << 7 | sum >> 57) ^ (w[i] + i);
    return (long)sum;
}

/* Ring 3: CHUNK_STEPS steps of the running checksum from job's state. */
static long compute_chunk(void)
{
    const uint64_t *w = (const uint64_t *)region_start;
    uint64_t c = job.counter, acc = job.acc, mask = region_words - 1;

    for (uint64_t i = 0; i < CHUNK_STEPS; i++, c++)
        acc = (acc ^ w[(c * 4099) & mask]) * 0x100000001b3ul + c;
    job.counter = c;
    job.acc = acc;
    return 0;
}

static void setup_region(const struct hv_start_info *si)
{
    uint64_t start = (si->free_start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t end = si->nr_pages * PAGE_SIZE, size = REGION_MAX;

    while (size > PAGE_SIZE && start + size > end)
        size >>= 1;
    if (start + size > end || size < (1ul << 20))
        xtf_error("only %lu KiB of free RAM: give the domain more memory",
                  (unsigned long)((end - start) >> 10));
    region_start = start;
    region_words = size / 8;
    exec_user(fill_region);
    region_checksum = (uint64_t)exec_user(checksum_region);
    printf("region 0x%lx, %lu MiB, checksum 0x%lx\n", (unsigned long)start,
           (unsigned long)(size >> 20), (unsigned long)region_checksum);
}

static void rearm_timer(uint32_t port, void *data)
{
    (void)port;
    (void)data;
    hypercall_set_timer_op(now_ns() + TIMER_NS);
}

static void setup_channels(void)
{
    long rc = evtchn_init();

    if (rc == 0)
        rc = evtchn_bind_ipi(0, &ports[PORT_IPI]);
    if (rc == 0)
        rc = evtchn_bind_virq(VIRQ_TIMER, 0, &ports[PORT_TIMER]);
    if (rc == 0)
        rc = evtchn_bind_virq(VIRQ_CONSOLE, 0, &ports[PORT_CONSOLE]);
    if (rc == 0)
        rc = evtchn_alloc_unbound(0, &ports[PORT_HOST]);
    for (unsigned int i = 0; rc == 0 && i < NR_PORTS; i++)
        rc = evtchn_status(ports[i], &status_before[i]);
    if (rc)
        xtf_error("cannot set up event channels: %s", rc_name(rc));
    evtchn_set_handler(ports[PORT_TIMER], rearm_timer, NULL);
    rc = hypercall_set_timer_op(now_ns() + TIMER_NS);
    if (rc)
        xtf_error("cannot arm the timer: %s", rc_name(rc));
    if (evtchn_send(ports[PORT_IPI]) || !evtchn_wait(ports[PORT_IPI], 0, WAIT_NS))
        xtf_error("the IPI does not arrive even before the save");
}

/* Take the upcalls that became pending while ring 3 ran with interrupts
 * off: in a window, not at sti; hlt, which an emulated CPU can leave
 * asleep (see evtchn_wait). */
static void take_upcalls(void)
{
    if (shared_info->vcpu_info[0].evtchn_upcall_pending)
        irq_window();
}

/* Run one chunk twice from the same state; both runs must agree. */
static void run_chunk(void)
{
    uint64_t counter = job.counter, acc = job.acc;

    exec_user(compute_chunk);
    uint64_t once_counter = job.counter, once_acc = job.acc;
    job.counter = counter;
    job.acc = acc;
    exec_user(compute_chunk);
    if (job.counter != once_counter || job.acc != once_acc)
        xtf_failure("a chunk from count %lu computed twice gave %lu/0x%lx and %lu/0x%lx: "
                    "state changed under ring 3", (unsigned long)counter,
                    (unsigned long)once_counter, (unsigned long)once_acc,
                    (unsigned long)job.counter, (unsigned long)job.acc);
}

/* Console input up to a newline; true once a whole line (without its
 * line end) is in input[]. */
static bool read_console_line(void)
{
    long n = hypercall_console_io(CONSOLEIO_read, sizeof(input) - 1 - input_len,
                                  input + input_len);

    for (size_t i = input_len; n > 0 && i < input_len + (size_t)n; i++) {
        if (input[i] == '\n' || input[i] == '\r') {
            input[i] = '\0';
            return true;
        }
    }
    if (n > 0)
        input_len += (size_t)n;
    if (input_len == sizeof(input) - 1)
        input_len = 0; /* not a line we want: start again */
    return false;
}

static void check_channels(void)
{
    for (unsigned int i = 0; i < NR_PORTS; i++) {
        struct evtchn_status now;
        long rc = evtchn_status(ports[i], &now);
        const struct evtchn_status *was = &status_before[i];

        check(rc == 0 && now.status == was->status && now.vcpu == was->vcpu &&
              now.remote_dom == was->remote_dom && now.remote_port == was->remote_port,
              port_names[i], "port %u: rc %s, status %u/%u, vcpu %u/%u, remote %u:%u/%u:%u",
              ports[i], rc_name(rc), now.status, was->status, now.vcpu, was->vcpu,
              now.remote_dom, now.remote_port, was->remote_dom, was->remote_port);
    }
    unsigned long ipis = evtchn_handled(ports[PORT_IPI]);
    long rc = evtchn_send(ports[PORT_IPI]);
    check(rc == 0 && evtchn_wait(ports[PORT_IPI], ipis, WAIT_NS), "ipi_still_delivers",
          "send rc %s", rc_name(rc));
    check(evtchn_handled(ports[PORT_CONSOLE]) > 0, "virq_console_fired_for_the_input",
          "%lu upcalls", evtchn_handled(ports[PORT_CONSOLE]));
}

static void check_after_restore(uint64_t saved_count)
{
    uint64_t sum = (uint64_t)exec_user(checksum_region);
    unsigned long timers = evtchn_handled(ports[PORT_TIMER]);

    printf("restored: count %lu (last printed before the save: %lu), %lu timer upcalls\n",
           (unsigned long)job.counter, (unsigned long)saved_count, timers);
    check(sum == region_checksum, "memory_region_checksum_unchanged", "0x%lx, before 0x%lx",
          (unsigned long)sum, (unsigned long)region_checksum);
    check(job.counter >= saved_count, "counter_went_on_from_where_it_was",
          "count %lu, printed before the save %lu", (unsigned long)job.counter,
          (unsigned long)saved_count);
    check(evtchn_wait(ports[PORT_TIMER], timers, WAIT_NS), "timer_fires_after_restore",
          "%lu upcalls before waiting", timers);
    check_channels();
    run_chunk(); /* ring 3 still computes consistently */
    checks_done();
}

void test_main(const struct hv_start_info *si)
{
    uint64_t start, last_progress, saved_count;

    if (time_init())
        xtf_error("no KVM clock");
    setup_region(si);
    setup_channels();
    start = last_progress = now_ns();
    for (;;) {
        run_chunk();
        take_upcalls();
        if (read_console_line()) {
            if (cmdline_get_u64(input, "count", &saved_count))
                check_after_restore(saved_count);
            input_len = 0;
        }
        if (now_ns() - last_progress >= PROGRESS_NS) {
            last_progress = now_ns();
            printf("progress count=%lu acc=0x%lx timer=%lu\n", (unsigned long)job.counter,
                   (unsigned long)job.acc, evtchn_handled(ports[PORT_TIMER]));
        }
        if (now_ns() - start > RUN_LIMIT_NS)
            xtf_failure("no \"restored count=N\" line came in %lu s",
                        RUN_LIMIT_NS / NSEC_PER_SEC);
    }
}
