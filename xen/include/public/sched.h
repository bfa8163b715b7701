/* hv public ABI: sched_op(cmd, arg). */
#ifndef HV_PUBLIC_SCHED_H
#define HV_PUBLIC_SCHED_H

#include <stdint.h>

#define SCHEDOP_yield    0 /* arg ignored; returns 0 */
#define SCHEDOP_block    1 /* arg ignored; sleep until an event or a kick; 0 */
#define SCHEDOP_shutdown 2 /* arg: struct sched_shutdown *; does not return on success */

/* Shutdown reasons (struct sched_shutdown.reason, domain info flags). */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot   1
#define SHUTDOWN_suspend  2
#define SHUTDOWN_crash    3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_MAX      4

struct sched_shutdown {
    uint32_t reason; /* SHUTDOWN_*; others are -XEN_EINVAL */
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown");

#endif
