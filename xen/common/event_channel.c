/*
 * Event channels, two-level: pending and mask bitmaps in the shared-info
 * page, a per-vCPU selector, an upcall vector injected by the vCPU's own
 * thread on its way into the guest (arch/x86/run.c).
 *
 * Every domain's channel table is under domlist_lock (domain.c), the lock
 * that also guards the domain list as seen from vCPU threads, so an
 * interdomain send never races with the peer's teardown: teardown closes
 * the domain's channels under the same lock before anything they point to
 * is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <hv/public/event_channel.h>
#include <hv/public/save.h>
#include <hv/public/sysctl.h>
#include <xen/event.h>
#include <xen/guest_access.h>
#include <xen/sched.h>

static bool test_and_set_bit(uint64_t *words, uint32_t bit)
{
    uint64_t m = 1ull << (bit % 64);
    return __atomic_fetch_or(&words[bit / 64], m, __ATOMIC_SEQ_CST) & m;
}

static bool test_bit(const uint64_t *words, uint32_t bit)
{
    return __atomic_load_n(&words[bit / 64], __ATOMIC_SEQ_CST) & (1ull << (bit % 64));
}

static void clear_bit(uint64_t *words, uint32_t bit)
{
    __atomic_fetch_and(&words[bit / 64], ~(1ull << (bit % 64)), __ATOMIC_SEQ_CST);
}

int evtchn_init(struct domain *d)
{
    d->evtchn = dalloc_array(d, HV_EVTCHN_PORTS, sizeof(*d->evtchn));
    if (!d->evtchn)
        return -ENOMEM;
    for (uint32_t p = 0; p < HV_EVTCHN_PORTS; p++)
        d->evtchn[p].host_fd = -1;
    return 0;
}

bool evtchn_port_pending(struct domain *d, uint32_t port)
{
    return port < HV_EVTCHN_PORTS && test_bit(d->shared_info->evtchn_pending, port);
}

bool evtchn_upcall_pending(struct vcpu *v)
{
    if (v->vcpu_id >= HV_SHARED_INFO_VCPUS || !v->domain->shared_info)
        return false;
    return __atomic_load_n(&v->domain->shared_info->vcpu_info[v->vcpu_id].evtchn_upcall_pending,
                           __ATOMIC_SEQ_CST);
}

bool evtchn_upcall_deliverable(struct vcpu *v)
{
    if (v->vcpu_id >= HV_SHARED_INFO_VCPUS || !v->domain->shared_info)
        return false;
    struct vcpu_info *vi = &v->domain->shared_info->vcpu_info[v->vcpu_id];
    return __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) &&
           !__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST);
}

/* Mark port pending in d and notify its vCPU.  domlist_lock held. */
static void evtchn_set_pending(struct domain *d, uint32_t port)
{
    struct evtchn *ch = &d->evtchn[port];
    if (d->dying || ch->vcpu >= d->max_vcpus)
        return;
    struct vcpu *v = d->vcpus[ch->vcpu];
    struct shared_info *si = d->shared_info;
    if (test_and_set_bit(si->evtchn_pending, port))
        return;
    if (!test_bit(si->evtchn_mask, port) && v->vcpu_id < HV_SHARED_INFO_VCPUS) {
        struct vcpu_info *vi = &si->vcpu_info[v->vcpu_id];
        test_and_set_bit(&vi->evtchn_pending_sel, port / 64);
        __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    }
    vcpu_wake_for_event(v, port); /* pollers wake even for masked ports */
}

static void notify_host(struct evtchn *ch)
{
    uint64_t one = 1;
    if (write(ch->host_fd, &one, sizeof(one)) < 0) {
        /* The counter is saturated: the host has plenty to read already. */
    }
}

