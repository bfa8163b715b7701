/*
 * Live migration, the sending end (docs/specs/save-stream.md, section 14):
 * HELLO, the migration stream while watching for the receiver's ERROR,
 * READY, GO, DONE.  Until GO the domain here is the only one that runs,
 * and every failure leaves it running as before.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "live.h"
#include "migrate_msg.h"
#include "restorer.h"

#define AWAY_SUFFIX "--migratedaway"

struct sender {
    struct live l;
    int in, out, timeout_ms;
    const char *token;
    struct xen_domctl_getdomaininfo info; /* before the migration: name, UUID */
    char away_name[HV_NAME_MAX];
    bool renamed;                  /* our copy is called away_name, with a temporary UUID */
    struct mig_msg msg;            /* the last message read */
    bool peer_spoke;               /* the receiver sent ERROR (or closed) during the stream */
    hvguest_progress_fn *progress; /* the caller's */
    void *arg;
    int peer_rc;
    uint64_t start_ns, go_ns;
};

#define send_fail(d, rc, ...) save_fail(&(d)->l.s, rc, __VA_ARGS__)

/* The receiver's next message must be type; its ERROR says what it did
 * (the receiver "refused it: ..."), anything else what it did not. */
static int expect_message(struct sender *d, uint32_t type, const char *error_says,
                          const char *otherwise)
{
    int rc = mig_recv(d->in, &d->msg, d->timeout_ms);

    if (rc == 0 && d->msg.type == type)
        return 0;
    if (rc == 0 && d->msg.type == MIG_ERROR)
        return send_fail(d, d->msg.u.error.status, "the receiver %s: %s", error_says, d->msg.text);
    return send_fail(d, rc < 0 ? rc : -EPROTO, "the receiver %s: %s", otherwise,
                     mig_describe(&d->msg, rc));
}

static int say_hello(struct sender *d)
{
    struct mig_hello hello = { .protocol = MIG_PROTOCOL,
                               .flags =
                                   d->l.p.flags & HVGUEST_MIGRATE_PAUSED ? MIG_HELLO_PAUSED : 0,
                               .tot_pages = d->info.tot_pages,
                               .max_pages = d->info.max_pages };
    int rc;

    if (d->token && strlen(d->token) >= MIG_TOKEN_LEN)
        return send_fail(d, -EINVAL, "the token is too long");
    if (d->token)
        memcpy(hello.token, d->token, strlen(d->token));
    if ((rc = mig_send(d->out, MIG_HELLO, &hello, sizeof(hello), d->timeout_ms)) < 0)
        return send_fail(d, rc, "cannot reach the receiver: %s", mig_describe(&d->msg, rc));
    rc = expect_message(d, MIG_WELCOME, "refused it", "did not answer");
    if (rc == 0 && d->msg.u.welcome.protocol != MIG_PROTOCOL)
        return send_fail(d, -EPROTO, "the receiver speaks migration protocol %" PRIu32 ", not 1",
                         d->msg.u.welcome.protocol);
    return rc;
}

/* Whether the receiver said something (or closed) within ms; then read it. */
static bool watch_receiver_for(struct sender *d, int ms)
{
    struct pollfd p = { .fd = d->in, .events = POLLIN };

    if (poll(&p, 1, ms) <= 0)
        return false;
    d->peer_rc = mig_recv(d->in, &d->msg, d->timeout_ms);
    return true;
}

/*
 * Between batches of the stream: has the receiver said something?  It
 * says nothing before READY unless it failed, so any message (or the
 * channel's end) stops the stream.
 */
static int watch_receiver(void *arg, enum hvguest_phase phase, uint64_t done, uint64_t total)
{
    struct sender *d = arg;

    if (d->progress && d->progress(d->arg, phase, done, total))
        return 1;
    d->peer_spoke = watch_receiver_for(d, 0);
    return d->peer_spoke;
}

/*
 * After the stream failed: the receiver's account if it gave one.  A
 * receiver that failed says why and closes, so the write that failed may
 * have come first: its ERROR is looked for a moment.
 */
