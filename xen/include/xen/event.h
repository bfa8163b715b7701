/* hvd internal: event channels (event_channel.c) and timers (timer.c). */
#ifndef HV_XEN_EVENT_H
#define HV_XEN_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

int evtchn_init(struct domain *d);      /* creation step */
void evtchn_teardown(struct domain *d); /* close every port */
long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
/* Raise a VIRQ: per-vCPU ones on v, global ones on v->domain (v may be NULL). */
void evtchn_send_virq(struct domain *d, struct vcpu *v, uint32_t virq);
bool evtchn_port_pending(struct domain *d, uint32_t port);
bool evtchn_upcall_pending(struct vcpu *v);     /* an event awaits this vCPU */
bool evtchn_upcall_deliverable(struct vcpu *v); /* upcall_pending && !mask */
/* The EVENT_CHANNELS save record (save.c). */
int evtchn_save(struct domain *d, void *buf, uint32_t *len);
int evtchn_restore(struct domain *d, const void *buf, uint32_t len);
/* Toolstack side (XEN_DOMCTL_evtchn_host). */
int evtchn_host_bind(struct domain *d, uint32_t port, int *fd);
int evtchn_host_send(struct domain *d, uint32_t port);
int evtchn_host_close(struct domain *d, uint32_t port);
/* Host subscribers of domain shutdowns (XEN_SYSCTL_dom_exc). */
int dom_exc_subscribe(void);
void dom_exc_notify(void);

int timer_init(struct vcpu *v); /* creation step (timerfd) */
void timer_teardown(struct vcpu *v);
void timer_arm(struct vcpu *v);   /* re-arm for the nearest deadline */
void timer_fired(struct vcpu *v); /* main loop: the timerfd is readable */
long do_set_timer_op(struct vcpu *v, uint64_t timeout);
void time_update_wallclock(struct domain *d);
long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg);
long vcpu_op_timer(struct vcpu *v, uint64_t cmd, uint64_t arg); /* the singleshot sub-ops */
long do_hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg);

#endif
