/* Hypercalls through the page hvd fills with stubs (see public/xen.h). */
#ifndef XTF_HYPERCALL_H
#define XTF_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include <hv/public/errno.h>
#include <hv/public/sched.h>
#include <hv/public/version.h>
#include <hv/public/xen.h>

#include "arch.h"

extern uint8_t hypercall_page[PAGE_SIZE];

/* Find hvd through CPUID and have it fill hypercall_page.
 * Returns 0, or -XEN_ENODEV without hvd, -XEN_EIO if the page stayed empty. */
int hypercall_page_init(void);

/* Raw hypercall nr with up to five arguments; result as hvd returns it. */
long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
               unsigned long a3, unsigned long a4, unsigned long a5);

long hypercall_xen_version(unsigned int cmd, void *arg);
long hypercall_console_io(unsigned int cmd, unsigned long count, const void *buf);
long hypercall_console_write(const char *buf, size_t len);
long hypercall_sched_op(unsigned int cmd, void *arg);
long hypercall_shutdown(unsigned int reason);
long hypercall_memory_op(unsigned int cmd, void *arg);
long hypercall_event_channel_op(unsigned int cmd, void *arg);
long hypercall_vcpu_op(unsigned int cmd, unsigned int vcpuid, void *arg);
long hypercall_hvm_op(unsigned int cmd, void *arg);
long hypercall_set_timer_op(uint64_t timeout_abs_ns);

/* Shut the domain down for reason; halts if hvd refuses. */
_Noreturn void domain_shutdown(unsigned int reason);

/* Stop this vCPU for good (interrupts are off, so hlt never returns). */
_Noreturn void halt_forever(void);

#endif
