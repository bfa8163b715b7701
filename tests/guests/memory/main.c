/*
 * memory_op: the reservation queries, giving pages back and taking them
 * again (they come back zeroed), the limits and errors of populate and
 * decrease, and placing the shared-info page.
 */
#include <hv/public/memory.h>

#include "check.h"
#include "xtf.h"

const char test_title[] = "memory: memory_op reservations, populate, decrease, add_to_physmap";

#define XENMEM_UNKNOWN 99
#define NR_TEST_PAGES 4u
#define PATTERN 0x5a5a5a5a5a5a5a5aull

static uint64_t gfns[NR_TEST_PAGES];
static struct xen_memory_reservation res;
static domid_t domid_arg;
/* Becomes the shared-info page. */
static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static long query(unsigned int cmd, domid_t domid)
{
    domid_arg = domid;
    return hypercall_memory_op(cmd, &domid_arg);
}

static long reservation_op(unsigned int cmd, const uint64_t *list, uint64_t nr, uint32_t order)
{
    res = (struct xen_memory_reservation){
        .extent_start = (uintptr_t)list, .nr_extents = nr, .extent_order = order,
        .domid = DOMID_SELF,
    };
    return hypercall_memory_op(cmd, &res);
}

static long populate(const uint64_t *list, uint64_t nr, uint32_t order)
{
    return reservation_op(XENMEM_populate_physmap, list, nr, order);
}

static long decrease(const uint64_t *list, uint64_t nr, uint32_t order)
{
    return reservation_op(XENMEM_decrease_reservation, list, nr, order);
}

static volatile uint64_t *gfn_word(uint64_t gfn)
{
    return (volatile uint64_t *)(uintptr_t)(gfn * PAGE_SIZE);
}

static void check_queries(const struct hv_start_info *si, long *tot, long *max)
{
    long rc;

    *tot = query(XENMEM_current_reservation, DOMID_SELF);
    check(*tot == (long)si->nr_pages, "current_reservation_is_the_boot_pages",
          "%s, start info says %lu", rc_name(*tot), si->nr_pages);
    *max = query(XENMEM_maximum_reservation, DOMID_SELF);
    check(*max == *tot, "maximum_reservation_is_maxmem_which_is_memory", "%s, tot %ld",
          rc_name(*max), *tot);
    rc = query(XENMEM_maximum_gpfn, DOMID_SELF);
    check(rc == *max - 1, "maximum_gpfn_is_max_pages_minus_1", "%s, max_pages %ld",
          rc_name(rc), *max);
    rc = hypercall_memory_op(XENMEM_maximum_ram_page, NULL);
    check(rc >= *max - 1, "maximum_ram_page_covers_this_domain", "%s", rc_name(rc));
    check_rc("current_reservation_of_domid_0_is_esrch",
             query(XENMEM_current_reservation, 0), -XEN_ESRCH);
    check_rc("maximum_reservation_of_other_domid_is_esrch",
             query(XENMEM_maximum_reservation, DOMID_MAX), -XEN_ESRCH);
    check_rc("maximum_gpfn_of_domid_0_is_esrch", query(XENMEM_maximum_gpfn, 0), -XEN_ESRCH);
    check_rc("current_reservation_unmapped_pointer_is_efault",
             hypercall_memory_op(XENMEM_current_reservation, (void *)BAD_PTR_UNMAPPED),
             -XEN_EFAULT);
}

/* Give back the last NR_TEST_PAGES pages of RAM (free, never used by
 * this test's code or data) and take them again. */
static void check_decrease_and_populate(const struct hv_start_info *si, long tot)
{
    bool zero = true;
    long rc;

    for (unsigned int i = 0; i < NR_TEST_PAGES; i++) {
        gfns[i] = si->nr_pages - NR_TEST_PAGES + i;
        *gfn_word(gfns[i]) = PATTERN;
    }
    check_rc("decrease_reservation_of_4_free_pages_returns_4",
             decrease(gfns, NR_TEST_PAGES, 0), NR_TEST_PAGES);
    rc = query(XENMEM_current_reservation, DOMID_SELF);
    check(rc == tot - NR_TEST_PAGES, "current_reservation_drops_by_4", "%s, was %ld",
          rc_name(rc), tot);
    check_rc("decrease_of_unbacked_gfn_is_ebusy", decrease(gfns, 1, 0), -XEN_EBUSY);
    check_rc("populate_of_the_4_gfns_returns_4", populate(gfns, NR_TEST_PAGES, 0),
             NR_TEST_PAGES);
    rc = query(XENMEM_current_reservation, DOMID_SELF);
    check(rc == tot, "current_reservation_is_back", "%s, want %ld", rc_name(rc), tot);
    for (unsigned int i = 0; i < NR_TEST_PAGES; i++) {
        for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
            zero &= gfn_word(gfns[i])[w] == 0;
    }
    check(zero, "repopulated_pages_read_as_zero", "gfns 0x%lx..0x%lx", gfns[0],
          gfns[NR_TEST_PAGES - 1]);
}

/*
 * max_pages = memory, so every gfn of the window is backed when the
 * reservation is full, and no populate can find a free gfn beyond it: hvd
 * checks the reservation before the gfns (memory.h lists -ENOMEM first),
 * which is what makes "over max_pages" visible.
 */
static void check_limits(void)
{
    check_rc("populate_at_full_reservation_is_enomem", populate(gfns, 1, 0), -XEN_ENOMEM);
    check_rc("decrease_of_last_test_page_returns_1", decrease(&gfns[3], 1, 0), 1);
    check_rc("populate_of_a_backed_gfn_is_ebusy", populate(gfns, 1, 0), -XEN_EBUSY);
    check_rc("populate_of_2_pages_with_room_for_1_is_enomem", populate(&gfns[2], 1, 1),
             -XEN_ENOMEM);
    gfns[0] = gfns[3];
    check_rc("populate_stops_at_first_failed_extent_and_counts_the_done",
             populate(&gfns[0], 2, 0), 1);
    gfns[0] = gfns[3] - 3;
}

