/*
 * The live migration sender's stream: a save stream whose memory goes in
 * rounds while the guest runs (docs/specs/save-stream.md, section 13).
 */
#ifndef HVGUEST_LIVE_H
#define HVGUEST_LIVE_H

#include "saver.h"

struct live {
    struct saver s; /* s.progress is called after each batch: non-zero stops */
    struct hvguest_live_policy p;
    hvguest_round_fn *on_round;
    void *round_arg;
    struct page_batch *batch;
    uint64_t *dirty;       /* a bit per gfn marked and not sent since */
    uint64_t *marks;       /* one read of hvd's marks (HV_DIRTY_QUERY_MAX bits) */
    bool logdirty;         /* we turned log-dirty mode on */
    uint32_t throttle;     /* percent now */
    uint32_t max_throttle; /* the highest applied */
    uint32_t busy_rounds;  /* rounds in a row that dirtied half of what they sent */
    uint64_t bandwidth;    /* octets per second, the latest estimate */
    uint32_t rounds;       /* rounds ended */
    uint64_t paused_at_ns; /* CLOCK_MONOTONIC, when the final round began */
};

/* Write the whole migration stream to l->s.fd; on success the domain is
 * left paused (its final state is in the stream). */
int live_write_stream(struct live *l);

/* After a failure: log-dirty and throttling off, our pause dropped. */
void live_undo(struct live *l);

/* Free what live_write_stream allocated (the saver too); fill st. */
void live_finish(struct live *l, int rc, struct hvguest_status *st);

uint64_t live_now_ns(void);

#endif
