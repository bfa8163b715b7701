/*
 * The rules of docs/specs/save-stream.md, once: record lengths, body
 * fields and record order.  The reader checks what it reads with them and
 * the writer checks what it is asked to write.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

/* Order ranks (section 7); optional records have none. */
enum {
    RANK_START,
    RANK_PAGES,
    RANK_VM_STATE,
    RANK_VCPU,
    RANK_SHARED_INFO,
    RANK_EVENT_CHANNELS,
    RANK_TIMERS,
    RANK_RUN_STATE,
    RANK_END,
};

struct type_info {
    uint32_t type;
    const char *name;
    int rank;
    bool repeats;   /* may come more than once */
    uint32_t since; /* the first hvd_version whose streams may carry it */
};

static const struct type_info types[] = {
    { HV_SAVE_TYPE_END, "END", RANK_END, false, 0 },
    { HV_SAVE_TYPE_PAGE_DATA, "PAGE_DATA", RANK_PAGES, true, 0 },
    { HV_SAVE_TYPE_PAGE_DATA_ZLIB, "PAGE_DATA_ZLIB", RANK_PAGES, true, 0 },
    { HV_SAVE_TYPE_VM_STATE, "VM_STATE", RANK_VM_STATE, false, 0 },
    { HV_SAVE_TYPE_VCPU, "VCPU", RANK_VCPU, true, 0 },
    { HV_SAVE_TYPE_SHARED_INFO, "SHARED_INFO", RANK_SHARED_INFO, false, HV_SAVE_HVD_1_1 },
    { HV_SAVE_TYPE_EVENT_CHANNELS, "EVENT_CHANNELS", RANK_EVENT_CHANNELS, false, HV_SAVE_HVD_1_1 },
    { HV_SAVE_TYPE_TIMERS, "TIMERS", RANK_TIMERS, false, HV_SAVE_HVD_1_1 },
    { HV_SAVE_TYPE_RUN_STATE, "RUN_STATE", RANK_RUN_STATE, false, HV_SAVE_HVD_1_1 },
    { HV_SAVE_TYPE_PAGE_HOLES, "PAGE_HOLES", RANK_PAGES, true, HV_SAVE_HVD_1_2 },
    { HV_SAVE_TYPE_ROUND_END, "ROUND_END", RANK_PAGES, true, HV_SAVE_HVD_1_2 },
    { HV_SAVE_TYPE_FINAL_ROUND, "FINAL_ROUND", RANK_PAGES, true, HV_SAVE_HVD_1_2 },
    { HV_SAVE_TYPE_CONSOLE_RING, "CONSOLE_RING", RANK_START, false, 0 },
};

static const struct type_info *type_info(uint32_t type)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (types[i].type == type)
            return &types[i];
    return NULL;
}

HVSAVE_EXPORT const char *hvsave_type_name(uint32_t type)
{
    const struct type_info *t = type_info(type);
    return t ? t->name : NULL;
}

const char *hvsave_type_label(uint32_t type)
{
    const struct type_info *t = type_info(type);
    return t ? t->name : "unknown";
}

static const char *rank_name(int rank)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (types[i].rank == rank && rank != RANK_START)
            return types[i].name;
    return "the domain header";
}

__attribute__((format(printf, 2, 3))) static int bad(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, HVSAVE_WHY_MAX, fmt, ap);
    va_end(ap);
    return -EBADMSG;
}

static bool all_zero(const void *p, size_t len)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++)
        if (b[i])
            return false;
    return true;
}

void hvsave_order_init(struct hvsave_order *o, const struct hvsave_domain_header *dh)
{
    memset(o, 0, sizeof(*o));
    o->hvd_version = dh->hvd_version;
    o->nr_vcpus = dh->nr_vcpus;
    o->nr_pages = dh->nr_pages;
    o->rank = RANK_START;
}