#define LAST_WORD_MS 2000
static int stream_failed(struct sender *d, int rc)
{
    if (!d->peer_spoke && rc != -EINTR && watch_receiver_for(d, LAST_WORD_MS))
        d->peer_spoke = true;
    if (d->peer_spoke && d->peer_rc == 0 && d->msg.type == MIG_ERROR)
        return send_fail(d, d->msg.u.error.status, "the receiver failed: %s", d->msg.text);
    if (d->peer_spoke && d->peer_rc != -ETIMEDOUT)
        return send_fail(d, d->peer_rc ? d->peer_rc : -EPROTO, "the receiver stopped: %s",
                         mig_describe(&d->msg, d->peer_rc));
    return rc;
}

static int await_ready(struct sender *d)
{
    return expect_message(d, MIG_READY, "failed", "did not say it was ready");
}

/* Give our copy its temporary identity, or its own back. */
static int set_identity(struct sender *d, bool away)
{
    uint8_t handle[16];
    int rc;

    if (away && (rc = random_handle(handle)) < 0)
        return rc;
    rc = hvctl_domain_rename(d->l.s.h, d->l.s.domid, away ? d->away_name : d->info.name);
    if (rc == 0)
        rc = hvctl_domain_sethandle(d->l.s.h, d->l.s.domid, away ? handle : d->info.handle);
    return rc;
}

static int step_aside(struct sender *d)
{
    int rc;

    name_with_suffix(d->away_name, d->info.name, AWAY_SUFFIX);
    if ((rc = set_identity(d, true)) < 0) {
        set_identity(d, false);
        return send_fail(d, rc, "cannot rename it to '%s' before handing it over: %s", d->away_name,
                         strerror(-rc));
    }
    d->renamed = true;
    return 0;
}

/* The handover failed before the receiver took the domain: ours again. */
static void take_back(struct sender *d)
{
    int rc = d->renamed ? set_identity(d, false) : 0;
    size_t used = strlen(d->l.s.why);

    if (rc < 0)
        snprintf(d->l.s.why + used, sizeof(d->l.s.why) - used,
                 "; and it could not get its name back (it is '%s' here): %s", d->away_name,
                 strerror(-rc));
    d->renamed = rc < 0;
    live_undo(&d->l);
}

/*
 * GO, unless the channel is already closed: the first write to a socket
 * whose peer has gone still succeeds, and a GO that cannot have arrived
 * must not leave the domain in doubt.
 */
static int send_go(struct sender *d)
{
    struct pollfd p = { .fd = d->in, .events = POLLIN };
    int rc = poll(&p, 1, 0) == 1 ? -ECONNRESET : mig_send(d->out, MIG_GO, NULL, 0, d->timeout_ms);

    d->go_ns = live_now_ns();
    if (rc < 0)
        return send_fail(d, rc, "the connection broke before the receiver was told to go: %s",
                         mig_describe(&d->msg, rc));
    return 0;
}

/* The estimated downtime (spec 14.1 DONE): pause to GO here, half the
 * round trip, GO to unpause there. */
static void account(struct sender *d, struct hvguest_migrate_report *rep)
{
    uint64_t now = live_now_ns(), rtt = now - d->go_ns;
    const struct mig_done *done = &d->msg.u.done;

    rtt = rtt > done->go_to_done_ns ? rtt - done->go_to_done_ns : 0;
    rep->dest_domid = done->domid;
    rep->downtime_ns = d->go_ns - d->l.paused_at_ns + rtt / 2 + done->go_to_unpause_ns;
    rep->total_ns = now - d->start_ns;
}

static int await_done(struct sender *d, struct hvguest_migrate_report *rep)
{
    int rc = mig_recv(d->in, &d->msg, d->timeout_ms);

    if (rc == 0 && d->msg.type == MIG_DONE) {
        account(d, rep);
        if ((rc = hvctl_domain_destroy(d->l.s.h, d->l.s.domid)) < 0)
            return send_fail(d, rc,
                             "it runs at the destination, but its paused copy here, '%s', could "
                             "not be destroyed: %s",
                             d->away_name, strerror(-rc));
        return 0;
    }
    if (rc == 0 && d->msg.type == MIG_ERROR) {
        send_fail(d, d->msg.u.error.status, "the receiver could not start it: %s; it runs on here",
                  d->msg.text);
        take_back(d);
        return d->msg.u.error.status;
    }
    return send_fail(d, -EREMOTEIO,
                     "no word from the receiver after go (%s): the domain runs at the "
                     "destination if go arrived; its paused copy is kept here as '%s' "
                     "(docs/migration.md says how to recover)",
                     mig_describe(&d->msg, rc), d->away_name);
}