/* Deliver a send on local port p of d.  domlist_lock held. */
static long evtchn_deliver(struct domain *d, uint32_t port)
{
    struct evtchn *ch = &d->evtchn[port];
    switch (ch->state) {
    case EVTCHNSTAT_interdomain:
        if (ch->to_host) {
            notify_host(ch);
        } else {
            struct domain *peer = domain_lookup(ch->remote_dom, false);
            if (peer)
                evtchn_set_pending(peer, ch->remote_port);
        }
        return 0;
    case EVTCHNSTAT_ipi:
        evtchn_set_pending(d, port);
        return 0;
    case EVTCHNSTAT_unbound:
        ch->send_dropped = true; /* nobody listens yet: raised at the bind */
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

static uint32_t evtchn_alloc_port(struct domain *d)
{
    for (uint32_t p = 1; p < HV_EVTCHN_PORTS; p++) {
        if (d->evtchn[p].state == EVTCHNSTAT_closed)
            return p;
    }
    return 0;
}

static bool port_valid(uint32_t port)
{
    return port > 0 && port < HV_EVTCHN_PORTS;
}

/* Close local port p: the peer's end goes back to unbound.  domlist_lock held. */
static void evtchn_close_port(struct domain *d, uint32_t port)
{
    struct evtchn *ch = &d->evtchn[port];
    if (ch->state == EVTCHNSTAT_interdomain && !ch->to_host) {
        /* Even dying: its end must go back to unbound before it is freed. */
        struct domain *peer = domain_lookup(ch->remote_dom, true);
        if (peer && peer->evtchn) {
            struct evtchn *pc = &peer->evtchn[ch->remote_port];
            pc->state = EVTCHNSTAT_unbound;
            pc->remote_dom = d->domid;
            pc->remote_port = 0;
        }
    } else if (ch->state == EVTCHNSTAT_virq && ch->remote_port < NR_VIRQS) {
        if (ch->remote_port == VIRQ_TIMER && ch->vcpu < d->max_vcpus && d->vcpus[ch->vcpu])
            d->vcpus[ch->vcpu]->virq_port[VIRQ_TIMER] = 0;
        else
            d->virq_port[ch->remote_port] = 0;
    }
    if (ch->host_fd >= 0)
        close(ch->host_fd);
    *ch = (struct evtchn){ .state = EVTCHNSTAT_closed, .host_fd = -1 };
    if (d->shared_info) {
        clear_bit(d->shared_info->evtchn_pending, port);
        clear_bit(d->shared_info->evtchn_mask, port);
    }
}

void evtchn_teardown(struct domain *d)
{
    if (!d->evtchn)
        return;
    pthread_mutex_lock(&domlist_lock);
    for (uint32_t p = 1; p < HV_EVTCHN_PORTS; p++) {
        if (d->evtchn[p].state != EVTCHNSTAT_closed)
            evtchn_close_port(d, p);
    }
    struct evtchn *table = d->evtchn;
    d->evtchn = NULL; /* under the lock: nobody reaches the table after this */
    pthread_mutex_unlock(&domlist_lock);
    dfree(d, table);
}

static bool dom_is_self(domid_t dom)
{
    return dom == DOMID_SELF;
}

/*
 * The EVTCHNOP handlers: each runs under domlist_lock with its argument
 * already copied in; evtchn_ops[] says what is copied back.
 */
static long op_alloc_unbound(struct vcpu *v, void *arg)
{
    struct evtchn_alloc_unbound *a = arg;
    struct domain *d = v->domain;
    if (!dom_is_self(a->dom))
        return -XEN_ESRCH;
    uint32_t p = evtchn_alloc_port(d);
    if (!p)
        return -XEN_ENOSPC;
    d->evtchn[p] =
        (struct evtchn){ .state = EVTCHNSTAT_unbound,
                         .host_fd = -1,
                         .remote_dom = dom_is_self(a->remote_dom) ? d->domid : a->remote_dom };
    a->port = p;
    return 0;
}

static long op_bind_interdomain(struct vcpu *v, void *arg)
{
    struct evtchn_bind_interdomain *b = arg;
    struct domain *d = v->domain;
    if (b->pad || b->pad2)
        return -XEN_EINVAL;
    domid_t rdom = dom_is_self(b->remote_dom) ? d->domid : b->remote_dom;
    struct domain *peer = domain_lookup(rdom, false);
    if (!peer)
        return -XEN_ESRCH;
    if (!port_valid(b->remote_port))
        return -XEN_EINVAL;
    struct evtchn *rc = &peer->evtchn[b->remote_port];
    if (rc->state != EVTCHNSTAT_unbound || rc->remote_dom != d->domid)
        return -XEN_EINVAL;
    uint32_t p = evtchn_alloc_port(d);
    if (!p)
        return -XEN_ENOSPC;
    d->evtchn[p] = (struct evtchn){ .state = EVTCHNSTAT_interdomain,
                                    .host_fd = -1,
                                    .remote_dom = rdom,
                                    .remote_port = b->remote_port };
    rc->state = EVTCHNSTAT_interdomain;
    rc->remote_port = p;
    b->local_port = p;
    /* A send made before anyone was bound is not lost: it arrives now. */
    if (rc->send_dropped)
        evtchn_set_pending(d, p);
    rc->send_dropped = false;
    return 0;
}

static long op_bind_virq(struct vcpu *v, void *arg)
{
    struct evtchn_bind_virq *b = arg;
    struct domain *d = v->domain;
    if (b->pad || b->virq >= NR_VIRQS || b->vcpu >= d->max_vcpus)
        return -XEN_EINVAL;
    if (b->virq == VIRQ_DOM_EXC)
        return -XEN_EPERM; /* the host's: XEN_SYSCTL_dom_exc */
    bool per_vcpu = b->virq == VIRQ_TIMER;
    if (!per_vcpu && b->virq != VIRQ_CONSOLE)
        return -XEN_EINVAL;
    if (!per_vcpu && b->vcpu != 0)
        return -XEN_EINVAL;
    uint32_t *slot = per_vcpu ? &d->vcpus[b->vcpu]->virq_port[b->virq] : &d->virq_port[b->virq];
    if (*slot)
        return -XEN_EEXIST;
    uint32_t p = evtchn_alloc_port(d);
    if (!p)
        return -XEN_ENOSPC;
    d->evtchn[p] = (struct evtchn){
        .state = EVTCHNSTAT_virq, .host_fd = -1, .remote_port = b->virq, .vcpu = b->vcpu
    };
    *slot = p;
    b->port = p;
    return 0;
}

static long op_bind_ipi(struct vcpu *v, void *arg)
{
    struct evtchn_bind_ipi *b = arg;
    struct domain *d = v->domain;
    if (b->vcpu >= d->max_vcpus)
        return -XEN_EINVAL;
    uint32_t p = evtchn_alloc_port(d);
    if (!p)
        return -XEN_ENOSPC;
    d->evtchn[p] = (struct evtchn){ .state = EVTCHNSTAT_ipi, .host_fd = -1, .vcpu = b->vcpu };
    b->port = p;
    return 0;
}

static long op_status(struct vcpu *v, void *arg)
{
    struct evtchn_status *s = arg;
    struct domain *d = v->domain;
    if (!dom_is_self(s->dom))
        return -XEN_ESRCH;
    if (s->pad || !port_valid(s->port))
        return -XEN_EINVAL;
    const struct evtchn *ch = &d->evtchn[s->port];
    s->status = ch->state;
    s->vcpu = ch->vcpu;
    s->remote_dom = ch->state == EVTCHNSTAT_unbound || ch->state == EVTCHNSTAT_interdomain
                        ? (ch->to_host ? 0 : ch->remote_dom)
                        : 0;
    s->pad2 = 0;
    s->remote_port =
        ch->state == EVTCHNSTAT_interdomain || ch->state == EVTCHNSTAT_virq ? ch->remote_port : 0;
    return 0;
}

static long op_bind_vcpu(struct vcpu *v, void *arg)
{
    struct evtchn_bind_vcpu *b = arg;
    struct domain *d = v->domain;
    if (!port_valid(b->port) || b->vcpu >= d->max_vcpus || b->vcpu >= HV_SHARED_INFO_VCPUS)
        return -XEN_EINVAL;
    struct evtchn *ch = &d->evtchn[b->port];
    bool movable = ch->state == EVTCHNSTAT_interdomain || ch->state == EVTCHNSTAT_unbound ||
                   (ch->state == EVTCHNSTAT_virq && ch->remote_port != VIRQ_TIMER);
    if (!movable)
        return -XEN_EINVAL;
    ch->vcpu = b->vcpu;
    return 0;
}

static long op_unmask(struct vcpu *v, void *arg)
{
    uint32_t port = ((struct evtchn_port_op *)arg)->port;
    struct domain *d = v->domain;
    if (!port_valid(port))
        return -XEN_EINVAL;
    struct shared_info *si = d->shared_info;
    clear_bit(si->evtchn_mask, port);
    struct evtchn *ch = &d->evtchn[port];
    /* A port that became pending while masked now raises the upcall. */
    if (test_bit(si->evtchn_pending, port) && ch->vcpu < HV_SHARED_INFO_VCPUS) {
        struct vcpu_info *vi = &si->vcpu_info[ch->vcpu];
        test_and_set_bit(&vi->evtchn_pending_sel, port / 64);
        __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
        vcpu_wake_for_event(d->vcpus[ch->vcpu], port);
    }
    return 0;
}

static long op_close(struct vcpu *v, void *arg)
{
    uint32_t port = ((struct evtchn_port_op *)arg)->port;
    struct domain *d = v->domain;
    if (!port_valid(port) || d->evtchn[port].state == EVTCHNSTAT_closed)
        return -XEN_EINVAL;
    evtchn_close_port(d, port);
    return 0;
}

static long op_send(struct vcpu *v, void *arg)
{
    uint32_t port = ((struct evtchn_port_op *)arg)->port;
    return port_valid(port) ? evtchn_deliver(v->domain, port) : -XEN_EINVAL;
}

static long op_reset(struct vcpu *v, void *arg)
{
    struct evtchn_reset *r = arg;
    struct domain *d = v->domain;
    if (!dom_is_self(r->dom))
        return -XEN_ESRCH;
    if (r->pad)
        return -XEN_EINVAL;
    for (uint32_t p = 1; p < HV_EVTCHN_PORTS; p++) {
        if (d->evtchn[p].state != EVTCHNSTAT_closed)
            evtchn_close_port(d, p);
    }
    return 0;
}

/* Room for the argument of any EVTCHNOP. */
union evtchn_op_arg {
    struct evtchn_alloc_unbound alloc_unbound;
    struct evtchn_bind_interdomain bind_interdomain;
    struct evtchn_bind_virq bind_virq;
    struct evtchn_bind_ipi bind_ipi;
    struct evtchn_port_op port_op;
    struct evtchn_status status;
    struct evtchn_bind_vcpu bind_vcpu;
    struct evtchn_reset reset;
};

/* One EVTCHNOP: how much the guest passes, whether it gets the argument
 * back on success (the ops that return a port or a status) and who does it. */
struct evtchn_op {
    size_t arg_size;
    bool copies_out;
    long (*handler)(struct vcpu *v, void *arg);
};

static const struct evtchn_op evtchn_ops[] = {
    [EVTCHNOP_bind_interdomain] = { sizeof(struct evtchn_bind_interdomain), true,
                                    op_bind_interdomain },
    [EVTCHNOP_bind_virq] = { sizeof(struct evtchn_bind_virq), true, op_bind_virq },
    [EVTCHNOP_close] = { sizeof(struct evtchn_port_op), false, op_close },
    [EVTCHNOP_send] = { sizeof(struct evtchn_port_op), false, op_send },
    [EVTCHNOP_status] = { sizeof(struct evtchn_status), true, op_status },
    [EVTCHNOP_alloc_unbound] = { sizeof(struct evtchn_alloc_unbound), true, op_alloc_unbound },
    [EVTCHNOP_bind_ipi] = { sizeof(struct evtchn_bind_ipi), true, op_bind_ipi },
    [EVTCHNOP_bind_vcpu] = { sizeof(struct evtchn_bind_vcpu), false, op_bind_vcpu },
    [EVTCHNOP_unmask] = { sizeof(struct evtchn_port_op), false, op_unmask },
    [EVTCHNOP_reset] = { sizeof(struct evtchn_reset), false, op_reset },
};

long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    if (cmd >= ARRAY_SIZE(evtchn_ops) || !evtchn_ops[cmd].handler)
        return -XEN_ENOSYS;
    const struct evtchn_op *op = &evtchn_ops[cmd];
    union evtchn_op_arg buf;
    if (copy_from_guest(v, &buf, arg, op->arg_size))
        return -XEN_EFAULT;
    pthread_mutex_lock(&domlist_lock);
    long rc = op->handler(v, &buf);
    pthread_mutex_unlock(&domlist_lock);
    if (rc == 0 && op->copies_out && copy_to_guest(v, arg, &buf, op->arg_size))
        return -XEN_EFAULT; /* the port stays allocated; the guest can find it with status */
    return rc;
}

void evtchn_send_virq(struct domain *d, struct vcpu *v, uint32_t virq)
{
    pthread_mutex_lock(&domlist_lock);
    uint32_t port = virq == VIRQ_TIMER ? (v ? v->virq_port[virq] : 0) : d->virq_port[virq];
    if (port && d->evtchn)
        evtchn_set_pending(d, port);
    pthread_mutex_unlock(&domlist_lock);
}

int evtchn_host_bind(struct domain *d, uint32_t port, int *fd)
{
    if (!port_valid(port))
        return -EINVAL;
    pthread_mutex_lock(&domlist_lock);
    struct evtchn *ch = &d->evtchn[port];
    int rc = -EINVAL;
    if (ch->state == EVTCHNSTAT_unbound && ch->remote_dom == 0) {
        int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int copy = efd < 0 ? -1 : fcntl(efd, F_DUPFD_CLOEXEC, 0); /* the toolstack's */
        rc = copy < 0 ? -errno : 0;
        if (rc == 0) {
            ch->host_fd = efd;
            ch->state = EVTCHNSTAT_interdomain;
            ch->to_host = true;
            *fd = copy;
        } else if (efd >= 0) {
            close(efd); /* nothing changed: the port stays unbound */
        }
    }
    pthread_mutex_unlock(&domlist_lock);
    return rc;
}

int evtchn_host_send(struct domain *d, uint32_t port)
{
    if (!port_valid(port))
        return -EINVAL;
    pthread_mutex_lock(&domlist_lock);
    struct evtchn *ch = &d->evtchn[port];
    int rc = ch->state == EVTCHNSTAT_interdomain && ch->to_host ? 0 : -EINVAL;
    if (rc == 0)
        evtchn_set_pending(d, port);
    pthread_mutex_unlock(&domlist_lock);
    return rc;
}

int evtchn_host_close(struct domain *d, uint32_t port)
{
    if (!port_valid(port))
        return -EINVAL;
    pthread_mutex_lock(&domlist_lock);
    struct evtchn *ch = &d->evtchn[port];
    int rc = ch->state == EVTCHNSTAT_interdomain && ch->to_host ? 0 : -EINVAL;
    if (rc == 0) {
        close(ch->host_fd);
        *ch = (struct evtchn){
            .state = EVTCHNSTAT_unbound, .remote_dom = 0, .host_fd = -1, .vcpu = ch->vcpu
        };
    }
    pthread_mutex_unlock(&domlist_lock);
    return rc;
}

/* Host subscribers of VIRQ_DOM_EXC: write ends of pipes plus one, 0 when free. */
static int dom_exc_fds[HV_DOM_EXC_MAX];

/* Free the slots whose reader has gone (the pipe reports an error). */
static void dom_exc_reap(void)
{
    for (unsigned int i = 0; i < HV_DOM_EXC_MAX; i++) {
        struct pollfd pfd = { .fd = dom_exc_fds[i] - 1, .events = 0 };
        if (pfd.fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP))) {
            close(pfd.fd);
            dom_exc_fds[i] = 0;
        }
    }
}

