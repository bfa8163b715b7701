/*
 * hv public ABI: domain control operations (toolstack -> hvd).
 *
 * A struct xen_domctl travels in a control-socket request (see privcmd.h)
 * and comes back, with its out fields filled, in the reply.  Bulk data
 * (vCPU contexts, frame lists) travels in the trailing buffer.
 */
#ifndef HV_PUBLIC_DOMCTL_H
#define HV_PUBLIC_DOMCTL_H

#include <stdint.h>
#include "privcmd.h"
#include "xen.h"

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000003u

#define HV_MAX_VCPUS 64u
#define HV_NAME_MAX  64u /* bytes in a name, including the NUL */

/* Actions hvd takes when a domain shuts down (on_poweroff and friends). */
#define HV_ACTION_destroy  0 /* destroy the domain */
#define HV_ACTION_restart  1 /* reset it to its boot image and run it again */
#define HV_ACTION_preserve 2 /* leave it shut down until the toolstack acts */
#define HV_ACTION_MAX      2

/*
 * XEN_DOMCTL_createdomain: the new domain's id comes back in
 * xen_domctl.domain.  The domain starts paused (pause count 1) with
 * init_pages of RAM populated at gfns 0..init_pages-1 and every vCPU down.
 */
struct xen_domctl_createdomain {
    uint8_t handle[16];     /* in/out: UUID; all zero: hvd makes one */
    char name[HV_NAME_MAX]; /* in: NUL-terminated, unique, [A-Za-z0-9_.-], not all
                                   digits; "" : "domain-<id>" */
    uint32_t max_vcpus;     /* in: 1..HV_MAX_VCPUS */
    uint32_t flags;         /* in: XEN_DOMCTL_CDF_* */
    uint64_t max_pages;     /* in: 4 KiB pages the domain may hold, >= init_pages */
    uint64_t init_pages;    /* in: 4 KiB pages populated now, >= 1 */
    uint8_t on_poweroff;    /* in: HV_ACTION_* */
    uint8_t on_reboot;      /* in: HV_ACTION_* */
    uint8_t on_crash;       /* in: HV_ACTION_* */
    uint8_t pad;            /* in: zero */
    uint32_t fault_ttl;     /* in: 0, or fail the N-th fail-able action of this
                                 creation with -ENOMEM (testing error paths) */
    /* A domain restarted (on_* = restart) more than restart_limit times within
     * restart_interval_s seconds is treated as crashed instead: on_crash, with
     * restart taken as preserve.  0 selects the default. */
    uint32_t restart_limit;      /* in: 0 or 1..HV_RESTART_LIMIT_MAX */
    uint32_t restart_interval_s; /* in: 0 or 1..HV_RESTART_INTERVAL_MAX */
};
_Static_assert(sizeof(struct xen_domctl_createdomain) == 120, "createdomain");

/* createdomain flags.  Any other bit: -EINVAL. */
#define XEN_DOMCTL_CDF_transient (1u << 31) /* hv's own: see XEN_DOMCTL_set_transient */

#define HV_RESTART_LIMIT_DEFAULT    10u
#define HV_RESTART_LIMIT_MAX        64u
#define HV_RESTART_INTERVAL_DEFAULT 60u    /* seconds */
#define HV_RESTART_INTERVAL_MAX     86400u /* a day */

/* Domain info flags. */
#define XEN_DOMINF_dying    (1u << 0) /* being destroyed */
#define XEN_DOMINF_shutdown (1u << 2) /* shut down; reason in the shutdown field */
#define XEN_DOMINF_paused   (1u << 3) /* pause count > 0 */
#define XEN_DOMINF_blocked  (1u << 4) /* every online vCPU is blocked */
#define XEN_DOMINF_running  (1u << 5) /* some vCPU is in the guest */

