/*
 * hvd internal: the octets the toolstack keeps with a domain
 * (XEN_DOMCTL_toolstack_data).  hvd stores them, charged to the domain,
 * and never reads them.
 */
#ifndef HV_XEN_TOOLSTACK_DATA_H
#define HV_XEN_TOOLSTACK_DATA_H

#include <hv/public/domctl.h>

struct domain;
struct privcmd_reply_extra;

/* The domctl: set from buf[0, buf_len) or get into out. */
long toolstack_data_op(struct domain *d, struct xen_domctl_toolstack_data *op, const void *buf,
                       uint32_t buf_len, struct privcmd_reply_extra *out);
/* At teardown: give the octets back. */
void toolstack_data_free(struct domain *d);

#endif
