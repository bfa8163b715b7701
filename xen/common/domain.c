/*
 * Domains: creation, destruction, pausing, shutdown and the on_poweroff /
 * on_reboot / on_crash actions.  All of this runs on hvd's main thread;
 * vCPU threads only ever call domain_shutdown().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include <hv/public/names.h>
#include <hv/public/sched.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/throttle.h>
#include <xen/toolstack_data.h>

static struct domain *domain_list; /* sorted by domid; changed by the main thread only */
/* Held by the main thread while it changes domain_list and by vCPU threads
 * while they look peers up; event_channel.c keeps all channel state under
 * it too, so a peer cannot go away in the middle of a send. */
pthread_mutex_t domlist_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t host_max_pages;     /* --max-memory */
static int shutdown_notify_fd = -1; /* eventfd the main loop watches */

int domain_init(uint64_t max_host_pages, int notify_fd)
{
    host_max_pages = max_host_pages;
    shutdown_notify_fd = notify_fd;
    return 0;
}

uint64_t domain_host_pages(void)
{
    return host_max_pages;
}

/* Any registered domain, even one still being built: domain.c only. */
static struct domain *domain_registered(domid_t domid)
{
    for (struct domain *d = domain_list; d; d = d->next) {
        if (d->domid == domid)
            return d;
    }
    return NULL;
}

/* Whether others may see d: fully created, and alive unless even_dying. */
static bool domain_visible(const struct domain *d, bool even_dying)
{
    return d->created && (even_dying || !d->dying);
}

struct domain *domain_lookup(domid_t domid, bool even_dying)
{
    struct domain *d = domain_registered(domid);
    return d && domain_visible(d, even_dying) ? d : NULL;
}

struct domain *domain_first_from(uint32_t domid)
{
    struct domain *d = domain_list;
    while (d && (d->domid < domid || !d->created))
        d = d->next;
    return d;
}

struct domain *domain_next(struct domain *d)
{
    do
        d = d->next;
    while (d && !d->created);
    return d;
}

unsigned int domain_count(void)
{
    unsigned int n = 0;
    for (struct domain *d = domain_list; d; d = d->next)
        n++;
    return n;
}

static domid_t domid_alloc(void)
{
    domid_t id = DOMID_FIRST;
    for (struct domain *d = domain_list; d && d->domid == id; d = d->next)
        id++; /* the list is sorted: the first gap is the lowest free id */
    return id <= DOMID_MAX ? id : DOMID_INVALID;
}

/* The list changes only on the main thread, under domlist_lock for vCPU
 * threads that look peers up (event channels). */
static void domain_list_insert(struct domain *d)
{
    pthread_mutex_lock(&domlist_lock);
    struct domain **pp = &domain_list;
    while (*pp && (*pp)->domid < d->domid)
        pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
    pthread_mutex_unlock(&domlist_lock);
}

static void domain_list_remove(struct domain *d)
{
    pthread_mutex_lock(&domlist_lock);
    for (struct domain **pp = &domain_list; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }
    pthread_mutex_unlock(&domlist_lock);
}

/* The rule is shared with the toolstack's config parser (public/names.h). */
static bool name_is_valid(const char *name)
{
    return hv_name_check(name, strnlen(name, HV_NAME_MAX)) == HV_NAME_OK;
}

