/*
 * Domain context: the domain's state as save-stream record bodies
 * (docs/specs/save-stream.md), for XEN_DOMCTL_getcontext/setcontext.  Guest
 * memory is not here: the toolstack reads and writes it through foreign
 * mappings.  Everything arriving is checked before any of it is applied;
 * a refusal is logged with the field that was wrong.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <hv/public/privcmd.h>
#include <hv/public/save.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/memory.h>
#include <xen/privcmd.h>
#include <xen/sched.h>

#define VCPU_BODY_MAX                                                                              \
    (sizeof(struct hv_save_vcpu) + HV_SAVE_XSAVE_LEN_KVM +                                         \
     HV_SAVE_MAX_MSRS * sizeof(struct hv_save_msr))

static int refuse(struct domain *d, const char *record, const char *why)
{
    printk("d%u: restore: %s record refused: %s", d->domid, record, why);
    return -EINVAL;
}

static bool all_zero(const void *p, size_t len)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++) {
        if (b[i])
            return false;
    }
    return true;
}

/* --- VM_STATE --- */

/*
 * A paused domain's state must read the same however often it is saved
 * (save, restore -p, save gives identical streams), but KVM's clock and
 * the guest TSC run on while a domain is paused.  So the first read after
 * a pause (or a restore's write) freezes them, until the domain runs.
 */
#define MSR_IA32_TSC 0x10u

void save_thaw(struct domain *d)
{
    d->clock_frozen = false;
    for (uint32_t i = 0; i < d->max_vcpus; i++)
        d->vcpus[i]->tsc_frozen = false;
}

static void freeze_tsc(struct vcpu *v, struct hv_save_msr *msrs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (msrs[i].index != MSR_IA32_TSC)
            continue;
        if (v->tsc_frozen)
            msrs[i].value = v->frozen_tsc;
        v->frozen_tsc = msrs[i].value;
        v->tsc_frozen = true;
    }
}

static int get_vm_state(struct domain *d, void *buf, uint32_t *len)
{
    struct hv_save_vm_state *vm = buf;
    memset(vm, 0, sizeof(*vm));
    *len = sizeof(*vm);
    if (!d->clock_frozen) {
        int rc = arch_vm_save_clock(d, &d->frozen_clock);
        if (rc)
            return rc;
        d->clock_frozen = true;
    }
    vm->clock = d->frozen_clock; /* no in-kernel irqchip or PIT: flags 0 */
    return 0;
}

static int set_vm_state(struct domain *d, const void *buf, uint32_t len)
{
    const struct hv_save_vm_state *vm = buf;
    if (len != sizeof(*vm))
        return refuse(d, "VM_STATE", "length is not 368");
    if (vm->flags || vm->pad)
        return refuse(d, "VM_STATE", "irqchip/PIT state given, but hv domains have none");
    if (!all_zero(&vm->pic_master, offsetof(struct hv_save_vm_state, clock) -
                                       offsetof(struct hv_save_vm_state, pic_master)))
        return refuse(d, "VM_STATE", "irqchip/PIT fields not zero");
    if (vm->clock.pad || (vm->clock.flags & ~HV_SAVE_CLOCK_TSC_STABLE))
        return refuse(d, "VM_STATE", "clock pad or flags");
    if (arch_vm_load_clock(d, &vm->clock))
        return refuse(d, "VM_STATE", "KVM refused the clock");
    d->frozen_clock = vm->clock;
    d->clock_frozen = true;
    return 0;
}

/* --- VCPU --- */

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define PVCLOCK_SIZE            32u

/*
 * The guest's pvclock structure, which the kvmclock MSR names: restoring
 * the MSR makes KVM rewrite it, but the page already holds what the guest
 * had, and restored memory must read as it was saved.
 */
static uint8_t *pvclock_area(struct domain *d, const struct hv_save_msr *msrs, uint32_t n,
                             uint64_t *gpa)
{
    for (uint32_t i = 0; i < n; i++) {
        if (msrs[i].index == MSR_KVM_SYSTEM_TIME_NEW && (msrs[i].value & 1)) {
            *gpa = msrs[i].value & ~1ull;
            return gpa_to_hva(d, *gpa, PVCLOCK_SIZE);
        }
    }
    return NULL;
}

