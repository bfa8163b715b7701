/*
 * libhvctl: the C interface to hvd.
 *
 * Every function returns 0 (or a non-negative count) on success and a
 * negative errno on failure; none prints or exits.  A handle is one
 * connection to hvd's control socket and is not thread-safe: use one per
 * thread.
 */
#ifndef HVCTL_H
#define HVCTL_H

#include <stddef.h>
#include <stdint.h>
#include <hv/public/domctl.h>
#include <hv/public/sysctl.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hvctl hvctl_t;

#define HVCTL_DEFAULT_SOCKET "/run/hvd/hvd.sock"

/* The socket path used when none is given: $HVD_SOCKET, else the default. */
const char *hvctl_default_socket(void);

/* Connect to hvd.  socket_path NULL: hvctl_default_socket().
 * -ENOENT/-ECONNREFUSED: hvd is not running there. */
int hvctl_open(hvctl_t **h, const char *socket_path);
void hvctl_close(hvctl_t *h);

/* Raw transport: send a domctl/sysctl with an optional trailing buffer.
 * Returns hvd's rc.  buf_out receives at most buf_out_len bytes; *out_len
 * (may be NULL) the number received; fds (may be NULL) the descriptors. */
int hvctl_domctl(hvctl_t *h, struct xen_domctl *op, const void *buf_in, size_t buf_in_len,
                 void *buf_out, size_t buf_out_len, size_t *out_len, int *fd_out);
int hvctl_sysctl(hvctl_t *h, struct xen_sysctl *op, void *buf_out, size_t buf_out_len,
                 size_t *out_len);

/* Domains.  -ESRCH: no such domain; -EEXIST: name taken; -EINVAL: bad field. */
int hvctl_domain_create(hvctl_t *h, struct xen_domctl_createdomain *cfg, uint32_t *domid);
int hvctl_domain_destroy(hvctl_t *h, uint32_t domid);
int hvctl_domain_pause(hvctl_t *h, uint32_t domid);
int hvctl_domain_unpause(hvctl_t *h, uint32_t domid);
int hvctl_domain_shutdown(hvctl_t *h, uint32_t domid, uint32_t reason);
int hvctl_domain_getinfo(hvctl_t *h, uint32_t domid, struct xen_domctl_getdomaininfo *info);
/* Up to max entries with domid >= first; returns the number filled. */
int hvctl_domain_list(hvctl_t *h, uint32_t first, struct xen_domctl_getdomaininfo *info,
                      unsigned int max);
int hvctl_domain_setmaxmem(hvctl_t *h, uint32_t domid, uint64_t max_kb);

/* The toolstack's octets kept with a domain (XEN_DOMCTL_toolstack_data):
 * hvd stores up to HV_TOOLSTACK_DATA_MAX of them, charged to the domain,
 * never reads them, and drops them with the domain.  set replaces them
 * (len 0: none); -E2BIG past the maximum.  get copies them to buf (cap
 * octets; HV_TOOLSTACK_DATA_MAX is always enough) and their count to
 * *len; -ENOBUFS if cap is too small. */
int hvctl_toolstack_data_set(hvctl_t *h, uint32_t domid, const void *data, size_t len);
int hvctl_toolstack_data_get(hvctl_t *h, uint32_t domid, void *buf, size_t cap, size_t *len);

/* Resolve a domid, name or UUID string to a domid.  -ESRCH: none matches. */
int hvctl_domain_lookup(hvctl_t *h, const char *what, uint32_t *domid);

/* vCPU state.  Setting needs the domain paused (-EBUSY otherwise). */
int hvctl_vcpu_setcontext(hvctl_t *h, uint32_t domid, uint32_t vcpu,
                          const struct hv_vcpu_context *ctx);
int hvctl_vcpu_getcontext(hvctl_t *h, uint32_t domid, uint32_t vcpu, struct hv_vcpu_context *ctx);

/* Console: *fd is a stream socket carrying the domain's console (see
 * XEN_DOMCTL_console_attach).  The caller closes it. */
int hvctl_console_attach(hvctl_t *h, uint32_t domid, int *fd);

/* hvd's log: reads from *index, advances it; returns bytes read. */
int hvctl_readconsole(hvctl_t *h, uint64_t *index, char *buf, size_t len);
int hvctl_physinfo(hvctl_t *h, struct xen_sysctl_physinfo *info);

