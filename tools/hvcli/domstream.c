/* hvcli save/restore: memory mapping, domctls, config JSON, progress, signals. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include <yajl/yajl_gen.h>
#include <hv/public/privcmd.h>
#include "domstream.h"

#define PAGES_PER_MIB 256u

int dom_memory_map(hvctl_t *h, uint32_t domid, int prot, struct dom_memory *m)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_get_memory_fd, .domain = (domid_t)domid };
    int fd = -1, rc;

    memset(m, 0, sizeof(*m));
    rc = hvctl_domctl(h, &op, NULL, 0, NULL, 0, NULL, &fd);
    if (rc < 0)
        return rc;
    if (fd < 0)
        return -EPROTO;
    uint64_t size = op.u.memory_fd.size;
    if (size == 0 || size % DOMSTREAM_PAGE_SIZE) {
        close(fd);
        return -EPROTO;
    }
    void *base = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
    rc = base == MAP_FAILED ? -errno : 0;
    close(fd); /* the mapping keeps the file */
    if (rc < 0)
        return rc;
    m->base = base;
    m->nr_gfns = size / DOMSTREAM_PAGE_SIZE;
    return 0;
}

void dom_memory_unmap(struct dom_memory *m)
{
    if (m->base)
        munmap(m->base, m->nr_gfns * DOMSTREAM_PAGE_SIZE);
    m->base = NULL;
}

uint8_t *dom_memory_frame(const struct dom_memory *m, uint64_t frame)
{
    return frame < m->nr_gfns ? m->base + frame * DOMSTREAM_PAGE_SIZE : NULL;
}

void dom_memory_prefault(const struct dom_memory *m, uint64_t frame, uint64_t nr, bool write)
{
    if (frame >= m->nr_gfns)
        return;
    if (nr > m->nr_gfns - frame)
        nr = m->nr_gfns - frame;
    madvise(m->base + frame * DOMSTREAM_PAGE_SIZE, nr * DOMSTREAM_PAGE_SIZE,
            write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}

int dom_p2m_query(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, uint64_t *frames)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_p2m_query, .domain = (domid_t)domid,
                             .u.p2m_query = { .first_gfn = gfn, .nr = nr } };
    size_t got = 0;
    int rc = hvctl_domctl(h, &op, NULL, 0, frames, (size_t)nr * sizeof(*frames), &got, NULL);

    if (rc == 0 && got != (size_t)nr * sizeof(*frames))
        rc = -EPROTO;
    return rc;
}

int dom_p2m_set(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, bool populate)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_p2m_set, .domain = (domid_t)domid,
                             .u.p2m_set = { .first_gfn = gfn, .nr = nr, .populate = populate } };

    return hvctl_domctl(h, &op, NULL, 0, NULL, 0, NULL, NULL);
}

int dom_getcontext(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index, void *buf,
                   size_t cap, uint32_t *len)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getcontext, .domain = (domid_t)domid,
                             .u.context = { .type = type, .index = index } };
    size_t got = 0;
    int rc = hvctl_domctl(h, &op, NULL, 0, buf, cap, &got, NULL);

    if (rc < 0)
        return rc;
    if (got != op.u.context.length)
        return -EPROTO;
    *len = op.u.context.length;
    return 0;
}

int dom_setcontext(hvctl_t *h, uint32_t domid, uint32_t type, uint32_t index, const void *body,
                   uint32_t len)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_setcontext, .domain = (domid_t)domid,
                             .u.context = { .type = type, .index = index, .length = len } };

    if (len > HV_PRIVCMD_MAX_BUF)
        return -EMSGSIZE;
    return hvctl_domctl(h, &op, body, len, NULL, 0, NULL, NULL);
}

/* ---- config JSON -------------------------------------------------------- */

static const char *action_name(uint8_t action)
{
    switch (action) {
    case HV_ACTION_restart: return "restart";
    case HV_ACTION_preserve: return "preserve";
    default: return "destroy";
    }
}

static yajl_gen_status gen_str(yajl_gen g, const char *key, const char *val, size_t len)
{
    yajl_gen_status st = yajl_gen_string(g, (const unsigned char *)key, strlen(key));

    return st != yajl_gen_status_ok ? st : yajl_gen_string(g, (const unsigned char *)val, len);
}

static yajl_gen_status gen_u64(yajl_gen g, const char *key, uint64_t val)
{
    char digits[24];
    int len = snprintf(digits, sizeof(digits), "%" PRIu64, val);
    yajl_gen_status st = yajl_gen_string(g, (const unsigned char *)key, strlen(key));

    return st != yajl_gen_status_ok ? st : yajl_gen_number(g, digits, (size_t)len);
}

static uint64_t pages_to_mib(uint64_t pages)
{
    return pages / PAGES_PER_MIB + (pages % PAGES_PER_MIB != 0);
}

