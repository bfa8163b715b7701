/* hvd internal: domains and vCPUs. */
#ifndef HV_XEN_SCHED_H
#define HV_XEN_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>
#include <hv/public/domctl.h>
#include <hv/public/event_channel.h>
#include <hv/public/hvm_op.h>
#include <hv/public/sched.h>
#include <hv/public/save.h>
#include "lib.h"
#include "console.h"
#include "dalloc.h"
#include "log_dirty.h"

struct domain;

struct vcpu {
    struct domain *domain;
    unsigned int vcpu_id;
    int fd;              /* KVM vCPU fd */
    struct kvm_run *run; /* its shared kvm_run page(s) */
    size_t run_size;
    pthread_t thread;
    void *stack; /* the thread's stack (dalloc) */
    bool thread_started;
    bool in_guest;         /* in KVM_RUN (atomic: vcpu_kick() reads it without a lock) */
    bool events_fresh;     /* run->s.regs.events is KVM's event state (x86 run.c) */
    uint64_t halt_poll_ns; /* how long a block polls before parking (vcpu.c) */
    /* Fields below are protected by domain->lock. */
    bool online;          /* has a context and may run */
    bool blocked;         /* in SCHEDOP_block or hlt */
    bool parked;          /* the thread sleeps in check_for_vcpu_work() */
    uint64_t cpu_time_ns; /* time spent in KVM_RUN before the current one */
    bool initialised;     /* has had a context set: VCPUOP_up may start it */
    /* Held back by the throttle until this now_ns() time; 0: not (throttle.c). */
    uint64_t throttle_until;
    /* The current KVM_RUN's start (now_ns()), 0 outside one; with
     * cpu_time_ns, written by the vCPU's thread under time_seq (vcpu.c). */
    uint64_t run_entry_ns;
    uint32_t time_seq;
    /* VCPUOP_initialise's context for a target not parked yet (vcpu.c). */
    bool context_pending;
    struct hv_vcpu_context *pending_context; /* dalloc */

    /* SCHEDOP_poll, protected by domain->lock. */
    bool polling;
    unsigned int nr_poll_ports;
    uint32_t poll_ports[SCHED_POLL_MAX_PORTS];

    /* Timers (timer.c): system-time deadlines, 0 = none; one timerfd. */
    int timer_fd;
    uint64_t singleshot_deadline;
    uint64_t poll_deadline;

    /* Runstate accounting (VCPUOP_get_runstate_info), under domain->lock. */
    uint32_t runstate;
    uint64_t runstate_entry; /* system time */
    uint64_t runstate_time[4];
    uint32_t virq_port[NR_VIRQS]; /* per-vCPU VIRQs (VIRQ_TIMER): bound port or 0 */
    bool tsc_frozen;              /* paused: getcontext reports frozen_tsc (save.c) */
    uint64_t frozen_tsc;
};

/* One event channel (event_channel.c); protected by the global evtchn lock. */
struct evtchn {
    uint8_t state;        /* EVTCHNSTAT_* */
    bool to_host;         /* interdomain with the host: host_fd counts sends */
    bool send_dropped;    /* unbound: sent on before a peer bound */
    domid_t remote_dom;   /* unbound: who may bind; interdomain: the peer */
    uint32_t remote_port; /* interdomain: the peer's port; virq: the VIRQ */
    uint32_t vcpu;        /* notified vCPU */
    int host_fd;          /* to_host: eventfd handed to the toolstack, else -1 */
};

/* A span of the memory file saved at first unpause, for on_*=restart. */
struct boot_extent {
    uint64_t offset, len;
    uint8_t *data;
};

/*
 * How far domain_teardown() has got.  Each state names the work still to do;
 * teardown runs them in this order, the reverse of creation.
 */
enum domain_teardown_state {
    TEARDOWN_none,       /* not started: the domain is alive */
    TEARDOWN_evtchn,     /* close every event channel: peers see them unbound */
    TEARDOWN_vcpus,      /* stop and free vCPUs, one per step */
    TEARDOWN_console,    /* detach clients, free the rings */
    TEARDOWN_vm,         /* close the KVM VM */
    TEARDOWN_memory,     /* release guest memory, a chunk per step */
    TEARDOWN_p2m,        /* unmap the window, free the p2m, close the memory file */
    TEARDOWN_unregister, /* give back the domid, name and UUID */
    TEARDOWN_done,
};

