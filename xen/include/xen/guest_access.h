/* hvd internal: checked copies to and from a vCPU's virtual address space. */
#ifndef HV_XEN_GUEST_ACCESS_H
#define HV_XEN_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* 0, or -XEN_EFAULT if any page of the guest buffer is not mapped (or not
 * writable, for copy_to_guest). */
int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len);

#endif
