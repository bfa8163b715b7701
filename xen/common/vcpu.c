/*
 * vCPUs: one thread each, running KVM_RUN.  Every return to the guest
 * passes check_for_vcpu_work(), where the thread parks while the domain is
 * paused, shut down, or the vCPU is down, blocked or held back by the
 * throttle (throttle.c), and exits when the domain dies.  Other threads make a vCPU come back to it with vcpu_kick().
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <hv/public/vcpu.h>
#include <xen/arch.h>
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/sched.h>
#include <xen/livepatch.h>

#define SIG_KICK         SIGUSR1
#define PARK_WAIT_MAX_MS 500l /* the longest the main thread waits for vCPUs to park */

HV_NOPATCH static void kick_handler(int sig)
{
    (void)sig; /* only here to interrupt KVM_RUN with EINTR */
}

void vcpu_signals_init(void)
{
    struct sigaction sa = { .sa_handler = kick_handler }; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_KICK, &sa, NULL);
}

/* Called with d->lock held. */
static bool vcpu_must_park(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return !d->dying &&
           (d->pause_count || d->is_shutdown || !v->online || v->blocked || v->polling);
}

/*
 * Called with d->lock held: until when the throttle holds v back (its
 * now_ns() time), or 0 if it does not; a hold that is over is dropped.
 */
static uint64_t vcpu_throttled_until(struct vcpu *v)
{
    if (!v->throttle_until)
        return 0;
    if (!v->domain->dying && now_ns() < v->throttle_until)
        return v->throttle_until;
    v->throttle_until = 0;
    return 0;
}

/* Called with d->lock held: sleep until kicked or, if until, that time. */
static void vcpu_park_wait(struct vcpu *v, uint64_t until)
{
    struct domain *d = v->domain;
    if (!until) {
        pthread_cond_wait(&d->cond, &d->lock);
        return;
    }
    /* d->cond waits on CLOCK_MONOTONIC, as now_ns() reads. */
    struct timespec ts = { .tv_sec = (time_t)(until / 1000000000ull),
                           .tv_nsec = (long)(until % 1000000000ull) };
    pthread_cond_timedwait(&d->cond, &d->lock, &ts);
}

/* What a parked vCPU counts as in its runstate. */
static uint32_t parked_runstate(const struct vcpu *v)
{
    if (!v->online)
        return RUNSTATE_offline;
    return v->blocked || v->polling ? RUNSTATE_blocked : RUNSTATE_runnable;
}

void runstate_change(struct vcpu *v, uint32_t state)
{
    if (v->runstate == state)
        return;
    uint64_t now = domain_system_time(v->domain);
    v->runstate_time[v->runstate] += now - v->runstate_entry;
    v->runstate_entry = now;
    v->runstate = state;
}

/*
 * A context another vCPU gave this one with VCPUOP_initialise while it was
 * still on its way out of the guest: applied here, by the vCPU's own
 * thread, once its last exit is complete.  With d->lock held.
 */
static void vcpu_apply_pending_context(struct vcpu *v)
{
    struct domain *d = v->domain;
    if (!v->context_pending)
        return;
    v->context_pending = false;
    if (arch_set_vcpu_context(v, v->pending_context) == 0)
        return;
    v->initialised = v->online = false; /* KVM refused it: the vCPU stays down */
    gprintk(&d->log_rl, "d%u v%u: VCPUOP_initialise context refused by KVM: vCPU left down",
            d->domid, v->vcpu_id);
}

/*
 * Halt polling.  A vCPU that blocks (hlt, SCHEDOP_block, SCHEDOP_poll) is
 * often sent its event by another vCPU within microseconds.  Parking costs
 * a futex sleep here and a wake-up through the scheduler there, so the
 * thread first polls for a while, giving the CPU away (sched_yield) between
 * looks, never spinning on it: the vCPU that will send the event may need
 * this very CPU.  Any kick ends the poll (vcpu_wake_for_event(), a pause,
 * destroy: each sets immediate_exit).  So does a yield that gave the CPU
 * to some other work for long, as KVM stops polling when another task is
 * runnable: on a busy CPU polling only delays the wake-up, which as a
 * sleeper's would preempt that work.  The window adapts as KVM's
 * halt_poll_ns does: it grows while blocks end just after it, and drops to
 * nothing after a block longer than the maximum (an idle guest).
 */
#define HALT_POLL_START_NS 10000ull
#define HALT_POLL_YIELD_NS 50000ull /* a yield this long: the CPU is wanted */
static uint64_t halt_poll_max_ns = HALT_POLL_DEFAULT_US * 1000ull;

void vcpu_set_halt_poll_max(uint64_t ns)
{
    halt_poll_max_ns = ns;
}