/*
 * Live patching (docs/livepatch.md).  upload sends a payload (at most
 * LIVEPATCH_PAYLOAD_MAX octets) in pieces; its result is the load's, and
 * hvd's log says why a payload was refused.  get reads a payload's state
 * and rc (-EAGAIN while an action is pending).  list fills up to max
 * (1..LIVEPATCH_PAYLOADS_MAX) entries from index idx, *nr of them, with
 * how many follow and the list's version.  action is
 * LIVEPATCH_ACTION_UNLOAD (done at once) or APPLY, REVERT, REPLACE
 * (scheduled: poll get), flags LIVEPATCH_ACTION_NODEPS, timeout_ns 0 for
 * the default.
 */
int hvctl_livepatch_upload(hvctl_t *h, const char *name, const void *payload, size_t size);
int hvctl_livepatch_get(hvctl_t *h, const char *name, struct xen_livepatch_status *status);
int hvctl_livepatch_list(hvctl_t *h, uint32_t idx, struct xen_livepatch_info *info, uint32_t max,
                         uint32_t *nr, uint32_t *remaining, uint32_t *version);
int hvctl_livepatch_action(hvctl_t *h, const char *name, uint32_t cmd, uint32_t flags,
                           uint64_t timeout_ns);

/* The domain's memory file (XEN_DOMCTL_get_memory_fd): *fd (the caller
 * closes it) holds frame f at offset f * 4096; *size (may be NULL) gets the
 * bytes of RAM frames, the guest-physical window; the file has one more
 * page after them, the shared-info frame.  -EPROTO: hvd sent no descriptor. */
int hvctl_memory_fd(hvctl_t *h, uint32_t domid, int *fd, uint64_t *size);

/* Which frame of the memory file backs each of the gfns [gfn, gfn + nr)
 * (XEN_DOMCTL_p2m_query, HV_P2M_QUERY_MAX gfns per request): frames[i] is
 * the frame or HV_INVALID_FRAME.  -EINVAL: nr is 0 or the range wraps. */
int hvctl_p2m_query(hvctl_t *h, uint32_t domid, uint64_t gfn, uint64_t nr, uint64_t *frames);

/* Back (populate != 0) or free gfns [gfn, gfn + nr), nr <= HV_P2M_QUERY_MAX
 * (XEN_DOMCTL_p2m_set) of a paused domain (-EBUSY otherwise).  Populating:
 * -EBUSY if a gfn is backed already,
 * -ENOMEM past max_pages or the host's limit. */
int hvctl_p2m_set(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, int populate);

/* A paused domain's state as save-stream record bodies (XEN_DOMCTL_getcontext
 * and setcontext; types HV_SAVE_TYPE_* of <hv/public/save.h>, index the vCPU
 * for HV_SAVE_TYPE_VCPU, else 0).  get: the body goes to buf (cap octets;
 * HV_PRIVCMD_MAX_BUF is always enough), its length to *len; -ENOENT: the
 * record does not apply to this domain.  set: -EMSGSIZE if len is more than
 * one control message carries; -EINVAL: hvd refused a field (its log says
 * which).  Both: -EBUSY unless the domain is paused. */
int hvctl_context_get(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index, void *buf,
                      size_t cap, uint32_t *len);
int hvctl_context_set(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index, const void *body,
                      uint32_t len);

/* Foreign memory: map nr guest frames from gfn into this process.
 * -ENXIO: a gfn in the range is not populated. */
int hvctl_map_foreign(hvctl_t *h, uint32_t domid, uint64_t gfn, uint64_t nr, int prot, void **addr);
int hvctl_unmap_foreign(void *addr, uint64_t nr);

/* Raw transport for a sysctl whose reply carries a descriptor (as
 * hvctl_domctl's fd_out): *fd_out receives it.  -EPROTO: none came. */
int hvctl_sysctl_fd(hvctl_t *h, struct xen_sysctl *op, int *fd_out);

/* One vCPU's state (XEN_DOMCTL_getvcpuinfo): *info gets online, blocked,
 * running and cpu_time_ns of vCPU `vcpu`.
 * -ESRCH: no such domain; -EINVAL: vcpu >= the domain's max_vcpus. */
int hvctl_vcpu_getinfo(hvctl_t *h, uint32_t domid, uint32_t vcpu,
                       struct xen_domctl_getvcpuinfo *info);

/* The domain's wall clock (shared_info.wc_sec) runs `seconds` from the
 * host's (XEN_DOMCTL_settimeoffset); negative is behind.  -ESRCH: no such
 * domain. */
int hvctl_domain_settimeoffset(hvctl_t *h, uint32_t domid, int64_t seconds);

