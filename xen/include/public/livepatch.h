/*
 * hv public ABI: live patching of hvd (docs/livepatch.md).
 *
 * Two interfaces: the layout of a payload's .livepatch.funcs section,
 * which a payload's author (patchtool) writes and hvd reads, and the
 * XEN_SYSCTL_livepatch_op operations the toolstack sends over the
 * control socket.  hvd runs on x86-64 only: addresses are 64 bits.
 */
#ifndef HV_PUBLIC_LIVEPATCH_H
#define HV_PUBLIC_LIVEPATCH_H

#include <stdint.h>

/* ---- The payload ---- */

#define LIVEPATCH_PAYLOAD_VERSION 1u         /* struct livepatch_func.version */
#define LIVEPATCH_JUMP_SIZE       5u         /* jmp rel32: the octets a patch writes */
#define LIVEPATCH_EXPECT_MAX      31u        /* octets an expectation may hold */
#define LIVEPATCH_PAYLOAD_MAX     (2u << 20) /* the largest payload file, octets */
#define LIVEPATCH_BUILD_ID_MAX    40u        /* the longest build-id hvd accepts, octets */

/* What the old function must start with before it is patched. */
struct livepatch_expectation {
    uint8_t enabled;                    /* 1: check data; 0: no check (len, data zero) */
    uint8_t len;                        /* 1..LIVEPATCH_EXPECT_MAX when enabled */
    uint8_t data[LIVEPATCH_EXPECT_MAX]; /* the old function's first len octets */
    uint8_t pad[7];                     /* zero */
};
_Static_assert(sizeof(struct livepatch_expectation) == 40, "livepatch_expectation");

/*
 * One function a payload patches: an element of .livepatch.funcs.  The
 * addresses are written by relocations, which hvd applies when it loads
 * the payload; the section is read-only from then on, and hvd keeps what
 * it needs to undo a patch in its own memory.
 */
struct livepatch_func {
    uint64_t name;     /* address of the old function's name, NUL-terminated, in the payload */
    uint64_t new_addr; /* the replacement function; 0: overwrite the old one's first
                          new_size octets with NOPs */
    uint64_t old_addr; /* the function patched; 0: hvd looks `name` up in its symbols */
    uint32_t new_size; /* octets of the replacement (>= 1); with new_addr 0, how many
                          octets to NOP (1..min(old_size, LIVEPATCH_EXPECT_MAX)) */
    uint32_t old_size; /* octets of the old function: its symbol's size, >= LIVEPATCH_JUMP_SIZE */
    uint8_t version;   /* LIVEPATCH_PAYLOAD_VERSION */
    uint8_t pad[7];    /* zero */
    struct livepatch_expectation expect;
};
_Static_assert(sizeof(struct livepatch_func) == 80, "livepatch_func");

/* ---- XEN_SYSCTL_livepatch_op ---- */

#define LIVEPATCH_NAME_MAX           64u           /* octets of a payload's name, with its NUL */
#define LIVEPATCH_PAYLOADS_MAX       64u           /* payloads loaded at once */
#define LIVEPATCH_TIMEOUT_DEFAULT_NS 30000000ull   /* an action's timeout when 0 is given */
#define LIVEPATCH_TIMEOUT_MAX_NS     1000000000ull /* the longest an action may hold hvd */

/* A payload's name: 1..63 characters of [A-Za-z0-9._-], NUL-padded. */
struct xen_livepatch_name {
    char name[LIVEPATCH_NAME_MAX];
};
_Static_assert(sizeof(struct xen_livepatch_name) == 64, "xen_livepatch_name");

#define LIVEPATCH_STATE_CHECKED 1u /* loaded and checked, not applied */
#define LIVEPATCH_STATE_APPLIED 2u /* its functions are patched */

struct xen_livepatch_status {
    uint32_t state; /* LIVEPATCH_STATE_* */
    int32_t rc;     /* 0; -XEN_EAGAIN while an action on it is pending; else how its last
                       action failed (-errno) */
};
_Static_assert(sizeof(struct xen_livepatch_status) == 8, "xen_livepatch_status");

/*
 * LIVEPATCH_UPLOAD: a payload, sent in pieces of at most
 * HV_PRIVCMD_MAX_BUF octets (the trailing buffer in), in order, on one
 * connection.  The piece that completes it (offset + length == size) makes
 * hvd load and check it: the reply to that piece is the load's result, and
 * on success the payload is CHECKED.  A piece with offset 0 starts a new
 * upload on the connection, dropping one in progress; closing the
 * connection drops it too.
 */
