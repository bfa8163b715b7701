/* patchtool internals: the build, the operations on hvd, messages. */
#ifndef PATCHTOOL_H
#define PATCHTOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <hvctl.h>

/* Exit statuses: success, an error, hvd busy (try again). */
#define PT_EXIT_OK   0
#define PT_EXIT_FAIL 1
#define PT_EXIT_BUSY 2

/* Print "patchtool: ..." on stderr; returns rc. */
int pt_err(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct build_opts {
    const char *hvd;         /* hvd's binary */
    const char *src;         /* a source tree whose headers FIX.c may use, or NULL */
    const char *include_dir; /* where hvpatch.h is */
    const char *depends;     /* the payload this one stacks on, or NULL */
    const char *source;      /* FIX.c */
    const char *out;
};
int patchtool_build(const struct build_opts *o);

/* Operations on hvd: each returns a PT_EXIT_* status, having said why. */
int pt_upload(hvctl_t *h, const char *name, const char *file);
int pt_action(hvctl_t *h, const char *name, uint32_t cmd, uint32_t flags, uint64_t timeout_ns);
int pt_load(hvctl_t *h, const char *name, const char *file, uint64_t timeout_ns);
int pt_list(hvctl_t *h, bool json);

#endif