static int get_vcpu(struct domain *d, uint32_t id, void *buf, uint32_t *len)
{
    if (id >= d->max_vcpus)
        return -EINVAL;
    struct vcpu *v = d->vcpus[id];
    struct hv_save_vcpu *rec = buf;
    memset(rec, 0, sizeof(*rec));
    uint8_t *xsave = (uint8_t *)(rec + 1);
    struct hv_save_msr *msrs = (struct hv_save_msr *)(xsave + HV_SAVE_XSAVE_LEN_KVM);
    int rc = arch_vcpu_save(v, rec, xsave, msrs);
    if (rc)
        return rc;
    freeze_tsc(v, msrs, rec->nr_msrs);
    rec->vcpu_id = id;
    rec->flags = v->online ? HV_SAVE_VCPU_ONLINE : 0;
    *len = (uint32_t)(sizeof(*rec) + rec->xsave_len + rec->nr_msrs * sizeof(*msrs));
    return 0;
}

static int check_vcpu(struct domain *d, const struct hv_save_vcpu *rec, uint32_t len)
{
    if (len < sizeof(*rec))
        return refuse(d, "VCPU", "shorter than its fixed part");
    if (rec->vcpu_id >= d->max_vcpus)
        return refuse(d, "VCPU", "vcpu_id beyond the domain's vCPUs");
    if (rec->flags & ~HV_SAVE_VCPU_ONLINE)
        return refuse(d, "VCPU", "flags (a local APIC, which hv domains do not have?)");
    if (rec->mp_state > HV_SAVE_MP_SIPI_RECEIVED || rec->nr_xcrs > HV_SAVE_MAX_XCRS)
        return refuse(d, "VCPU", "mp_state or nr_xcrs out of range");
    if (rec->xsave_len < HV_SAVE_XSAVE_MIN || rec->xsave_len > HV_SAVE_XSAVE_MAX ||
        rec->xsave_len % 8)
        return refuse(d, "VCPU", "xsave_len is not a multiple of 8 in 576..65536");
    if (rec->nr_msrs > HV_SAVE_MAX_MSRS ||
        len != sizeof(*rec) + rec->xsave_len + rec->nr_msrs * sizeof(struct hv_save_msr))
        return refuse(d, "VCPU", "length does not match xsave_len and nr_msrs");
    /* KVM_SET_XSAVE takes 4096 octets: state beyond them would be lost. */
    if (rec->xsave_len > HV_SAVE_XSAVE_LEN_KVM &&
        !all_zero((const uint8_t *)(rec + 1) + HV_SAVE_XSAVE_LEN_KVM,
                  rec->xsave_len - HV_SAVE_XSAVE_LEN_KVM))
        return refuse(d, "VCPU", "XSAVE state beyond the 4096 octets KVM loads");
    if (!all_zero(rec->lapic, sizeof(rec->lapic)) ||
        !all_zero(&rec->xcrs[rec->nr_xcrs],
                  (HV_SAVE_MAX_XCRS - rec->nr_xcrs) * sizeof(rec->xcrs[0])))
        return refuse(d, "VCPU", "unused lapic or xcr entries not zero");
    if (rec->events.flags & ~HV_SAVE_EVENTS_ALL || rec->events.pad0 || rec->events.pad1[0] ||
        rec->events.pad1[1] || rec->sregs.cs.pad || rec->sregs.gdt.pad[0])
        return refuse(d, "VCPU", "reserved bits set");
    const struct hv_save_msr *msrs = (const void *)((const uint8_t *)(rec + 1) + rec->xsave_len);
    for (uint32_t i = 0; i < rec->nr_msrs; i++) {
        if (msrs[i].pad || !arch_msr_saveable(msrs[i].index) ||
            (i && msrs[i].index <= msrs[i - 1].index))
            return refuse(d, "VCPU", "an MSR hv does not restore, or MSRs out of order");
    }
    return 0;
}

/*
 * The record's XSAVE area as KVM_SET_XSAVE's 4096-octet region.  A shorter
 * area (576 octets from a host without XSAVE) is zero-filled: a component
 * whose XSTATE_BV bit is clear is loaded in its initial state whatever its
 * octets hold, so the zeros add no state.  A longer one was checked to be
 * zero past 4096.
 */
