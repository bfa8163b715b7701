/*
 * System time: the KVM clock (pvclock), the time base of set_timer_op,
 * VCPUOP_set_singleshot_timer and SCHEDOP_poll timeouts.
 */
#ifndef XTF_TIME_H
#define XTF_TIME_H

#include <stdint.h>

#define NSEC_PER_MSEC 1000000ul
#define NSEC_PER_SEC  1000000000ul

/* Enable the KVM clock for the calling vCPU.  Returns 0, or -XEN_ENODEV
 * if KVM never filled it in. */
int time_init(void);

/* System time in ns, read on the calling vCPU (time_init() first). */
uint64_t now_ns(void);

#endif
