/*
 * savetest: a guest to be saved in the middle of its work and restored
 * (tests/integration/save_restore_guest.sh), or moved between hvds many
 * times (tests/integration/savetest_moves.sh, migration tests and the
 * migration benchmark).
 *
 * It fills a region of its free memory with a known pattern, binds an
 * IPI port, VIRQ_TIMER, VIRQ_CONSOLE and an unbound port reserved for the
 * host, and arms a timer that re-arms itself each time it fires.  Then it
 * computes in ring 3: a running checksum over the region driven by a
 * counter, in chunks.  Each chunk is computed twice from the same starting
 * point and the results must agree, so a save that changes a register or
 * a page under a running chunk is caught.  Between chunks (ring 0) it
 * takes pending upcalls, prints "progress count=N ..." about twice a
 * second and polls console input.
 *
 * Told "restored count=N" on its console, N being the last count it
 * printed before the save, it checks that its memory (every word of the
 * region), its counter (not below N: it went on from where it was), its
 * timer (fires again), its channels (same status; an IPI still arrives;
 * VIRQ_CONSOLE came) all survived, and reports the result.
 *
 * Command-line words:
 *   migrate       survive many moves: each "restored count=N" is checked
 *                 and answered "verified K ok" or "verified K FAILED: ...",
 *                 and the guest computes on; "finish" ends the test,
 *                 SUCCESS only if every verification passed.
 *   dirty=MBPS    ring 3 also dirties the region at about MBPS MB/s
 *                 (10^6 octets, one word written per 4 KiB page), paced
 *                 from ring 0 by sleeping; dirty=max as fast as it can.
 *   region=MIB    the region's size in MiB (default: the largest power of
 *                 two up to 16 MiB that fits in free RAM).
 *
 * Console lines it reads: "restored count=N" (any line with a word
 * count=N) and, with migrate, "finish".  Lines it prints, besides the
 * framework's: "region 0xADDR, N MiB, filled and checked in MS ms", then
 * once "migtest ready region=NMiB dirty=off|max|MBPSMB/s once|migrate
 * setup=MSms"; "progress count=N acc=0xX timer=T" about twice a second,
 * with " dirtied=R.RMB/s" (the rate since the last one) under dirty=;
 * with migrate, "verified K ok" or "verified K FAILED: check (detail);
 * ..." for each restore, and "finish: K verifications, F failed" before
 * the test result.
 *
 * Dirtying keeps the memory check exact: it walks the region page by
 * page, pass after pass, writing word 0 of each page with the pattern of
 * its address xor the page's generation (the number of passes that wrote
 * it).  Two numbers, the pass and the cursor within it, give every page's
 * generation, so the check knows each word's value, and a page left
 * behind by a move (an older generation) or never carried (zeros) fails.
 * The walk itself checks word 0 before it rewrites it, so such a page is
 * caught even when the walk reaches it before the check after the move.
 */
#include "check.h"
#include "cmdline.h"
#include "cpu.h"
#include "evtchn.h"
#include "time.h"
#include "xtf.h"

const char test_title[] = "savetest: ring-3 work, channels and a timer across save/restore";

#define REGION_DEFAULT (16ul << 20) /* at most, without region= */
#define REGION_MIN     (1ul << 20)
#define WORDS_PER_PAGE (PAGE_SIZE / 8)
#define CHUNK_STEPS    (1ul << 20) /* ring-3 steps per chunk */
/* With dirty=, shorter chunks: dirtying is paced between them, and the
 * random reads of a chunk over a large region take long (0.5 s for
 * CHUNK_STEPS over 1 GiB on nested KVM). */
#define DIRTY_CHUNK_STEPS (1ul << 16)
#define TIMER_NS          (200 * NSEC_PER_MSEC)
#define PROGRESS_NS       (500 * NSEC_PER_MSEC)
#define WAIT_NS           (5 * NSEC_PER_SEC)
/* Give up when no console line came for this long: one restore is
 * expected soon; moves back and forth may go on for an hour. */
#define ONCE_LIMIT_NS    (300 * NSEC_PER_SEC)
#define MIGRATE_LIMIT_NS (3600 * NSEC_PER_SEC)