int hvsave_check_domain(const struct hvsave_domain_header *dh, uint32_t config_len, char *why)
{
    if (dh->nr_vcpus < 1 || dh->nr_vcpus > HV_SAVE_MAX_VCPUS)
        return bad(why, "nr_vcpus %" PRIu32 " is outside 1..%u", dh->nr_vcpus, HV_SAVE_MAX_VCPUS);
    if (dh->nr_pages < 1 || dh->nr_pages > HV_SAVE_MAX_PAGES)
        return bad(why, "nr_pages %" PRIu64 " is outside 1..%llu", dh->nr_pages, HV_SAVE_MAX_PAGES);
    if (dh->tot_pages > dh->nr_pages)
        return bad(why, "tot_pages %" PRIu64 " exceeds nr_pages %" PRIu64, dh->tot_pages,
                   dh->nr_pages);
    if (config_len > HV_SAVE_CONFIG_MAX) {
        snprintf(why, HVSAVE_WHY_MAX, "config_len %" PRIu32 " exceeds %u", config_len,
                 HV_SAVE_CONFIG_MAX);
        return -E2BIG;
    }
    return 0;
}

/* The lengths a known type's body may have, from the header alone. */
static void length_range(const struct hvsave_order *o, uint32_t type, uint64_t *min, uint64_t *max)
{
    const uint64_t pages = HV_SAVE_PAGES_PER_RECORD;
    switch (type) {
    case HV_SAVE_TYPE_PAGE_DATA:
        *min = 8 + 8 + HV_SAVE_PAGE_SIZE;
        *max = 8 + pages * (8 + HV_SAVE_PAGE_SIZE);
        break;
    case HV_SAVE_TYPE_PAGE_DATA_ZLIB:
        *min = 8 + 8 + 1;
        *max = HV_SAVE_MAX_BODY;
        break;
    case HV_SAVE_TYPE_VM_STATE:
        *min = *max = sizeof(struct hv_save_vm_state);
        break;
    case HV_SAVE_TYPE_VCPU:
        *min = sizeof(struct hv_save_vcpu) + HV_SAVE_XSAVE_MIN;
        *max = sizeof(struct hv_save_vcpu) + HV_SAVE_XSAVE_MAX +
               (uint64_t)HV_SAVE_MAX_MSRS * sizeof(struct hv_save_msr);
        break;
    case HV_SAVE_TYPE_SHARED_INFO:
        *min = *max = sizeof(struct hv_save_shared_info);
        break;
    case HV_SAVE_TYPE_EVENT_CHANNELS:
        *min = sizeof(struct hv_save_event_channels);
        *max = *min + (uint64_t)(HV_SAVE_MAX_EVTCHN - 1) * sizeof(struct hv_save_evtchn);
        break;
    case HV_SAVE_TYPE_TIMERS:
        *min = sizeof(struct hv_save_timers);
        *max = *min + 2ull * o->nr_vcpus * sizeof(struct hv_save_timer);
        break;
    case HV_SAVE_TYPE_RUN_STATE:
        *min = *max = sizeof(struct hv_save_run_state);
        break;
    case HV_SAVE_TYPE_CONSOLE_RING:
        *min = sizeof(struct hv_save_console_ring);
        *max = *min + HV_SAVE_CONSOLE_MAX;
        break;
    case HV_SAVE_TYPE_PAGE_HOLES:
        *min = sizeof(struct hv_save_page_holes) + 8;
        *max = sizeof(struct hv_save_page_holes) + 8 * pages;
        break;
    case HV_SAVE_TYPE_ROUND_END:
        *min = *max = sizeof(struct hv_save_round_end);
        break;
    case HV_SAVE_TYPE_FINAL_ROUND:
        *min = *max = sizeof(struct hv_save_final_round);
        break;
    default: /* END */
        *min = *max = 0;
        break;
    }
}

/* May a stream of this hvd_version carry the type at all? */
static int check_version(const struct hvsave_order *o, const struct type_info *t, char *why)
{
    if (o->hvd_version >= t->since)
        return 0;
    return bad(why,
               "%s in a stream of hvd %" PRIu32 ".%" PRIu32 ": streams carry it from hvd %" PRIu32
               ".%" PRIu32 " on",
               t->name, o->hvd_version >> 16, o->hvd_version & 0xffff, t->since >> 16,
               t->since & 0xffff);
}

