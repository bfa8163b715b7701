/*
 * hvd's log: every message goes to an in-memory ring (read by
 * XEN_SYSCTL_readconsole / `hvcli dmesg`) and, when configured, to a file.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <xen/lib.h>

#define LOG_RING_SIZE   (256u * 1024u)
#define GUEST_LOG_BURST 10u /* guest-triggered messages per second per domain */

static char log_ring[LOG_RING_SIZE];
static uint64_t log_prod; /* bytes ever logged */
static int log_fd = -1;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int log_init(const char *path)
{
    if (!path)
        return 0;
    log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    return log_fd < 0 ? -errno : 0;
}

void log_close(void)
{
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
}

static void log_append(const char *line, size_t len)
{
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < len; i++)
        log_ring[(log_prod + i) % LOG_RING_SIZE] = line[i];
    log_prod += len;
    if (log_fd >= 0 && write(log_fd, line, len) < 0) {
        /* The ring still has the message; nothing better to do with a full disk. */
    }
    pthread_mutex_unlock(&log_lock);
}

static void vprintk(const char *fmt, va_list ap)
{
    char line[1024];
    uint64_t t = now_ns();
    int n = snprintf(line, sizeof(line), "[%5llu.%06llu] ", (unsigned long long)(t / 1000000000ull),
                     (unsigned long long)(t / 1000ull % 1000000ull));
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2; /* the message was cut: keep the newline */
    if (len == 0 || line[len - 1] != '\n')
        line[len++] = '\n';
    log_append(line, len);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void gprintk(struct ratelimit *rl, const char *fmt, ...)
{
    uint64_t t = now_ns();
    pthread_mutex_lock(&log_lock);
    int print = 0;
    unsigned int suppressed = 0;
    if (t - rl->window_start_ns >= 1000000000ull) {
        suppressed = rl->suppressed;
        rl->window_start_ns = t;
        rl->printed = 0;
        rl->suppressed = 0;
    }
    if (rl->printed < GUEST_LOG_BURST) {
        rl->printed++;
        print = 1;
    } else {
        rl->suppressed++;
    }
    pthread_mutex_unlock(&log_lock);
    if (suppressed)
        printk("%s: %u messages suppressed", rl->tag[0] ? rl->tag : "hvd", suppressed);
    if (!print)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

size_t log_read(uint64_t *index, char *buf, size_t len, uint64_t *lost)
{
    pthread_mutex_lock(&log_lock);
    uint64_t oldest = log_prod > LOG_RING_SIZE ? log_prod - LOG_RING_SIZE : 0;
    uint64_t from = *index;
    *lost = 0;
    if (from < oldest) {
        *lost = oldest - from;
        from = oldest;
    }
    if (from > log_prod)
        from = log_prod;
    size_t n = log_prod - from < len ? (size_t)(log_prod - from) : len;
    for (size_t i = 0; i < n; i++)
        buf[i] = log_ring[(from + i) % LOG_RING_SIZE];
    *index = from + n;
    pthread_mutex_unlock(&log_lock);
    return n;
}