/* XEN_DOMCTL_getdomaininfo (and each entry of XEN_SYSCTL_getdomaininfolist). */
struct xen_domctl_getdomaininfo {
    uint16_t domain; /* out: domid */
    uint16_t pad0;
    uint32_t flags;           /* out: XEN_DOMINF_* */
    uint32_t shutdown_reason; /* out: SHUTDOWN_*, valid with XEN_DOMINF_shutdown */
    uint32_t nr_online_vcpus; /* out: vCPUs that are up */
    uint32_t max_vcpus;       /* out */
    uint32_t pause_count;     /* out: toolstack pauses outstanding */
    uint64_t tot_pages;       /* out: 4 KiB pages the domain holds */
    uint64_t max_pages;       /* out: its limit */
    uint64_t cpu_time_ns;     /* out: time its vCPUs spent in KVM_RUN */
    uint8_t handle[16];       /* out: UUID */
    char name[HV_NAME_MAX];   /* out */
    uint8_t on_poweroff;      /* out: HV_ACTION_* */
    uint8_t on_reboot;
    uint8_t on_crash;
    uint8_t pad1;
    uint32_t create_fault_points; /* out: fail-able actions its creation passed */
    uint64_t overhead_bytes;      /* out: hvd memory allocated for the domain (dalloc) */
    uint64_t overhead_allocs;     /* out: number of those allocations */
    uint32_t restart_limit;       /* out: as given at creation (the default filled in) */
    uint32_t restart_interval_s;  /* out */
};
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 160, "getdomaininfo");

/* XEN_DOMCTL_shutdown: shut the domain down as if the guest had asked. */
struct xen_domctl_shutdown {
    uint32_t reason; /* in: SHUTDOWN_* */
    uint32_t pad;
};
_Static_assert(sizeof(struct xen_domctl_shutdown) == 8, "shutdown");

/* One segment register, as KVM describes it. */
struct hv_segment {
    uint64_t base;
    uint32_t limit; /* bytes - 1, after granularity scaling */
    uint16_t selector;
    uint8_t type; /* descriptor type, 4 bits */
    uint8_t present, dpl, db, s, l, g, avl, unusable;
    uint8_t pad;
};
_Static_assert(sizeof(struct hv_segment) == 24, "hv_segment");

#define HV_VCPU_CTX_ONLINE (1u << 0) /* set: the vCPU is up and runs this state */

/* The architectural state of one vCPU. */
struct hv_vcpu_context {
    uint32_t flags; /* HV_VCPU_CTX_*; clear = vCPU down */
    uint32_t pad0;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
    struct hv_segment cs, ds, es, fs, gs, ss, tr, ldt;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t pad1[3];
    uint64_t idt_base;
    uint16_t idt_limit;
    uint16_t pad2[3];
};
_Static_assert(sizeof(struct hv_vcpu_context) == 8 + 18 * 8 + 7 * 8 + 8 * 24 + 32,
               "hv_vcpu_context");

/*
 * XEN_DOMCTL_setvcpucontext / getvcpucontext: the struct hv_vcpu_context
 * travels in the trailing buffer.  Setting requires the domain paused.
 */
struct xen_domctl_vcpucontext {
    uint32_t vcpu; /* in: 0..max_vcpus-1 */
    uint32_t pad;
};
_Static_assert(sizeof(struct xen_domctl_vcpucontext) == 8, "vcpucontext");

/* XEN_DOMCTL_max_mem: change the domain's page limit. */
struct xen_domctl_max_mem {
    uint64_t max_memkb; /* in: KiB; below tot_pages is -XEN_EBUSY */
};
_Static_assert(sizeof(struct xen_domctl_max_mem) == 8, "max_mem");

/*
 * XEN_DOMCTL_get_memory_fd: the reply carries the domain's memory file as
 * an SCM_RIGHTS descriptor.  Frame f of the domain lives at file offset
 * f * XEN_PAGE_SIZE; XEN_DOMCTL_p2m_query says which frame backs which gfn.
 */
struct xen_domctl_memory_fd {
    uint64_t size; /* out: bytes of RAM frames (the guest-physical window);
                      the file has one more page after them, the shared-info frame */
};
_Static_assert(sizeof(struct xen_domctl_memory_fd) == 8, "memory_fd");

#define HV_P2M_QUERY_MAX 8192u /* gfns per query */
#define HV_INVALID_FRAME UINT64_MAX

/* XEN_DOMCTL_p2m_query: trailing buffer out: nr uint64_t frames (or HV_INVALID_FRAME). */
struct xen_domctl_p2m_query {
    uint64_t first_gfn; /* in */
    uint32_t nr;        /* in: 1..HV_P2M_QUERY_MAX */
    uint32_t pad;
};
_Static_assert(sizeof(struct xen_domctl_p2m_query) == 16, "p2m_query");