/* Pacing of dirty=MBPS, in picoseconds: a page at 1 TB/s is 4 ns. */
#define PS_PER_NS      1000ul
#define PS_PER_SEC     1000000000000ul
#define OCTETS_PER_MB  1000000ul
#define DIRTY_MBPS_MAX 1000000ul /* 1 TB/s */
/* Dirty in batches of at least this much time's worth, sleeping between
 * them: a round of the main loop costs many ring-0 instructions and
 * hypercalls, each slow on nested KVM, where 100 rounds a second took
 * most of the one CPU that hvd and the test share with the guest. */
#define DIRTY_TICK_PS (50 * NSEC_PER_MSEC * PS_PER_NS)
/* Time the guest did not run (paused, moved, throttled) earns at most
 * this much time's worth of catching up. */
#define DIRTY_BURST_PS (100 * NSEC_PER_MSEC * PS_PER_NS)

static struct {
    bool migrate;
    bool dirty;          /* dirty=MBPS (not 0) or dirty=max */
    uint64_t dirty_mbps; /* 0 with dirty: max */
    uint64_t region_mib; /* 0: the default size */
    uint64_t limit_ns;
} opt;

/* The patterned region (free RAM above the image). */
static struct {
    uint64_t start, pages;
    uint64_t compute_mask; /* the chunks read its first power-of-two words */
    uint64_t setup_ms;
} region;

/* A word that does not hold what it should. */
struct bad_word {
    uint64_t addr, found, want;
};

/* Dirtying: page p holds generation pass + 1 if p < cursor, else pass.
 * Each page's word 0 is checked before it is rewritten: a page a move
 * left stale would otherwise be repaired before a check could see it. */
static struct {
    uint64_t pass, cursor;
    uint64_t todo;         /* pages the next dirty_pages() writes */
    uint64_t bad;          /* pages found wrong since the last check */
    struct bad_word first; /* the first of them */
} dirt;

/* The first wrong word check_region() found. */
static struct bad_word first_bad;

/* A chunk of ring-3 work: in and out through memory. */
static struct {
    uint64_t counter, acc;
    uint64_t steps; /* per chunk */
} job;

/* dirty=MBPS's pace: when the next page is due, and the rate so far. */
static struct {
    uint64_t ps_per_page; /* 0: dirty=max */
    uint64_t tick_pages;  /* pages a tick is worth (0: dirty=max) */
    uint64_t due_ps;
    uint64_t window_start_ns, window_pages; /* since the last progress line */
} pace;

enum { PORT_IPI, PORT_TIMER, PORT_CONSOLE, PORT_HOST, NR_PORTS };
static const char *const port_names[NR_PORTS] = { "ipi", "virq_timer", "virq_console",
                                                  "unbound_for_host" };
static uint32_t ports[NR_PORTS];
static struct evtchn_status status_before[NR_PORTS];

/* Verifications after moves (migrate), and what the next one compares
 * against: console upcalls and mismatched chunks seen by the last one. */
static struct {
    unsigned int done, failed;
    unsigned long console_seen;
    unsigned long mismatches, mismatches_seen;
    unsigned int nr_failed_checks; /* in the verification under way */
    char what[400];                /* its failed checks, for the report */
} moves;

static char input[128];
static size_t input_len;

static uint64_t pattern(uint64_t addr)
{
    return addr * 0x9e3779b97f4a7c15ul ^ 0x5a17e57a5a17e57aul;
}

static uint64_t *page_words(uint64_t page)
{
    return (uint64_t *)(region.start + page * PAGE_SIZE);
}

/* What word w of a page of generation gen holds: the pattern, xor the
 * generation in word 0. */
static uint64_t word_value(const uint64_t *w, uint64_t index, uint64_t gen)
{
    return pattern((uint64_t)w) ^ (index == 0 ? gen : 0);
}

static uint64_t page_generation(uint64_t page)
{
    return page < dirt.cursor ? dirt.pass + 1 : dirt.pass;
}

/* Ring 3: write the pattern over the region (generation 0). */
static long fill_region(void)
{
    uint64_t *w = page_words(0);

    for (uint64_t i = 0; i < region.pages * WORDS_PER_PAGE; i++)
        w[i] = pattern((uint64_t)&w[i]);
    return 0;
}