/* Returns the read end for the toolstack, or -errno. */
int dom_exc_subscribe(void)
{
    int p[2];
    pthread_mutex_lock(&domlist_lock);
    dom_exc_reap();
    int slot = -1;
    for (unsigned int i = 0; i < HV_DOM_EXC_MAX && slot < 0; i++) {
        if (!dom_exc_fds[i])
            slot = (int)i;
    }
    int rc = slot < 0 ? -EBUSY : pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0 ? -errno : 0;
    if (rc == 0) {
        dom_exc_fds[slot] = p[1] + 1;
        rc = p[0];
    }
    pthread_mutex_unlock(&domlist_lock);
    return rc;
}

/* A domain shut down or went away: one byte to every subscriber. */
void dom_exc_notify(void)
{
    pthread_mutex_lock(&domlist_lock);
    for (unsigned int i = 0; i < HV_DOM_EXC_MAX; i++) {
        int fd = dom_exc_fds[i] - 1;
        if (fd < 0)
            continue;
        if (write(fd, "x", 1) < 0 && errno == EPIPE) {
            close(fd); /* the subscriber closed its end */
            dom_exc_fds[i] = 0;
        }
    }
    pthread_mutex_unlock(&domlist_lock);
}

static const uint8_t save_state_of[] = {
    [EVTCHNSTAT_unbound] = HV_SAVE_EVTCHN_UNBOUND,
    [EVTCHNSTAT_interdomain] = HV_SAVE_EVTCHN_INTERDOMAIN,
    [EVTCHNSTAT_virq] = HV_SAVE_EVTCHN_VIRQ,
    [EVTCHNSTAT_ipi] = HV_SAVE_EVTCHN_IPI,
};