struct xen_sysctl_livepatch_upload {
    struct xen_livepatch_name name;
    uint64_t size;   /* in: the payload's size, 1..LIVEPATCH_PAYLOAD_MAX */
    uint64_t offset; /* in: where this piece goes: 0, then the end of the last piece */
};
_Static_assert(sizeof(struct xen_sysctl_livepatch_upload) == 80, "livepatch_upload");

/* LIVEPATCH_GET: one payload's state. */
struct xen_sysctl_livepatch_get {
    struct xen_livepatch_name name;     /* in */
    struct xen_livepatch_status status; /* out */
};
_Static_assert(sizeof(struct xen_sysctl_livepatch_get) == 72, "livepatch_get");

/* One payload as LIVEPATCH_LIST returns it. */
struct xen_livepatch_info {
    struct xen_livepatch_name name;
    struct xen_livepatch_status status;
    uint32_t nr_funcs;                        /* functions it patches */
    uint32_t applied_order;                   /* 1 for the first in the applied stack, ..; 0 */
    uint8_t build_id[LIVEPATCH_BUILD_ID_MAX]; /* its own */
    uint8_t depends[LIVEPATCH_BUILD_ID_MAX];  /* the payload it stacks on, or none */
    uint32_t build_id_len;                    /* octets of build_id */
    uint32_t depends_len;                     /* octets of depends; 0: none */
    uint64_t memory;                          /* octets hvd holds for it */
    uint64_t action_ns; /* its last action (apply, revert, replace): from the request to every
                           hvd thread resumed; 0 if none yet */
    uint64_t held_ns;   /* that action's rendezvous: from the first thread stopped to the last
                           resumed */
};
_Static_assert(sizeof(struct xen_livepatch_info) == 192, "xen_livepatch_info");

/*
 * LIVEPATCH_LIST: payloads in the order they were loaded, from index idx;
 * the trailing buffer out holds nr entries.  version changes whenever the
 * list does: a caller paging through it starts again if it changed.
 */
struct xen_sysctl_livepatch_list {
    uint32_t idx;       /* in: the first payload wanted */
    uint32_t nr;        /* in: at most this many, 1..LIVEPATCH_PAYLOADS_MAX; out: returned */
    uint32_t remaining; /* out: payloads after these */
    uint32_t version;   /* out: the list's version */
};
_Static_assert(sizeof(struct xen_sysctl_livepatch_list) == 16, "livepatch_list");

#define LIVEPATCH_ACTION_UNLOAD  1u /* free a CHECKED payload, at once */
#define LIVEPATCH_ACTION_REVERT  2u /* undo the most recently applied payload */
#define LIVEPATCH_ACTION_APPLY   3u /* patch its functions */
#define LIVEPATCH_ACTION_REPLACE 4u /* revert every applied payload and apply this one, at once */

#define LIVEPATCH_ACTION_NODEPS 1u /* APPLY: do not check .livepatch.depends */

/*
 * LIVEPATCH_ACTION: UNLOAD is done before the reply.  The others are
 * scheduled: the reply says whether the request was accepted, and GET
 * then reports rc -XEN_EAGAIN until the action is done, 0 or its error.
 * One action at a time: another while one is pending is -XEN_EBUSY.
 */
struct xen_sysctl_livepatch_action {
    struct xen_livepatch_name name;
    uint32_t cmd;        /* LIVEPATCH_ACTION_* */
    uint32_t flags;      /* LIVEPATCH_ACTION_NODEPS, or 0 */
    uint64_t timeout_ns; /* how long every hvd thread may take to reach the rendezvous;
                            0: LIVEPATCH_TIMEOUT_DEFAULT_NS; at most LIVEPATCH_TIMEOUT_MAX_NS */
};
_Static_assert(sizeof(struct xen_sysctl_livepatch_action) == 80, "livepatch_action");

#define XEN_SYSCTL_LIVEPATCH_UPLOAD 0u
#define XEN_SYSCTL_LIVEPATCH_GET    1u
#define XEN_SYSCTL_LIVEPATCH_LIST   2u
#define XEN_SYSCTL_LIVEPATCH_ACTION 3u

struct xen_sysctl_livepatch_op {
    uint32_t cmd; /* XEN_SYSCTL_LIVEPATCH_* */
    uint32_t pad; /* zero */
    union {
        struct xen_sysctl_livepatch_upload upload;
        struct xen_sysctl_livepatch_get get;
        struct xen_sysctl_livepatch_list list;
        struct xen_sysctl_livepatch_action action;
    } u;
};
_Static_assert(sizeof(struct xen_sysctl_livepatch_op) == 88, "xen_sysctl_livepatch_op");

#endif