/* Ring 3: the index of the first word of the page that does not hold
 * what its generation says, or WORDS_PER_PAGE if none. */
static uint64_t first_wrong_word(uint64_t page)
{
    const uint64_t *w = page_words(page);
    uint64_t gen = page_generation(page), i = 0;

    while (i < WORDS_PER_PAGE && w[i] == word_value(&w[i], i, gen))
        i++;
    return i;
}

/* Ring 3: the number of pages of the region that are not intact; the
 * first wrong word of the first such page in first_bad. */
static long check_region(void)
{
    long bad = 0;

    for (uint64_t p = 0; p < region.pages; p++) {
        uint64_t i = first_wrong_word(p);

        if (i == WORDS_PER_PAGE)
            continue;
        if (bad++ == 0) {
            const uint64_t *w = page_words(p);

            first_bad = (struct bad_word){ (uint64_t)&w[i], w[i],
                                           word_value(&w[i], i, page_generation(p)) };
        }
    }
    return bad;
}

/* Ring 3: the next dirt.todo pages of the walk get the next generation;
 * a page whose word 0 does not hold the current one counts in dirt.bad. */
static long dirty_pages(void)
{
    uint64_t pass = dirt.pass, cursor = dirt.cursor;

    for (uint64_t n = dirt.todo; n > 0; n--) {
        uint64_t *w = page_words(cursor);

        if (*w != word_value(w, 0, pass) && dirt.bad++ == 0)
            dirt.first = (struct bad_word){ (uint64_t)w, *w, word_value(w, 0, pass) };
        *w = word_value(w, 0, pass + 1);
        if (++cursor == region.pages) {
            cursor = 0;
            pass++;
        }
    }
    dirt.pass = pass;
    dirt.cursor = cursor;
    return 0;
}

/* Ring 3: job.steps steps of the running checksum from job's state. */
static long compute_chunk(void)
{
    const uint64_t *w = page_words(0);
    uint64_t c = job.counter, acc = job.acc, mask = region.compute_mask;

    for (uint64_t i = 0; i < job.steps; i++, c++)
        acc = (acc ^ w[(c * 4099) & mask]) * 0x100000001b3ul + c;
    job.counter = c;
    job.acc = acc;
    return 0;
}

static void parse_options(const char *cmdline)
{
    opt.migrate = cmdline_has_word(cmdline, "migrate");
    opt.limit_ns = opt.migrate ? MIGRATE_LIMIT_NS : ONCE_LIMIT_NS;
    if (cmdline_has_key(cmdline, "region") &&
        (!cmdline_get_u64(cmdline, "region", &opt.region_mib) || opt.region_mib == 0))
        xtf_error("region= wants a number of MiB above 0");
    if (cmdline_has_word(cmdline, "dirty=max"))
        opt.dirty = true;
    else if (cmdline_get_u64(cmdline, "dirty", &opt.dirty_mbps))
        opt.dirty = opt.dirty_mbps > 0;
    else if (cmdline_has_key(cmdline, "dirty"))
        xtf_error("dirty= wants MB/s or max");
    job.steps = opt.dirty ? DIRTY_CHUNK_STEPS : CHUNK_STEPS;
    if (opt.dirty_mbps > DIRTY_MBPS_MAX)
        xtf_error("dirty=%lu: more than %lu MB/s", (unsigned long)opt.dirty_mbps, DIRTY_MBPS_MAX);
}

/* The end of the memory map's RAM entry that holds addr (0: none). */
static uint64_t ram_end(const struct hv_start_info *si, uint64_t addr)
{
    for (uint32_t i = 0; i < si->nr_memmap && i < HV_MEMMAP_MAX; i++) {
        const struct hv_memmap_entry *e = &si->memmap[i];

        if (e->type == HV_MEMMAP_RAM && addr >= e->addr && addr - e->addr < e->size)
            return e->addr + e->size;
    }
    return 0;
}

/* The region's size given free octets: region=, or the default. */
static uint64_t region_size(uint64_t free)
{
    uint64_t size = REGION_DEFAULT;

    if (opt.region_mib) {
        if (opt.region_mib > free >> 20)
            xtf_error("region=%lu MiB does not fit: %lu MiB of free RAM above the image",
                      (unsigned long)opt.region_mib, (unsigned long)(free >> 20));
        return opt.region_mib << 20;
    }
    while (size > REGION_MIN && size > free)
        size >>= 1;
    if (size > free)
        xtf_error("only %lu KiB of free RAM: give the domain more memory",
                  (unsigned long)(free >> 10));
    return size;
}

