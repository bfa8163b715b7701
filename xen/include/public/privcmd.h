/*
 * hv public ABI: the control socket.
 *
 * hvd listens on an AF_UNIX SOCK_SEQPACKET socket (default
 * /run/hvd/hvd.sock).  Each request is one message:
 *     struct hv_privcmd_request, the op struct, buf_len trailing bytes
 * and each reply is one message:
 *     struct hv_privcmd_reply, the op struct (out fields filled), buf_len bytes
 * with nr_fds descriptors attached as SCM_RIGHTS.  The op struct is a
 * struct xen_domctl (kind HV_PRIVCMD_DOMCTL) or struct xen_sysctl
 * (HV_PRIVCMD_SYSCTL).  Requests are answered in order, one at a time.
 * Only a peer with uid 0 (or hvd's --group) may issue them; any other peer
 * gets rc = -XEN_EPERM for every request.  A request carrying descriptors
 * gets -EPROTO (71), an empty or short one -XEN_EINVAL, an oversized one
 * -XEN_EMSGSIZE.  A connection over hvd's client limits gets one reply,
 * rc = -EUSERS (87), and is closed.  See docs/abi.md.
 */
#ifndef HV_PUBLIC_PRIVCMD_H
#define HV_PUBLIC_PRIVCMD_H

#include <stdint.h>

#define HV_PRIVCMD_MAGIC   0x31637668u /* "hvc1" */
#define HV_PRIVCMD_DOMCTL  1u
#define HV_PRIVCMD_SYSCTL  2u
#define HV_PRIVCMD_MAX_BUF 65536u /* trailing bytes, either direction */
#define HV_PRIVCMD_MAX_FDS 4u

struct hv_privcmd_request {
    uint32_t magic;   /* HV_PRIVCMD_MAGIC */
    uint32_t kind;    /* HV_PRIVCMD_DOMCTL or HV_PRIVCMD_SYSCTL */
    uint32_t buf_len; /* trailing bytes after the op struct */
    uint32_t pad;     /* zero */
};
_Static_assert(sizeof(struct hv_privcmd_request) == 16, "hv_privcmd_request");

struct hv_privcmd_reply {
    uint32_t magic;   /* HV_PRIVCMD_MAGIC */
    uint32_t kind;    /* echoes the request */
    uint32_t buf_len; /* trailing bytes after the op struct */
    uint32_t nr_fds;  /* descriptors attached */
    int64_t rc;       /* >= 0 success, -XEN_Exxx failure */
};
_Static_assert(sizeof(struct hv_privcmd_reply) == 24, "hv_privcmd_reply");

#endif
