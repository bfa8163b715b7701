/*
 * Attacker modes against guest memory and the host's memory limits
 * (tests/integration/iso_mem_*.sh, bench/memory-ops):
 *   fragment [above=MiB]  give back every other page above 8 MiB (or MiB)
 *                         in one decrease_reservation, check that the
 *                         result is a clean count or error, then hold
 *   balloon-up            populate every gfn from the end of RAM up to
 *                         max_pages, until hvd refuses, then hold
 *   memop-storm [rounds=N] [pages=P]  give back all RAM above the image
 *                         (or its highest P pages) and take it again, in
 *                         single pages, one call each way, N rounds (0:
 *                         forever); every result must be exact and the
 *                         pages usable; prints pages/s per round
 * A holding mode prints its report and blocks until destroyed.
 */
#include <hv/public/memory.h>

#include "cmdline.h"
#include "modes.h"
#include "time.h"
#include "xtf.h"

#define BALLOON_STEP 256u
#define PATTERN 0x6d656d6f72797374ull

static long reservation_op(unsigned int cmd, const uint64_t *list, uint64_t nr)
{
    static struct xen_memory_reservation r;
    r = (struct xen_memory_reservation){ .extent_start = (uintptr_t)list, .nr_extents = nr,
                                         .domid = DOMID_SELF };
    return hypercall_memory_op(cmd, &r);
}

static long reservation_query(unsigned int cmd)
{
    static domid_t self = DOMID_SELF;
    return hypercall_memory_op(cmd, &self);
}

static volatile uint64_t *gfn_word(uint64_t gfn)
{
    return (volatile uint64_t *)(uintptr_t)(gfn * PAGE_SIZE);
}

static _Noreturn void hold(const char *mode)
{
    printf("%s: holding\n", mode);
    for (;;)
        hypercall_sched_op(SCHEDOP_block, NULL);
}