struct domain {
    domid_t domid;
    uint8_t handle[16];
    char name[HV_NAME_MAX];
    uint32_t max_vcpus;
    struct vcpu **vcpus;

    /* Memory (memory.c). */
    int mem_fd;               /* the memory file: frame f at offset f * XEN_PAGE_SIZE */
    uint8_t *ram;             /* guest-physical window mapped in hvd */
    uint64_t nr_gfns;         /* size of the window in pages (= max_pages at creation) */
    uint64_t *p2m;            /* gfn -> frame, HV_INVALID_FRAME when unbacked */
    uint64_t *frame_used;     /* bitmap of frames in use, 64 a word */
    uint64_t free_frame_hint; /* no frame below it is free */
    uint64_t max_pages, tot_pages;
    uint64_t window_mappings;   /* VMAs hvd's mapping of the window takes */
    uint64_t mappings_reserved; /* taken from hvd's mapping budget at creation */
    pthread_rwlock_t p2m_lock;  /* writers change the p2m; readers copy through it */
    struct log_dirty log_dirty; /* XEN_DOMCTL_shadow_op (log_dirty.c) */

    int vm_fd; /* KVM VM fd */

    pthread_mutex_t lock;
    pthread_cond_t cond;      /* vCPU parking and pause acknowledgement */
    unsigned int pause_count; /* toolstack pauses */
    bool is_shutdown;
    uint32_t shutdown_reason;
    bool shutdown_pending_action; /* main thread must carry out on_* */
    bool created;                 /* every creation step done: others may see it */
    bool dying;
    bool ever_unpaused;
    uint8_t on_poweroff, on_reboot, on_crash;
    /* XEN_DOMCTL_set_transient: the control connection whose closing
     * destroys the domain, or NULL (main thread only). */
    const void *transient_owner;
    /* XEN_DOMCTL_throttle (throttle.c), main thread only. */
    uint32_t throttle_percent;
    const void *throttle_owner; /* the control connection that set it */
    /* Restart loops (domain.c): the last restart_limit restart times, a ring. */
    uint32_t restart_limit, restart_interval_s;
    uint64_t restart_times[HV_RESTART_LIMIT_MAX];
    uint32_t restart_next, nr_restarts;

    /* Boot image for on_*=restart, captured at the first unpause; its
     * copies are charged to the host's guest-memory limit (boot_pages). */
    struct boot_extent *boot_extents;
    unsigned int nr_boot_extents, boot_extents_room;
    uint64_t boot_pages;
    struct hv_vcpu_context boot_ctx;

    struct console console;
    /* The toolstack's octets (XEN_DOMCTL_toolstack_data, toolstack_data.c). */
    void *toolstack_data;
    uint32_t toolstack_data_len;
    struct ratelimit log_rl;       /* what the guest does: unhandled I/O, refusals */
    struct ratelimit lifecycle_rl; /* what happens to it: shutdowns, crashes, restarts */

    /* Event channels and the shared-info page (event_channel.c, memory.c). */
    struct evtchn *evtchn;           /* HV_EVTCHN_PORTS entries */
    struct shared_info *shared_info; /* hvd's mapping of the shared-info frame */
    uint64_t shared_info_gfn;        /* where the guest sees it, or HV_INVALID_FRAME */
    uint32_t virq_port[NR_VIRQS];    /* global VIRQs (VIRQ_CONSOLE): bound port or 0 */
    uint64_t hvm_params[HVM_PARAM_NR];
    uint64_t target_pages;       /* balloon target, 0 = none */
    int64_t time_offset_seconds; /* added to the host wall clock */
    int64_t kvmclock_offset_ns;  /* CLOCK_BOOTTIME - system time */
    int shutdown_code;           /* SCHEDOP_shutdown_code, or -1 */
    /* While paused, the clock getcontext reports stands still (save.c). */
    bool clock_frozen;
    struct hv_save_clock frozen_clock;

    struct dalloc_account dalloc; /* what hvd holds for this domain */
    struct fault_ttl *fault;      /* set only while domain_create() runs */
    uint32_t create_fault_points; /* fault points its creation passed */
    enum domain_teardown_state teardown;
    uint64_t teardown_pos;      /* progress within the current state */
    bool teardown_yielded;      /* logged that the destroy is long */
    bool destroy_in_background; /* an on_* destroy the main loop carries on */
    bool restart_in_background; /* an on_* restart waiting for its vCPUs to park */

