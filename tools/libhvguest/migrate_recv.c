/*
 * Live migration, the receiving end (docs/specs/save-stream.md, section
 * 14): HELLO, the stream restored as it arrives into a transient domain
 * under a temporary name, READY, and only on GO the domain's own name,
 * UUID and run.  Until GO nothing here is kept if anything fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "live.h"
#include "migrate_msg.h"
#include "restorer.h"

#define INCOMING_SUFFIX "--incoming"

struct receiver {
    hvctl_t *h;
    int in, out, timeout_ms;
    const char *token;
    struct mig_msg msg;
    struct restore_result made;
    bool have_domain; /* made.domid exists here and is ours to destroy */
    uint64_t go_ns, unpause_ns;
    char why[768];
};

#define recv_fail(r, rc, ...) guest_fail((r)->why, sizeof((r)->why), rc, __VA_ARGS__)

/* Constant time, so that timing says nothing of how much of it matched. */
static bool token_matches(const char *want, const char *got)
{
    char padded[MIG_TOKEN_LEN] = { 0 };
    unsigned char diff = 0;

    memcpy(padded, want, strnlen(want, MIG_TOKEN_LEN - 1));
    for (size_t i = 0; i < MIG_TOKEN_LEN; i++)
        diff |= (unsigned char)(padded[i] ^ got[i]);
    return diff == 0;
}

/* Refuse the sender: tell it why, and fail with the same words. */
static int refuse(struct receiver *r, int rc, const char *why)
{
    mig_send_error(r->out, rc, why, r->timeout_ms);
    return recv_fail(r, rc, "%s", why);
}

/* Whether this host can hold the domain's pages now. */
static int check_room(struct receiver *r, const struct mig_hello *hello)
{
    struct xen_sysctl_physinfo pi;
    char why[256];
    int rc = hvctl_physinfo(r->h, &pi);

    if (rc < 0)
        return refuse(r, rc, "the destination cannot read its hvd's state");
    if (hello->tot_pages <= pi.free_pages)
        return 0;
    snprintf(why, sizeof(why),
             "the destination has %" PRIu64 " MiB free for guests; the domain holds %" PRIu64
             " MiB",
             pi.free_pages / 256, hello->tot_pages / 256);
    return refuse(r, -ENOMEM, why);
}

static int welcome(struct receiver *r, bool *keep_paused)
{
    const struct mig_hello *hello = &r->msg.u.hello;
    struct xen_sysctl_physinfo pi;
    int rc = mig_recv(r->in, &r->msg, r->timeout_ms);

    if (rc == 0 && r->msg.type != MIG_HELLO)
        rc = -EPROTO;
    if (rc < 0)
        return recv_fail(r, rc, "no hello from the sender: %s", mig_describe(&r->msg, rc));
    if (hello->protocol != MIG_PROTOCOL)
        return refuse(r, -EPROTONOSUPPORT, "the destination speaks migration protocol 1 only");
    if (hello->flags & ~MIG_HELLO_PAUSED)
        return refuse(r, -EPROTO, "the sender asked for something unknown (flags)");
    if (r->token && !token_matches(r->token, hello->token))
        return refuse(r, -EACCES, "wrong token: the receiver was not given this one");
    *keep_paused = hello->flags & MIG_HELLO_PAUSED;
    if ((rc = check_room(r, hello)) < 0)
        return rc;
    rc = hvctl_physinfo(r->h, &pi);
    struct mig_welcome w = { .protocol = MIG_PROTOCOL, .hvd_version = rc == 0 ? pi.hv_version : 0 };
    if ((rc = mig_send(r->out, MIG_WELCOME, &w, sizeof(w), r->timeout_ms)) < 0)
        return recv_fail(r, rc, "cannot answer the sender: %s", mig_describe(&r->msg, rc));
    return 0;
}

/* The stream, restored as it comes; READY once it is whole and checked. */
static int receive_stream(struct receiver *r, int fd, struct hvguest_status *st)
{
    const struct restore_opts o = { .name_suffix = INCOMING_SUFFIX,
                                    .transient = true,
                                    .timeout_ms = (uint32_t)r->timeout_ms };
    int rc = restore_run(r->h, fd, &o, NULL, NULL, &r->made, st);

    if (rc < 0)
        return refuse(r, rc, st->error);
    r->have_domain = true;
    struct mig_ready ready = { .domid = r->made.domid };
    if ((rc = mig_send(r->out, MIG_READY, &ready, sizeof(ready), r->timeout_ms)) < 0)
        return recv_fail(r, rc, "cannot tell the sender it is ready: %s",
                         mig_describe(&r->msg, rc));
    return 0;
}