/*
 * XEN_DOMCTL_console_attach: the reply carries one end of a stream socket.
 * Reading it yields the domain's console output, starting with what the
 * console ring still holds; bytes written to it are console input
 * (CONSOLEIO_read).  hvd closes it when the domain is destroyed.
 */
struct xen_domctl_console_attach {
    uint64_t lost; /* out: bytes of output no longer in the ring */
};
_Static_assert(sizeof(struct xen_domctl_console_attach) == 8, "console_attach");

/* XEN_DOMCTL_getvcpuinfo: one vCPU's state. */
struct xen_domctl_getvcpuinfo {
    uint32_t vcpu;   /* in: 0..max_vcpus-1 */
    uint8_t online;  /* out: 1 if up */
    uint8_t blocked; /* out: 1 if waiting for an event (block, poll, hlt) */
    uint8_t running; /* out: 1 if in the guest or about to be */
    uint8_t pad;
    uint64_t cpu_time_ns; /* out: time in KVM_RUN */
};
_Static_assert(sizeof(struct xen_domctl_getvcpuinfo) == 16, "getvcpuinfo");

/* XEN_DOMCTL_settimeoffset: the domain's wall clock runs this far from the host's. */
struct xen_domctl_settimeoffset {
    int64_t time_offset_seconds; /* in: added to the host's wall clock in shared_info */
};
_Static_assert(sizeof(struct xen_domctl_settimeoffset) == 8, "settimeoffset");

/*
 * XEN_DOMCTL_set_target: the balloon target.  The guest reads it with
 * HVMOP_get_param(HVM_PARAM_BALLOON_TARGET) and gives memory back (or takes
 * it) with memory_op until tot_pages matches.  hvd enforces only max_pages.
 */
struct xen_domctl_set_target {
    uint64_t target_pages; /* in: 1..max_pages */
};
_Static_assert(sizeof(struct xen_domctl_set_target) == 8, "set_target");

/*
 * XEN_DOMCTL_evtchn_host: the host's end of an event channel.  The guest
 * allocates a port with EVTCHNOP_alloc_unbound(remote_dom = 0); then
 *   HV_EVTCHN_HOST_bind  connects it to the host: the reply carries an
 *                        eventfd that counts the guest's sends on that port;
 *   HV_EVTCHN_HOST_send  raises the port in the guest;
 *   HV_EVTCHN_HOST_close closes the host's end (the guest's port becomes unbound).
 * Errors: -ESRCH (domain), -EINVAL (port not in a state for the command).
 */
#define HV_EVTCHN_HOST_bind  0
#define HV_EVTCHN_HOST_send  1
#define HV_EVTCHN_HOST_close 2
struct xen_domctl_evtchn_host {
    uint32_t cmd;  /* in: HV_EVTCHN_HOST_* */
    uint32_t port; /* in: the guest's port */
};
_Static_assert(sizeof(struct xen_domctl_evtchn_host) == 8, "evtchn_host");

/*
 * XEN_DOMCTL_getcontext / setcontext: the domain's state as save-stream
 * record bodies (docs/specs/save-stream.md, public/save.h).  The domain must
 * be paused (-EBUSY otherwise).  get: the body comes back in the trailing
 * buffer (-ENOENT: the record does not apply, e.g. SHARED_INFO before the
 * guest placed the page).  set: the body goes in the trailing buffer;
 * -EINVAL names nothing, but hvd's log says which field was refused.
 * Types: HV_SAVE_TYPE_VM_STATE, VCPU (index = vcpu id), SHARED_INFO,
 * EVENT_CHANNELS, TIMERS, CONSOLE_RING.
 */
struct xen_domctl_context {
    uint32_t type;   /* in: HV_SAVE_TYPE_* */
    uint32_t index;  /* in: VCPU: the vCPU; others 0 */
    uint32_t length; /* out (get): body octets */
    uint32_t pad;    /* zero */
};
_Static_assert(sizeof(struct xen_domctl_context) == 16, "context");

/* XEN_DOMCTL_p2m_set: back (populate = 1) or free (0) gfns [first_gfn, first_gfn + nr). */
struct xen_domctl_p2m_set {
    uint64_t first_gfn; /* in */
    uint32_t nr;        /* in: 1..HV_P2M_QUERY_MAX */
    uint32_t populate;  /* in: 1 populate (-EBUSY if backed, -ENOMEM over max_pages), 0 free */
};
_Static_assert(sizeof(struct xen_domctl_p2m_set) == 16, "p2m_set");