/* The EVENT_CHANNELS record body (save-stream 6.6). */
int evtchn_save(struct domain *d, void *buf, uint32_t *len)
{
    struct hv_save_event_channels *h = buf;
    struct hv_save_evtchn *e = (struct hv_save_evtchn *)(h + 1);
    uint64_t cb = d->hvm_params[HVM_PARAM_CALLBACK_IRQ];
    memset(h, 0, sizeof(*h));
    h->upcall_vector = cb ? (uint32_t)(cb & 0xff) : 0;
    pthread_mutex_lock(&domlist_lock);
    for (uint32_t p = 1; p < HV_EVTCHN_PORTS; p++) {
        const struct evtchn *ch = &d->evtchn[p];
        if (ch->state == EVTCHNSTAT_closed)
            continue;
        bool remote = ch->state == EVTCHNSTAT_unbound || ch->state == EVTCHNSTAT_interdomain;
        e[h->nr_channels++] = (struct hv_save_evtchn){
            .port = p,
            .state = save_state_of[ch->state],
            .vcpu = ch->vcpu,
            .remote_domid = remote && !ch->to_host ? ch->remote_dom : 0,
            .remote_port =
                ch->state == EVTCHNSTAT_interdomain && !ch->to_host ? ch->remote_port : 0,
            .virq = ch->state == EVTCHNSTAT_virq ? ch->remote_port : 0,
        };
    }
    pthread_mutex_unlock(&domlist_lock);
    *len = (uint32_t)(sizeof(*h) + h->nr_channels * sizeof(*e));
    return 0;
}

