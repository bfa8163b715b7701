/*
 * vCPUs: one thread each, running KVM_RUN.  Every return to the guest
 * passes check_for_vcpu_work(), where the thread parks while the domain is
 * paused, shut down, or the vCPU is down or blocked, and exits when the
 * domain dies.  Other threads make a vCPU come back to it with vcpu_kick().
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <xen/arch.h>
#include <xen/sched.h>

#define SIG_KICK SIGUSR1

static void kick_handler(int sig)
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
    return !d->dying && (d->pause_count || d->is_shutdown || !v->online || v->blocked);
}

void check_for_vcpu_work(struct vcpu *v)
{
    struct domain *d = v->domain;
    pthread_mutex_lock(&d->lock);
    if (vcpu_must_park(v)) {
        pthread_mutex_unlock(&d->lock);
        arch_vcpu_complete_exit(v);
        pthread_mutex_lock(&d->lock);
    }
    while (vcpu_must_park(v)) {
        v->parked = true;
        pthread_cond_broadcast(&d->cond);
        pthread_cond_wait(&d->cond, &d->lock);
    }
    v->parked = false;
    /* Kicks are sent with d->lock held, so clearing here loses none. */
    __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&d->lock);
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIG_KICK);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    for (;;) {
        check_for_vcpu_work(v);
        if (__atomic_load_n(&v->domain->dying, __ATOMIC_ACQUIRE))
            break;
        arch_vcpu_run_once(v);
    }
    return NULL;
}

/*
 * vCPU threads run on stacks from dalloc(): they are counted as the
 * domain's overhead, and freed with it rather than kept in glibc's stack
 * cache, so a destroyed domain leaves no mapping behind.
 */
#define VCPU_STACK_SIZE (128u * 1024u)

static int vcpu_start_thread(struct vcpu *v)
{
    v->stack = dalloc(v->domain, VCPU_STACK_SIZE);
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

/* vCPU creation steps: struct, KVM vCPU (fd, kvm_run, CPUID), thread. */
int vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = dalloc(d, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->domain = d;
    v->vcpu_id = id;
    v->fd = -1;
    d->vcpus[id] = v;
    int rc = arch_vcpu_create(v);
    return rc ? rc : vcpu_start_thread(v);
}

/* Requires the domain to be dying and the thread kicked. */
void vcpu_destroy(struct vcpu *v)
{
    if (!v)
        return;
    if (v->thread_started)
        pthread_join(v->thread, NULL);
    arch_vcpu_destroy(v);
    dfree(v->domain, v->stack);
    dfree(v->domain, v);
}

void vcpu_kick(struct vcpu *v)
{
    if (!v->run)
        return;
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (v->thread_started)
        pthread_kill(v->thread, SIG_KICK);
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

/* Called with d->lock held: wait until every started vCPU thread is parked. */
void domain_wait_parked(struct domain *d)
{
    for (;;) {
        bool all = true;
        for (unsigned int i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpus[i];
            if (v && v->thread_started && !v->parked)
                all = false;
        }
        if (all)
            return;
        pthread_cond_wait(&d->cond, &d->lock);
    }
}
