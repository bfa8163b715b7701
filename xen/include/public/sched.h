/* hv public ABI: sched_op(cmd, arg). */
#ifndef HV_PUBLIC_SCHED_H
#define HV_PUBLIC_SCHED_H

#include <stdint.h>

#define SCHEDOP_yield    0 /* arg ignored; returns 0 */
#define SCHEDOP_block    1 /* arg ignored; sleep until an event or a kick; 0 */
#define SCHEDOP_shutdown 2 /* arg: struct sched_shutdown *; does not return on success */
#define SCHEDOP_poll     3 /* arg: struct sched_poll *; 0 when a port is pending or on timeout */
#define SCHEDOP_shutdown_code                                                                      \
    5 /* arg: struct sched_shutdown *; the reason reported if the
                                   domain is later stopped by hvd (a crash) instead of
                                   by SCHEDOP_shutdown; 0 */

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

#define SCHED_POLL_MAX_PORTS 128u

struct sched_poll {
    uint64_t ports;    /* guest virtual address of uint32_t ports[nr_ports] */
    uint32_t nr_ports; /* 1..SCHED_POLL_MAX_PORTS */
    uint32_t pad;      /* zero */
    uint64_t timeout;  /* system time (ns) to give up at; 0: none */
};
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");

#endif