static bool evtchn_record_valid(const struct domain *d, const struct hv_save_evtchn *e,
                                uint32_t prev_port)
{
    if (e->port <= prev_port || e->port >= HV_EVTCHN_PORTS || e->pad[0] || e->pad[1] || e->pad[2] ||
        e->vcpu >= d->max_vcpus || e->remote_domid > HV_SAVE_MAX_DOMID)
        return false;
    switch (e->state) {
    case HV_SAVE_EVTCHN_UNBOUND:
    case HV_SAVE_EVTCHN_IPI:
        return !e->remote_port && !e->virq &&
               (e->state == HV_SAVE_EVTCHN_UNBOUND || !e->remote_domid);
    case HV_SAVE_EVTCHN_INTERDOMAIN:
        return e->remote_port < HV_SAVE_MAX_EVTCHN && !e->virq;
    case HV_SAVE_EVTCHN_VIRQ:
        return (e->virq == VIRQ_TIMER || (e->virq == VIRQ_CONSOLE && e->vcpu == 0)) &&
               !e->remote_domid && !e->remote_port;
    default:
        return false;
    }
}

/* Install one restored channel.  domlist_lock held; its port is closed. */
static void evtchn_install(struct domain *d, const struct hv_save_evtchn *e)
{
    struct evtchn *ch = &d->evtchn[e->port];
    *ch = (struct evtchn){ .host_fd = -1, .vcpu = e->vcpu };
    switch (e->state) {
    case HV_SAVE_EVTCHN_UNBOUND:
    case HV_SAVE_EVTCHN_INTERDOMAIN: /* the peer is elsewhere: it binds again (spec 6.6) */
        ch->state = EVTCHNSTAT_unbound;
        ch->remote_dom = (domid_t)e->remote_domid;
        break;
    case HV_SAVE_EVTCHN_VIRQ:
        ch->state = EVTCHNSTAT_virq;
        ch->remote_port = e->virq;
        if (e->virq == VIRQ_TIMER)
            d->vcpus[e->vcpu]->virq_port[VIRQ_TIMER] = e->port;
        else
            d->virq_port[e->virq] = e->port;
        break;
    default:
        ch->state = EVTCHNSTAT_ipi;
        break;
    }
}

