/*
 * The live migration sender's stream (docs/specs/save-stream.md, section
 * 13): round 0 sends every page with log-dirty mode on, each later round
 * what the guest dirtied during the one before, and once the rest fits in
 * the downtime target (or after max_rounds) the guest is paused for the
 * final round and its state.  A guest that dirties faster than the link
 * sends is throttled in steps, as QEMU's auto-converge does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "live.h"

#define THROTTLE_FIRST   20u /* percent: the first step */
#define THROTTLE_STEP    10u
#define THROTTLE_MAX     99u
#define BUSY_ROUNDS      2u         /* busy rounds in a row before the next step */
#define BANDWIDTH_SAMPLE (1u << 20) /* a round that sent less says little about the link */
/* What one page costs in the stream: its octets and its gfn. */
#define PAGE_OCTETS (4096u + 8u)

uint64_t live_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Read and clear hvd's dirty marks of every gfn and add them to l->dirty
 * (which may still hold marks not sent yet); returns how many were read.
 */
static int64_t take_dirty(struct live *l)
{
    uint64_t total = 0, nr_gfns = l->s.mem.nr_gfns;

    for (uint64_t gfn = 0; gfn < nr_gfns; gfn += HV_DIRTY_QUERY_MAX) {
        uint64_t left = nr_gfns - gfn, count = 0;
        uint32_t n = left < HV_DIRTY_QUERY_MAX ? (uint32_t)left : HV_DIRTY_QUERY_MAX;
        int rc = hvctl_logdirty_read(l->s.h, l->s.domid, gfn, n, 1, (uint8_t *)l->marks, &count);
        if (rc < 0)
            return save_fail(&l->s, rc, "cannot read its dirty pages: %s", strerror(-rc));
        for (uint64_t w = 0; w < (n + 63) / 64; w++)
            l->dirty[gfn / 64 + w] |= l->marks[w];
        total += count;
    }
    return (int64_t)total;
}

/* Hold the stream to max_bandwidth: sleep off what it is ahead of it. */
static void pace(const struct live *l, uint64_t start_ns, uint64_t octets)
{
    if (!l->p.max_bandwidth)
        return;
    uint64_t due = (uint64_t)((double)octets * 1e9 / (double)l->p.max_bandwidth);
    uint64_t spent = live_now_ns() - start_ns;
    if (due > spent) {
        uint64_t ns = due - spent;
        struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
        nanosleep(&ts, NULL);
    }
}

/* Whether chunk [gfn, gfn + n) has a dirty gfn (chunks start at multiples of 64). */
static bool chunk_dirty(const struct live *l, uint64_t gfn, uint32_t n)
{
    for (uint64_t w = gfn / 64; w < (gfn + n + 63) / 64; w++) {
        if (l->dirty[w])
            return true;
    }
    return false;
}

/* Send one round's chunks: all gfns (round 0) or the dirty ones. */
static int send_round_pages(struct live *l, bool all, uint64_t start_ns)
{
    uint64_t octets0 = hvsave_writer_offset(l->s.w);
    int rc = 0;

    for (uint64_t gfn = 0; rc == 0 && gfn < l->s.mem.nr_gfns; gfn += HV_P2M_QUERY_MAX) {
        uint64_t left = l->s.mem.nr_gfns - gfn;
        uint32_t n = left < HV_P2M_QUERY_MAX ? (uint32_t)left : HV_P2M_QUERY_MAX;
        if (!all && !chunk_dirty(l, gfn, n))
            continue;
        rc = saver_write_chunk(&l->s, gfn, n, all ? NULL : l->dirty + gfn / 64, l->batch);
        pace(l, start_ns, hvsave_writer_offset(l->s.w) - octets0);
    }
    return rc;
}

/* The link's speed, from a round that sent enough to tell. */
static void measure_bandwidth(struct live *l, const struct hvguest_round *r)
{
    if (r->octets >= BANDWIDTH_SAMPLE || !l->bandwidth)
        l->bandwidth = r->bandwidth ? r->bandwidth : 1;
}