static void xsave_region(const struct hv_save_vcpu *rec, uint8_t region[HV_SAVE_XSAVE_LEN_KVM])
{
    uint32_t n = rec->xsave_len < HV_SAVE_XSAVE_LEN_KVM ? rec->xsave_len : HV_SAVE_XSAVE_LEN_KVM;
    memcpy(region, rec + 1, n);
    memset(region + n, 0, HV_SAVE_XSAVE_LEN_KVM - n);
}

static int set_vcpu(struct domain *d, uint32_t id, const void *buf, uint32_t len)
{
    const struct hv_save_vcpu *rec = buf;
    int rc = check_vcpu(d, rec, len);
    if (rc)
        return rc;
    if (rec->vcpu_id != id)
        return refuse(d, "VCPU", "vcpu_id does not match the request");
    struct vcpu *v = d->vcpus[id];
    uint8_t xsave[HV_SAVE_XSAVE_LEN_KVM];
    xsave_region(rec, xsave);
    const struct hv_save_msr *msrs = (const void *)((const uint8_t *)(rec + 1) + rec->xsave_len);
    uint8_t pvclock[PVCLOCK_SIZE];
    uint64_t pvclock_gpa = 0;
    uint8_t *page = pvclock_area(d, msrs, rec->nr_msrs, &pvclock_gpa);
    if (page)
        memcpy(pvclock, page, sizeof(pvclock));
    int load = arch_vcpu_load(v, rec, xsave, msrs);
    if (page) { /* KVM rewrites the guest's pvclock when its MSR is set */
        memcpy(page, pvclock, sizeof(pvclock));
        paging_mark_dirty_gpa(d, pvclock_gpa, PVCLOCK_SIZE);
    }
    if (load)
        return refuse(d, "VCPU", "KVM refused the register state");
    v->tsc_frozen = false;
    for (uint32_t i = 0; i < rec->nr_msrs; i++) {
        if (msrs[i].index == MSR_IA32_TSC) {
            v->frozen_tsc = msrs[i].value;
            v->tsc_frozen = true;
        }
    }
    pthread_mutex_lock(&d->lock);
    v->online = rec->flags & HV_SAVE_VCPU_ONLINE;
    v->initialised = true;
    v->blocked = v->polling = false;
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/* --- SHARED_INFO --- */

static int get_shared_info(struct domain *d, void *buf, uint32_t *len)
{
    if (d->shared_info_gfn == HV_INVALID_FRAME)
        return -ENOENT;
    struct hv_save_shared_info *s = buf;
    s->gfn = d->shared_info_gfn;
    memcpy(s->page, d->shared_info, sizeof(s->page));
    *len = sizeof(*s);
    return 0;
}

static int set_shared_info(struct domain *d, const void *buf, uint32_t len)
{
    const struct hv_save_shared_info *s = buf;
    if (len != sizeof(*s))
        return refuse(d, "SHARED_INFO", "length is not 4104");
    if (s->gfn >= d->nr_gfns)
        return refuse(d, "SHARED_INFO", "gfn outside the domain");
    pthread_rwlock_wrlock(&d->p2m_lock);
    int rc = p2m_map_shared_info(d, s->gfn);
    pthread_rwlock_unlock(&d->p2m_lock);
    if (rc)
        return rc;
    memcpy(d->shared_info, s->page, sizeof(s->page));
    return 0;
}

/* --- CONSOLE_RING --- */

static int get_console(struct domain *d, void *buf, uint32_t *len)
{
    struct hv_save_console_ring *c = buf;
    uint32_t room = HV_PRIVCMD_MAX_BUF - sizeof(*c);
    memset(c, 0, sizeof(*c));
    c->len = (uint32_t)console_copy_out(&d->console, (char *)(c + 1), room, &c->lost);
    *len = (uint32_t)sizeof(*c) + c->len;
    return 0;
}

static int set_console(struct domain *d, const void *buf, uint32_t len)
{
    const struct hv_save_console_ring *c = buf;
    if (len < sizeof(*c) || c->pad || c->len != len - sizeof(*c))
        return refuse(d, "CONSOLE_RING", "length does not match len");
    console_copy_in(&d->console, (const char *)(c + 1), c->len, c->lost);
    return 0;
}

/* --- TIMERS --- */

static int get_timers(struct domain *d, void *buf, uint32_t *len)
{
    struct hv_save_timers *t = buf;
    struct hv_save_timer *e = (struct hv_save_timer *)(t + 1);
    memset(t, 0, sizeof(*t));
    pthread_mutex_lock(&d->lock);
    for (uint32_t i = 0; i < d->max_vcpus; i++) {
        if (d->vcpus[i]->singleshot_deadline)
            e[t->nr_timers++] =
                (struct hv_save_timer){ .vcpu = i,
                                        .kind = HV_SAVE_TIMER_SINGLESHOT,
                                        .deadline_ns = d->vcpus[i]->singleshot_deadline };
    }
    pthread_mutex_unlock(&d->lock);
    *len = (uint32_t)(sizeof(*t) + t->nr_timers * sizeof(*e));
    return 0;
}

static int set_timers(struct domain *d, const void *buf, uint32_t len)
{
    const struct hv_save_timers *t = buf;
    const struct hv_save_timer *e = (const void *)(t + 1);
    if (len < sizeof(*t) || t->pad || t->nr_timers > 2 * d->max_vcpus ||
        len != sizeof(*t) + t->nr_timers * sizeof(*e))
        return refuse(d, "TIMERS", "length does not match nr_timers");
    for (uint32_t i = 0; i < t->nr_timers; i++) {
        if (e[i].vcpu >= d->max_vcpus || e[i].kind != HV_SAVE_TIMER_SINGLESHOT || e[i].period_ns ||
            !e[i].deadline_ns || (i && e[i].vcpu <= e[i - 1].vcpu))
            return refuse(d, "TIMERS",
                          "a timer hv cannot arm (periodic, bad vCPU, or out of order)");
    }
    for (uint32_t i = 0; i < t->nr_timers; i++) {
        struct vcpu *v = d->vcpus[e[i].vcpu];
        pthread_mutex_lock(&d->lock);
        v->singleshot_deadline = e[i].deadline_ns;
        pthread_mutex_unlock(&d->lock);
        timer_arm(v);
    }
    return 0;
}

/* Paused (or shut down): every vCPU thread parked, nothing changes under us. */
static bool domain_quiet(struct domain *d)
{
    return d->pause_count || d->is_shutdown;
}

/* rc, after logging what happened when it is 0 (rate-limited: a client may loop). */
static int log_on_success(struct domain *d, int rc, const char *what)
{
    if (rc == 0)
        gprintk(&d->lifecycle_rl, "d%u: %s", d->domid, what);
    return rc;
}

int save_get_context(struct domain *d, uint32_t type, uint32_t index, void *buf, uint32_t *len)
{
    if (!domain_quiet(d))
        return -EBUSY;
    _Static_assert(VCPU_BODY_MAX <= HV_PRIVCMD_MAX_BUF, "a VCPU record fits a reply");
    switch (type) {
    case HV_SAVE_TYPE_VM_STATE: /* read once per save: hvcli dmesg shows saves */
        return log_on_success(d, get_vm_state(d, buf, len), "state read for a save");
    case HV_SAVE_TYPE_VCPU:
        return get_vcpu(d, index, buf, len);
    case HV_SAVE_TYPE_SHARED_INFO:
        return get_shared_info(d, buf, len);
    case HV_SAVE_TYPE_EVENT_CHANNELS:
        return evtchn_save(d, buf, len);
    case HV_SAVE_TYPE_TIMERS:
        return get_timers(d, buf, len);
    case HV_SAVE_TYPE_CONSOLE_RING:
        return get_console(d, buf, len);
    default:
        return -EINVAL;
    }
}

int save_set_context(struct domain *d, uint32_t type, uint32_t index, const void *buf, uint32_t len)
{
    if (!d->pause_count)
        return -EBUSY;
    switch (type) {
    case HV_SAVE_TYPE_VM_STATE: /* set once per restore */
        return log_on_success(d, set_vm_state(d, buf, len), "state restored from a save image");
    case HV_SAVE_TYPE_VCPU:
        return set_vcpu(d, index, buf, len);
    case HV_SAVE_TYPE_SHARED_INFO:
        return set_shared_info(d, buf, len);
    case HV_SAVE_TYPE_EVENT_CHANNELS:
        return evtchn_restore(d, buf, len)
                   ? refuse(d, "EVENT_CHANNELS", "a channel, the count or the vector is invalid")
                   : 0;
    case HV_SAVE_TYPE_TIMERS:
        return set_timers(d, buf, len);
    case HV_SAVE_TYPE_CONSOLE_RING:
        return set_console(d, buf, len);
    default:
        return -EINVAL;
    }
}
