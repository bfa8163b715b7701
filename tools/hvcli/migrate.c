/*
 * hvcli migrate: move a running domain to another host (or another hvd)
 * with libhvguest's live migration, over ssh, a command or TCP.  Until the
 * receiver has the whole domain and is told to go, any failure leaves the
 * domain running here as before.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "channel.h"
#include "domstream.h"
#include "hvcli.h"

enum {
    OPT_SSH,
    OPT_TCP,
    OPT_TOKEN,
    OPT_DOWNTIME,
    OPT_ROUNDS,
    OPT_BANDWIDTH,
    OPT_TIMEOUT,
    OPT_PAUSED,
    OPT_COMPRESS,
    OPT_JSON,
};

static const struct hvcli_opt migrate_options[] = {
    [OPT_SSH] = { "ssh-command", 's', "CMD",
                  "run `CMD HOST hvcli migrate-receive` instead of ssh;\n"
                  "with CMD \"\", run HOST itself as the receiver's command" },
    [OPT_TCP] = { "tcp", 0, "HOST:PORT", "connect to `hvcli migrate-receive --listen` there" },
    [OPT_TOKEN] = { "token", 0, "TOKEN", "the token that receiver printed (with --tcp)" },
    [OPT_DOWNTIME] = { "downtime-ms", 0, "MS",
                       "pause the guest once the rest can go in MS\n"
                       "milliseconds (default 30)" },
    [OPT_ROUNDS] = { "max-rounds", 0, "N", "at most N rounds while it runs (default 30)" },
    [OPT_BANDWIDTH] = { "max-bandwidth", 0, "RATE",
                        "send at most RATE octets per second (K, M, G: x1024)" },
    [OPT_TIMEOUT] = { "timeout", 0, "SECS",
                      "give up when the receiver is silent this long\n"
                      "(default 60)" },
    [OPT_PAUSED] = { "paused", 'p', NULL, "leave it paused at the destination" },
    [OPT_COMPRESS] = { "compress", 'z', NULL, "compress the memory pages (zlib)" },
    [OPT_JSON] = { "json", 0, NULL, "print the report as JSON on standard output" },
    { NULL, 0, NULL, NULL },
};

#define MAX_ROUNDS_SHOWN 1000 /* rounds kept for the JSON report */

struct migration {
    const char *dom, *dest; /* as named: the destination for messages */
    const char *token;
    struct hvguest_live_policy policy;
    struct channel ch;
    bool json;
    struct progress progress; /* on a terminal */
    struct hvguest_round *rounds;
    size_t nr_rounds, rounds_cap;
    struct hvguest_migrate_report rep;
    struct hvguest_status st;
};