/* The members, in a fixed order so that two saves of one domain agree. */
static yajl_gen_status gen_config(yajl_gen g, const struct xen_domctl_getdomaininfo *info,
                                  uint64_t nr_gfns)
{
    uint64_t maxmem = pages_to_mib(nr_gfns), memory = pages_to_mib(info->tot_pages);
    char uuid[37];
    yajl_gen_status st = yajl_gen_map_open(g);

    uuid_unparse_lower(info->handle, uuid);
    memory = memory < 1 ? 1 : memory > maxmem ? maxmem : memory;
    if (st == yajl_gen_status_ok)
        st = gen_str(g, "name", info->name, strnlen(info->name, sizeof(info->name)));
    if (st == yajl_gen_status_ok)
        st = gen_str(g, "uuid", uuid, strlen(uuid));
    if (st == yajl_gen_status_ok)
        st = gen_u64(g, "memory", memory);
    if (st == yajl_gen_status_ok)
        st = gen_u64(g, "maxmem", maxmem);
    if (st == yajl_gen_status_ok)
        st = gen_u64(g, "vcpus", info->max_vcpus);
    if (st == yajl_gen_status_ok)
        st = gen_str(g, "kernel", DOMSTREAM_NO_KERNEL, strlen(DOMSTREAM_NO_KERNEL));
    if (st == yajl_gen_status_ok)
        st = gen_str(g, "on_poweroff", action_name(info->on_poweroff),
                     strlen(action_name(info->on_poweroff)));
    if (st == yajl_gen_status_ok)
        st = gen_str(g, "on_reboot", action_name(info->on_reboot),
                     strlen(action_name(info->on_reboot)));
    if (st == yajl_gen_status_ok)
        st = gen_str(g, "on_crash", action_name(info->on_crash),
                     strlen(action_name(info->on_crash)));
    if (st == yajl_gen_status_ok)
        st = gen_u64(g, "restart_limit", info->restart_limit);
    if (st == yajl_gen_status_ok)
        st = gen_u64(g, "restart_interval", info->restart_interval_s);
    return st == yajl_gen_status_ok ? yajl_gen_map_close(g) : st;
}

int dom_config_json(const struct xen_domctl_getdomaininfo *info, uint64_t nr_gfns, char **json)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    int rc = -ENOMEM;

    if (!g)
        return -ENOMEM;
    if (gen_config(g, info, nr_gfns) == yajl_gen_status_ok &&
        yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
        *json = strndup((const char *)buf, len);
        rc = *json ? 0 : -ENOMEM;
    }
    yajl_gen_free(g);
    return rc;
}

/* ---- progress ------------------------------------------------------------ */

void progress_init(struct progress *p, const char *what, uint64_t total)
{
    p->on = isatty(STDERR_FILENO) && total > 0;
    p->what = what;
    p->total = total;
    p->shown = -1;
}

void progress_update(struct progress *p, uint64_t done)
{
    if (!p->on)
        return;
    int pct = done >= p->total ? 100 : (int)(done * 100 / p->total);
    if (pct == p->shown)
        return;
    p->shown = pct;
    fprintf(stderr, "\r%s: %3d%%", p->what, pct);
    fflush(stderr);
}

void progress_end(struct progress *p)
{
    if (p->on && p->shown >= 0)
        fputs("\r\033[K", stderr); /* erase the line: what follows stands alone */
    p->shown = -1;
}

/* ---- signals ------------------------------------------------------------- */

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NR_STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))
/* Failed writes: a closed pipe is -EPIPE, a file over ulimit -f -EFBIG. */
static const int ignored_signals[] = { SIGPIPE, SIGXFSZ };
#define NR_IGNORED_SIGNALS (sizeof(ignored_signals) / sizeof(ignored_signals[0]))
static struct sigaction saved_stop[NR_STOP_SIGNALS], saved_ignored[NR_IGNORED_SIGNALS];
static volatile sig_atomic_t stop_requested;

static void note_stop(int sig)
{
    stop_requested = sig;
}

void domstream_signals_catch(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = note_stop;
    for (size_t i = 0; i < NR_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &sa, &saved_stop[i]);
    sa.sa_handler = SIG_IGN;
    for (size_t i = 0; i < NR_IGNORED_SIGNALS; i++)
        sigaction(ignored_signals[i], &sa, &saved_ignored[i]);
}

void domstream_signals_restore(void)
{
    for (size_t i = 0; i < NR_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &saved_stop[i], NULL);
    for (size_t i = 0; i < NR_IGNORED_SIGNALS; i++)
        sigaction(ignored_signals[i], &saved_ignored[i], NULL);
}

int domstream_interrupted(void)
{
    return stop_requested;
}
