/*
 * hvcli save/restore: what both verbs add to libhvguest's engine —
 * progress on a terminal, and signals that stop the work cleanly instead
 * of killing hvcli half-way.
 */
#ifndef HVCLI_DOMSTREAM_H
#define HVCLI_DOMSTREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <hvguest.h>

/* Percent progress on stderr, only when stderr is a terminal. */
struct progress {
    bool on;
    const char *what; /* "saving", "restoring" */
    int shown;        /* last percent printed, -1 before any */
};

/*
 * From domstream_begin() to domstream_end(), SIGINT, SIGTERM and SIGHUP
 * set a flag instead of ending hvcli, so a save or restore stops at its
 * next step and no paused or half-built domain is left behind; SIGPIPE
 * and SIGXFSZ are ignored (the write fails with -EPIPE or -EFBIG instead).
 * domstream_begin() also starts the progress line of `what` ("saving").
 */
void domstream_begin(struct progress *p, const char *what);
/* domstream_end() puts the previous signal handlers back. */
void domstream_end(void);

/* The engine's hvguest_progress_fn (arg: a struct progress): shows the
 * pages' percent, and asks the engine to stop once a signal came. */
int progress_report(void *arg, enum hvguest_phase phase, uint64_t done, uint64_t total);

/* After the engine returned rc: clear the progress line, and say which
 * signal stopped it in st->error.  Returns rc. */
int domstream_engine_done(struct progress *p, int rc, struct hvguest_status *st);

/* The signal that asked us to stop, or 0. */
int domstream_interrupted(void);

#endif
