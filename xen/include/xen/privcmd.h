/* hvd internal: the control socket and its event loop. */
#ifndef HV_XEN_PRIVCMD_H
#define HV_XEN_PRIVCMD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <hv/public/domctl.h>
#include <hv/public/sysctl.h>

/* What an operation hands back beside its struct: bytes and descriptors. */
struct privcmd_reply_extra {
    void *buf;        /* trailing reply bytes (HV_PRIVCMD_MAX_BUF) */
    uint32_t buf_len; /* bytes of buf to send */
    int fds[4];
    bool close_after_send[4]; /* hvd's copy is not needed after the reply */
    unsigned int nr_fds;
};

static inline void privcmd_reply_add_fd(struct privcmd_reply_extra *out, int fd, bool close_it)
{
    out->fds[out->nr_fds] = fd;
    out->close_after_send[out->nr_fds++] = close_it;
}

/* Connections hvd serves at once, and per uid (uid 0 has no per-uid limit). */
#define PRIVCMD_DEFAULT_MAX_CLIENTS          256u
#define PRIVCMD_DEFAULT_MAX_CLIENTS_PER_USER 16u
void privcmd_set_client_limits(unsigned int total, unsigned int per_user);
int privcmd_listen(const char *path, gid_t group);
int privcmd_run(int shutdown_notify_fd); /* the main loop; returns on SIGTERM/SIGINT */
void privcmd_close(void);
/* Watch/unwatch a console client's socket in the main loop. */
struct domain;
struct vcpu;
int privcmd_watch(int fd, struct domain *d);
int privcmd_watch_timer(int fd, struct vcpu *v);
void privcmd_unwatch(int fd);

/* continuation: this is the re-issue of a request that returned -ERESTART.
 * client: the connection, which owns the log-dirty mode and throttle it sets. */
long do_domctl(struct xen_domctl *op, const void *buf, uint32_t buf_len,
               struct privcmd_reply_extra *out, bool continuation, const void *client);
/* client: the connection, for operations that span several requests. */
long do_sysctl(struct xen_sysctl *op, const void *buf_in, uint32_t buf_in_len,
               struct privcmd_reply_extra *out, const void *client);
void sysctl_init(void);

#endif