/* With d->lock held: blocked, and nothing else keeps the vCPU out. */
static bool vcpu_only_blocked(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return !d->dying && !d->pause_count && !d->is_shutdown && v->online && !v->context_pending &&
           (v->blocked || v->polling);
}

static void halt_poll_adapt(struct vcpu *v, uint64_t blocked_ns)
{
    if (blocked_ns <= v->halt_poll_ns)
        return; /* the window was long enough */
    if (blocked_ns > halt_poll_max_ns)
        v->halt_poll_ns = 0;
    else if (v->halt_poll_ns < halt_poll_max_ns)
        v->halt_poll_ns = v->halt_poll_ns ? v->halt_poll_ns * 2 : HALT_POLL_START_NS;
    if (v->halt_poll_ns > halt_poll_max_ns)
        v->halt_poll_ns = halt_poll_max_ns;
}

/* Called with d->lock held and dropped for the poll: true if kicked in time. */
static bool halt_poll(struct vcpu *v, uint64_t start)
{
    struct domain *d = v->domain;
    pthread_mutex_unlock(&d->lock);
    bool kicked, busy = false;
    uint64_t now = start;
    while (!(kicked = __atomic_load_n(&v->run->immediate_exit, __ATOMIC_ACQUIRE)) && !busy &&
           now - start < v->halt_poll_ns) {
        sched_yield();
        uint64_t before = now;
        now = now_ns();
        busy = now - before > HALT_POLL_YIELD_NS;
    }
    pthread_mutex_lock(&d->lock);
    return kicked;
}

/*
 * Returns true when the vCPU may enter the guest (or must leave, its
 * domain dying), false when a live-patch rendezvous wants the thread
 * first: it then comes back here after waiting at its safe point, and a
 * blocked or paused vCPU parks again, its wake-up conditions unchanged.
 */
bool check_for_vcpu_work(struct vcpu *v)
{
    struct domain *d = v->domain;
    pthread_mutex_lock(&d->lock);
    uint64_t block_start = 0;
    if (halt_poll_max_ns && vcpu_only_blocked(v)) {
        block_start = now_ns();
        if (v->halt_poll_ns && halt_poll(v, block_start) && !vcpu_must_park(v) &&
            !v->context_pending && !vcpu_throttled_until(v) && !livepatch_rendezvous_wanted()) {
            /* Woken while polling: back to the guest, no exit to complete. */
            __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&d->lock);
            return true;
        }
    }
    if (vcpu_must_park(v) || v->context_pending || vcpu_throttled_until(v)) {
        pthread_mutex_unlock(&d->lock);
        arch_vcpu_complete_exit(v);
        pthread_mutex_lock(&d->lock);
    }
    for (;;) {
        vcpu_apply_pending_context(v);
        bool park = vcpu_must_park(v);
        uint64_t throttled_until = park ? 0 : vcpu_throttled_until(v);
        if (!park && !throttled_until)
            break;
        if (livepatch_rendezvous_wanted()) {
            v->parked = false;
            pthread_mutex_unlock(&d->lock);
            return false;
        }
        v->parked = true;
        runstate_change(v, parked_runstate(v));
        pthread_cond_broadcast(&d->cond);
        vcpu_park_wait(v, throttled_until);
    }
    v->parked = false;
    if (block_start)
        halt_poll_adapt(v, now_ns() - block_start);
    /* A rendezvous is wanted before its kick is sent (with d->lock held). */
    if (livepatch_rendezvous_wanted()) {
        pthread_mutex_unlock(&d->lock);
        return false;
    }
    runstate_change(v, RUNSTATE_running);
    /* Kicks are sent with d->lock held, so clearing here loses none. */
    __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&d->lock);
    return true;
}

/*
 * The thread's safe point for live patching is this loop, between two
 * passes through check_for_vcpu_work(): nothing patchable is then on its
 * stack (docs/livepatch.md, "The rendezvous").
 */
HV_NOPATCH static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    livepatch_vcpu_thread_start();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIG_KICK);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    for (;;) {
        if (livepatch_rendezvous_wanted()) {
            livepatch_vcpu_rendezvous();
            continue;
        }
        if (!check_for_vcpu_work(v))
            continue;
        if (__atomic_load_n(&v->domain->dying, __ATOMIC_ACQUIRE))
            break;
        arch_vcpu_run_once(v);
    }
    livepatch_vcpu_thread_exit();
    return NULL;
}

/*
 * vCPU threads run on stacks from dalloc(): they are counted as the
 * domain's overhead, and freed with it rather than kept in glibc's stack
 * cache, so a destroyed domain leaves no mapping behind.
 */
