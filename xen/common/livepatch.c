/*
 * Live patching (docs/livepatch.md): the payloads hvd holds, the
 * XEN_SYSCTL_livepatch_op operations, and the rendezvous in which an
 * action patches hvd's code while every vCPU thread waits.
 *
 * Everything here runs on the main thread but the rendezvous side of the
 * vCPU threads (livepatch_vcpu_*()).  An action is accepted by the
 * sysctl and carried out by livepatch_run_pending() at the top of the
 * main loop, after the reply went out.  The functions a thread runs while
 * the code changes, or that the main loop calls, are HV_NOPATCH.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xen/lib.h>
#include <xen/livepatch.h>
#include <xen/privcmd.h>
#include <xen/sched.h>
#include <xen/symbols.h>

extern const char __start_hv_nopatch_text[], __stop_hv_nopatch_text[];

static struct lp_payload *payloads; /* in load order */
static unsigned int nr_payloads, list_version, applied_top;
static struct ratelimit log_rl = { .tag = "livepatch" };

/* A payload arriving in pieces on one connection. */
struct lp_upload {
    struct lp_upload *next;
    const void *client;
    char name[LIVEPATCH_NAME_MAX];
    uint64_t size, got;
    uint8_t *buf;
};
static struct lp_upload *uploads;
#define UPLOADS_MAX 4u /* unfinished uploads at once, host-wide */

/* The one action that may be pending. */
static struct {
    bool pending;
    uint32_t cmd;
    struct lp_payload *p;
    uint64_t timeout_ns;
    uint64_t requested_ns;
} work;

/* ---- the rendezvous ---- */

static pthread_mutex_t rv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rv_cond; /* CLOCK_MONOTONIC: arrivals, leaves and the release */
static unsigned int rv_threads, rv_arrived, rv_left, rv_generation;
static uint64_t rv_first_arrival_ns, rv_last_leave_ns;
static int rv_wanted; /* read without rv_lock by vCPU threads: atomics */

void livepatch_init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&rv_cond, &a);
    pthread_condattr_destroy(&a);
}

HV_NOPATCH bool livepatch_rendezvous_wanted(void)
{
    return __atomic_load_n(&rv_wanted, __ATOMIC_ACQUIRE);
}

/* A vCPU thread counts from its first instruction to its last. */
HV_NOPATCH void livepatch_vcpu_thread_start(void)
{
    pthread_mutex_lock(&rv_lock);
    rv_threads++;
    pthread_mutex_unlock(&rv_lock);
}

HV_NOPATCH void livepatch_vcpu_thread_exit(void)
{
    pthread_mutex_lock(&rv_lock);
    rv_threads--;
    pthread_cond_broadcast(&rv_cond);
    pthread_mutex_unlock(&rv_lock);
}

/* A vCPU thread at its safe point: wait until the action is done. */
HV_NOPATCH void livepatch_vcpu_rendezvous(void)
{
    pthread_mutex_lock(&rv_lock);
    unsigned int generation = rv_generation;
    if (__atomic_load_n(&rv_wanted, __ATOMIC_RELAXED)) {
        if (rv_arrived++ == 0)
            rv_first_arrival_ns = now_ns();
        pthread_cond_broadcast(&rv_cond);
        while (__atomic_load_n(&rv_wanted, __ATOMIC_RELAXED) && rv_generation == generation)
            pthread_cond_wait(&rv_cond, &rv_lock);
        rv_left++;
        rv_last_leave_ns = now_ns();
        pthread_cond_broadcast(&rv_cond);
    }
    pthread_mutex_unlock(&rv_lock);
}

/* Bring every vCPU thread out of the guest or out of its park. */
HV_NOPATCH static void kick_every_vcpu(void)
{
    for (struct domain *d = domain_first_from(0); d; d = domain_next(d)) {
        pthread_mutex_lock(&d->lock);
        domain_kick_all(d);
        pthread_mutex_unlock(&d->lock);
    }
}