/* The balloon target in 4 KiB pages (XEN_DOMCTL_set_target).  The guest
 * reads it with HVMOP_get_param(HVM_PARAM_BALLOON_TARGET) and moves its
 * own tot_pages towards it with memory_op; hvd enforces only max_pages.
 * -ESRCH: no such domain; -EINVAL: pages is 0 or above max_pages. */
int hvctl_domain_set_target(hvctl_t *h, uint32_t domid, uint64_t pages);

/*
 * The host's end of an event channel (XEN_DOMCTL_evtchn_host), the
 * equivalent of /dev/xen/evtchn.  The guest first allocates `port` with
 * EVTCHNOP_alloc_unbound(remote_dom = 0).
 * bind:  connect to it; *eventfd (the caller closes it) counts the
 *        guest's sends on the port.
 * send:  raise the port in the guest.
 * close: drop the host's end; the guest's port becomes unbound again.
 * -ESRCH: no such domain; -EINVAL: the port is not in a state for the
 * command (not allocated for the host, already bound, not bound).
 */
int hvctl_evtchn_host_bind(hvctl_t *h, uint32_t domid, uint32_t port, int *eventfd);
int hvctl_evtchn_host_send(hvctl_t *h, uint32_t domid, uint32_t port);
int hvctl_evtchn_host_close(hvctl_t *h, uint32_t domid, uint32_t port);

/*
 * Live migration's side of the sender (docs/abi.md, XEN_DOMCTL_shadow_op
 * and XEN_DOMCTL_throttle).  Both belong to this handle: hvd turns
 * log-dirty off and the throttle to 0 when it is closed (or its process
 * dies), leaving the domain as it was.
 *
 * logdirty_enable: start recording the gfns the guest (or hvd for it)
 * writes and those whose p2m entry changes, from a clean bitmap.  -EBUSY:
 * it is on already (another migration).  logdirty_disable: stop; 0 if it
 * was off.
 * logdirty_read: the bits of gfns [gfn, gfn + nr), nr 1..HV_DIRTY_QUERY_MAX,
 * into bitmap ((nr + 7) / 8 octets; bit i, LSB first in each octet, is gfn
 * gfn + i), cleared in hvd when clean != 0; *dirty (may be NULL) gets the
 * number set.  -ENOENT: log-dirty is off; -EINVAL: nr out of range, or the
 * range goes past the domain's guest-physical window.
 */
int hvctl_logdirty_enable(hvctl_t *h, uint32_t domid);
int hvctl_logdirty_disable(hvctl_t *h, uint32_t domid);
int hvctl_logdirty_read(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, int clean,
                        uint8_t *bitmap, uint64_t *dirty);
/* Hold every vCPU of the domain back for percent % (0..HV_THROTTLE_MAX) of
 * each HV_THROTTLE_PERIOD_MS period (auto-converge); 0 turns it off.
 * -EINVAL: percent above HV_THROTTLE_MAX. */
int hvctl_domain_throttle(hvctl_t *h, uint32_t domid, uint32_t percent);

/* Rename a domain (XEN_DOMCTL_set_name) or give it another UUID
 * (XEN_DOMCTL_setdomainhandle), as a migrated domain takes its source's.
 * -EINVAL: a name that breaks the rule of <hv/public/names.h> or is too
 * long, an all-zero UUID; -EEXIST: another domain has it.  The domain's
 * own name or UUID: 0. */
int hvctl_domain_rename(hvctl_t *h, uint32_t domid, const char *name);
int hvctl_domain_sethandle(hvctl_t *h, uint32_t domid, const uint8_t handle[16]);

/* A transient domain (XEN_DOMCTL_set_transient) is destroyed by hvd when
 * the handle holding it is closed (or its process dies), as a migration
 * receiver's domain must be until it takes it over.  transient != 0 binds
 * the domain to this handle, 0 makes it an ordinary domain again.
 * hvctl_domain_create with XEN_DOMCTL_CDF_transient in cfg->flags makes
 * one bound to h from the start. */
int hvctl_domain_set_transient(hvctl_t *h, uint32_t domid, int transient);

/* XEN_SYSCTL_dom_exc, the host's VIRQ_DOM_EXC: *fd (the caller closes it)
 * is the read end of a non-blocking pipe to which hvd writes a byte
 * whenever a domain shuts down or is destroyed; drain it, then look with
 * hvctl_domain_list.  -EBUSY: HV_DOM_EXC_MAX descriptors are open already;
 * -EPROTO: hvd sent no descriptor. */
int hvctl_dom_exc_fd(hvctl_t *h, int *fd);

#ifdef __cplusplus
}
#endif

#endif