/* One round: its pages, its ROUND_END, the marks of the next. */
static int send_round(struct live *l, bool final, struct hvguest_round *r)
{
    uint64_t start = live_now_ns(), octets0 = hvsave_writer_offset(l->s.w);
    uint64_t pages0 = l->s.pages_done, holes0 = l->s.holes_done;
    int rc = send_round_pages(l, l->rounds == 0, start);

    if (rc == 0 &&
        (rc = hvsave_write_round_end(l->s.w, final ? HV_SAVE_ROUND_FINAL : 0, l->s.populated)) < 0)
        saver_writer_fail(&l->s, rc);
    if (rc < 0)
        return rc;
    memset(l->dirty, 0, (l->s.mem.nr_gfns + 63) / 64 * sizeof(uint64_t)); /* all sent */
    *r = (struct hvguest_round){ .round = l->rounds++,
                                 .throttle = l->throttle,
                                 .final = final,
                                 .pages = l->s.pages_done - pages0,
                                 .holes = l->s.holes_done - holes0,
                                 .octets = hvsave_writer_offset(l->s.w) - octets0,
                                 .ns = live_now_ns() - start };
    r->bandwidth = (uint64_t)((double)r->octets * 1e9 / (double)(r->ns ? r->ns : 1));
    return 0;
}

/* The marks since the round began: the next round's pages. */
static int count_dirtied(struct live *l, struct hvguest_round *r)
{
    int64_t dirty = take_dirty(l);

    if (dirty < 0)
        return (int)dirty;
    measure_bandwidth(l, r);
    r->dirtied = (uint64_t)dirty;
    r->dirty_rate = (uint64_t)((double)dirty * 1e9 / (double)(r->ns ? r->ns : 1));
    r->downtime_ns = (uint64_t)((double)dirty * PAGE_OCTETS * 1e9 / (double)l->bandwidth);
    return 0;
}

static int report_round(struct live *l, const struct hvguest_round *r)
{
    if (!l->on_round || l->on_round(l->round_arg, r) == 0)
        return 0;
    return save_fail(&l->s, -EINTR, "stopped by the caller");
}

/*
 * The throttle that would bring the guest's dirtying down to half of
 * what the link sends, from the rate it dirtied at under the throttle in
 * force (its unthrottled rate is that over 1 - throttle).
 */
static uint32_t throttle_needed(const struct live *l, const struct hvguest_round *r)
{
    double dirtying = (double)r->dirty_rate * PAGE_OCTETS / (1.0 - l->throttle / 100.0);
    double keep = dirtying > 0 ? (double)l->bandwidth / (2.0 * dirtying) : 1.0;

    return keep >= 1.0 ? 0 : (uint32_t)(100.0 * (1.0 - keep));
}

/*
 * Auto-converge: a round that dirtied at least half of what it sent is
 * busy; after BUSY_ROUNDS busy rounds in a row the guest's vCPUs lose
 * more of their time (hvd's throttle): another step, or at once what the
 * dirty rate and the bandwidth say it takes, until the rest fits.
 */
static int converge(struct live *l, const struct hvguest_round *r)
{
    if (r->round == 0 || r->dirtied * 2 < r->pages + r->holes) {
        l->busy_rounds = 0;
        return 0;
    }
    if (++l->busy_rounds < BUSY_ROUNDS || l->throttle == THROTTLE_MAX)
        return 0;
    l->busy_rounds = 0;
    uint32_t next = l->throttle ? l->throttle + THROTTLE_STEP : THROTTLE_FIRST;
    uint32_t needed = throttle_needed(l, r);
    next = needed > next ? needed : next;
    next = next > THROTTLE_MAX ? THROTTLE_MAX : next;
    int rc = hvctl_domain_throttle(l->s.h, l->s.domid, next);
    if (rc < 0)
        return save_fail(&l->s, rc, "cannot throttle it: %s", strerror(-rc));
    l->throttle = next;
    l->max_throttle = next > l->max_throttle ? next : l->max_throttle;
    return 0;
}