HV_NOPATCH static struct timespec deadline_in(uint64_t timeout_ns)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t ns = (uint64_t)deadline.tv_nsec + timeout_ns;
    deadline.tv_sec += (time_t)(ns / 1000000000u);
    deadline.tv_nsec = (long)(ns % 1000000000u);
    return deadline;
}

/* With rv_lock held: wait until every vCPU thread arrived, or the deadline. */
HV_NOPATCH static bool wait_for_arrivals(uint64_t timeout_ns)
{
    struct timespec deadline = deadline_in(timeout_ns);
    while (rv_arrived < rv_threads) {
        if (pthread_cond_timedwait(&rv_cond, &rv_lock, &deadline) == ETIMEDOUT)
            return rv_arrived >= rv_threads;
    }
    return true;
}

/* With rv_lock held, after the release: wait until the n threads that
 * arrived have left (bounded: they only have to wake up). */
HV_NOPATCH static bool wait_for_leaves(unsigned int n, uint64_t timeout_ns)
{
    struct timespec deadline = deadline_in(timeout_ns);
    while (rv_left < n) {
        if (pthread_cond_timedwait(&rv_cond, &rv_lock, &deadline) == ETIMEDOUT)
            return rv_left >= n;
    }
    return true;
}

/* ---- writing and undoing patches ---- */

HV_NOPATCH static int patch_write(struct lp_patch *t, bool apply)
{
    uint8_t insn[LIVEPATCH_EXPECT_MAX];
    if (apply) {
        memcpy(t->saved, (const void *)t->old_addr, t->len);
        arch_livepatch_insn(t, insn);
    }
    int rc = arch_livepatch_write(t->old_addr, apply ? insn : t->saved, t->len);
    if (rc == 0)
        t->applied = apply;
    return rc;
}

/* Undo p's patches, last first; those not applied are skipped. */
HV_NOPATCH static void revert_patches(struct lp_payload *p)
{
    for (size_t i = p->npatches; i-- > 0;)
        if (p->patches[i].applied)
            patch_write(&p->patches[i], false);
}

/* Either every patch of p is written, or none is. */
HV_NOPATCH static int apply_patches(struct lp_payload *p)
{
    for (size_t i = 0; i < p->npatches; i++) {
        int rc = patch_write(&p->patches[i], true);
        if (rc) {
            revert_patches(p);
            return rc;
        }
    }
    return 0;
}

HV_NOPATCH static int call_action_hook(const struct lp_payload *p, enum lp_hook_kind k)
{
    int (*fn)(void) = (int (*)(void))(uintptr_t)p->hooks[k].fn[0];
    return fn();
}

HV_NOPATCH static int apply_one(struct lp_payload *p)
{
    int rc = p->hooks[LP_HOOK_APPLY].n ? call_action_hook(p, LP_HOOK_APPLY) : apply_patches(p);
    if (rc == 0) {
        p->state = LIVEPATCH_STATE_APPLIED;
        p->applied_order = ++applied_top;
    }
    return rc;
}

HV_NOPATCH static int revert_one(struct lp_payload *p)
{
    int rc = 0;
    if (p->hooks[LP_HOOK_REVERT].n)
        rc = call_action_hook(p, LP_HOOK_REVERT);
    else
        revert_patches(p);
    if (rc == 0) {
        p->state = LIVEPATCH_STATE_CHECKED;
        p->applied_order = 0;
        applied_top--;
    }
    return rc;
}

static struct lp_payload *applied_with_order(uint32_t order)
{
    for (struct lp_payload *p = payloads; p; p = p->next)
        if (p->state == LIVEPATCH_STATE_APPLIED && p->applied_order == order)
            return p;
    return NULL;
}

/* REPLACE: revert the stack newest first, apply p; on failure, re-apply what was reverted. */
HV_NOPATCH static int replace_all(struct lp_payload *p)
{
    struct lp_payload *reverted[LIVEPATCH_PAYLOADS_MAX];
    unsigned int n = 0;
    int rc = 0;
    while (rc == 0 && applied_top) {
        struct lp_payload *q = applied_with_order(applied_top);
        rc = revert_one(q);
        if (rc == 0)
            reverted[n++] = q;
    }
    if (rc == 0)
        rc = apply_one(p);
    if (rc)
        while (n)
            apply_one(reverted[--n]);
    return rc;
}