/*
 * The rounds of a migration stream (section 7): FINAL_ROUND only where a
 * round begins, and once; nothing of the rounds after the final round's
 * ROUND_END; and that ROUND_END before VM_STATE once the stream has any
 * record of the rounds.
 */
static int check_round_order(const struct hvsave_order *o, const struct type_info *t, char *why)
{
    if (t->rank == RANK_PAGES && o->final_ended)
        return bad(why, "%s after the final ROUND_END", t->name);
    if (t->type == HV_SAVE_TYPE_FINAL_ROUND && o->final_begun)
        return bad(why, "a second FINAL_ROUND record");
    if (t->type == HV_SAVE_TYPE_FINAL_ROUND && o->round_gfns)
        return bad(why,
                   "FINAL_ROUND after %" PRIu64 " gfns of round %" PRIu64 ": it must begin a round",
                   o->round_gfns, o->rounds);
    if (t->type != HV_SAVE_TYPE_VM_STATE || !o->migration || o->final_ended)
        return 0;
    if (o->final_begun)
        return bad(why, "VM_STATE before the final round's ROUND_END");
    return bad(
        why, "VM_STATE in a migration stream without a FINAL_ROUND (after %" PRIu64 " ROUND_END%s)",
        o->rounds, o->rounds == 1 ? "" : "s");
}

/* May a mandatory record of this rank come now? */
static int check_order(const struct hvsave_order *o, const struct type_info *t, char *why)
{
    if (t->rank < o->rank)
        return bad(why, "%s after %s: out of order", t->name, rank_name(o->rank));
    if (t->rank == o->rank && !t->repeats)
        return bad(why, "a second %s record", t->name);
    if (t->rank > RANK_VM_STATE && o->rank < RANK_VM_STATE)
        return bad(why, "%s before VM_STATE", t->name);
    if (t->rank == RANK_VCPU && o->vcpus_seen >= o->nr_vcpus)
        return bad(why, "more VCPU records than nr_vcpus %" PRIu32, o->nr_vcpus);
    if (t->rank > RANK_VCPU && o->vcpus_seen < o->nr_vcpus)
        return bad(why, "%s after %" PRIu32 " of %" PRIu32 " VCPU records", t->name, o->vcpus_seen,
                   o->nr_vcpus);
    return check_round_order(o, t, why);
}

int hvsave_check_header(const struct hvsave_order *o, uint32_t type, uint32_t length, char *why)
{
    if (type == 0)
        return bad(why, "record type 0 is reserved");
    if (length > HV_SAVE_MAX_BODY) {
        snprintf(why, HVSAVE_WHY_MAX, "length %" PRIu32 " exceeds the limit %u", length,
                 HV_SAVE_MAX_BODY);
        return -E2BIG;
    }
    const struct type_info *t = type_info(type);
    if (!t) {
        if (type & HV_SAVE_TYPE_OPTIONAL)
            return 0;
        snprintf(why, HVSAVE_WHY_MAX, "unknown mandatory record type 0x%08" PRIx32, type);
        return -EOPNOTSUPP;
    }
    uint64_t min, max;
    length_range(o, type, &min, &max);
    if (length < min || length > max)
        return bad(why, "length %" PRIu32 " is outside %" PRIu64 "..%" PRIu64 " for %s", length,
                   min, max, t->name);
    if (type == HV_SAVE_TYPE_CONSOLE_RING)
        return o->console_seen ? bad(why, "a second CONSOLE_RING record") : 0;
    int rc = check_version(o, t, why);
    return rc ? rc : check_order(o, t, why);
}