/* An aligned pair as one order-1 extent: out and back. */
static void check_order_1(void)
{
    long rc = decrease(&gfns[2], 1, 1);

    check_rc("decrease_of_one_order_1_extent_returns_1", rc, 1);
    if (rc == 1)
        check_rc("populate_of_one_order_1_extent_returns_1", populate(&gfns[2], 1, 1), 1);
    check_rc("order_1_extent_at_odd_gfn_is_einval", populate(&gfns[1], 1, 1), -XEN_EINVAL);
}

static void check_reservation_errors(long max)
{
    static uint64_t outside;

    outside = (uint64_t)max;
    check_rc("populate_gfn_past_maximum_gpfn_is_einval", populate(&outside, 1, 0), -XEN_EINVAL);
    check_rc("populate_order_above_max_is_einval",
             populate(gfns, 1, XENMEM_MAX_EXTENT_ORDER + 1), -XEN_EINVAL);
    check_rc("populate_unreadable_extent_list_is_efault",
             populate((const uint64_t *)BAD_PTR_UNMAPPED, 1, 0), -XEN_EFAULT);
    check_rc("populate_of_0_extents_returns_0", populate(gfns, 0, 0), 0);

    res = (struct xen_memory_reservation){ .extent_start = (uintptr_t)gfns, .nr_extents = 1,
                                           .mem_flags = 1, .domid = DOMID_SELF };
    check_rc("populate_with_mem_flags_is_einval",
             hypercall_memory_op(XENMEM_populate_physmap, &res), -XEN_EINVAL);
    res.mem_flags = 0;
    res.pad[1] = 1;
    check_rc("populate_with_pad_is_einval", hypercall_memory_op(XENMEM_populate_physmap, &res),
             -XEN_EINVAL);
    res.pad[1] = 0;
    res.domid = 0;
    check_rc("populate_for_domid_0_is_esrch",
             hypercall_memory_op(XENMEM_increase_reservation, &res), -XEN_ESRCH);
    check_rc("increase_reservation_at_full_reservation_is_enomem",
             reservation_op(XENMEM_increase_reservation, gfns, 1, 0), -XEN_ENOMEM);
    check_rc("populate_unmapped_reservation_is_efault",
             hypercall_memory_op(XENMEM_populate_physmap, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
}

static long add_shared_info(domid_t domid, uint16_t pad, uint32_t space, uint64_t idx,
                            uint64_t gpfn)
{
    static struct xen_add_to_physmap xatp;

    xatp = (struct xen_add_to_physmap){ .domid = domid, .pad = pad, .space = space,
                                        .idx = idx, .gpfn = gpfn };
    return hypercall_memory_op(XENMEM_add_to_physmap, &xatp);
}

static void check_add_to_physmap(long max)
{
    uint64_t gpfn = (uintptr_t)shared_info_page / PAGE_SIZE;
    const volatile struct shared_info *s = (const volatile struct shared_info *)shared_info_page;

    check_rc("add_to_physmap_space_1_is_einval", add_shared_info(DOMID_SELF, 0, 1, 0, gpfn),
             -XEN_EINVAL);
    check_rc("add_to_physmap_idx_1_is_einval",
             add_shared_info(DOMID_SELF, 0, XENMAPSPACE_shared_info, 1, gpfn), -XEN_EINVAL);
    check_rc("add_to_physmap_gpfn_outside_is_einval",
             add_shared_info(DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint64_t)max),
             -XEN_EINVAL);
    check_rc("add_to_physmap_with_pad_is_einval",
             add_shared_info(DOMID_SELF, 1, XENMAPSPACE_shared_info, 0, gpfn), -XEN_EINVAL);
    check_rc("add_to_physmap_for_domid_0_is_esrch",
             add_shared_info(0, 0, XENMAPSPACE_shared_info, 0, gpfn), -XEN_ESRCH);
    check_rc("add_to_physmap_unmapped_pointer_is_efault",
             hypercall_memory_op(XENMEM_add_to_physmap, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    memset(shared_info_page, 0, sizeof(shared_info_page));
    check_rc("add_to_physmap_shared_info_succeeds",
             add_shared_info(DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, gpfn), 0);
    check(s->wc_sec != 0 && !(s->wc_version & 1), "shared_info_shows_the_wall_clock",
          "wc_sec %lu, wc_nsec %u, wc_version %u", s->wc_sec, s->wc_nsec, s->wc_version);
}

void test_main(const struct hv_start_info *si)
{
    long tot, max;

    check_queries(si, &tot, &max);
    if (si->nr_pages - NR_TEST_PAGES <= si->free_start / PAGE_SIZE)
        xtf_error("no free pages above free_start 0x%lx", si->free_start);
    check_decrease_and_populate(si, tot);
    check_limits();
    check_order_1();
    check_reservation_errors(max);
    check_add_to_physmap(max);
    check_rc("unknown_subop_is_enosys", hypercall_memory_op(XENMEM_UNKNOWN, NULL), -XEN_ENOSYS);
    /* Last: if hvd read the list anyway, it would take some page away. */
    check_rc("decrease_noncanonical_extent_list_is_efault",
             decrease((const uint64_t *)BAD_PTR_NONCANONICAL, 1, 0), -XEN_EFAULT);
    check_user_hypercall_refused("memory_op_from_ring3_is_refused", __HYPERVISOR_memory_op,
                                 XENMEM_current_reservation, (uintptr_t)&domid_arg, 0);
    checks_done();
}
