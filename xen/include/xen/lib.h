/* hvd internal: logging, errors and small helpers. */
#ifndef HV_XEN_LIB_H
#define HV_XEN_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <hv/public/errno.h>

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define HV_VERSION_MAJOR 1
#define HV_VERSION_MINOR 2

/* hvd's log: a ring read by `hvcli dmesg` and copied to the --log file. */
int log_init(const char *path);
void log_close(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Messages a guest can trigger: at most a burst per second per domain. */
struct ratelimit {
    uint64_t window_start_ns;
    unsigned int printed;
    unsigned int suppressed;
    char tag[16]; /* who, in the "suppressed" line: "d5" */
};
void gprintk(struct ratelimit *rl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy log bytes from *index; returns bytes copied, updates *index, *lost. */
size_t log_read(uint64_t *index, char *buf, size_t len, uint64_t *lost);

uint64_t now_ns(void);

#endif