int hvsave_check_gfns(const struct hvsave_order *o, const uint64_t *gfns, uint32_t count,
                      const char *item, char *why)
{
    for (uint32_t i = 0; i < count; i++)
        if (gfns[i] >= o->nr_pages)
            return bad(why, "gfn %#" PRIx64 " (%s %" PRIu32 ") is beyond nr_pages %#" PRIx64,
                       gfns[i], item, i, o->nr_pages);
    return 0;
}

static int check_page_data(const struct hvsave_order *o, const void *body, uint32_t length,
                           char *why)
{
    const struct hv_save_page_data *h = body;
    if (h->count < 1 || h->count > HV_SAVE_PAGES_PER_RECORD)
        return bad(why, "count %" PRIu32 " is outside 1..%u", h->count, HV_SAVE_PAGES_PER_RECORD);
    if (h->pad)
        return bad(why, "pad is not zero");
    uint64_t want = 8 + (uint64_t)h->count * (8 + HV_SAVE_PAGE_SIZE);
    if (length != want)
        return bad(why, "length %" PRIu32 " does not match count %" PRIu32 " (want %" PRIu64 ")",
                   length, h->count, want);
    return hvsave_check_gfns(o, (const uint64_t *)(h + 1), h->count, "page", why);
}

static int check_page_data_zlib(const struct hvsave_order *o, const void *body, uint32_t length,
                                char *why)
{
    const struct hv_save_page_data_zlib *h = body;
    if (h->count < 1 || h->count > HV_SAVE_PAGES_PER_RECORD)
        return bad(why, "count %" PRIu32 " is outside 1..%u", h->count, HV_SAVE_PAGES_PER_RECORD);
    uint64_t want = 8 + 8 * (uint64_t)h->count + (uint64_t)h->zlib_len;
    if (h->zlib_len < 1 || length != want)
        return bad(why, "length %" PRIu32 " does not match count %" PRIu32 " and zlib_len %" PRIu32,
                   length, h->count, h->zlib_len);
    return hvsave_check_gfns(o, (const uint64_t *)(h + 1), h->count, "page", why);
}

static int check_vm_state(const struct hv_save_vm_state *s, char *why)
{
    if (s->flags & ~(HV_SAVE_VM_IRQCHIP | HV_SAVE_VM_PIT))
        return bad(why, "reserved flags %#" PRIx32 " set", s->flags);
    if (s->pad || s->ioapic.pad || s->pit.pad || s->clock.pad)
        return bad(why, "a pad field is not zero");
    if (s->pit.flags & ~HV_SAVE_PIT_HPET_LEGACY)
        return bad(why, "reserved PIT flags %#" PRIx32 " set", s->pit.flags);
    if (s->clock.flags & ~HV_SAVE_CLOCK_TSC_STABLE)
        return bad(why, "reserved clock flags %#" PRIx32 " set", s->clock.flags);
    if (!(s->flags & HV_SAVE_VM_IRQCHIP) &&
        !all_zero(&s->pic_master, offsetof(struct hv_save_vm_state, pit) -
                                      offsetof(struct hv_save_vm_state, pic_master)))
        return bad(why, "PIC/IOAPIC state without the IRQCHIP flag");
    if (!(s->flags & HV_SAVE_VM_PIT) && !all_zero(&s->pit, sizeof(s->pit)))
        return bad(why, "PIT state without the PIT flag");
    return 0;
}

static int check_sregs(const struct hv_save_sregs *s, char *why)
{
    const struct hv_save_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs,
                                             &s->gs, &s->ss, &s->tr, &s->ldt };
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
        if (segs[i]->pad)
            return bad(why, "segment %zu: pad is not zero", i);
    if (!all_zero(s->gdt.pad, sizeof(s->gdt.pad)) || !all_zero(s->idt.pad, sizeof(s->idt.pad)))
        return bad(why, "descriptor table pad is not zero");
    return 0;
}

