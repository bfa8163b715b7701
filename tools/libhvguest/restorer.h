/*
 * The restore engine as the migration receiver uses it: the same restore,
 * with a temporary identity and a bound on how long the sender may stall.
 */
#ifndef HVGUEST_RESTORER_H
#define HVGUEST_RESTORER_H

#include <stdbool.h>
#include <stdint.h>
#include "private.h"

struct restore_opts {
    const char *name_suffix; /* NULL: the image's name; else NAME + suffix and a random UUID */
    bool transient;          /* hvd destroys the domain if our connection closes */
    uint32_t timeout_ms;     /* 0: wait for the stream for ever */
};

/* What a restore made, besides the domain. */
struct restore_result {
    uint32_t domid;
    uint32_t rounds;        /* ROUND_END records (a migration stream) */
    uint64_t pages;         /* page records' gfns */
    uint8_t handle[16];     /* the image's UUID */
    char name[HV_NAME_MAX]; /* the image's name */
};

/* As hvguest_restore, with options; res gets what was made. */
int restore_run(hvctl_t *h, int fd, const struct restore_opts *o, hvguest_progress_fn *progress,
                void *arg, struct restore_result *res, struct hvguest_status *st);

/* A random (version 4) UUID; -errno if the kernel gives no randomness. */
int random_handle(uint8_t handle[16]);

/* NAME + suffix, NAME cut so that the whole fits a domain name. */
void name_with_suffix(char out[HV_NAME_MAX], const char *name, const char *suffix);

#endif
