/* libhvctl internals shared between its files. */
#ifndef HVCTL_PRIVATE_H
#define HVCTL_PRIVATE_H

#include "hvctl.h"

/* Exported symbols; everything else in the library stays hidden. */
#define HVCTL_API __attribute__((visibility("default")))

struct hvctl {
    int fd; /* the SOCK_SEQPACKET connection to hvd */
};

/* hvctl_domctl() on domain domid: -ESRCH for a domid no domain can have. */
int hvctl_domctl_on(hvctl_t *h, uint32_t domid, struct xen_domctl *op, const void *buf_in,
                    size_t buf_in_len, void *buf_out, size_t buf_out_len, size_t *out_len,
                    int *fd_out);

/* hvctl_domctl_on for an op whose reply carries up to cap octets in buf
 * and counts them in its own field *reported: sets *got to the count, or
 * returns -EPROTO when the octets that came are not that many. */
int hvctl_domctl_read(hvctl_t *h, uint32_t domid, struct xen_domctl *op, void *buf, size_t cap,
                      const uint32_t *reported, size_t *got);

/* hvctl_sysctl() with a trailing buffer in as well. */
int hvctl_sysctl_in(hvctl_t *h, struct xen_sysctl *op, const void *buf_in, size_t buf_in_len,
                    void *buf_out, size_t buf_out_len, size_t *out_len);

#endif