static int check_events(const struct hv_save_vcpu_events *e, char *why)
{
    if (e->flags & ~HV_SAVE_EVENTS_ALL)
        return bad(why, "reserved event flags %#" PRIx32 " set", e->flags);
    if (e->pad0 || e->pad1[0] || e->pad1[1])
        return bad(why, "events pad is not zero");
    if (e->interrupt_shadow & ~3u)
        return bad(why, "reserved interrupt_shadow bits %#x set", e->interrupt_shadow);
    if (e->exception_nr > 31)
        return bad(why, "exception vector %u is above 31", e->exception_nr);
    if (e->sipi_vector > 255)
        return bad(why, "SIPI vector %" PRIu32 " is above 255", e->sipi_vector);
    return 0;
}

static int check_vcpu_tables(const struct hv_save_vcpu *v, const struct hv_save_msr *msrs,
                             char *why)
{
    for (uint32_t i = 0; i < HV_SAVE_MAX_XCRS; i++) {
        if (i >= v->nr_xcrs && !all_zero(&v->xcrs[i], sizeof(v->xcrs[i])))
            return bad(why, "xcrs[%" PRIu32 "] beyond nr_xcrs is not zero", i);
        if (v->xcrs[i].pad)
            return bad(why, "xcrs[%" PRIu32 "]: pad is not zero", i);
    }
    if (!(v->flags & HV_SAVE_VCPU_LAPIC) && !all_zero(v->lapic, sizeof(v->lapic)))
        return bad(why, "LAPIC state without the LAPIC flag");
    for (uint32_t i = 0; i < v->nr_msrs; i++) {
        if (msrs[i].pad)
            return bad(why, "MSR %" PRIu32 ": pad is not zero", i);
        if (i > 0 && msrs[i].index <= msrs[i - 1].index)
            return bad(why, "MSR %#" PRIx32 " after %#" PRIx32 ": not ascending", msrs[i].index,
                       msrs[i - 1].index);
    }
    return 0;
}

static int check_vcpu(const struct hvsave_order *o, const void *body, uint32_t length, char *why)
{
    const struct hv_save_vcpu *v = body;
    if (v->vcpu_id != o->vcpus_seen)
        return bad(why, "vcpu_id %" PRIu32 " where %" PRIu32 " is due", v->vcpu_id, o->vcpus_seen);
    if (v->flags & ~(HV_SAVE_VCPU_ONLINE | HV_SAVE_VCPU_LAPIC))
        return bad(why, "reserved vCPU flags %#" PRIx32 " set", v->flags);
    if (v->mp_state > HV_SAVE_MP_SIPI_RECEIVED)
        return bad(why, "mp_state %" PRIu32 " is unknown", v->mp_state);
    if (v->nr_xcrs > HV_SAVE_MAX_XCRS)
        return bad(why, "nr_xcrs %" PRIu32 " exceeds %u", v->nr_xcrs, HV_SAVE_MAX_XCRS);
    if (v->xsave_len < HV_SAVE_XSAVE_MIN || v->xsave_len > HV_SAVE_XSAVE_MAX || v->xsave_len % 8)
        return bad(why, "xsave_len %" PRIu32 " is not a multiple of 8 in %u..%u", v->xsave_len,
                   HV_SAVE_XSAVE_MIN, HV_SAVE_XSAVE_MAX);
    if (v->nr_msrs > HV_SAVE_MAX_MSRS)
        return bad(why, "nr_msrs %" PRIu32 " exceeds %u", v->nr_msrs, HV_SAVE_MAX_MSRS);
    uint64_t want = sizeof(*v) + (uint64_t)v->xsave_len + 16 * (uint64_t)v->nr_msrs;
    if (length != want)
        return bad(why,
                   "length %" PRIu32 " does not match xsave_len and nr_msrs (want %" PRIu64 ")",
                   length, want);
    int rc = check_sregs(&v->sregs, why);
    if (!rc)
        rc = check_events(&v->events, why);
    if (!rc)
        rc = check_vcpu_tables(v, (const void *)((const uint8_t *)body + sizeof(*v) + v->xsave_len),
                               why);
    return rc;
}

