/*
 * hvd internal: vCPU throttling (XEN_DOMCTL_throttle), the auto-converge
 * of live migration: each vCPU of a throttled domain is held back for
 * percent % of every HV_THROTTLE_PERIOD_MS period.
 */
#ifndef HV_XEN_THROTTLE_H
#define HV_XEN_THROTTLE_H

#include <stdint.h>
#include <hv/public/domctl.h>

struct domain;

/* XEN_DOMCTL_throttle from the control connection client (main thread). */
long throttle_domctl(struct domain *d, const struct xen_domctl_throttle *t, const void *client);
/* Set every domain client throttles back to 0: its connection closed. */
void throttle_client_gone(const void *client);
/* The domain is being destroyed: it is no longer throttled. */
void throttle_domain_gone(struct domain *d);
/*
 * The main loop, each time round: starts a period for every throttled
 * domain when one is due.  Returns when the next is due (now_ns() time),
 * UINT64_MAX when no domain is throttled.
 */
uint64_t throttle_run(uint64_t now);

#endif