/* A whole number within [min, max] with an optional K/M/G suffix when units. */
static int parse_number(const struct hvcli_ctx *ctx, const char *opt, const char *arg, bool units,
                        uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(arg, &end, 10);
    int shift = !units ? 0 : *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    end += shift != 0;
    if (errno || end == arg || *end || arg[0] == '-' || v > (max >> shift) || (v << shift) < min) {
        hvcli_err(ctx,
                  "invalid --%s '%s': expected a whole number from %" PRIu64 " to %" PRIu64 "%s",
                  opt, arg, min, max, units ? " (or with K, M or G)" : "");
        return -EINVAL;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_policy(const struct hvcli_ctx *ctx, const struct hvcli_args *a,
                        struct migration *m)
{
    uint64_t v;
    double secs;

    if (a->value[OPT_DOWNTIME] &&
        parse_number(ctx, "downtime-ms", a->value[OPT_DOWNTIME], false, 1, 60000, &v) < 0)
        return -EINVAL;
    m->policy.downtime_ms = a->value[OPT_DOWNTIME] ? (uint32_t)v : 0;
    if (a->value[OPT_ROUNDS] &&
        parse_number(ctx, "max-rounds", a->value[OPT_ROUNDS], false, 1, 10000, &v) < 0)
        return -EINVAL;
    m->policy.max_rounds = a->value[OPT_ROUNDS] ? (uint32_t)v : 0;
    if (a->value[OPT_BANDWIDTH] &&
        parse_number(ctx, "max-bandwidth", a->value[OPT_BANDWIDTH], true, 4096, UINT64_MAX >> 1,
                     &m->policy.max_bandwidth) < 0)
        return -EINVAL;
    if (a->value[OPT_TIMEOUT] && hvcli_parse_timeout(ctx, a->value[OPT_TIMEOUT], &secs) < 0)
        return -EINVAL;
    m->policy.timeout_ms = a->value[OPT_TIMEOUT] ? (uint32_t)(secs * 1000 + 0.5) : 0;
    m->policy.flags = (a->value[OPT_PAUSED] ? HVGUEST_MIGRATE_PAUSED : 0) |
                      (a->value[OPT_COMPRESS] ? HVGUEST_MIGRATE_ZLIB : 0);
    return 0;
}

/* The operands: DOM HOST, or DOM alone with --tcp (and its --token). */
static int parse_target(const struct hvcli_ctx *ctx, const struct hvcli_args *a,
                        struct migration *m)
{
    bool tcp = a->value[OPT_TCP] != NULL;

    if (!tcp && a->count == 1) {
        hvcli_err(ctx,
                  "no HOST given: hvcli migrate DOM HOST, or --tcp HOST:PORT --token TOKEN DOM");
        return -EINVAL;
    }
    if (tcp && a->count == 2) {
        hvcli_err(ctx, "with --tcp the destination is HOST:PORT: give DOM alone");
        return -EINVAL;
    }
    if (tcp && !a->value[OPT_TOKEN]) {
        hvcli_err(ctx, "--tcp needs the receiver's --token");
        return -EINVAL;
    }
    if (!tcp && (a->value[OPT_TOKEN])) {
        hvcli_err(ctx, "--token goes with --tcp");
        return -EINVAL;
    }
    if (tcp && a->value[OPT_SSH]) {
        hvcli_err(ctx, "--tcp and --ssh-command exclude each other");
        return -EINVAL;
    }
    m->dom = a->operands[0];
    m->dest = tcp ? a->value[OPT_TCP] : a->operands[1];
    m->token = a->value[OPT_TOKEN];
    return 0;
}

/*
 * The receiver's command: `ssh HOST hvcli migrate-receive`; -s CMD
 * replaces ssh, and -s "" runs HOST as the whole command (as xl does).
 * localhost without -s runs this very hvcli, without ssh.
 */
static char *receiver_command(const struct hvcli_ctx *ctx, const struct hvcli_args *a,
                              const struct migration *m)
{
    const char *ssh = a->value[OPT_SSH];
    char self[4096], *cmd = NULL;
    ssize_t n;

    if (!ssh && strcmp(m->dest, "localhost") == 0) {
        if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
            return NULL;
        self[n] = '\0';
        if (asprintf(&cmd, "'%s' -s '%s' migrate-receive", self, hvcli_socket(ctx)) < 0)
            cmd = NULL;
    } else if (ssh && !ssh[0]) {
        cmd = strdup(m->dest);
    } else if (asprintf(&cmd, "%s %s hvcli migrate-receive", ssh ? ssh : "ssh", m->dest) < 0) {
        cmd = NULL;
    }
    return cmd;
}

static int open_channel(const struct hvcli_ctx *ctx, const struct hvcli_args *a,
                        struct migration *m)
{
    int timeout_ms =
        m->policy.timeout_ms ? (int)m->policy.timeout_ms : (int)HVGUEST_DEFAULT_TIMEOUT_MS;

    if (a->value[OPT_TCP])
        return channel_connect(ctx, m->dest, timeout_ms, &m->ch);
    char *cmd = receiver_command(ctx, a, m);
    if (!cmd) {
        hvcli_err(ctx, "cannot make the receiver's command: %s", strerror(errno));
        return -ENOMEM;
    }
    int rc = channel_spawn(ctx, cmd, &m->ch);
    free(cmd);
    return rc;
}

/* One line per round on a terminal; every round kept for --json. */
static int on_round(void *arg, const struct hvguest_round *r)
{
    struct migration *m = arg;
    char throttle[32] = "";
    struct hvguest_round *grown =
        m->nr_rounds < MAX_ROUNDS_SHOWN
            ? hvcli_reserve(m->rounds, &m->rounds_cap, m->nr_rounds, 1, sizeof(*r))
            : NULL;

    if (grown) {
        m->rounds = grown;
        m->rounds[m->nr_rounds++] = *r;
    }
    if (r->throttle)
        snprintf(throttle, sizeof(throttle), "; guest throttled %" PRIu32 "%%", r->throttle);
    if (m->progress.on)
        fprintf(stderr,
                "round %" PRIu32 "%s: %" PRIu64 " pages in %.2f s at %.1f MB/s; dirtied %.1f "
                "MB/s; expected downtime %.1f ms%s\n",
                r->round, r->final ? " (final)" : "", r->pages, (double)r->ns / 1e9,
                (double)r->bandwidth / 1e6, (double)r->dirty_rate * 4096 / 1e6,
                (double)r->downtime_ns / 1e6, throttle);
    return domstream_interrupted();
}

/* Signals stop the migration between batches, as they stop a save. */
static int on_batch(void *arg, enum hvguest_phase phase, uint64_t done, uint64_t total)
{
    (void)arg, (void)phase, (void)done, (void)total;
    return domstream_interrupted();
}

static void print_summary(const struct migration *m, const char *name)
{
    const struct hvguest_migrate_report *r = &m->rep;

    fprintf(stderr,
            "Migrated domain %s to %s (domain %" PRIu32 " there) in %.2f s: downtime %.1f ms, "
            "%" PRIu32 " rounds, %" PRIu64 " pages sent for %" PRIu64 " guest pages%s\n",
            name, m->dest, r->dest_domid, (double)r->total_ns / 1e9, (double)r->downtime_ns / 1e6,
            r->rounds, r->pages_sent, r->guest_pages,
            r->max_throttle ? ", guest throttled (auto-converge)" : "");
}

#define ROUND_MEMBERS 9
static void round_members(const struct hvguest_round *r, struct hvcfg_json_member *o)
{
    const struct hvcfg_json_member members[ROUND_MEMBERS] = {
        { "round", NULL, r->round },
        { "final", NULL, r->final },
        { "pages", NULL, r->pages },
        { "holes", NULL, r->holes },
        { "octets", NULL, r->octets },
        { "ns", NULL, r->ns },
        { "dirtied", NULL, r->dirtied },
        { "expected_downtime_ns", NULL, r->downtime_ns },
        { "throttle_percent", NULL, r->throttle },
    };
    memcpy(o, members, sizeof(members));
}

static int print_json(const struct hvcli_ctx *ctx, const struct migration *m, const char *name)
{
    const struct hvguest_migrate_report *r = &m->rep;
    const struct hvcfg_json_member top[] = {
        { "domain", name, 0 },
        { "destination", m->dest, 0 },
        { "dest_domid", NULL, r->dest_domid },
        { "total_ns", NULL, r->total_ns },
        { "downtime_ns", NULL, r->downtime_ns },
        { "final_ns", NULL, r->final_ns },
        { "rounds", NULL, r->rounds },
        { "pages_sent", NULL, r->pages_sent },
        { "holes_sent", NULL, r->holes_sent },
        { "guest_pages", NULL, r->guest_pages },
        { "octets", NULL, r->octets },
        { "max_throttle_percent", NULL, r->max_throttle },
    };
    struct hvcfg_json_member *rows = calloc(m->nr_rounds + 1, sizeof(*rows) * ROUND_MEMBERS);
    char *json = NULL;
    int made = rows ? 0 : -ENOMEM;

    for (size_t i = 0; rows && i < m->nr_rounds; i++)
        round_members(&m->rounds[i], rows + i * ROUND_MEMBERS);
    if (made == 0)
        made = hvcfg_json_report(top, sizeof(top) / sizeof(top[0]), "round_list", rows,
                                 ROUND_MEMBERS, m->nr_rounds, &json);
    free(rows);
    int rc = hvcli_put_json(ctx, made, json);
    if (rc == 0)
        putchar('\n');
    return rc;
}

static int migrate_domain(const struct hvcli_ctx *ctx, hvctl_t *h, struct migration *m)
{
    struct xen_domctl_getdomaininfo info;
    uint32_t domid;
    int rc;

    if (hvcli_lookup_info(ctx, h, m->dom, &domid, &info) < 0)
        return HVCLI_EXIT_FAILURE;
    domstream_begin(&m->progress, "migrating");
    rc = hvguest_migrate_send(h, domid, m->ch.fd, m->ch.fd, m->token, &m->policy, on_batch,
                              on_round, m, &m->rep, &m->st);
    rc = domstream_engine_done(&m->progress, rc, &m->st);
    domstream_end();
    if (rc < 0) {
        hvcli_err(ctx, "cannot migrate domain '%s' to %s: %s", info.name, m->dest, m->st.error);
        return HVCLI_EXIT_FAILURE;
    }
    print_summary(m, info.name);
    if (m->json && print_json(ctx, m, info.name) < 0)
        return HVCLI_EXIT_FAILURE;
    return HVCLI_EXIT_OK;
}

static int exec_migrate(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct migration m = { .ch = { .fd = -1 }, .json = args->value[OPT_JSON] != NULL };
    hvctl_t *h;
    int status = HVCLI_EXIT_FAILURE;

    if (parse_target(ctx, args, &m) < 0 || parse_policy(ctx, args, &m) < 0)
        return HVCLI_EXIT_USAGE;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    if (open_channel(ctx, args, &m) == 0)
        status = migrate_domain(ctx, h, &m);
    channel_close(&m.ch);
    hvctl_close(h);
    free(m.rounds);
    return status;
}

const struct hvcli_verb hvcli_verb_migrate = {
    .name = "migrate",
    .summary = "move a running domain to another host, live",
    .opts = migrate_options,
    .operands = "DOM [HOST]",
    .min_operands = 1,
    .max_operands = 2,
    .details = "Copies the domain's memory to the receiver while it runs, in rounds, each\n"
               "sending what the guest dirtied during the one before; once the rest fits\n"
               "in the downtime target (or after --max-rounds) the guest is paused for the\n"
               "last round and its state.  A guest that dirties memory faster than the link\n"
               "sends is throttled in steps until it fits.  The receiver builds the domain\n"
               "paused, checks all of it, and only then is told to take it over; any\n"
               "failure before that leaves the domain running here as before.\n"
               "\n"
               "The receiver is `ssh HOST hvcli migrate-receive` (HOST localhost: this\n"
               "hvcli, on the same hvd, without ssh), or with --tcp (and no HOST) a\n"
               "receiver listening with `hvcli migrate-receive --listen`.  Shows a line\n"
               "per round on a terminal.\n"
               "See docs/migration.md.\n",
    .exec = exec_migrate,
};