static int migrate(struct sender *d, struct hvguest_migrate_report *rep)
{
    int rc = hvctl_domain_getinfo(d->l.s.h, d->l.s.domid, &d->info);

    if (rc < 0)
        return send_fail(d, rc, "cannot read its info: %s", strerror(-rc));
    if ((rc = say_hello(d)) < 0)
        return rc;
    if ((rc = live_write_stream(&d->l)) < 0) {
        rc = stream_failed(d, rc);
        live_undo(&d->l);
        return rc;
    }
    if ((rc = await_ready(d)) < 0 || (rc = step_aside(d)) < 0 || (rc = send_go(d)) < 0) {
        take_back(d);
        return rc;
    }
    return await_done(d, rep);
}

static void fill_report(const struct sender *d, struct hvguest_migrate_report *rep)
{
    rep->rounds = d->l.rounds;
    rep->max_throttle = d->l.max_throttle;
    rep->pages_sent = d->l.s.pages_done;
    rep->holes_sent = d->l.s.holes_done;
    rep->guest_pages = d->l.s.info.tot_pages;
    rep->octets = hvsave_writer_offset(d->l.s.w);
    rep->final_ns = d->l.paused_at_ns && d->go_ns ? d->go_ns - d->l.paused_at_ns : 0;
}

static void apply_defaults(struct hvguest_live_policy *p)
{
    if (!p->downtime_ms)
        p->downtime_ms = HVGUEST_DEFAULT_DOWNTIME_MS;
    if (!p->max_rounds)
        p->max_rounds = HVGUEST_DEFAULT_MAX_ROUNDS;
    if (!p->timeout_ms)
        p->timeout_ms = HVGUEST_DEFAULT_TIMEOUT_MS;
}

HVGUEST_API int hvguest_migrate_send(hvctl_t *h, uint32_t domid, int in_fd, int out_fd,
                                     const char *token, const struct hvguest_live_policy *policy,
                                     hvguest_progress_fn *progress, hvguest_round_fn *round,
                                     void *arg, struct hvguest_migrate_report *rep,
                                     struct hvguest_status *st)
{
    struct hvguest_migrate_report ignored;
    struct sender *d = calloc(1, sizeof(*d));
    int rc;

    if (!d)
        return -ENOMEM;
    rep = rep ? rep : &ignored;
    *rep = (struct hvguest_migrate_report){ 0 };
    if (policy)
        d->l.p = *policy;
    apply_defaults(&d->l.p);
    d->in = in_fd;
    d->out = out_fd;
    d->token = token;
    d->timeout_ms = (int)d->l.p.timeout_ms;
    d->start_ns = live_now_ns();
    d->progress = progress;
    d->arg = arg;
    d->l.on_round = round;
    d->l.round_arg = arg;
    d->l.s = (struct saver){ .h = h,
                             .domid = domid,
                             .fd = out_fd,
                             .flags = d->l.p.flags & HVGUEST_MIGRATE_ZLIB ? HVGUEST_SAVE_ZLIB : 0,
                             .timeout_ms = d->timeout_ms,
                             .progress = watch_receiver,
                             .arg = d,
                             .shared_info_gfn = HV_INVALID_FRAME };
    if (!h || in_fd < 0 || out_fd < 0 ||
        (d->l.p.flags & ~(HVGUEST_MIGRATE_PAUSED | HVGUEST_MIGRATE_ZLIB)))
        rc = send_fail(d, -EINVAL, "bad arguments");
    else
        rc = migrate(d, rep);
    fill_report(d, rep);
    live_finish(&d->l, rc, st);
    free(d);
    return rc < 0 ? rc : 0;
}