/* In the rendezvous: the action itself. */
HV_NOPATCH static int do_action(void)
{
    switch (work.cmd) {
    case LIVEPATCH_ACTION_APPLY:
        return apply_one(work.p);
    case LIVEPATCH_ACTION_REVERT:
        return revert_one(work.p);
    default:
        return replace_all(work.p);
    }
}

/*
 * Run the action with every vCPU thread waiting; -EBUSY if they did not
 * all come.  *held_ns: from the first thread stopping to the last one
 * resumed (the action alone if no vCPU thread exists); *resumed_ns: when
 * the last one resumed.
 */
HV_NOPATCH static int rendezvous_and_act(uint64_t timeout_ns, uint64_t *held_ns,
                                         uint64_t *resumed_ns)
{
    pthread_mutex_lock(&rv_lock);
    rv_generation++;
    rv_arrived = rv_left = 0;
    __atomic_store_n(&rv_wanted, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&rv_lock);
    uint64_t start = now_ns();
    kick_every_vcpu();
    pthread_mutex_lock(&rv_lock);
    int rc = wait_for_arrivals(timeout_ns) ? do_action() : -EBUSY;
    unsigned int stopped = rv_arrived;
    __atomic_store_n(&rv_wanted, 0, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&rv_cond);
    bool all_left = wait_for_leaves(stopped, timeout_ns);
    *resumed_ns = stopped && all_left ? rv_last_leave_ns : now_ns();
    *held_ns = *resumed_ns - (stopped ? rv_first_arrival_ns : start);
    pthread_mutex_unlock(&rv_lock);
    return rc;
}

/* ---- hooks that run on the main loop ---- */

