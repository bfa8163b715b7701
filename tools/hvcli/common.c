/* hvcli: helpers the verbs share (errors, options, connecting, lookup). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hvcli.h"

void hvcli_err(const struct hvcli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    if (ctx && ctx->verb)
        fprintf(stderr, "hvcli: %s: ", ctx->verb->name);
    else
        fputs("hvcli: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void hvcli_print_help(const struct hvcli_verb *verb)
{
    printf("usage: hvcli %s\n\n%s\n", verb->synopsis, verb->summary);
    if (verb->help[0])
        printf("\n%s", verb->help);
}

const char *hvcli_socket(const struct hvcli_ctx *ctx)
{
    return ctx->socket ? ctx->socket : hvctl_default_socket();
}

/* Length of a "--name" or "--name=value" argument's name part. */
static size_t long_option_name_len(const char *arg)
{
    return strcspn(arg + 2, "=");
}

/* Is arg the long spelling ("--name=...") of the option whose val is val? */
static int is_long_form_of(const char *arg, const struct option *longopts, int val)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    for (const struct option *o = longopts; o->name; o++) {
        size_t len = long_option_name_len(arg);

        if (o->val == val && strncmp(o->name, arg + 2, len) == 0)
            return 1;
    }
    return 0;
}

/* getopt saw something wrong at argv[optind - 1]; say what in one line. */
static void report_bad_option(const struct hvcli_ctx *ctx, int c, char **argv,
                              const struct option *longopts)
{
    const char *arg = argv[optind - 1];

    if (c == ':')
        hvcli_err(ctx, "option '%s' needs an argument", arg);
    else if (optopt == 0)
        hvcli_err(ctx, "unknown option '%.*s'", (int)(long_option_name_len(arg) + 2), arg);
    else if (is_long_form_of(arg, longopts, optopt))
        hvcli_err(ctx, "option '%.*s' takes no argument", (int)(long_option_name_len(arg) + 2),
                  arg);
    else
        hvcli_err(ctx, "unknown option '-%c'", optopt);
}

int hvcli_getopt(const struct hvcli_ctx *ctx, int argc, char **argv, const char *shortopts,
                 const struct option *longopts)
{
    int c;

    opterr = 0; /* we report errors ourselves, in one line */
    c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?' || c == ':') {
        report_bad_option(ctx, c, argv, longopts);
        return '?';
    }
    return c;
}

int hvcli_check_operands(const struct hvcli_ctx *ctx, int count, int min, int max)
{
    if (count < min) {
        hvcli_err(ctx, "missing operand; usage: hvcli %s", ctx->verb->synopsis);
        return -EINVAL;
    }
    if (max >= 0 && count > max) {
        hvcli_err(ctx, "too many operands; usage: hvcli %s", ctx->verb->synopsis);
        return -EINVAL;
    }
    return 0;
}

int hvcli_open(const struct hvcli_ctx *ctx, hvctl_t **h)
{
    int rc = hvctl_open(h, ctx->socket);

    if (rc == -ENOENT || rc == -ECONNREFUSED)
        hvcli_err(ctx, "hvd is not running at %s", hvcli_socket(ctx));
    else if (rc < 0)
        hvcli_err(ctx, "cannot connect to hvd at %s: %s", hvcli_socket(ctx), strerror(-rc));
    return rc;
}

int hvcli_lookup(const struct hvcli_ctx *ctx, hvctl_t *h, const char *dom, uint32_t *domid)
{
    int rc = hvctl_domain_lookup(h, dom, domid);

    if (rc == -ESRCH)
        hvcli_err(ctx, "unknown domain '%s'", dom);
    else if (rc < 0)
        hvcli_err(ctx, "cannot look up domain '%s': %s", dom, strerror(-rc));
    return rc;
}