static int createdomain_check(const struct xen_domctl_createdomain *cfg)
{
    if (cfg->max_vcpus == 0 || cfg->max_vcpus > HV_MAX_VCPUS ||
        cfg->max_vcpus > (uint32_t)arch_kvm_max_vcpus())
        return -EINVAL;
    if (cfg->init_pages == 0 || cfg->max_pages < cfg->init_pages || cfg->max_pages > host_max_pages)
        return -EINVAL; /* more than the host could ever give it */
    if ((cfg->flags & ~XEN_DOMCTL_CDF_transient) || cfg->pad)
        return -EINVAL;
    if (cfg->on_poweroff > HV_ACTION_MAX || cfg->on_reboot > HV_ACTION_MAX ||
        cfg->on_crash > HV_ACTION_MAX)
        return -EINVAL;
    if (cfg->restart_limit > HV_RESTART_LIMIT_MAX ||
        cfg->restart_interval_s > HV_RESTART_INTERVAL_MAX)
        return -EINVAL;
    if (!name_is_valid(cfg->name))
        return -EINVAL;
    for (struct domain *d = domain_list; d; d = d->next) {
        if (!strcmp(d->name, cfg->name) || !memcmp(d->handle, cfg->handle, 16))
            return -EEXIST;
    }
    if (cfg->init_pages > host_max_pages - memory_host_pages_used())
        return -ENOMEM;
    return 0;
}

/* Creation steps after the domain struct and its registration, in order. */
static int create_memory(struct domain *d, const struct xen_domctl_createdomain *cfg)
{
    int rc = p2m_init(d, cfg->max_pages);
    return rc ? rc : p2m_populate(d, 0, cfg->init_pages);
}

static int create_vm(struct domain *d, const struct xen_domctl_createdomain *cfg)
{
    (void)cfg;
    int rc = arch_vm_create(d);
    return rc ? rc : arch_vm_set_memory(d);
}

static int create_console(struct domain *d, const struct xen_domctl_createdomain *cfg)
{
    (void)cfg;
    return console_init(d);
}

static int create_evtchn(struct domain *d, const struct xen_domctl_createdomain *cfg)
{
    (void)cfg;
    return evtchn_init(d);
}