static int await_go(struct receiver *r)
{
    int rc = mig_recv(r->in, &r->msg, r->timeout_ms);

    r->go_ns = live_now_ns();
    if (rc == 0 && r->msg.type == MIG_GO)
        return 0;
    return recv_fail(r, rc < 0 ? rc : -EPROTO,
                     "the sender did not say go (%s): the domain stays at the source",
                     r->msg.type == MIG_ERROR ? r->msg.text : mig_describe(&r->msg, rc));
}

/* GO: the domain's own name and UUID, kept for good, and running. */
static int take_over(struct receiver *r, bool keep_paused)
{
    uint32_t domid = r->made.domid;
    int rc = hvctl_domain_rename(r->h, domid, r->made.name);

    if (rc == 0)
        rc = hvctl_domain_sethandle(r->h, domid, r->made.handle);
    if (rc == 0)
        rc = hvctl_domain_set_transient(r->h, domid, 0);
    if (rc == 0 && !keep_paused)
        rc = hvctl_domain_unpause(r->h, domid);
    r->unpause_ns = live_now_ns();
    if (rc < 0) {
        char why[512];
        snprintf(why, sizeof(why), "the destination could not take it over as '%s': %s",
                 r->made.name, strerror(-rc));
        refuse(r, rc, why);
        return recv_fail(r, rc, "%s; it goes on running at the source", why);
    }
    r->have_domain = false; /* no longer ours to destroy on failure */
    return 0;
}

static int send_done(struct receiver *r, bool keep_paused)
{
    struct mig_done done = { .domid = r->made.domid,
                             .go_to_unpause_ns = keep_paused ? 0 : r->unpause_ns - r->go_ns };
    done.go_to_done_ns = live_now_ns() - r->go_ns;
    int rc = mig_send(r->out, MIG_DONE, &done, sizeof(done), r->timeout_ms);

    if (rc < 0)
        return recv_fail(r, -EREMOTEIO,
                         "the domain %s here as '%s' (domain %" PRIu32
                         "), but the sender could not be told (%s): it keeps a paused copy "
                         "'%s%s'; destroy that one (docs/migration.md)",
                         keep_paused ? "is paused" : "runs", r->made.name, r->made.domid,
                         mig_describe(&r->msg, rc), r->made.name, "--migratedaway");
    return 0;
}

static int receive(struct receiver *r, struct hvguest_status *st)
{
    bool keep_paused = false;
    int rc = welcome(r, &keep_paused);

    if (rc == 0)
        rc = receive_stream(r, r->in, st);
    if (rc == 0)
        rc = await_go(r);
    if (rc == 0)
        rc = take_over(r, keep_paused);
    return rc == 0 ? send_done(r, keep_paused) : rc;
}

/* Before the domain was taken over: nothing of it stays here. */
static void discard(struct receiver *r)
{
    int rc = r->have_domain ? hvctl_domain_destroy(r->h, r->made.domid) : 0;
    size_t used = strlen(r->why);

    if (rc < 0)
        snprintf(r->why + used, sizeof(r->why) - used,
                 " (and destroying the incoming domain %" PRIu32 " failed: %s)", r->made.domid,
                 strerror(-rc));
}

HVGUEST_API int hvguest_migrate_receive(hvctl_t *h, int in_fd, int out_fd, const char *token,
                                        uint32_t timeout_ms, struct hvguest_receive_report *rep,
                                        struct hvguest_status *st)
{
    struct hvguest_status ignored;
    struct receiver *r = calloc(1, sizeof(*r));
    int rc;

    if (!r)
        return -ENOMEM;
    st = st ? st : &ignored;
    *st = (struct hvguest_status){ 0 };
    *r = (struct receiver){ .h = h,
                            .in = in_fd,
                            .out = out_fd,
                            .token = token,
                            .timeout_ms =
                                (int)(timeout_ms ? timeout_ms : HVGUEST_DEFAULT_TIMEOUT_MS) };
    rc = h && in_fd >= 0 && out_fd >= 0 ? receive(r, st) : recv_fail(r, -EINVAL, "bad arguments");
    if (rc < 0)
        discard(r);
    snprintf(st->error, sizeof(st->error), "%s", rc < 0 ? r->why : "");
    if (rep) {
        *rep = (struct hvguest_receive_report){ .domid = r->made.domid,
                                                .rounds = r->made.rounds,
                                                .pages = r->made.pages,
                                                .octets = st->octets,
                                                .go_to_unpause_ns = r->unpause_ns - r->go_ns };
        snprintf(rep->name, sizeof(rep->name), "%s", r->made.name);
    }
    free(r);
    return rc < 0 ? rc : 0;
}