/*
 * XEN_DOMCTL_shadow_op: log-dirty mode, for live migration.  While it is on,
 * hvd records every gfn the guest writes (KVM's dirty log of the domain's
 * memory slot), every gfn hvd itself writes for the guest (hypercall
 * results, the hypercall page, a restart's reset) and every gfn whose p2m
 * entry changes (populated, freed, the shared-info page placed): the
 * migration sender then re-reads the p2m and sends the page, or a hole.
 *   ENABLE_LOGDIRTY  on, with every bit clear; -EBUSY if it is on already.
 *                    The control connection that turned it on owns it:
 *                    when that connection closes, hvd turns it off (and
 *                    resets the domain's throttle to 0).
 *   OFF              off (from any connection); 0 if it was off.
 *   CLEAN, PEEK      the bits of gfns [first_gfn, first_gfn + nr) into the
 *                    trailing buffer, (nr + 7) / 8 octets, bit i (LSB first
 *                    within each octet) for gfn first_gfn + i; CLEAN clears
 *                    them, PEEK leaves them.  -ENOENT if log-dirty is off;
 *                    -EINVAL for nr 0 or above HV_DIRTY_QUERY_MAX or a range
 *                    past the domain's guest-physical window.
 * Other ops, or non-zero fields an op does not use: -EINVAL.
 */
#define XEN_DOMCTL_SHADOW_OP_OFF             0  /* log-dirty off */
#define XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY 2  /* on, with a clean bitmap */
#define XEN_DOMCTL_SHADOW_OP_CLEAN           11 /* read the range's bits and clear them */
#define XEN_DOMCTL_SHADOW_OP_PEEK            12 /* read them, leave them */
#define HV_DIRTY_QUERY_MAX                   (8u * HV_PRIVCMD_MAX_BUF) /* gfns per CLEAN/PEEK */
struct xen_domctl_shadow_op {
    uint32_t op;          /* in: XEN_DOMCTL_SHADOW_OP_* */
    uint32_t nr;          /* in, CLEAN/PEEK: gfns, 1..HV_DIRTY_QUERY_MAX; else 0 */
    uint64_t first_gfn;   /* in, CLEAN/PEEK: first gfn; else 0 */
    uint64_t dirty_count; /* out, CLEAN/PEEK: set bits in the returned bitmap */
};
_Static_assert(sizeof(struct xen_domctl_shadow_op) == 24, "shadow_op");

/*
 * XEN_DOMCTL_throttle: auto-converge for live migration.  Each vCPU of the
 * domain runs at most (100 - percent) % of every HV_THROTTLE_PERIOD_MS
 * period and is held back (parked, runnable) for the rest.  0 turns it
 * off.  Owned, like log-dirty, by the connection that set it: reset to 0
 * when that connection closes.  -EINVAL: percent above 99, pad not zero.
 */
#define HV_THROTTLE_PERIOD_MS 20u
#define HV_THROTTLE_MAX       99u
struct xen_domctl_throttle {
    uint32_t percent; /* in: 0 (off) .. HV_THROTTLE_MAX */
    uint32_t pad;     /* zero */
};
_Static_assert(sizeof(struct xen_domctl_throttle) == 8, "throttle");

/*
 * XEN_DOMCTL_setdomainhandle: give the domain another UUID (a migrated
 * domain takes its source's).  -EINVAL: all zero; -EEXIST: another domain
 * has it.  The domain's own UUID: 0.
 */
struct xen_domctl_setdomainhandle {
    uint8_t handle[16]; /* in */
};
_Static_assert(sizeof(struct xen_domctl_setdomainhandle) == 16, "setdomainhandle");

/*
 * XEN_DOMCTL_set_name: rename the domain.  The name follows createdomain's
 * rule (public/names.h): -EINVAL if it breaks it or has no NUL; -EEXIST if
 * another domain has it.  Its own name: 0.
 */
struct xen_domctl_set_name {
    char name[HV_NAME_MAX]; /* in: NUL-terminated */
};
_Static_assert(sizeof(struct xen_domctl_set_name) == HV_NAME_MAX, "set_name");

