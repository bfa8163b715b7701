/* libhvsave internals shared by the writer and the reader. */
#ifndef HVSAVE_PRIVATE_H
#define HVSAVE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hvsave.h"

#define HVSAVE_EXPORT __attribute__((visibility("default")))

/* Record bodies are little-endian and used in place as the structs of save.h. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "libhvsave needs a little-endian host");

/* Octets of zero padding after a body of len octets: 0..7, cannot overflow. */
static inline uint32_t hvsave_pad(uint64_t len)
{
    return (uint32_t)((8 - (len & 7)) & 7);
}

#define HVSAVE_WHY_MAX 200 /* a reason: one line, without the record's name */

/*
 * Where a stream is in the order of section 7 of the spec.  The reader
 * and the writer both keep one, so the writer cannot produce a stream the
 * reader would reject.
 */
struct hvsave_order {
    uint32_t hvd_version; /* which record types the stream may carry */
    uint32_t nr_vcpus;
    uint64_t nr_pages;
    int rank;            /* rank of the last mandatory record */
    uint32_t vcpus_seen; /* VCPU records so far: the next vcpu_id */
    bool console_seen;   /* CONSOLE_RING (optional, at most once) */
    /* The rounds of a migration stream (sections 6.11-6.13 and 13). */
    bool migration;      /* a PAGE_HOLES, ROUND_END or FINAL_ROUND so far */
    uint64_t rounds;     /* ROUND_END records so far: the number of the current round */
    uint64_t round_gfns; /* gfns of the current round's page and hole records */
    bool final_begun;    /* FINAL_ROUND so far */
    bool final_ended;    /* the final round's ROUND_END so far: no more rounds */
};

void hvsave_order_init(struct hvsave_order *o, const struct hvsave_domain_header *dh);

/*
 * From a record header alone: is (type, length) acceptable here?  Returns
 * 0, or -EBADMSG / -E2BIG / -EOPNOTSUPP with why filled.  An unknown
 * optional type is accepted (the caller skips it).
 */
int hvsave_check_header(const struct hvsave_order *o, uint32_t type, uint32_t length, char *why);

/*
 * Check a known type's whole body against the spec; on success advance
 * the order past it.  Returns 0 or -EBADMSG with why filled.
 */
int hvsave_check_body(struct hvsave_order *o, uint32_t type, const void *body, uint32_t length,
                      char *why);

/* Every gfn below nr_pages?  0 or -EBADMSG with why filled, naming the
 * bad one as the item-th ("page", "hole") of the record. */
int hvsave_check_gfns(const struct hvsave_order *o, const uint64_t *gfns, uint32_t count,
                      const char *item, char *why);

/* Check the domain header's ranges: 0 or -EBADMSG (-E2BIG for config_len) with why filled. */
int hvsave_check_domain(const struct hvsave_domain_header *dh, uint32_t config_len, char *why);

/*
 * Advance the order past a record of this type whose body was checked;
 * gfns is the count of a page or hole record (0 for any other type).
 */
void hvsave_order_note(struct hvsave_order *o, uint32_t type, uint32_t gfns);

/* Is the stream complete, so that END may come now?  0 or -EBADMSG with why filled. */
int hvsave_check_complete(const struct hvsave_order *o, char *why);

/* The type's name, or "unknown" (never NULL): for messages. */
const char *hvsave_type_label(uint32_t type);

/* A reader's or writer's fd, and how it waits for it (io.c). */
struct hvsave_io {
    int fd;
    int timeout_ms;    /* the longest wait for the fd to be ready; 0: for ever */
    bool socket;       /* a socket with a timeout: sent to with MSG_DONTWAIT */
    bool small_writes; /* a blocking pipe with a timeout: PIPE_BUF octets per write */
    bool timed_out;    /* the failure was a wait of timeout_ms */
};

/* Set io up for fd (its type and O_NONBLOCK are looked at now, once). */
void hvsave_io_init(struct hvsave_io *io, int fd, int timeout_ms);

/*
 * Read exactly len octets.  0, -ENODATA at end of input (*got says how
 * many octets came before it), -ETIMEDOUT (io->timed_out set) when no
 * octet came for io->timeout_ms, or -errno.
 */
int hvsave_read_full(struct hvsave_io *io, void *buf, size_t len, size_t *got);

/* Write every octet of iov[0..cnt-1]; 0, -ETIMEDOUT as for reads, or -errno.  iov is modified. */
int hvsave_writev_full(struct hvsave_io *io, struct iovec *iov, int cnt);

#endif