int evtchn_restore(struct domain *d, const void *buf, uint32_t len)
{
    const struct hv_save_event_channels *h = buf;
    const struct hv_save_evtchn *e = (const void *)(h + 1);
    if (len < sizeof(*h) || h->nr_channels >= HV_EVTCHN_PORTS ||
        len != sizeof(*h) + h->nr_channels * sizeof(*e))
        return -EINVAL;
    if (h->upcall_vector && (h->upcall_vector < 0x20 || h->upcall_vector > 0xff))
        return -EINVAL;
    bool virq_seen[HV_MAX_VCPUS + 1][2] = { { false } };
    for (uint32_t i = 0; i < h->nr_channels; i++) {
        if (!evtchn_record_valid(d, &e[i], i ? e[i - 1].port : 0))
            return -EINVAL;
        if (e[i].state == HV_SAVE_EVTCHN_VIRQ) { /* one port per (virq, vcpu) */
            bool *seen = &virq_seen[e[i].virq == VIRQ_TIMER ? e[i].vcpu : HV_MAX_VCPUS]
                                   [e[i].virq == VIRQ_TIMER];
            if (*seen)
                return -EINVAL;
            *seen = true;
        }
    }
    pthread_mutex_lock(&domlist_lock);
    for (uint32_t p = 1; p < HV_EVTCHN_PORTS; p++) {
        if (d->evtchn[p].state != EVTCHNSTAT_closed)
            evtchn_close_port(d, p);
    }
    for (uint32_t i = 0; i < h->nr_channels; i++)
        evtchn_install(d, &e[i]);
    pthread_mutex_unlock(&domlist_lock);
    d->hvm_params[HVM_PARAM_CALLBACK_IRQ] =
        h->upcall_vector ? HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | h->upcall_vector : 0;
    return 0;
}