    struct domain *next; /* domain list, sorted by domid */
};

/* domain.c */
int domain_create(const struct xen_domctl_createdomain *cfg, struct domain **out);
/* Destroy d, spending at most budget_ns (0: no limit) before yielding with
 * -ERESTART; call again to continue.  Returns 0 once d is gone. */
int domain_destroy(struct domain *d, uint64_t budget_ns);
void domain_destroy_all(void);
/* Longest a destroy works before letting hvd serve others (-ERESTART). */
#define DESTROY_SLICE_NS 2000000ull
/* Destroys hvd started itself, carried on a slice at a time by the main loop. */
/* One step of each; true if any work remains. */
bool domain_background_work(void);
/*
 * The one way to find a domain by domid, for guests (event channels) and
 * the toolstack alike: only a fully created domain is found, a dying one
 * only with even_dying (its own destroy, getdomaininfo).  vCPU threads
 * call it with domlist_lock held; the main thread may without.
 */
struct domain *domain_lookup(domid_t domid, bool even_dying);
/* Fully created domains in domid order, dying ones included. */
struct domain *domain_first_from(uint32_t domid);
struct domain *domain_next(struct domain *d);
unsigned int domain_count(void);
int domain_pause_by_controller(struct domain *d);
int domain_unpause_by_controller(struct domain *d);
void domain_shutdown(struct domain *d, uint32_t reason);
void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info);
/* XEN_DOMCTL_set_name and setdomainhandle: -EINVAL (bad name, all-zero
 * UUID), -EEXIST (another domain has it); its own: 0. */
int domain_rename(struct domain *d, const char name[HV_NAME_MAX]);
int domain_set_handle(struct domain *d, const uint8_t handle[16]);
/* XEN_DOMCTL_set_transient from connection client; -EINVAL for a bad field. */
int domain_set_transient(struct domain *d, const struct xen_domctl_set_transient *t,
                         const void *client);
/* Destroy every transient domain client holds: its connection closed. */
void domain_client_gone(const void *client);
void domain_process_shutdowns(void);
int domain_init(uint64_t max_host_pages, int notify_fd);
uint64_t domain_host_pages(void);

/* save.c: the domain's state as save-stream record bodies. */
int save_get_context(struct domain *d, uint32_t type, uint32_t index, void *buf, uint32_t *len);
int save_set_context(struct domain *d, uint32_t type, uint32_t index, const void *buf,
                     uint32_t len);
void save_thaw(struct domain *d); /* the domain runs again: time moves on */

/* vcpu.c */
int vcpu_create(struct domain *d, unsigned int id);
int vcpu_start_thread(struct vcpu *v);
int vcpu_destroy(struct vcpu *v); /* -ERESTART: its thread has not left yet */
void vcpu_kick(struct vcpu *v);   /* with domain->lock held */
void vcpu_signals_init(void);
void domain_kick_all(struct domain *d);
int domain_wait_parked(struct domain *d);         /* -ETIMEDOUT past a bound */
bool domain_vcpus_parked(const struct domain *d); /* d->lock held */
bool check_for_vcpu_work(struct vcpu *v);
/* The vCPU's thread enters and leaves KVM_RUN at now; any thread may read
 * its time in KVM_RUN, the current run's so far included. */
void vcpu_time_enter(struct vcpu *v, uint64_t now);
void vcpu_time_leave(struct vcpu *v, uint64_t now);
uint64_t vcpu_cpu_time(const struct vcpu *v);
#define HALT_POLL_DEFAULT_US 200u         /* hvd --halt-poll-us */
void vcpu_set_halt_poll_max(uint64_t ns); /* 0 turns halt polling off */
/* An event arrived for v: end its block or poll and get it to take the upcall. */
void vcpu_wake_for_event(struct vcpu *v, uint32_t port);
/* The domain's system time (its KVM clock) now, in ns. */
uint64_t domain_system_time(const struct domain *d);
void runstate_change(struct vcpu *v, uint32_t state); /* with domain->lock held */

/* domain.c: the global lock for domain-list changes seen by vCPU threads,
 * which also covers all event-channel state (event_channel.c). */
extern pthread_mutex_t domlist_lock;

#endif