/* Rounds while the guest runs, until the rest fits the downtime target. */
static int live_rounds(struct live *l)
{
    struct hvguest_round r;
    int rc;

    do {
        if ((rc = send_round(l, false, &r)) < 0 || (rc = count_dirtied(l, &r)) < 0 ||
            (rc = report_round(l, &r)) < 0)
            return rc;
        if (r.downtime_ns <= l->p.downtime_ms * 1000000ull || l->rounds >= l->p.max_rounds)
            return 0;
        rc = converge(l, &r);
    } while (rc == 0);
    return rc;
}

static int unthrottle(struct live *l)
{
    int rc = l->throttle ? hvctl_domain_throttle(l->s.h, l->s.domid, 0) : 0;

    if (rc < 0)
        return save_fail(&l->s, rc, "cannot stop throttling it: %s", strerror(-rc));
    l->throttle = 0;
    return 0;
}

static int logdirty_off(struct live *l)
{
    int rc = hvctl_logdirty_disable(l->s.h, l->s.domid);

    if (rc < 0)
        return save_fail(&l->s, rc, "cannot turn log-dirty mode off: %s", strerror(-rc));
    l->logdirty = false;
    return 0;
}

/* Pause, send what is still marked and the state: the guest's last word. */
static int final_round(struct live *l)
{
    struct hvguest_round r;
    int64_t dirty = 0;
    int rc = saver_pause(&l->s);

    l->paused_at_ns = live_now_ns();
    if (rc == 0)
        rc = unthrottle(l);
    if (rc == 0 && (rc = hvsave_write_final_round(l->s.w)) < 0)
        saver_writer_fail(&l->s, rc);
    if (rc == 0 && (dirty = take_dirty(l)) < 0)
        rc = (int)dirty;
    if (rc == 0)
        rc = send_round(l, true, &r);
    if (rc == 0)
        rc = report_round(l, &r);
    if (rc == 0)
        rc = logdirty_off(l);
    if (rc == 0)
        rc = saver_find_shared_info(&l->s);
    return rc == 0 ? saver_write_state(&l->s) : rc;
}

static int live_prepare(struct live *l)
{
    int rc = saver_prepare(&l->s);
    size_t words = (l->s.mem.nr_gfns + 63) / 64;

    if (rc < 0)
        return rc;
    l->s.sent = calloc(words, sizeof(uint64_t));
    l->dirty = calloc(words, sizeof(uint64_t));
    l->marks = malloc(HV_DIRTY_QUERY_MAX / 8);
    l->batch = malloc(sizeof(*l->batch));
    if (!l->s.sent || !l->dirty || !l->marks || !l->batch)
        return save_fail(&l->s, -ENOMEM, "out of memory");
    if ((rc = hvctl_logdirty_enable(l->s.h, l->s.domid)) < 0)
        return save_fail(&l->s, rc, "cannot turn log-dirty mode on: %s%s", strerror(-rc),
                         rc == -EBUSY ? " (is it being migrated already?)" : "");
    l->logdirty = true;
    return 0;
}

int live_write_stream(struct live *l)
{
    int rc = live_prepare(l);

    if (rc == 0)
        rc = saver_open_writer(&l->s);
    if (rc == 0 && (rc = saver_report_progress(&l->s, HVGUEST_PHASE_PAGES)) == 0)
        rc = live_rounds(l);
    return rc == 0 ? final_round(l) : rc;
}

void live_undo(struct live *l)
{
    if (l->logdirty)
        hvctl_logdirty_disable(l->s.h, l->s.domid);
    if (l->throttle)
        hvctl_domain_throttle(l->s.h, l->s.domid, 0);
    l->logdirty = false;
    l->throttle = 0;
    saver_undo_pause(&l->s);
}

void live_finish(struct live *l, int rc, struct hvguest_status *st)
{
    saver_finish(&l->s, rc, st);
    free(l->s.sent);
    free(l->dirty);
    free(l->marks);
    free(l->batch);
}