/* An extent list of nr gfns in free RAM at free_start; its first gfn past it. */
static uint64_t *list_at_free_start(const struct hv_start_info *si, uint64_t nr, uint64_t *end_gfn)
{
    uint64_t first = (si->free_start + PAGE_SIZE - 1) / PAGE_SIZE;
    *end_gfn = first + (nr * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
    return (uint64_t *)(uintptr_t)(first * PAGE_SIZE);
}

static void fragment(const struct hv_start_info *si)
{
    uint64_t above_mib = 8, list_end;
    cmdline_get_u64(si->cmdline, "above", &above_mib);
    uint64_t first = above_mib << 8, nr = si->nr_pages > first ? (si->nr_pages - first) / 2 : 0;
    uint64_t *list = list_at_free_start(si, nr, &list_end);
    if (nr == 0 || list_end > first)
        xtf_error("fragment: no room for a list of %lu gfns below %lu MiB", nr, above_mib);
    for (uint64_t i = 0; i < nr; i++)
        list[i] = first + 2 * i;
    long tot = reservation_query(XENMEM_current_reservation);
    long rc = reservation_op(XENMEM_decrease_reservation, list, nr);
    printf("fragment: hvd took %ld of %lu extents\n", rc, nr);
    if (rc > (long)nr || (rc < 0 && rc != -XEN_ENOMEM))
        xtf_failure("fragment: decrease_reservation returned %ld for %lu extents", rc, nr);
    uint64_t taken = rc > 0 ? (uint64_t)rc : 0;
    long now = reservation_query(XENMEM_current_reservation);
    if (now != tot - (long)taken)
        xtf_failure("fragment: %ld pages held after giving back %lu of %ld", now, taken, tot);
    if (taken < nr) { /* the first extent hvd did not take is still ours */
        *gfn_word(list[taken]) = PATTERN;
        if (*gfn_word(list[taken]) != PATTERN)
            xtf_failure("fragment: gfn 0x%lx, not given back, lost its contents", list[taken]);
    }
    hold("fragment");
}

static void balloon_up(const struct hv_start_info *si)
{
    static uint64_t list[BALLOON_STEP];
    long max = reservation_query(XENMEM_maximum_reservation);
    long tot = reservation_query(XENMEM_current_reservation), rc = 0;
    uint64_t gfn = si->nr_pages, populated = 0;
    while (gfn < (uint64_t)max) {
        uint64_t n = (uint64_t)max - gfn < BALLOON_STEP ? (uint64_t)max - gfn : BALLOON_STEP;
        for (uint64_t i = 0; i < n; i++)
            list[i] = gfn + i;
        rc = reservation_op(XENMEM_populate_physmap, list, n);
        if (rc > (long)n || (rc < 0 && rc != -XEN_ENOMEM))
            xtf_failure("balloon-up: populate of %lu pages returned %ld", n, rc);
        populated += rc > 0 ? (uint64_t)rc : 0;
        if (rc != (long)n)
            break;
        gfn += n;
    }
    long now = reservation_query(XENMEM_current_reservation);
    printf("balloon-up: populated %lu pages, holding %ld of max %ld (last result %ld)\n",
           populated, now, max, rc);
    if (now != tot + (long)populated)
        xtf_failure("balloon-up: holding %ld pages, expected %ld", now, tot + (long)populated);
    hold("balloon-up");
}

/* A fresh page reads as zero; write it so the next round gives back
 * memory in use. */
static void storm_check_page(uint64_t gfn, unsigned int round)
{
    volatile uint64_t *w = gfn_word(gfn);
    if (*w != 0)
        xtf_failure("memop-storm: round %u: gfn 0x%lx not zeroed", round, gfn);
    *w = PATTERN;
    if (*w != PATTERN)
        xtf_failure("memop-storm: round %u: gfn 0x%lx not writable", round, gfn);
}

/* Every 64th page and the last (guest code runs slowly here). */
static void storm_check_pages(const uint64_t *list, uint64_t nr, unsigned int round)
{
    for (uint64_t i = 0; i < nr; i += 64)
        storm_check_page(list[i], round);
    if ((nr - 1) % 64)
        storm_check_page(list[nr - 1], round);
}

static uint64_t storm_op(unsigned int cmd, const uint64_t *list, uint64_t nr, unsigned int round)
{
    uint64_t t0 = now_ns();
    long rc = reservation_op(cmd, list, nr);
    uint64_t t = now_ns() - t0;
    if (rc != (long)nr)
        xtf_failure("memop-storm: round %u: %s of %lu pages returned %ld", round,
                    cmd == XENMEM_decrease_reservation ? "decrease_reservation" : "populate_physmap",
                    nr, rc);
    return t;
}

static void memop_storm(const struct hv_start_info *si)
{
    uint64_t rounds = 0, start = (si->free_start + PAGE_SIZE - 1) / PAGE_SIZE, end;
    cmdline_get_u64(si->cmdline, "rounds", &rounds);
    if (time_init())
        xtf_error("memop-storm: no clock");
    /* The list takes one page per 512 gfns; the pages after it may be stormed. */
    uint64_t list_pages = (si->nr_pages - start + 511) / 512;
    uint64_t nr = si->nr_pages - start - list_pages;
    cmdline_get_u64(si->cmdline, "pages", &nr);
    uint64_t *list = list_at_free_start(si, nr, &end);
    if (nr == 0 || end + nr > si->nr_pages)
        xtf_error("memop-storm: no room for %lu pages above the list", nr);
    for (uint64_t i = 0; i < nr; i++)
        list[i] = si->nr_pages - nr + i; /* the highest: the frames a rescan reaches last */
    printf("memop-storm: %lu pages from gfn 0x%lx, %lu rounds\n", nr, list[0], rounds);
    for (unsigned int r = 1; rounds == 0 || r <= rounds; r++) {
        uint64_t t = storm_op(XENMEM_decrease_reservation, list, nr, r);
        t += storm_op(XENMEM_populate_physmap, list, nr, r);
        storm_check_pages(list, nr, r);
        printf("memop-storm: round %u: %lu pages out and in, %lu ms, pages_per_s=%lu\n", r, nr,
               t / NSEC_PER_MSEC, t ? nr * NSEC_PER_SEC / t : 0);
    }
    xtf_success();
}

const struct attacker_mode memory_modes[] = {
    { "fragment", fragment },
    { "balloon-up", balloon_up },
    { "memop-storm", memop_storm },
    { NULL, NULL },
};