#define VCPU_STACK_SIZE (128u * 1024u)

int vcpu_start_thread(struct vcpu *v)
{
    if (v->thread_started)
        return 0;
    if (!v->stack)
        v->stack = dalloc_nozero(v->domain, VCPU_STACK_SIZE);
    if (!v->stack || fault_point(v->domain))
        return -ENOMEM;
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0)
        rc = pthread_attr_setstack(&attr, v->stack, VCPU_STACK_SIZE);
    if (rc == 0)
        rc = pthread_create(&v->thread, &attr, vcpu_thread, v);
    pthread_attr_destroy(&attr);
    if (rc)
        return -rc;
    v->thread_started = true;
    return 0;
}

/*
 * vCPU creation steps: struct, KVM vCPU (fd, kvm_run, CPUID), timer.  The
 * thread is started at the domain's first unpause (vcpu_start_thread()):
 * a domain that never runs never pays for one.
 */
int vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = dalloc(d, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->domain = d;
    v->vcpu_id = id;
    v->fd = v->timer_fd = -1;
    v->runstate = RUNSTATE_offline;
    d->vcpus[id] = v;
    v->pending_context = dalloc(d, sizeof(*v->pending_context));
    if (!v->pending_context)
        return -ENOMEM;
    int rc = arch_vcpu_create(v);
    return rc ? rc : timer_init(v);
}

/*
 * Requires the domain to be dying and the thread kicked.  Never waits for
 * the thread: -ERESTART while it has not left yet (it leaves at its next
 * pass through check_for_vcpu_work()), so destroy cannot block hvd.
 */
int vcpu_destroy(struct vcpu *v)
{
    if (!v)
        return 0;
    if (v->thread_started) {
        if (pthread_tryjoin_np(v->thread, NULL) == EBUSY)
            return -ERESTART;
        v->thread_started = false;
    }
    timer_teardown(v);
    arch_vcpu_destroy(v);
    dfree(v->domain, v->pending_context);
    dfree(v->domain, v->stack);
    dfree(v->domain, v);
    return 0;
}

void vcpu_kick(struct vcpu *v)
{
    if (!v->run)
        return;
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    /*
     * Only a thread inside KVM_RUN needs the signal.  It sets in_guest
     * before entering, and we set immediate_exit before looking (both
     * sequentially consistent): if we see in_guest clear, its KVM_RUN is
     * still to come and returns at once.  A thread in hvd's own code
     * comes back through check_for_vcpu_work(); a parked one needs only
     * the condition variable.
     */
    if (v->thread_started && __atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST))
        pthread_kill(v->thread, SIG_KICK);
}

/*
 * CPU time: a vCPU that spins in the guest without exits would show none
 * until it leaves KVM_RUN, so readers add the current run's time so far.
 * The vCPU's thread is the only writer, under a sequence count that is odd
 * while it writes; a reader retries until it saw a stable even count.
 */
static void time_write(struct vcpu *v, uint64_t entry, uint64_t cpu_time)
{
    __atomic_store_n(&v->time_seq, v->time_seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the odd count before the fields */
    __atomic_store_n(&v->run_entry_ns, entry, __ATOMIC_RELAXED);
    __atomic_store_n(&v->cpu_time_ns, cpu_time, __ATOMIC_RELAXED);
    __atomic_store_n(&v->time_seq, v->time_seq + 1, __ATOMIC_RELEASE);
}

void vcpu_time_enter(struct vcpu *v, uint64_t now)
{
    time_write(v, now, v->cpu_time_ns);
}

void vcpu_time_leave(struct vcpu *v, uint64_t now)
{
    time_write(v, 0, v->cpu_time_ns + (now - v->run_entry_ns));
}

uint64_t vcpu_cpu_time(const struct vcpu *v)
{
    uint32_t seq;
    uint64_t entry, cpu_time;
    do {
        seq = __atomic_load_n(&v->time_seq, __ATOMIC_ACQUIRE);
        entry = __atomic_load_n(&v->run_entry_ns, __ATOMIC_RELAXED);
        cpu_time = __atomic_load_n(&v->cpu_time_ns, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the fields before the count again */
    } while ((seq & 1) || seq != __atomic_load_n(&v->time_seq, __ATOMIC_RELAXED));
    uint64_t now = entry ? now_ns() : 0;
    return cpu_time + (now > entry ? now - entry : 0);
}

/* Called with d->lock held, after changing what vcpu_must_park() looks at. */
void domain_kick_all(struct domain *d)
{
    pthread_cond_broadcast(&d->cond);
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        if (d->vcpus[i])
            vcpu_kick(d->vcpus[i]);
    }
}

bool domain_vcpus_parked(const struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];
        if (v && v->thread_started && !v->parked)
            return false;
    }
    return true;
}