static int run_pre_hooks(const struct lp_payload *p, enum lp_hook_kind k)
{
    for (size_t i = 0; i < p->hooks[k].n; i++) {
        int (*fn)(void) = (int (*)(void))(uintptr_t)p->hooks[k].fn[i];
        int rc = fn();
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void run_void_hooks(const struct lp_payload *p, enum lp_hook_kind k)
{
    for (size_t i = 0; i < p->hooks[k].n; i++)
        ((void (*)(void))(uintptr_t)p->hooks[k].fn[i])();
}

/* REPLACE's prerevert hooks: of every applied payload, newest first. */
static int run_prerevert_of_stack(void)
{
    for (uint32_t o = applied_top; o > 0; o--) {
        int rc = run_pre_hooks(applied_with_order(o), LP_HOOK_PREREVERT);
        if (rc)
            return rc;
    }
    return 0;
}

static int pre_hooks(void)
{
    switch (work.cmd) {
    case LIVEPATCH_ACTION_APPLY:
        return run_pre_hooks(work.p, LP_HOOK_PREAPPLY);
    case LIVEPATCH_ACTION_REVERT:
        return run_pre_hooks(work.p, LP_HOOK_PREREVERT);
    default: {
        int rc = run_prerevert_of_stack();
        return rc ? rc : run_pre_hooks(work.p, LP_HOOK_PREAPPLY);
    }
    }
}

static void post_hooks(void)
{
    if (work.cmd == LIVEPATCH_ACTION_REVERT) {
        run_void_hooks(work.p, LP_HOOK_POSTREVERT);
        return;
    }
    if (work.cmd == LIVEPATCH_ACTION_REPLACE)
        for (struct lp_payload *q = payloads; q; q = q->next)
            if (q != work.p && q->state == LIVEPATCH_STATE_CHECKED)
                run_void_hooks(q, LP_HOOK_POSTREVERT);
    run_void_hooks(work.p, LP_HOOK_POSTAPPLY);
}

static const char *action_name(uint32_t cmd)
{
    return cmd == LIVEPATCH_ACTION_APPLY    ? "apply"
           : cmd == LIVEPATCH_ACTION_REVERT ? "revert"
                                            : "replace";
}

HV_NOPATCH void livepatch_run_pending(void)
{
    if (!work.pending)
        return;
    uint64_t held = 0, resumed = now_ns();
    int rc = pre_hooks();
    if (rc == 0)
        rc = rendezvous_and_act(work.timeout_ns, &held, &resumed);
    if (rc == 0)
        post_hooks();
    work.p->rc = rc;
    work.p->action_ns = resumed - work.requested_ns;
    work.p->held_ns = held;
    work.pending = false;
    list_version++;
    if (rc)
        gprintk(&log_rl, "livepatch: '%s' %s failed: %s", work.p->name, action_name(work.cmd),
                rc == -EBUSY ? "not every hvd thread reached the rendezvous in time"
                             : strerror(-rc));
    else
        gprintk(&log_rl, "livepatch: '%s' %s done: %llu us from the request, threads held %llu us",
                work.p->name, action_name(work.cmd), (unsigned long long)work.p->action_ns / 1000u,
                (unsigned long long)work.p->held_ns / 1000u);
}

/* ---- the sysctl ---- */

static bool name_is_valid(const struct xen_livepatch_name *n)
{
    size_t len = strnlen(n->name, sizeof(n->name));
    if (len == 0 || len == sizeof(n->name))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = n->name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static struct lp_payload *payload_named(const char *name)
{
    for (struct lp_payload *p = payloads; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static struct lp_upload **upload_of(const void *client)
{
    struct lp_upload **u = &uploads;
    while (*u && (*u)->client != client)
        u = &(*u)->next;
    return u;
}

static void upload_drop(struct lp_upload **u)
{
    struct lp_upload *gone = *u;
    if (!gone)
        return;
    *u = gone->next;
    free(gone->buf);
    free(gone);
}

void livepatch_client_gone(const void *client)
{
    upload_drop(upload_of(client));
}

static int upload_begin(const void *client, const struct xen_sysctl_livepatch_upload *up)
{
    struct lp_upload **slot = upload_of(client);
    upload_drop(slot);
    if (up->size == 0)
        return -EINVAL;
    if (up->size > LIVEPATCH_PAYLOAD_MAX)
        return -E2BIG;
    if (payload_named(up->name.name))
        return -EEXIST;
    if (nr_payloads >= LIVEPATCH_PAYLOADS_MAX)
        return -ENOSPC;
    unsigned int in_progress = 0;
    for (const struct lp_upload *o = uploads; o; o = o->next)
        in_progress++;
    if (in_progress >= UPLOADS_MAX)
        return -EBUSY;
    struct lp_upload *u = calloc(1, sizeof(*u));
    if (!u || !(u->buf = malloc(up->size))) {
        free(u);
        return -ENOMEM;
    }
    u->client = client;
    memcpy(u->name, up->name.name, sizeof(u->name));
    u->size = up->size;
    u->next = *slot; /* where this client's last one was: the others stay */
    *slot = u;
    return 0;
}

/* Run each load hook; then the payload is in the list, CHECKED. */
static void payload_add(struct lp_payload *p)
{
    run_void_hooks(p, LP_HOOK_LOAD);
    struct lp_payload **tail = &payloads;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    nr_payloads++;
    list_version++;
}

static int upload_finish(struct lp_upload *u)
{
    static uint8_t hvd_id[LIVEPATCH_BUILD_ID_MAX];
    char error[256];
    int rc = symbols_init("/proc/self/exe");
    if (rc) {
        gprintk(&log_rl, "livepatch: '%s' refused: hvd cannot read its own symbols (%s)", u->name,
                strerror(-rc));
        return rc == -ENOEXEC ? rc : -ENOEXEC;
    }
    struct lp_env env = { .hvd_build_id = hvd_id,
                          .hvd_build_id_len = symbols_build_id(hvd_id, sizeof(hvd_id)),
                          .loaded = payloads,
                          .nopatch_lo = (uintptr_t)__start_hv_nopatch_text,
                          .nopatch_hi = (uintptr_t)__stop_hv_nopatch_text };
    struct lp_payload *p;
    rc = lp_load(u->name, u->buf, u->size, &env, &p, error, sizeof(error));
    if (rc) {
        gprintk(&log_rl, "livepatch: '%s' refused: %s", u->name, error);
        return rc;
    }
    for (size_t i = 0; i < p->nproviders; i++)
        ((struct lp_payload *)p->providers[i])->users++;
    payload_add(p);
    gprintk(&log_rl, "livepatch: '%s' loaded: %zu function%s, %llu octets", p->name, p->npatches,
            p->npatches == 1 ? "" : "s", (unsigned long long)p->memory);
    return 0;
}

static long livepatch_upload(const void *client, const struct xen_sysctl_livepatch_upload *up,
                             const void *piece, uint32_t len)
{
    if (!name_is_valid(&up->name))
        return -EINVAL;
    if (up->offset == 0) {
        int rc = upload_begin(client, up);
        if (rc)
            return rc;
    }
    struct lp_upload **slot = upload_of(client), *u = *slot;
    if (!u || strcmp(u->name, up->name.name) || u->size != up->size || up->offset != u->got ||
        len > u->size - u->got) {
        upload_drop(slot);
        return -EINVAL;
    }
    memcpy(u->buf + u->got, piece, len);
    u->got += len;
    if (u->got < u->size)
        return 0;
    int rc = upload_finish(u);
    upload_drop(slot);
    return rc;
}

static void fill_info(const struct lp_payload *p, struct xen_livepatch_info *i)
{
    memset(i, 0, sizeof(*i));
    memcpy(i->name.name, p->name, sizeof(i->name.name));
    i->status.state = p->state;
    i->status.rc = p->rc;
    i->nr_funcs = (uint32_t)p->npatches;
    i->applied_order = p->applied_order;
    memcpy(i->build_id, p->build_id, p->build_id_len);
    i->build_id_len = (uint32_t)p->build_id_len;
    memcpy(i->depends, p->depends, p->depends_len);
    i->depends_len = (uint32_t)p->depends_len;
    i->memory = p->memory;
    i->action_ns = p->action_ns;
    i->held_ns = p->held_ns;
}

static long livepatch_list(struct xen_sysctl_livepatch_list *l, struct privcmd_reply_extra *out)
{
    if (l->nr == 0 || l->nr > LIVEPATCH_PAYLOADS_MAX)
        return -EINVAL;
    struct xen_livepatch_info *info = out->buf;
    uint32_t idx = 0, n = 0, remaining = 0;
    for (const struct lp_payload *p = payloads; p; p = p->next, idx++) {
        if (idx < l->idx)
            continue;
        if (n < l->nr)
            fill_info(p, &info[n++]);
        else
            remaining++;
    }
    l->nr = n;
    l->remaining = remaining;
    l->version = list_version;
    out->buf_len = n * (uint32_t)sizeof(*info);
    return 0;
}

/* Refuse an action on p: rc, and why in hvd's log (patchtool shows it). */
static long refuse(const struct lp_payload *p, uint32_t cmd, long rc, const char *why)
{
    static const char *const verbs[] = { "", "unload", "revert", "apply", "replace" };
    gprintk(&log_rl, "livepatch: '%s' %s refused: %s", p->name,
            cmd < ARRAY_SIZE(verbs) ? verbs[cmd] : "action", why);
    return rc;
}

static long livepatch_unload(struct lp_payload *p)
{
    if (p->state != LIVEPATCH_STATE_CHECKED)
        return refuse(p, LIVEPATCH_ACTION_UNLOAD, -EBUSY, "it is applied (revert it first)");
    if (p->users)
        return refuse(p, LIVEPATCH_ACTION_UNLOAD, -EBUSY,
                      "a payload loaded after it uses it (unload that first)");
    run_void_hooks(p, LP_HOOK_UNLOAD);
    struct lp_payload **pp = &payloads;
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    for (size_t i = 0; i < p->nproviders; i++)
        ((struct lp_payload *)p->providers[i])->users--;
    nr_payloads--;
    list_version++;
    gprintk(&log_rl, "livepatch: '%s' unloaded", p->name);
    lp_free(p);
    return 0;
}

/* The state checks of docs/livepatch.md, "Operations". */
static long action_allowed(const struct lp_payload *p, const struct xen_sysctl_livepatch_action *a)
{
    const struct lp_payload *top = applied_with_order(applied_top);
    switch (a->cmd) {
    case LIVEPATCH_ACTION_REVERT:
        if (p->state != LIVEPATCH_STATE_APPLIED)
            return refuse(p, a->cmd, -EINVAL, "it is not applied");
        return p == top ? 0 : refuse(p, a->cmd, -EBUSY, "another payload was applied after it");
    case LIVEPATCH_ACTION_APPLY:
        if (p->state != LIVEPATCH_STATE_CHECKED)
            return refuse(p, a->cmd, -EINVAL, "it is applied already");
        if (a->flags & LIVEPATCH_ACTION_NODEPS)
            return 0;
        if (p->depends_len && !(top && top->build_id_len == p->depends_len &&
                                !memcmp(top->build_id, p->depends, p->depends_len)))
            return refuse(p, a->cmd, -EINVAL,
                          "it stacks on another payload, which is not the last applied");
        if (!p->depends_len && top)
            return refuse(p, a->cmd, -EINVAL,
                          "it stacks on nothing, and payloads are applied (replace, or --nodeps)");
        return 0;
    case LIVEPATCH_ACTION_REPLACE:
        return p->state == LIVEPATCH_STATE_CHECKED
                   ? 0
                   : refuse(p, a->cmd, -EINVAL, "it is applied already");
    default:
        return -EINVAL;
    }
}

static long livepatch_action(const struct xen_sysctl_livepatch_action *a)
{
    if (!name_is_valid(&a->name) || a->flags & ~LIVEPATCH_ACTION_NODEPS ||
        a->timeout_ns > LIVEPATCH_TIMEOUT_MAX_NS)
        return -EINVAL;
    struct lp_payload *p = payload_named(a->name.name);
    if (!p)
        return -ENOENT;
    if (work.pending)
        return refuse(p, a->cmd, -EBUSY, "another action is pending");
    if (a->cmd == LIVEPATCH_ACTION_UNLOAD)
        return livepatch_unload(p);
    long rc = action_allowed(p, a);
    if (rc)
        return rc;
    work.pending = true;
    work.cmd = a->cmd;
    work.p = p;
    work.timeout_ns = a->timeout_ns ? a->timeout_ns : LIVEPATCH_TIMEOUT_DEFAULT_NS;
    work.requested_ns = now_ns();
    p->rc = -EAGAIN;
    return 0;
}

long livepatch_sysctl(struct xen_sysctl_livepatch_op *op, const void *buf_in, uint32_t buf_in_len,
                      struct privcmd_reply_extra *out, const void *client)
{
    if (op->pad)
        return -EINVAL;
    switch (op->cmd) {
    case XEN_SYSCTL_LIVEPATCH_UPLOAD:
        return livepatch_upload(client, &op->u.upload, buf_in, buf_in_len);
    case XEN_SYSCTL_LIVEPATCH_GET: {
        if (!name_is_valid(&op->u.get.name))
            return -EINVAL;
        const struct lp_payload *p = payload_named(op->u.get.name.name);
        if (!p)
            return -ENOENT;
        op->u.get.status.state = p->state;
        op->u.get.status.rc = p->rc;
        return 0;
    }
    case XEN_SYSCTL_LIVEPATCH_LIST:
        return livepatch_list(&op->u.list, out);
    case XEN_SYSCTL_LIVEPATCH_ACTION:
        return livepatch_action(&op->u.action);
    default:
        return -EOPNOTSUPP;
    }
}

uint64_t livepatch_memory(void)
{
    uint64_t total = 0;
    for (const struct lp_payload *p = payloads; p; p = p->next)
        total += p->memory;
    for (const struct lp_upload *u = uploads; u; u = u->next)
        total += sizeof(*u) + u->size;
    return total;
}