/*
 * XEN_DOMCTL_set_transient: a transient domain belongs to one control
 * connection, and hvd destroys it when that connection closes: a migration
 * receiver (or a restore) that dies leaves nothing behind.  createdomain
 * with XEN_DOMCTL_CDF_transient makes one, bound to the creating
 * connection; transient 1 binds a domain to the calling connection, 0 makes
 * it an ordinary domain again.  -EINVAL: transient above 1, pad not zero.
 */
struct xen_domctl_set_transient {
    uint32_t transient; /* in: 1 bind to this connection, 0 unbind */
    uint32_t pad;       /* zero */
};
_Static_assert(sizeof(struct xen_domctl_set_transient) == 8, "set_transient");

#define XEN_DOMCTL_createdomain    1
#define XEN_DOMCTL_destroydomain   2
#define XEN_DOMCTL_pausedomain     3
#define XEN_DOMCTL_unpausedomain   4
#define XEN_DOMCTL_getdomaininfo   5
#define XEN_DOMCTL_shadow_op       10
#define XEN_DOMCTL_max_mem         11
#define XEN_DOMCTL_setvcpucontext  12
#define XEN_DOMCTL_getvcpucontext  13
#define XEN_DOMCTL_getvcpuinfo     14
#define XEN_DOMCTL_setdomainhandle 17
#define XEN_DOMCTL_settimeoffset   42
#define XEN_DOMCTL_shutdown        48
#define XEN_DOMCTL_get_memory_fd   1001
#define XEN_DOMCTL_p2m_query       1002
#define XEN_DOMCTL_console_attach  1003
#define XEN_DOMCTL_set_target      1004
#define XEN_DOMCTL_evtchn_host     1005
#define XEN_DOMCTL_getcontext      1006
#define XEN_DOMCTL_setcontext      1007
#define XEN_DOMCTL_p2m_set         1008
#define XEN_DOMCTL_toolstack_data  1009
#define XEN_DOMCTL_throttle        1010
#define XEN_DOMCTL_set_name        1011
#define XEN_DOMCTL_set_transient   1012

/*
 * XEN_DOMCTL_toolstack_data: up to HV_TOOLSTACK_DATA_MAX octets the
 * toolstack keeps with a domain and hvd never reads (hvcli: the config the
 * domain was created from, so that a save image can carry its kernel).
 * They are charged to the domain and go with it.
 * set: the trailing buffer replaces them (0 octets: none); -E2BIG past
 *      HV_TOOLSTACK_DATA_MAX.
 * get: they come back in the trailing buffer, length says how many.
 */
#define HV_TOOLSTACK_DATA_MAX 4096u
#define HV_TOOLSTACK_DATA_set 0
#define HV_TOOLSTACK_DATA_get 1
struct xen_domctl_toolstack_data {
    uint32_t cmd;    /* in: HV_TOOLSTACK_DATA_* */
    uint32_t length; /* out (get): octets */
};
_Static_assert(sizeof(struct xen_domctl_toolstack_data) == 8, "toolstack_data");

struct xen_domctl {
    uint32_t cmd;               /* XEN_DOMCTL_* */
    uint32_t interface_version; /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t domain;             /* target; out for createdomain */
    uint16_t pad[3];
    union {
        struct xen_domctl_createdomain createdomain;
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_shutdown shutdown;
        struct xen_domctl_vcpucontext vcpucontext;
        struct xen_domctl_max_mem max_mem;
        struct xen_domctl_memory_fd memory_fd;
        struct xen_domctl_p2m_query p2m_query;
        struct xen_domctl_console_attach console_attach;
        struct xen_domctl_getvcpuinfo getvcpuinfo;
        struct xen_domctl_settimeoffset settimeoffset;
        struct xen_domctl_set_target set_target;
        struct xen_domctl_evtchn_host evtchn_host;
        struct xen_domctl_context context;
        struct xen_domctl_p2m_set p2m_set;
        struct xen_domctl_toolstack_data toolstack_data;
        struct xen_domctl_shadow_op shadow_op;
        struct xen_domctl_throttle throttle;
        struct xen_domctl_setdomainhandle setdomainhandle;
        struct xen_domctl_set_name set_name;
        struct xen_domctl_set_transient set_transient;
        uint8_t raw[256];
    } u;
};
_Static_assert(sizeof(struct xen_domctl) == 272, "xen_domctl");

#endif
