/*
 * hv public ABI: vcpu_op(cmd, vcpuid, arg) and set_timer_op(timeout).
 *
 * Times are nanoseconds of the domain's system time: the KVM clock
 * (MSR 0x4b564d01, pvclock) that starts near 0 when the domain is created.
 */
#ifndef HV_PUBLIC_VCPU_H
#define HV_PUBLIC_VCPU_H

#include <stdint.h>

#define VCPUOP_initialise                                                                          \
    0 /* arg: struct hv_vcpu_context * (domctl.h); the target
                                          must be down; its flags are ignored */
#define VCPUOP_up                                                                                  \
    2                              /* arg ignored; start a vCPU given a context by
                                          VCPUOP_initialise or the toolstack */
#define VCPUOP_down              3 /* arg ignored; stop it (not the caller's only running vCPU) */
#define VCPUOP_is_up             4 /* arg ignored; returns 1 or 0 */
#define VCPUOP_get_runstate_info 5 /* arg: struct vcpu_runstate_info * */
#define VCPUOP_set_singleshot_timer                                                                \
    8 /* arg: struct vcpu_set_singleshot_timer *; the caller's own vCPU */
#define VCPUOP_stop_singleshot_timer 9 /* arg ignored; the caller's own vCPU */

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

struct vcpu_runstate_info {
    uint32_t state; /* RUNSTATE_* now */
    uint32_t pad;
    uint64_t state_entry_time; /* system time of the last change */
    uint64_t time[4];          /* ns spent in each RUNSTATE_* */
};
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info");

#define VCPU_SSHOTTMR_future (1u << 0) /* -XEN_ETIME if timeout_abs_ns has passed */

struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns; /* system time at which VIRQ_TIMER fires */
    uint32_t flags;          /* VCPU_SSHOTTMR_* */
    uint32_t pad;            /* zero */
};
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "vcpu_set_singleshot_timer");

#endif