static int check_shared_info(const struct hvsave_order *o, const struct hv_save_shared_info *s,
                             char *why)
{
    return hvsave_check_gfns(o, &s->gfn, 1, "page", why);
}

static int check_evtchn(const struct hvsave_order *o, const struct hv_save_evtchn *c, char *why)
{
    if (c->state < HV_SAVE_EVTCHN_UNBOUND || c->state > HV_SAVE_EVTCHN_IPI)
        return bad(why, "port %" PRIu32 ": state %u is unknown", c->port, c->state);
    if (!all_zero(c->pad, sizeof(c->pad)))
        return bad(why, "port %" PRIu32 ": pad is not zero", c->port);
    if (c->vcpu >= o->nr_vcpus)
        return bad(why, "port %" PRIu32 ": vcpu %" PRIu32 " is beyond nr_vcpus", c->port, c->vcpu);
    bool remote = c->state == HV_SAVE_EVTCHN_UNBOUND || c->state == HV_SAVE_EVTCHN_INTERDOMAIN;
    if (c->remote_domid > (remote ? HV_SAVE_MAX_DOMID : 0))
        return bad(why, "port %" PRIu32 ": remote_domid %" PRIu32 " is out of range", c->port,
                   c->remote_domid);
    if (c->state != HV_SAVE_EVTCHN_INTERDOMAIN && c->remote_port)
        return bad(why, "port %" PRIu32 ": remote_port set on a non-interdomain channel", c->port);
    if (c->remote_port >= HV_SAVE_MAX_EVTCHN)
        return bad(why, "port %" PRIu32 ": remote_port %" PRIu32 " is out of range", c->port,
                   c->remote_port);
    if (c->virq >= (c->state == HV_SAVE_EVTCHN_VIRQ ? HV_SAVE_NR_VIRQS : 1))
        return bad(why, "port %" PRIu32 ": virq %" PRIu32 " is out of range", c->port, c->virq);
    return 0;
}

