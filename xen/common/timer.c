/*
 * vCPU timers: the singleshot timer (set_timer_op, VCPUOP_*_singleshot_timer)
 * that raises VIRQ_TIMER, and the SCHEDOP_poll timeout.  Deadlines are in
 * the domain's system time (its KVM clock); each vCPU has one timerfd on
 * CLOCK_BOOTTIME, the clock KVM's clock follows, armed for the nearer of
 * the two and watched by the main loop.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <hv/public/vcpu.h>
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/privcmd.h>
#include <xen/sched.h>

static uint64_t boottime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t domain_system_time(const struct domain *d)
{
    return boottime_ns() - (uint64_t)d->kvmclock_offset_ns;
}

int timer_init(struct vcpu *v)
{
    if (fault_point(v->domain))
        return -ENOMEM;
    v->timer_fd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
    if (v->timer_fd < 0)
        return -errno;
    return privcmd_watch_timer(v->timer_fd, v); /* a fault point: dalloc */
}

void timer_teardown(struct vcpu *v)
{
    if (v->timer_fd < 0)
        return;
    privcmd_unwatch(v->timer_fd);
    close(v->timer_fd);
    v->timer_fd = -1;
}

/* Arm the timerfd for the nearest deadline.  domain->lock held. */
static void timer_arm_locked(struct vcpu *v)
{
    uint64_t next = v->singleshot_deadline;
    if (v->poll_deadline && (!next || v->poll_deadline < next))
        next = v->poll_deadline;
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    if (next) {
        /* System time -> CLOCK_BOOTTIME; 1 ns stands for "already due". */
        uint64_t at = next + (uint64_t)v->domain->kvmclock_offset_ns;
        its.it_value.tv_sec = (time_t)(at / 1000000000ull);
        its.it_value.tv_nsec = (long)(at % 1000000000ull);
        if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
            its.it_value.tv_nsec = 1;
    }
    timerfd_settime(v->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void timer_arm(struct vcpu *v)
{
    pthread_mutex_lock(&v->domain->lock);
    timer_arm_locked(v);
    pthread_mutex_unlock(&v->domain->lock);
}

void timer_fired(struct vcpu *v)
{
    struct domain *d = v->domain;
    uint64_t expirations;
    if (read(v->timer_fd, &expirations, sizeof(expirations)) < 0)
        return; /* re-armed meanwhile: nothing is due */
    uint64_t now = domain_system_time(d);
    pthread_mutex_lock(&d->lock);
    if (d->pause_count) {
        /* A paused domain's time stands still for it (see save.c): its
         * timers fire when it runs again (timer_arm at unpause). */
        pthread_mutex_unlock(&d->lock);
        return;
    }
    bool single = v->singleshot_deadline && now >= v->singleshot_deadline;
    if (single)
        v->singleshot_deadline = 0;
    if (v->poll_deadline && now >= v->poll_deadline) {
        v->poll_deadline = 0;
        v->polling = false;
        pthread_cond_broadcast(&d->cond);
    }
    timer_arm_locked(v);
    pthread_mutex_unlock(&d->lock);
    if (single)
        evtchn_send_virq(d, v, VIRQ_TIMER);
}

static void singleshot_set(struct vcpu *v, uint64_t deadline)
{
    pthread_mutex_lock(&v->domain->lock);
    v->singleshot_deadline = deadline;
    timer_arm_locked(v);
    pthread_mutex_unlock(&v->domain->lock);
}

long do_set_timer_op(struct vcpu *v, uint64_t timeout)
{
    singleshot_set(v, timeout); /* 0 stops it; a past time fires at once */
    return 0;
}

long vcpu_op_timer(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    if (cmd == VCPUOP_stop_singleshot_timer) {
        singleshot_set(v, 0);
        return 0;
    }
    struct vcpu_set_singleshot_timer t;
    if (copy_from_guest(v, &t, arg, sizeof(t)))
        return -XEN_EFAULT;
    if (t.pad || (t.flags & ~VCPU_SSHOTTMR_future))
        return -XEN_EINVAL;
    if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < domain_system_time(v->domain))
        return -XEN_ETIME;
    singleshot_set(v, t.timeout_abs_ns ? t.timeout_abs_ns : 1);
    return 0;
}

/* shared_info's wall clock: the host's time at system time 0, plus the offset. */
void time_update_wallclock(struct domain *d)
{
    struct shared_info *si = d->shared_info;
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    uint64_t real_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
    uint64_t at_zero = real_ns - domain_system_time(d);
    __atomic_add_fetch(&si->wc_version, 1, __ATOMIC_SEQ_CST); /* odd: being updated */
    si->wc_sec = at_zero / 1000000000ull + (uint64_t)d->time_offset_seconds;
    si->wc_nsec = (uint32_t)(at_zero % 1000000000ull);
    __atomic_add_fetch(&si->wc_version, 1, __ATOMIC_SEQ_CST);
}