/*
 * Called with d->lock held: wait until every started vCPU thread is
 * parked.  A vCPU parks as soon as it leaves the guest or finishes its
 * hypercall (long ones are preemptible), so this takes microseconds; the
 * bound only keeps the main thread from ever hanging on a vCPU: past it,
 * -ETIMEDOUT.
 */
int domain_wait_parked(struct domain *d)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += PARK_WAIT_MAX_MS * 1000000l;
    deadline.tv_sec += deadline.tv_nsec / 1000000000l;
    deadline.tv_nsec %= 1000000000l;
    while (!domain_vcpus_parked(d)) {
        if (pthread_cond_timedwait(&d->cond, &d->lock, &deadline) == ETIMEDOUT)
            return domain_vcpus_parked(d) ? 0 : -ETIMEDOUT;
    }
    return 0;
}

void vcpu_wake_for_event(struct vcpu *v, uint32_t port)
{
    struct domain *d = v->domain;
    pthread_mutex_lock(&d->lock);
    v->blocked = false;
    for (unsigned int i = 0; v->polling && i < v->nr_poll_ports; i++) {
        if (v->poll_ports[i] == port)
            v->polling = false;
    }
    pthread_cond_broadcast(&d->cond);
    vcpu_kick(v); /* out of KVM_RUN, so the upcall is injected on the way back */
    pthread_mutex_unlock(&d->lock);
}

/*
 * VCPUOP_initialise: give a down vCPU a context.  A parked target takes
 * it at once.  One still on its way out of the guest (taken down a moment
 * ago, or itself in a hypercall) is never waited for — two vCPUs could
 * wait for each other — its own thread applies the context before it next
 * runs or parks (check_for_vcpu_work()).
 */
static long vcpu_initialise(struct vcpu *v, struct vcpu *target, uint64_t arg)
{
    struct domain *d = v->domain;
    struct hv_vcpu_context ctx;
    if (copy_from_guest(v, &ctx, arg, sizeof(ctx)))
        return -XEN_EFAULT;
    pthread_mutex_lock(&d->lock);
    long rc = -XEN_EEXIST;
    if (!target->online) {
        rc = 0;
        if (target->parked || !target->thread_started) {
            target->context_pending = false; /* a later context replaces it */
            rc = arch_set_vcpu_context(target, &ctx) ? -XEN_EINVAL : 0;
        } else {
            *target->pending_context = ctx;
            target->context_pending = true;
            vcpu_kick(target);
        }
        target->initialised |= rc == 0;
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

static unsigned int vcpus_online(const struct domain *d)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        n += d->vcpus[i]->online;
    return n;
}

static long vcpu_up_down(struct vcpu *target, uint64_t cmd)
{
    struct domain *d = target->domain;
    long rc = 0;
    pthread_mutex_lock(&d->lock);
    if (cmd == VCPUOP_is_up) {
        rc = target->online;
    } else if (cmd == VCPUOP_up) {
        if (!target->initialised)
            rc = -XEN_EINVAL;
        else
            target->online = true;
    } else if (target->online) {
        if (vcpus_online(d) == 1)
            rc = -XEN_EBUSY;
        else
            target->online = false;
    }
    domain_kick_all(d);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

static long vcpu_runstate(struct vcpu *v, struct vcpu *target, uint64_t arg)
{
    struct vcpu_runstate_info info = { 0 };
    pthread_mutex_lock(&v->domain->lock);
    uint64_t now = domain_system_time(v->domain);
    info.state = target->runstate;
    info.state_entry_time = target->runstate_entry;
    memcpy(info.time, target->runstate_time, sizeof(info.time));
    info.time[target->runstate] += now - target->runstate_entry;
    pthread_mutex_unlock(&v->domain->lock);
    return copy_to_guest(v, arg, &info, sizeof(info)) ? -XEN_EFAULT : 0;
}

long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct domain *d = v->domain;
    if (vcpuid >= d->max_vcpus)
        return -XEN_EINVAL;
    struct vcpu *target = d->vcpus[vcpuid];
    switch (cmd) {
    case VCPUOP_initialise:
        return target == v ? -XEN_EEXIST : vcpu_initialise(v, target, arg);
    case VCPUOP_up:
    case VCPUOP_down:
    case VCPUOP_is_up:
        return vcpu_up_down(target, cmd);
    case VCPUOP_get_runstate_info:
        return vcpu_runstate(v, target, arg);
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
        return target == v ? vcpu_op_timer(v, cmd, arg) : -XEN_EINVAL;
    default:
        return -XEN_ENOSYS;
    }
}