static int check_event_channels(const struct hvsave_order *o, const void *body, uint32_t length,
                                char *why)
{
    const struct hv_save_event_channels *h = body;
    const struct hv_save_evtchn *c = (const void *)(h + 1);
    if (h->nr_channels > HV_SAVE_MAX_EVTCHN - 1)
        return bad(why, "nr_channels %" PRIu32 " exceeds %u", h->nr_channels,
                   HV_SAVE_MAX_EVTCHN - 1);
    if (length != sizeof(*h) + (uint64_t)h->nr_channels * sizeof(*c))
        return bad(why, "length %" PRIu32 " does not match nr_channels %" PRIu32, length,
                   h->nr_channels);
    if (h->upcall_vector != 0 && (h->upcall_vector < 16 || h->upcall_vector > 255))
        return bad(why, "upcall_vector %" PRIu32 " is outside 16..255", h->upcall_vector);
    for (uint32_t i = 0; i < h->nr_channels; i++) {
        uint32_t prev = i ? c[i - 1].port : 0;
        if (c[i].port <= prev || c[i].port >= HV_SAVE_MAX_EVTCHN)
            return bad(why, "port %" PRIu32 " after %" PRIu32 ": not ascending in 1..%u", c[i].port,
                       prev, HV_SAVE_MAX_EVTCHN - 1);
        int rc = check_evtchn(o, &c[i], why);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_timers(const struct hvsave_order *o, const void *body, uint32_t length, char *why)
{
    const struct hv_save_timers *h = body;
    const struct hv_save_timer *t = (const void *)(h + 1);
    if (h->nr_timers > 2ull * o->nr_vcpus)
        return bad(why, "nr_timers %" PRIu32 " exceeds 2 per vCPU", h->nr_timers);
    if (h->pad)
        return bad(why, "pad is not zero");
    if (length != sizeof(*h) + (uint64_t)h->nr_timers * sizeof(*t))
        return bad(why, "length %" PRIu32 " does not match nr_timers %" PRIu32, length,
                   h->nr_timers);
    for (uint32_t i = 0; i < h->nr_timers; i++) {
        if (t[i].vcpu >= o->nr_vcpus)
            return bad(why, "timer %" PRIu32 ": vcpu %" PRIu32 " is beyond nr_vcpus", i, t[i].vcpu);
        if (t[i].kind != HV_SAVE_TIMER_SINGLESHOT && t[i].kind != HV_SAVE_TIMER_PERIODIC)
            return bad(why, "timer %" PRIu32 ": kind %" PRIu32 " is unknown", i, t[i].kind);
        if ((t[i].kind == HV_SAVE_TIMER_PERIODIC) != (t[i].period_ns != 0))
            return bad(why, "timer %" PRIu32 ": period_ns does not match its kind", i);
        uint64_t key = (uint64_t)t[i].vcpu << 32 | t[i].kind;
        if (i > 0 && key <= ((uint64_t)t[i - 1].vcpu << 32 | t[i - 1].kind))
            return bad(why, "timer %" PRIu32 ": not ascending by (vcpu, kind)", i);
    }
    return 0;
}

static int check_run_state(const struct hv_save_run_state *s, char *why)
{
    if (s->state != HV_SAVE_RUN_PAUSED && s->state != HV_SAVE_RUN_SHUTDOWN)
        return bad(why, "state %" PRIu32 " is unknown", s->state);
    if (s->shutdown_reason > (s->state == HV_SAVE_RUN_SHUTDOWN ? HV_SAVE_SHUTDOWN_MAX : 0))
        return bad(why, "shutdown_reason %" PRIu32 " is out of range for state %" PRIu32,
                   s->shutdown_reason, s->state);
    return 0;
}

static int check_console_ring(const void *body, uint32_t length, char *why)
{
    const struct hv_save_console_ring *h = body;
    if (h->len > HV_SAVE_CONSOLE_MAX || length != sizeof(*h) + (uint64_t)h->len)
        return bad(why, "len %" PRIu32 " does not match length %" PRIu32, h->len, length);
    if (h->pad)
        return bad(why, "pad is not zero");
    return 0;
}

static int check_page_holes(const struct hvsave_order *o, const void *body, uint32_t length,
                            char *why)
{
    const struct hv_save_page_holes *h = body;
    if (h->count < 1 || h->count > HV_SAVE_PAGES_PER_RECORD)
        return bad(why, "count %" PRIu32 " is outside 1..%u", h->count, HV_SAVE_PAGES_PER_RECORD);
    if (h->pad)
        return bad(why, "pad is not zero");
    uint64_t want = sizeof(*h) + 8 * (uint64_t)h->count;
    if (length != want)
        return bad(why, "length %" PRIu32 " does not match count %" PRIu32 " (want %" PRIu64 ")",
                   length, h->count, want);
    return hvsave_check_gfns(o, (const uint64_t *)(h + 1), h->count, "hole", why);
}

/* round and pages by the reader's own count; FINAL exactly when FINAL_ROUND began the round. */
static int check_round_end(const struct hvsave_order *o, const struct hv_save_round_end *e,
                           char *why)
{
    if (e->round != o->rounds)
        return bad(why, "round %" PRIu32 " where %" PRIu64 " is due", e->round, o->rounds);
    if (e->flags & ~HV_SAVE_ROUND_FINAL)
        return bad(why, "reserved flags %#" PRIx32 " set", e->flags);
    if (e->pages != o->round_gfns)
        return bad(why, "pages %" PRIu64 ", but round %" PRIu64 " carried %" PRIu64 " gfns",
                   e->pages, o->rounds, o->round_gfns);
    bool final = e->flags & HV_SAVE_ROUND_FINAL;
    if (final && !o->final_begun)
        return bad(why, "FINAL is set, but no FINAL_ROUND began round %" PRIu64, o->rounds);
    if (!final && o->final_begun)
        return bad(why, "FINAL is not set, but FINAL_ROUND began round %" PRIu64, o->rounds);
    return 0;
}

static int check_final_round(const struct hvsave_order *o, const struct hv_save_final_round *f,
                             char *why)
{
    if (f->round != o->rounds)
        return bad(why, "round %" PRIu32 " where %" PRIu64 " is due", f->round, o->rounds);
    if (f->pad)
        return bad(why, "pad is not zero");
    return 0;
}

static int check_known_body(const struct hvsave_order *o, uint32_t type, const void *body,
                            uint32_t length, char *why)
{
    switch (type) {
    case HV_SAVE_TYPE_PAGE_DATA:
        return check_page_data(o, body, length, why);
    case HV_SAVE_TYPE_PAGE_DATA_ZLIB:
        return check_page_data_zlib(o, body, length, why);
    case HV_SAVE_TYPE_VM_STATE:
        return check_vm_state(body, why);
    case HV_SAVE_TYPE_VCPU:
        return check_vcpu(o, body, length, why);
    case HV_SAVE_TYPE_SHARED_INFO:
        return check_shared_info(o, body, why);
    case HV_SAVE_TYPE_EVENT_CHANNELS:
        return check_event_channels(o, body, length, why);
    case HV_SAVE_TYPE_TIMERS:
        return check_timers(o, body, length, why);
    case HV_SAVE_TYPE_RUN_STATE:
        return check_run_state(body, why);
    case HV_SAVE_TYPE_CONSOLE_RING:
        return check_console_ring(body, length, why);
    case HV_SAVE_TYPE_PAGE_HOLES:
        return check_page_holes(o, body, length, why);
    case HV_SAVE_TYPE_ROUND_END:
        return check_round_end(o, body, why);
    case HV_SAVE_TYPE_FINAL_ROUND:
        return check_final_round(o, body, why);
    default: /* END: nothing in it */
        return 0;
    }
}

/* Count a migration stream's rounds and the gfns of the current one. */
static void note_round(struct hvsave_order *o, uint32_t type, uint32_t gfns)
{
    switch (type) {
    case HV_SAVE_TYPE_PAGE_DATA:
    case HV_SAVE_TYPE_PAGE_DATA_ZLIB:
        o->round_gfns += gfns; /* round 0's, should the stream turn out to have rounds */
        break;
    case HV_SAVE_TYPE_PAGE_HOLES:
        o->round_gfns += gfns;
        o->migration = true;
        break;
    case HV_SAVE_TYPE_ROUND_END:
        o->rounds++;
        o->round_gfns = 0;
        o->final_ended = o->final_begun; /* checked: FINAL is set exactly then */
        o->migration = true;
        break;
    case HV_SAVE_TYPE_FINAL_ROUND:
        o->final_begun = o->migration = true;
        break;
    default:
        break;
    }
}

void hvsave_order_note(struct hvsave_order *o, uint32_t type, uint32_t gfns)
{
    const struct type_info *t = type_info(type);
    if (!t)
        return;
    if (type == HV_SAVE_TYPE_CONSOLE_RING)
        o->console_seen = true;
    else
        o->rank = t->rank;
    if (type == HV_SAVE_TYPE_VCPU)
        o->vcpus_seen++;
    note_round(o, type, gfns);
}

/* The gfns a checked page or hole record carries: its count, the body's first field. */
static uint32_t record_gfns(uint32_t type, const void *body)
{
    bool counted = type == HV_SAVE_TYPE_PAGE_DATA || type == HV_SAVE_TYPE_PAGE_DATA_ZLIB ||
                   type == HV_SAVE_TYPE_PAGE_HOLES;
    return counted ? *(const uint32_t *)body : 0;
}

int hvsave_check_body(struct hvsave_order *o, uint32_t type, const void *body, uint32_t length,
                      char *why)
{
    if (!type_info(type))
        return 0;
    int rc = check_known_body(o, type, body, length, why);
    if (!rc)
        hvsave_order_note(o, type, record_gfns(type, body));
    return rc;
}

int hvsave_check_complete(const struct hvsave_order *o, char *why)
{
    return check_order(o, type_info(HV_SAVE_TYPE_END), why);
}