int hvcli_run_domain_op(const struct hvcli_ctx *ctx, int argc, char **argv,
                        int (*op)(hvctl_t *h, uint32_t domid), const char *what)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    hvctl_t *h;
    uint32_t domid;
    int c, rc;

    while ((c = hvcli_getopt(ctx, argc, argv, ":h", longopts)) != -1) {
        if (c == 'h') {
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        }
        return HVCLI_EXIT_USAGE;
    }
    if (hvcli_check_operands(ctx, argc - optind, 1, 1) < 0)
        return HVCLI_EXIT_USAGE;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvcli_lookup(ctx, h, argv[optind], &domid);
    if (rc == 0) {
        rc = op(h, domid);
        if (rc < 0)
            hvcli_err(ctx, "cannot %s domain '%s': %s", what, argv[optind], strerror(-rc));
    }
    hvctl_close(h);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

int hvcli_parse_timeout(const struct hvcli_ctx *ctx, const char *arg, double *secs)
{
    char *end;

    errno = 0;
    *secs = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(*secs) || *secs <= 0) {
        hvcli_err(ctx, "invalid timeout '%s': expected a number of seconds > 0", arg);
        return -EINVAL;
    }
    return 0;
}

double hvcli_monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int domains_reserve(struct hvcli_domains *a, size_t more)
{
    struct xen_domctl_getdomaininfo *v;

    if (a->cap - a->count >= more)
        return 0;
    v = realloc(a->v, (a->count + more) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    a->v = v;
    a->cap = a->count + more;
    return 0;
}

/* Every domain, HV_DOMAININFOLIST_MAX per request, so none is dropped. */
static int collect_all_domains(const struct hvcli_ctx *ctx, hvctl_t *h, struct hvcli_domains *a)
{
    uint32_t first = 0;

    for (;;) {
        int n, rc = domains_reserve(a, HV_DOMAININFOLIST_MAX);

        if (rc < 0) {
            hvcli_err(ctx, "%s", strerror(-rc));
            return rc;
        }
        n = hvctl_domain_list(h, first, a->v + a->count, HV_DOMAININFOLIST_MAX);
        if (n < 0) {
            hvcli_err(ctx, "cannot list domains: %s", strerror(-n));
            return n;
        }
        a->count += (size_t)n;
        if ((unsigned int)n < HV_DOMAININFOLIST_MAX)
            return 0;
        first = (uint32_t)a->v[a->count - 1].domain + 1;
    }
}

/* The domains named on the command line, in that order. */
static int collect_named_domains(const struct hvcli_ctx *ctx, hvctl_t *h, char **doms, int count,
                         struct hvcli_domains *a)
{
    int rc = domains_reserve(a, (size_t)count);

    if (rc < 0) {
        hvcli_err(ctx, "%s", strerror(-rc));
        return rc;
    }
    for (int i = 0; i < count; i++) {
        uint32_t domid;

        rc = hvcli_lookup(ctx, h, doms[i], &domid);
        if (rc < 0)
            return rc;
        rc = hvctl_domain_getinfo(h, domid, &a->v[a->count]);
        if (rc == -ESRCH) /* destroyed since the lookup */
            hvcli_err(ctx, "unknown domain '%s'", doms[i]);
        else if (rc < 0)
            hvcli_err(ctx, "cannot query domain '%s': %s", doms[i], strerror(-rc));
        if (rc < 0)
            return rc;
        a->count++;
    }
    return 0;
}

int hvcli_collect_domains(const struct hvcli_ctx *ctx, hvctl_t *h, char **doms, int count,
                          struct hvcli_domains *a)
{
    return count ? collect_named_domains(ctx, h, doms, count, a) : collect_all_domains(ctx, h, a);
}

int hvcli_parse_long_opt(const struct hvcli_ctx *ctx, int argc, char **argv, bool *json)
{
    static const struct option longopts[] = {
        { "long", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = hvcli_getopt(ctx, argc, argv, ":lh", longopts)) != -1) {
        switch (c) {
        case 'l': *json = true; break;
        case 'h':
            hvcli_print_help(ctx->verb);
            return HVCLI_EXIT_OK;
        default:
            return HVCLI_EXIT_USAGE;
        }
    }
    return -1;
}

int hvcli_put_json(char *json)
{
    int rc = 0;

    errno = 0;
    if (fputs(json, stdout) == EOF || fflush(stdout) != 0)
        rc = errno ? -errno : -EIO;
    free(json);
    return rc;
}