static int create_vcpus(struct domain *d, const struct xen_domctl_createdomain *cfg)
{
    d->vcpus = dalloc_array(d, cfg->max_vcpus, sizeof(*d->vcpus));
    if (!d->vcpus)
        return -ENOMEM;
    for (unsigned int i = 0; i < cfg->max_vcpus; i++) {
        int rc = vcpu_create(d, i);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * The fail-able steps of domain creation, in the order they run (see
 * docs/domain-lifecycle.md).  Each step leaves what it built reachable from
 * the domain, so domain_teardown() can undo a partial creation exactly as
 * it undoes a full one.
 */
static const struct create_step {
    const char *name;
    int (*run)(struct domain *d, const struct xen_domctl_createdomain *cfg);
} create_steps[] = {
    { "memory file and p2m", create_memory },
    { "KVM VM and memory slot", create_vm },
    { "console", create_console },
    { "event channels", create_evtchn },
    { "vCPUs", create_vcpus },
};

/* Release guest memory a chunk at a time so a big domain's teardown yields. */
#define TEARDOWN_MEMORY_CHUNK (16ull << 20)

/*
 * One bounded piece of teardown.  Returns -ERESTART while work remains,
 * -EAGAIN when it cannot go on before a vCPU thread has left.
 */
static int teardown_step(struct domain *d)
{
    switch (d->teardown) {
    case TEARDOWN_none:
        /* Under domlist_lock as well: domain_lookup() from a vCPU thread
         * holds it, and must not hand out a domain going away. */
        pthread_mutex_lock(&domlist_lock);
        pthread_mutex_lock(&d->lock);
        d->dying = true;
        if (d->vcpus)
            domain_kick_all(d);
        pthread_mutex_unlock(&d->lock);
        pthread_mutex_unlock(&domlist_lock);
        throttle_domain_gone(d);
        d->teardown = TEARDOWN_evtchn;
        break;
    case TEARDOWN_evtchn:
        evtchn_teardown(d);
        d->teardown = TEARDOWN_vcpus;
        d->teardown_pos = 0;
        break;
    case TEARDOWN_vcpus:
        if (d->vcpus && d->teardown_pos < d->max_vcpus) {
            if (vcpu_destroy(d->vcpus[d->teardown_pos]))
                return -EAGAIN; /* its thread is still leaving: come back later */
            d->vcpus[d->teardown_pos++] = NULL;
            break;
        }
        dfree(d, d->vcpus);
        d->vcpus = NULL;
        d->teardown = TEARDOWN_console;
        break;
    case TEARDOWN_console:
        console_teardown(d);
        toolstack_data_free(d);
        d->teardown = TEARDOWN_vm;
        break;
    case TEARDOWN_vm:
        if (d->vm_fd >= 0)
            close(d->vm_fd);
        d->vm_fd = -1;
        d->teardown = TEARDOWN_memory;
        d->teardown_pos = 0;
        break;
    case TEARDOWN_memory:
        if (p2m_release_chunk(d, &d->teardown_pos, TEARDOWN_MEMORY_CHUNK))
            d->teardown = TEARDOWN_p2m;
        break;
    case TEARDOWN_p2m:
        log_dirty_teardown(d);
        p2m_teardown(d);
        memory_free_boot(d);
        d->teardown = TEARDOWN_unregister;
        break;
    case TEARDOWN_unregister:
        domain_list_remove(d);
        d->teardown = TEARDOWN_done;
        break;
    case TEARDOWN_done:
        break;
    }
    return d->teardown == TEARDOWN_done ? 0 : -ERESTART;
}

/*
 * Undo a domain, fully or partly built, in the reverse order of creation.
 * Idempotent and resumable: d->teardown records how far it got.  Spends
 * at most budget_ns (0: no limit); -ERESTART means call again.
 */
static int domain_teardown(struct domain *d, uint64_t budget_ns)
{
    uint64_t start = now_ns();
    int rc;
    while ((rc = teardown_step(d)) == -ERESTART) {
        if (budget_ns && now_ns() - start >= budget_ns)
            break;
    }
    return rc == -EAGAIN ? -ERESTART : rc;
}

static void domain_init_fields(struct domain *d, const struct xen_domctl_createdomain *cfg,
                               domid_t domid)
{
    d->domid = domid;
    d->mem_fd = d->vm_fd = -1;
    d->max_vcpus = cfg->max_vcpus;
    d->max_pages = cfg->max_pages;
    d->pause_count = 1; /* created paused, as by the toolstack */
    d->on_poweroff = cfg->on_poweroff;
    d->on_reboot = cfg->on_reboot;
    d->on_crash = cfg->on_crash;
    d->restart_limit = cfg->restart_limit ? cfg->restart_limit : HV_RESTART_LIMIT_DEFAULT;
    d->restart_interval_s =
        cfg->restart_interval_s ? cfg->restart_interval_s : HV_RESTART_INTERVAL_DEFAULT;
    snprintf(d->log_rl.tag, sizeof(d->log_rl.tag), "d%u", domid);
    memcpy(d->lifecycle_rl.tag, d->log_rl.tag, sizeof(d->lifecycle_rl.tag));
    memcpy(d->handle, cfg->handle, sizeof(d->handle));
    memcpy(d->name, cfg->name, sizeof(d->name));
    for (unsigned int i = 0; i < CONSOLE_MAX_CLIENTS; i++)
        d->console.clients[i] = -1;
    d->shutdown_code = -1;
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_t attr; /* timed waits (domain_wait_parked) use CLOCK_MONOTONIC */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_rwlock_init(&d->p2m_lock, NULL);
}

/* Step 1: the domain struct, then its registration (domid, name, UUID). */
static struct domain *domain_alloc_registered(const struct xen_domctl_createdomain *cfg,
                                              domid_t domid, struct fault_ttl *fault)
{
    struct domain *d = fault_point_ttl(fault) ? NULL : dalloc_domain();
    if (!d)
        return NULL;
    domain_init_fields(d, cfg, domid);
    d->fault = fault;
    domain_list_insert(d);
    return d;
}

static void domain_free(struct domain *d)
{
    pthread_rwlock_destroy(&d->p2m_lock);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    dfree_domain(d);
}

/* Whether a domain is called name. */
static bool name_taken(const char *name)
{
    for (struct domain *d = domain_list; d; d = d->next) {
        if (!strcmp(d->name, name))
            return true;
    }
    return false;
}

/* Whether a domain other than d is called name. */
static bool name_taken_by_other(const struct domain *d, const char *name)
{
    for (struct domain *o = domain_list; o; o = o->next) {
        if (o != d && !strcmp(o->name, name))
            return true;
    }
    return false;
}

int domain_rename(struct domain *d, const char name[HV_NAME_MAX])
{
    size_t len = strnlen(name, HV_NAME_MAX);
    if (len == HV_NAME_MAX || hv_name_check(name, len) != HV_NAME_OK)
        return -EINVAL;
    if (!strcmp(d->name, name))
        return 0;
    if (name_taken_by_other(d, name))
        return -EEXIST;
    gprintk(&d->lifecycle_rl, "d%u: renamed from '%s' to '%s'", d->domid, d->name, name);
    memset(d->name, 0, sizeof(d->name));
    memcpy(d->name, name, len);
    return 0;
}

int domain_set_handle(struct domain *d, const uint8_t handle[16])
{
    static const uint8_t nil[16];
    if (!memcmp(handle, nil, sizeof(nil)))
        return -EINVAL;
    if (!memcmp(d->handle, handle, sizeof(d->handle)))
        return 0;
    for (struct domain *o = domain_list; o; o = o->next) {
        if (o != d && !memcmp(o->handle, handle, sizeof(o->handle)))
            return -EEXIST;
    }
    char was[37], now[37];
    uuid_unparse(d->handle, was);
    uuid_unparse(handle, now);
    gprintk(&d->lifecycle_rl, "d%u: UUID changed from %s to %s", d->domid, was, now);
    pthread_mutex_lock(&d->lock); /* XENVER_guest_handle reads it from vCPU threads */
    memcpy(d->handle, handle, sizeof(d->handle));
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/*
 * An unnamed domain is called "domain-<domid>", or "domain-<domid>-<n>"
 * with the lowest n that is free when an administrator already gave that
 * name to another domain.  Made before the uniqueness check, so it is
 * checked like any other name.
 */
static void default_name(char name[HV_NAME_MAX], domid_t domid)
{
    snprintf(name, HV_NAME_MAX, "domain-%u", domid);
    for (unsigned int n = 2; name_taken(name); n++)
        snprintf(name, HV_NAME_MAX, "domain-%u-%u", domid, n);
}

int domain_create(const struct xen_domctl_createdomain *in, struct domain **out)
{
    struct xen_domctl_createdomain cfg = *in;
    static const uint8_t nil[16];
    if (!memcmp(cfg.handle, nil, sizeof(nil)))
        uuid_generate(cfg.handle);
    domid_t domid = domid_alloc();
    if (domid == DOMID_INVALID)
        return -ENOSPC;
    if (!cfg.name[0])
        default_name(cfg.name, domid);
    int rc = createdomain_check(&cfg);
    if (rc)
        return rc;
    struct fault_ttl fault = { .ttl = cfg.fault_ttl };
    struct domain *d = domain_alloc_registered(&cfg, domid, &fault);
    if (!d)
        return -ENOMEM;
    const char *failed = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(create_steps) && !rc; i++) {
        rc = create_steps[i].run(d, &cfg);
        failed = create_steps[i].name;
    }
    d->fault = NULL;
    d->create_fault_points = fault.passed;
    if (rc) {
        printk("d%u: creation failed at %s: %s%s", domid, failed, strerror(-rc),
               fault.ttl && fault.passed >= fault.ttl ? " (injected by fault_ttl)" : "");
        domain_teardown(d, 0);
        domain_free(d);
        /* Running out of any resource is reported as -ENOMEM. */
        return rc == -EMFILE || rc == -ENFILE || rc == -EAGAIN ? -ENOMEM : rc;
    }
    pthread_mutex_lock(&domlist_lock);
    d->created = true; /* from now on other domains and the toolstack see it */
    pthread_mutex_unlock(&domlist_lock);
    /* max_pages, not tot_pages: a restore populates its memory after this */
    printk("d%u: created '%s', %u vCPU(s), up to %llu KiB of RAM", domid, d->name, d->max_vcpus,
           (unsigned long long)(d->max_pages << (XEN_PAGE_SHIFT - 10)));
    *out = d;
    return 0;
}

int domain_destroy(struct domain *d, uint64_t budget_ns)
{
    int rc = domain_teardown(d, budget_ns);
    if (rc == -ERESTART && !d->teardown_yielded) {
        d->teardown_yielded = true;
        printk("d%u: destroying (yielding to other requests)", d->domid);
    }
    if (rc)
        return rc;
    printk("d%u: destroyed", d->domid);
    domain_free(d);
    dom_exc_notify();
    return 0;
}

/*
 * Destroys and restarts hvd starts itself (on_* actions) go on in the
 * background, from the main loop, as a toolstack's destroy does.
 */
static bool domain_destroy_in_background(struct domain *d)
{
    if (domain_destroy(d, DESTROY_SLICE_NS) != -ERESTART)
        return false; /* d is gone */
    d->destroy_in_background = true;
    return true;
}

static bool domain_restart_or_defer(struct domain *d);

int domain_set_transient(struct domain *d, const struct xen_domctl_set_transient *t,
                         const void *client)
{
    if (t->transient > 1 || t->pad)
        return -EINVAL;
    d->transient_owner = t->transient ? client : NULL;
    return 0;
}

/*
 * The destroy is left to the main loop's background work: a teardown
 * removes watches, and the callers of conn_close() may be walking them.
 */
void domain_client_gone(const void *client)
{
    for (struct domain *d = domain_list; d; d = d->next) {
        if (d->transient_owner != client || d->dying) /* dying: a destroy is under way */
            continue;
        d->transient_owner = NULL;
        gprintk(&d->lifecycle_rl,
                "d%u: destroying it: the connection holding it (transient) closed", d->domid);
        d->destroy_in_background = true;
    }
}

bool domain_background_work(void)
{
    bool remains = false;
    struct domain *d = domain_list;
    while (d) {
        struct domain *next = d->next; /* d may be freed below */
        if (d->destroy_in_background) {
            remains |= domain_destroy(d, DESTROY_SLICE_NS) == -ERESTART;
        } else if (d->restart_in_background) {
            remains |= domain_restart_or_defer(d);
        }
        d = next;
    }
    return remains;
}

/* Waits this long at most for vCPU threads to leave when hvd stops. */
#define DESTROY_ALL_MAX_NS (10ull * 1000000000ull)

void domain_destroy_all(void)
{
    uint64_t start = now_ns();
    while (domain_list) {
        for (struct domain *d = domain_list, *next; d; d = next) {
            next = d->next;
            domain_destroy(d, DESTROY_SLICE_NS);
        }
        if (domain_list && now_ns() - start > DESTROY_ALL_MAX_NS) {
            printk("hvd: d%u's vCPUs did not stop within %llu s; exiting without it",
                   domain_list->domid, DESTROY_ALL_MAX_NS / 1000000000ull);
            return;
        }
        if (domain_list)
            nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
    }
}

int domain_pause_by_controller(struct domain *d)
{
    pthread_mutex_lock(&d->lock);
    int rc = -EOVERFLOW;
    if (d->pause_count < 1024) { /* bound a runaway toolstack */
        d->pause_count++;
        domain_kick_all(d);
        rc = domain_wait_parked(d);
        if (rc) { /* nothing changes: the pause is taken back */
            d->pause_count--;
            domain_kick_all(d);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

/* The state a restart goes back to: taken when the domain first runs. */
static int domain_capture_boot(struct domain *d)
{
    if (d->on_poweroff != HV_ACTION_restart && d->on_reboot != HV_ACTION_restart &&
        d->on_crash != HV_ACTION_restart)
        return 0;
    int rc = memory_capture_boot(d);
    return rc ? rc : arch_get_vcpu_context(d->vcpus[0], &d->boot_ctx);
}

int domain_unpause_by_controller(struct domain *d)
{
    if (d->pause_count == 0)
        return -EINVAL;
    if (!d->ever_unpaused && d->pause_count == 1) {
        int rc = domain_capture_boot(d);
        for (unsigned int i = 0; rc == 0 && i < d->max_vcpus; i++)
            rc = vcpu_start_thread(d->vcpus[i]);
        if (rc)
            return rc == -EAGAIN ? -ENOMEM : rc; /* stays paused; unpause may be retried */
        d->ever_unpaused = true;
    }
    if (d->pause_count == 1)
        save_thaw(d);
    pthread_mutex_lock(&d->lock);
    d->pause_count--;
    domain_kick_all(d);
    pthread_mutex_unlock(&d->lock);
    for (unsigned int i = 0; d->pause_count == 0 && i < d->max_vcpus; i++)
        timer_arm(d->vcpus[i]); /* timers held while paused fire now if due */
    return 0;
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
    pthread_mutex_lock(&d->lock);
    if (!d->is_shutdown && !d->dying) {
        d->is_shutdown = true;
        d->shutdown_reason = reason;
        d->shutdown_pending_action = true;
        domain_kick_all(d);
    }
    pthread_mutex_unlock(&d->lock);
    dom_exc_notify();
    uint64_t one = 1;
    if (write(shutdown_notify_fd, &one, sizeof(one)) < 0) {
        /* eventfd counter full: the main loop is already woken. */
    }
}

static uint8_t shutdown_action(const struct domain *d)
{
    switch (d->shutdown_reason) {
    case SHUTDOWN_poweroff:
        return d->on_poweroff;
    case SHUTDOWN_reboot:
        return d->on_reboot;
    case SHUTDOWN_crash:
    case SHUTDOWN_watchdog:
        return d->on_crash;
    default:
        return HV_ACTION_preserve; /* suspend: the toolstack decides */
    }
}

/* Reset memory and vCPUs to the image captured at the first unpause. */
static int domain_restart(struct domain *d)
{
    if (!d->ever_unpaused || !d->nr_boot_extents)
        return -ENODATA;
    pthread_mutex_lock(&d->lock);
    int rc = domain_vcpus_parked(d) ? memory_reset_to_boot(d) : -EAGAIN;
    for (unsigned int i = 0; rc == 0 && i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        v->blocked = false;
        v->online = i == 0;
        if (i == 0)
            rc = arch_set_vcpu_context(v, &d->boot_ctx);
    }
    if (rc == 0) {
        d->is_shutdown = false;
        domain_kick_all(d);
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

/*
 * Restart d now if its vCPUs have all parked (they were kicked at the
 * shutdown); else leave it to the main loop's background work, which
 * comes back every millisecond: the main loop never waits for a guest.
 * True while background work remains for d (d may be gone when false).
 */
static bool domain_restart_or_defer(struct domain *d)
{
    if (d->dying) { /* destroyed meanwhile: nothing to restart */
        d->restart_in_background = false;
        return false;
    }
    int rc = domain_restart(d);
    d->restart_in_background = rc == -EAGAIN;
    if (rc == 0 || rc == -EAGAIN)
        return d->restart_in_background;
    gprintk(&d->lifecycle_rl, "d%u: restart failed (%s): destroying it", d->domid, strerror(-rc));
    return domain_destroy_in_background(d);
}

static const char *const shutdown_names[] = { "poweroff", "reboot", "suspend", "crash",
                                              "watchdog" };

/* createdomain_check() lets only HV_ACTION_* values in; "?" keeps printk safe regardless. */
static const char *action_name(uint8_t action)
{
    const char *name = hv_action_name(action);
    return name ? name : "?";
}

/*
 * Count a restart; false if it would be more than restart_limit within
 * restart_interval_s.  The last restart_limit restart times are kept in a
 * ring: the oldest of them must be older than the interval.
 */
static bool domain_restart_allowed(struct domain *d)
{
    uint64_t now = now_ns(), interval = d->restart_interval_s * 1000000000ull;
    uint64_t *oldest = &d->restart_times[d->restart_next];
    if (d->nr_restarts >= d->restart_limit && now - *oldest < interval)
        return false;
    *oldest = now;
    d->restart_next = (d->restart_next + 1) % d->restart_limit;
    d->nr_restarts += d->nr_restarts < d->restart_limit;
    return true;
}

/* A restart loop: the domain is treated as crashed, once, said in one line. */
static uint8_t restart_loop_action(struct domain *d)
{
    uint8_t action = d->on_crash == HV_ACTION_restart ? HV_ACTION_preserve : d->on_crash;
    printk("d%u: restarted %u times within %u s: treated as crashed, action %s", d->domid,
           d->restart_limit, d->restart_interval_s, action_name(action));
    d->shutdown_reason = SHUTDOWN_crash;
    return action;
}

/*
 * Lines a guest causes go through its domain's rate limits (gprintk): what
 * happens to the domain has its own, so a flood of unhandled I/O cannot
 * hide a shutdown.
 */
static void domain_act_on_shutdown(struct domain *d)
{
    uint8_t action = shutdown_action(d);
    gprintk(&d->lifecycle_rl, "d%u: shut down (%s), action %s", d->domid,
            d->shutdown_reason <= SHUTDOWN_MAX ? shutdown_names[d->shutdown_reason] : "?",
            action_name(action));
    if (action == HV_ACTION_restart && !domain_restart_allowed(d))
        action = restart_loop_action(d);
    if (action == HV_ACTION_destroy) {
        domain_destroy_in_background(d);
    } else if (action == HV_ACTION_restart) {
        domain_restart_or_defer(d);
    }
}

void domain_process_shutdowns(void)
{
    struct domain *d = domain_list;
    while (d) {
        struct domain *next = d->next; /* d may be destroyed below */
        pthread_mutex_lock(&d->lock);
        bool act = d->shutdown_pending_action && !d->dying; /* a destroy is under way */
        d->shutdown_pending_action = false;
        pthread_mutex_unlock(&d->lock);
        if (act)
            domain_act_on_shutdown(d);
        d = next;
    }
}

void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    memset(info, 0, sizeof(*info));
    info->domain = d->domid;
    info->max_vcpus = d->max_vcpus;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    memcpy(info->name, d->name, sizeof(info->name));
    info->on_poweroff = d->on_poweroff;
    info->on_reboot = d->on_reboot;
    info->on_crash = d->on_crash;
    info->restart_limit = d->restart_limit;
    info->restart_interval_s = d->restart_interval_s;
    info->create_fault_points = d->create_fault_points;
    struct dalloc_account acct;
    dalloc_domain_totals(d, &acct);
    info->overhead_bytes = acct.bytes;
    info->overhead_allocs = acct.count;
    pthread_mutex_lock(&d->lock);
    bool all_blocked = true, any_running = false;
    for (unsigned int i = 0; d->vcpus && i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue; /* freed by a teardown in progress */
        info->cpu_time_ns += vcpu_cpu_time(v);
        if (!v->online)
            continue;
        info->nr_online_vcpus++;
        all_blocked &= v->blocked || v->polling;
        any_running |= v->thread_started && !v->parked;
    }
    info->pause_count = d->pause_count;
    info->flags = (d->dying ? XEN_DOMINF_dying : 0) | (d->pause_count ? XEN_DOMINF_paused : 0);
    if (d->is_shutdown) {
        info->flags |= XEN_DOMINF_shutdown;
        info->shutdown_reason = d->shutdown_reason;
    } else if (info->nr_online_vcpus && all_blocked) {
        info->flags |= XEN_DOMINF_blocked;
    } else if (any_running && !d->pause_count) {
        info->flags |= XEN_DOMINF_running;
    }
    pthread_mutex_unlock(&d->lock);
}
