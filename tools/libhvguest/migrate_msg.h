/*
 * The migration handshake's messages (docs/specs/save-stream.md, section
 * 14.1): a 16-octet header, a payload of the type's length, zero padding
 * to a multiple of 8.  Every read and write waits at most a timeout.
 */
#ifndef HVGUEST_MIGRATE_MSG_H
#define HVGUEST_MIGRATE_MSG_H

#include <stdint.h>

#define MIG_MAGIC    0x474d5648u /* "HVMG" read as a little-endian u32 */
#define MIG_PROTOCOL 1u
#define MIG_TEXT_MAX 1024u

enum mig_type {
    MIG_HELLO = 1,
    MIG_WELCOME = 2,
    MIG_READY = 3,
    MIG_GO = 4,
    MIG_DONE = 5,
    MIG_ERROR = 6,
};

struct mig_header {
    uint32_t magic;
    uint32_t type;
    uint32_t length;
    uint32_t pad;
};
_Static_assert(sizeof(struct mig_header) == 16, "mig_header");

#define MIG_HELLO_PAUSED (1u << 0)
#define MIG_TOKEN_LEN    40u
struct mig_hello {
    uint32_t protocol;
    uint32_t flags;
    uint64_t tot_pages;
    uint64_t max_pages;
    char token[MIG_TOKEN_LEN]; /* ASCII, zero-padded; all zero: none */
};
_Static_assert(sizeof(struct mig_hello) == 64, "mig_hello");

struct mig_welcome {
    uint32_t protocol;
    uint32_t hvd_version;
};
_Static_assert(sizeof(struct mig_welcome) == 8, "mig_welcome");

struct mig_ready {
    uint32_t domid;
    uint32_t pad;
};
_Static_assert(sizeof(struct mig_ready) == 8, "mig_ready");

struct mig_done {
    uint32_t domid;
    uint32_t pad;
    uint64_t go_to_unpause_ns;
    uint64_t go_to_done_ns;
};
_Static_assert(sizeof(struct mig_done) == 24, "mig_done");

struct mig_error {
    int32_t status;
    uint32_t pad;
    char text[MIG_TEXT_MAX]; /* length - 8 octets of it */
};

/* One message as read: the payload, 8-aligned, and its type and length. */
struct mig_msg {
    uint32_t type;
    uint32_t length;
    union {
        struct mig_hello hello;
        struct mig_welcome welcome;
        struct mig_ready ready;
        struct mig_done done;
        struct mig_error error;
    } u;
    char text[MIG_TEXT_MAX + 1]; /* ERROR: its text, NUL-terminated */
};

/*
 * Send one message; waits at most timeout_ms for the channel to take it.
 * -ETIMEDOUT, -EPIPE (the peer is gone), or another write error.
 */
int mig_send(int fd, uint32_t type, const void *payload, uint32_t len, int timeout_ms);

/* Send ERROR with status and one line of text (cut at MIG_TEXT_MAX). */
int mig_send_error(int fd, int status, const char *text, int timeout_ms);

/*
 * Read one message, checked (section 14.1): -ETIMEDOUT if none comes in
 * time, -ECONNRESET if the channel ends, -EPROTO for a bad message (a
 * wrong magic, type, length, padding, or a NUL or line feed in a text).
 */
int mig_recv(int fd, struct mig_msg *m, int timeout_ms);

/* What an ERROR's text or a failed read says, for a one-line account. */
const char *mig_describe(const struct mig_msg *m, int rc);

#endif
