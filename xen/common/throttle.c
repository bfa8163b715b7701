/*
 * vCPU throttling (XEN_DOMCTL_throttle): the auto-converge of live
 * migration, as QEMU's cpu-throttle.  A guest that dirties memory faster
 * than the sender can copy it is slowed down until the copy catches up.
 *
 * The main loop wakes at the start of every HV_THROTTLE_PERIOD_MS period
 * while any domain is throttled (throttle_run()).  For each throttled
 * domain it sets each vCPU's throttle_until to percent % of the period
 * from now and kicks it; check_for_vcpu_work() (vcpu.c) keeps the thread
 * parked until then.  A vCPU held back counts as parked, so a pause or a
 * destroy does not wait for its hold to end, and its runstate is runnable.
 *
 * Like log-dirty mode, the throttle belongs to the control connection
 * that set it: when that connection closes, the domain runs at full speed
 * again.
 */
#include <errno.h>
#include <xen/privcmd.h>
#include <xen/sched.h>
#include <xen/throttle.h>

#define PERIOD_NS (HV_THROTTLE_PERIOD_MS * 1000000ull)

static unsigned int nr_throttled; /* domains with a percent above 0 */
static uint64_t next_period;      /* when throttle_run() starts the next period */

/* Hold d's vCPUs back until `until` (0: let them go now). */
static void throttle_hold(struct domain *d, uint64_t until)
{
    pthread_mutex_lock(&d->lock);
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        d->vcpus[i]->throttle_until = until;
        if (until)
            vcpu_kick(d->vcpus[i]);
    }
    pthread_cond_broadcast(&d->cond); /* a vCPU held back re-reads throttle_until */
    pthread_mutex_unlock(&d->lock);
}

static void throttle_set(struct domain *d, uint32_t percent, const void *owner)
{
    if (percent && !d->throttle_percent) {
        nr_throttled++;
        next_period = 0; /* the first period starts at once */
    } else if (!percent && d->throttle_percent) {
        nr_throttled--;
    }
    d->throttle_percent = percent;
    d->throttle_owner = percent ? owner : NULL;
    if (!percent)
        throttle_hold(d, 0);
}

long throttle_domctl(struct domain *d, const struct xen_domctl_throttle *t, const void *client)
{
    if (t->percent > HV_THROTTLE_MAX || t->pad)
        return -EINVAL;
    if (t->percent && t->percent != d->throttle_percent)
        gprintk(&d->log_rl, "d%u: vCPUs throttled by %u%%", d->domid, t->percent);
    else if (!t->percent && d->throttle_percent)
        gprintk(&d->log_rl, "d%u: throttle off", d->domid);
    throttle_set(d, t->percent, client);
    return 0;
}

void throttle_client_gone(const void *client)
{
    for (struct domain *d = domain_first_from(0); d; d = domain_next(d)) {
        if (!d->throttle_percent || d->throttle_owner != client)
            continue;
        gprintk(&d->log_rl, "d%u: throttle off: the connection that set it closed", d->domid);
        throttle_set(d, 0, NULL);
    }
}

void throttle_domain_gone(struct domain *d)
{
    if (d->throttle_percent)
        throttle_set(d, 0, NULL);
}

uint64_t throttle_run(uint64_t now)
{
    if (!nr_throttled)
        return UINT64_MAX;
    if (now < next_period)
        return next_period;
    for (struct domain *d = domain_first_from(0); d; d = domain_next(d)) {
        if (d->throttle_percent && !d->dying)
            throttle_hold(d, now + PERIOD_NS * d->throttle_percent / 100);
    }
    next_period = now + PERIOD_NS;
    return next_period;
}