/* Lay the region out, fill it and check it, from ring 3 (ring 0 is
 * interpreted on nested KVM: a 1 GiB fill there would take hours). */
static void setup_region(const struct hv_start_info *si)
{
    uint64_t start = (si->free_start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t end = ram_end(si, start);
    uint64_t size = region_size(end > start ? end - start : 0);
    uint64_t t0 = now_ns(), words = size / 8, mask = 1;
    long bad;

    while (mask * 2 <= words)
        mask *= 2;
    region.start = start;
    region.pages = size / PAGE_SIZE;
    region.compute_mask = mask - 1;
    exec_user(fill_region);
    bad = exec_user(check_region);
    if (bad)
        xtf_error("%ld pages of the region wrong right after filling it", bad);
    region.setup_ms = (now_ns() - t0) / NSEC_PER_MSEC;
    printf("region 0x%lx, %lu MiB, filled and checked in %lu ms\n", (unsigned long)start,
           (unsigned long)(size >> 20), (unsigned long)region.setup_ms);
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

static void pace_init(void)
{
    pace.window_start_ns = now_ns();
    if (!opt.dirty_mbps)
        return;
    pace.ps_per_page = PAGE_SIZE * PS_PER_SEC / (opt.dirty_mbps * OCTETS_PER_MB);
    if (pace.ps_per_page == 0)
        pace.ps_per_page = 1;
    pace.tick_pages = DIRTY_TICK_PS / pace.ps_per_page;
    if (pace.tick_pages == 0)
        pace.tick_pages = 1;
    pace.due_ps = pace.window_start_ns * PS_PER_NS;
}

/* The line a test waits for before it moves the guest. */
static void print_ready(void)
{
    char dirty[24] = "off";

    if (opt.dirty_mbps)
        snprintf(dirty, sizeof(dirty), "%luMB/s", (unsigned long)opt.dirty_mbps);
    else if (opt.dirty)
        snprintf(dirty, sizeof(dirty), "max");
    printf("migtest ready region=%luMiB dirty=%s %s setup=%lums\n",
           (unsigned long)(region.pages * PAGE_SIZE >> 20), dirty, opt.migrate ? "migrate" : "once",
           (unsigned long)region.setup_ms);
}

/* Take the upcalls that became pending while ring 3 ran with interrupts
 * off: in a window, not at sti; hlt, which an emulated CPU can leave
 * asleep (see evtchn_wait). */
static void take_upcalls(void)
{
    if (shared_info->vcpu_info[0].evtchn_upcall_pending)
        irq_window();
}

/* Run one chunk twice from the same state; false if the runs disagree. */
static bool run_chunk(void)
{
    uint64_t counter = job.counter, acc = job.acc;

    exec_user(compute_chunk);
    uint64_t once_counter = job.counter, once_acc = job.acc;
    job.counter = counter;
    job.acc = acc;
    exec_user(compute_chunk);
    if (job.counter == once_counter && job.acc == once_acc)
        return true;
    printf("a chunk from count %lu computed twice gave %lu/0x%lx and %lu/0x%lx: "
           "state changed under ring 3\n",
           (unsigned long)counter, (unsigned long)once_counter, (unsigned long)once_acc,
           (unsigned long)job.counter, (unsigned long)job.acc);
    return false;
}

/* A chunk in the main loop: a mismatch ends a single restore's test; a
 * guest being moved reports it at its next verification. */
static void compute(void)
{
    if (run_chunk())
        return;
    if (!opt.migrate)
        xtf_failure("state changed under ring 3");
    moves.mismatches++;
}

/* Pages due by now_ps: a whole pass for dirty=max.  Time away earns at
 * most a burst; a clock that went back (a move) restarts the pace. */
static uint64_t pages_due(uint64_t now_ps)
{
    uint64_t due;

    if (!pace.ps_per_page)
        return region.pages;
    if (now_ps > pace.due_ps + DIRTY_BURST_PS)
        pace.due_ps = now_ps - DIRTY_BURST_PS;
    if (pace.due_ps > now_ps + pace.ps_per_page)
        pace.due_ps = now_ps;
    if (now_ps < pace.due_ps)
        return 0;
    due = (now_ps - pace.due_ps) / pace.ps_per_page + 1;
    return due < region.pages ? due : region.pages;
}

/* Sleep until system time deadline_ns, waking early for console input:
 * a throttled or slow host then gets the rate asked for, at most, and
 * no vCPU time is spun away. */
static void sleep_until(uint64_t deadline_ns)
{
    if (now_ns() < deadline_ns)
        sched_poll_port(ports[PORT_CONSOLE], deadline_ns);
}

/* Dirty the pages due, after sleeping until a tick's worth is. */
static void dirty_some(void)
{
    uint64_t n = pages_due(now_ns() * PS_PER_NS);

    if (n < pace.tick_pages) {
        uint64_t wake_ps = pace.due_ps + (pace.tick_pages - 1) * pace.ps_per_page;

        sleep_until(wake_ps / PS_PER_NS + 1);
        n = pages_due(now_ns() * PS_PER_NS);
    }
    if (n == 0)
        return;
    dirt.todo = n;
    exec_user(dirty_pages);
    pace.due_ps += n * pace.ps_per_page;
    pace.window_pages += n;
}

/* Console input up to a newline; true once a whole line (without its
 * line end) is in input[]. */
static bool read_console_line(void)
{
    long n = hypercall_console_io(CONSOLEIO_read, sizeof(input) - 1 - input_len, input + input_len);

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

/* One check of a verification: a PASS/FAIL line of its own for a single
 * restore; collected into one report line for a guest being moved. */
static void expect(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void expect(bool ok, const char *name, const char *fmt, ...)
{
    char detail[200];
    size_t len = strnlen(moves.what, sizeof(moves.what));
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (!opt.migrate) {
        check(ok, name, "%s", detail);
        return;
    }
    if (ok)
        return;
    snprintf(moves.what + len, sizeof(moves.what) - len, "%s%s (%s)",
             moves.nr_failed_checks ? "; " : "", name, detail);
    moves.nr_failed_checks++;
}

/* The region now, and the pages dirtying found wrong since the last
 * check (a stale page it reached, and repaired, after a move). */
static void check_memory(void)
{
    long now_bad = exec_user(check_region);
    uint64_t bad = (uint64_t)now_bad + dirt.bad;
    const struct bad_word *first = dirt.bad ? &dirt.first : &first_bad;

    dirt.bad = 0;
    if (bad == 0) {
        expect(true, "memory_region_intact", "%lu pages, pass %lu, cursor %lu",
               (unsigned long)region.pages, (unsigned long)dirt.pass, (unsigned long)dirt.cursor);
        return;
    }
    /* Shown as pattern^X: in word 0, X is the page's generation. */
    expect(false, "memory_region_intact",
           "%lu of %lu pages wrong, first at 0x%lx: pattern^0x%lx, want pattern^0x%lx "
           "(%ld found by the check, %lu by dirtying, at pass %lu, cursor %lu)",
           (unsigned long)bad, (unsigned long)region.pages, (unsigned long)first->addr,
           (unsigned long)(first->found ^ pattern(first->addr)),
           (unsigned long)(first->want ^ pattern(first->addr)), now_bad,
           (unsigned long)(bad - (uint64_t)now_bad), (unsigned long)dirt.pass,
           (unsigned long)dirt.cursor);
}

static void check_channels(void)
{
    for (unsigned int i = 0; i < NR_PORTS; i++) {
        struct evtchn_status now;
        long rc = evtchn_status(ports[i], &now);
        const struct evtchn_status *was = &status_before[i];

        expect(rc == 0 && now.status == was->status && now.vcpu == was->vcpu &&
                   now.remote_dom == was->remote_dom && now.remote_port == was->remote_port,
               port_names[i], "port %u: rc %s, status %u/%u, vcpu %u/%u, remote %u:%u/%u:%u",
               ports[i], rc_name(rc), now.status, was->status, now.vcpu, was->vcpu, now.remote_dom,
               now.remote_port, was->remote_dom, was->remote_port);
    }
    unsigned long ipis = evtchn_handled(ports[PORT_IPI]);
    long rc = evtchn_send(ports[PORT_IPI]);
    expect(rc == 0 && evtchn_wait(ports[PORT_IPI], ipis, WAIT_NS), "ipi_still_delivers",
           "send rc %s", rc_name(rc));
    unsigned long consoles = evtchn_handled(ports[PORT_CONSOLE]);
    expect(consoles > moves.console_seen, "virq_console_fired_for_the_input",
           "%lu upcalls, %lu at the last check", consoles, moves.console_seen);
    moves.console_seen = consoles;
}

/* One line for a verification of a guest being moved; it computes on. */
static void report_move(void)
{
    moves.done++;
    if (moves.nr_failed_checks) {
        moves.failed++;
        printf("verified %u FAILED: %s\n", moves.done, moves.what);
    } else {
        printf("verified %u ok\n", moves.done);
    }
    moves.nr_failed_checks = 0;
    moves.what[0] = '\0';
}

static void check_after_restore(uint64_t saved_count)
{
    unsigned long timers = evtchn_handled(ports[PORT_TIMER]);

    if (!opt.migrate)
        printf("restored: count %lu (last printed before the save: %lu), %lu timer upcalls\n",
               (unsigned long)job.counter, (unsigned long)saved_count, timers);
    check_memory();
    expect(job.counter >= saved_count, "counter_went_on_from_where_it_was",
           "count %lu, printed before the save %lu", (unsigned long)job.counter,
           (unsigned long)saved_count);
    expect(evtchn_wait(ports[PORT_TIMER], timers, WAIT_NS), "timer_fires_after_restore",
           "%lu upcalls before waiting", timers);
    check_channels();
    expect(run_chunk() && moves.mismatches == moves.mismatches_seen, "ring3_computes_consistently",
           "%lu mismatched chunks since the last check", moves.mismatches - moves.mismatches_seen);
    moves.mismatches_seen = moves.mismatches;
    if (!opt.migrate)
        checks_done();
    report_move();
}

static _Noreturn void finish(void)
{
    printf("finish: %u verifications, %u failed\n", moves.done, moves.failed);
    if (moves.failed)
        xtf_failure("%u of %u verifications failed", moves.failed, moves.done);
    xtf_success();
}

/* A console line: "restored count=N" or "finish"; others are ignored. */
static void handle_line(void)
{
    uint64_t saved_count;

    if (cmdline_get_u64(input, "count", &saved_count))
        check_after_restore(saved_count);
    else if (strcmp(input, "finish") == 0)
        finish();
    input_len = 0;
}

static void print_progress(void)
{
    char rate[40] = "";
    uint64_t now = now_ns(), ns = now - pace.window_start_ns;

    if (opt.dirty && ns) {
        /* MB/s to a tenth: octets * 10^3 / ns, times 10. */
        uint64_t tenths = pace.window_pages * PAGE_SIZE * 10000 / ns;

        snprintf(rate, sizeof(rate), " dirtied=%lu.%luMB/s", (unsigned long)(tenths / 10),
                 (unsigned long)(tenths % 10));
    }
    pace.window_start_ns = now;
    pace.window_pages = 0;
    printf("progress count=%lu acc=0x%lx timer=%lu%s\n", (unsigned long)job.counter,
           (unsigned long)job.acc, evtchn_handled(ports[PORT_TIMER]), rate);
}

void test_main(const struct hv_start_info *si)
{
    uint64_t last_input, last_progress;

    if (time_init())
        xtf_error("no KVM clock");
    parse_options(si->cmdline);
    setup_region(si);
    setup_channels();
    pace_init();
    print_ready();
    last_input = last_progress = now_ns();
    for (;;) {
        compute();
        if (opt.dirty)
            dirty_some();
        take_upcalls();
        if (read_console_line()) {
            handle_line();
            last_input = now_ns();
        }
        if (now_ns() - last_progress >= PROGRESS_NS) {
            last_progress = now_ns();
            print_progress();
        }
        if (now_ns() - last_input > opt.limit_ns)
            xtf_failure("no \"restored count=N\" or \"finish\" line came in %lu s",
                        (unsigned long)(opt.limit_ns / NSEC_PER_SEC));
    }
}
