/* hvcli: what the verbs share: the one command-line parser and help
 * writer, errors, connecting, lookup. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
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

/* ---- the verbs' command lines, from their tables --------------------------- */

/* getopt_long's val for opts[i] when it has no short letter. */
#define OPT_LONG_ONLY 256

static size_t count_opts(const struct hvcli_opt *opts)
{
    size_t n = 0;

    while (opts && opts[n].name)
        n++;
    return n;
}

/* "[-t SECS]", "[--fault-ttl N]" or "[-w]" appended to buf. */
static void append_synopsis_opt(char *buf, size_t size, const struct hvcli_opt *o)
{
    size_t len = strlen(buf);
    char flag[40];

    if (o->letter)
        snprintf(flag, sizeof(flag), "-%c", o->letter);
    else
        snprintf(flag, sizeof(flag), "--%s", o->name);
    snprintf(buf + len, size - len, " [%s%s%s]", flag, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* The text after "hvcli " in usage lines: the verb, its options, its operands. */
static const char *verb_synopsis(const struct hvcli_verb *verb, char *buf, size_t size)
{
    snprintf(buf, size, "%s", verb->name);
    for (size_t i = 0; i < count_opts(verb->opts); i++)
        append_synopsis_opt(buf, size, &verb->opts[i]);
    if (verb->operands && verb->operands[0]) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, " %s", verb->operands);
    }
    return buf;
}

/* "-t, --timeout SECS" or "    --fault-ttl N": an option's left column. */
static int format_opt_flags(char *buf, size_t size, const struct hvcli_opt *o)
{
    char letter[5] = "    ";

    if (o->letter)
        snprintf(letter, sizeof(letter), "-%c, ", o->letter);
    return snprintf(buf, size, "%s--%s%s%s", letter, o->name, o->arg ? " " : "",
                    o->arg ? o->arg : "");
}

/* One option in the help: flags padded to width, then its help, whose
 * further lines are indented to the same column. */
static void print_opt_help(const struct hvcli_opt *o, int width)
{
    char flags[64];
    const char *text = o->help;

    format_opt_flags(flags, sizeof(flags), o);
    printf("  %-*s", width, flags);
    for (const char *nl; (nl = strchr(text, '\n')); text = nl + 1)
        printf("%.*s\n  %-*s", (int)(nl - text), text, width, "");
    printf("%s\n", text);
}

static void print_options_help(const struct hvcli_opt *opts)
{
    static const struct hvcli_opt help = { "help", 'h', NULL, "show this help" };
    size_t n = count_opts(opts);
    int width = 0;
    char flags[64];

    for (size_t i = 0; i <= n; i++) {
        int len = format_opt_flags(flags, sizeof(flags), i < n ? &opts[i] : &help);
        width = len > width ? len : width;
    }
    width += 2;
    printf("\nOptions:\n");
    for (size_t i = 0; i < n; i++)
        print_opt_help(&opts[i], width);
    print_opt_help(&help, width);
}

void hvcli_print_help(const struct hvcli_verb *verb)
{
    char synopsis[256];

    printf("usage: hvcli %s\n\n%s\n", verb_synopsis(verb, synopsis, sizeof(synopsis)),
           verb->summary);
    if (verb->details)
        printf("\n%s", verb->details);
    print_options_help(verb->opts);
}

int hvcli_check_operands(const struct hvcli_ctx *ctx, int count, int min, int max)
{
    char synopsis[256];

    if (count < min) {
        hvcli_err(ctx, "missing operand; usage: hvcli %s",
                  verb_synopsis(ctx->verb, synopsis, sizeof(synopsis)));
        return -EINVAL;
    }
    if (max >= 0 && count > max) {
        hvcli_err(ctx, "too many operands; usage: hvcli %s",
                  verb_synopsis(ctx->verb, synopsis, sizeof(synopsis)));
        return -EINVAL;
    }
    return 0;
}

/* getopt_long's tables for a verb's options and --help. */
struct getopt_tables {
    char shortopts[2 * HVCLI_MAX_OPTS + 3];
    struct option longopts[HVCLI_MAX_OPTS + 2];
};

static void build_getopt_tables(const struct hvcli_opt *opts, size_t n, struct getopt_tables *t)
{
    char *s = t->shortopts;

    *s++ = ':';
    for (size_t i = 0; i < n; i++) {
        int val = opts[i].letter ? opts[i].letter : OPT_LONG_ONLY + (int)i;

        t->longopts[i] =
            (struct option){ opts[i].name, opts[i].arg ? required_argument : no_argument, NULL,
                             val };
        if (opts[i].letter) {
            *s++ = opts[i].letter;
            if (opts[i].arg)
                *s++ = ':';
        }
    }
    *s++ = 'h';
    *s = '\0';
    t->longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
    t->longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
}

/* The index in opts of what getopt_long returned, or -1 for none. */
static int opt_index(const struct hvcli_opt *opts, size_t n, int c)
{
    if (c >= OPT_LONG_ONLY)
        return c - OPT_LONG_ONLY;
    for (size_t i = 0; i < n; i++)
        if (opts[i].letter == c)
            return (int)i;
    return -1;
}

/* Fill args from the command line.  Returns -1 to go on, else the exit
 * status (--help shown, or a usage error reported). */
static int parse_verb_args(const struct hvcli_ctx *ctx, int argc, char **argv,
                           struct hvcli_args *args)
{
    const struct hvcli_verb *verb = ctx->verb;
    size_t n = count_opts(verb->opts);
    struct getopt_tables t;
    int c;

    memset(args, 0, sizeof(*args));
    build_getopt_tables(verb->opts, n, &t);
    while ((c = hvcli_getopt(ctx, argc, argv, t.shortopts, t.longopts)) != -1) {
        int i = opt_index(verb->opts, n, c);

        if (c == 'h') {
            hvcli_print_help(verb);
            return HVCLI_EXIT_OK;
        }
        if (i < 0)
            return HVCLI_EXIT_USAGE;
        args->value[i] = verb->opts[i].arg ? optarg : "";
    }
    if (hvcli_check_operands(ctx, argc - optind, verb->min_operands, verb->max_operands) < 0)
        return HVCLI_EXIT_USAGE;
    args->operands = argv + optind;
    args->count = argc - optind;
    return -1;
}

int hvcli_run_verb(const struct hvcli_ctx *ctx, int argc, char **argv)
{
    const struct hvcli_verb *verb = ctx->verb;
    struct hvcli_args args;
    int rc;

    if (count_opts(verb->opts) > HVCLI_MAX_OPTS) { /* a table that outgrew the parser */
        hvcli_err(ctx, "more than %d options in the verb's table", HVCLI_MAX_OPTS);
        return HVCLI_EXIT_FAILURE;
    }
    rc = parse_verb_args(ctx, argc, argv, &args);
    return rc >= 0 ? rc : verb->exec(ctx, &args);
}

/* ---- hvd ------------------------------------------------------------------ */

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

int hvcli_lookup_info(const struct hvcli_ctx *ctx, hvctl_t *h, const char *dom, uint32_t *domid,
                      struct xen_domctl_getdomaininfo *info)
{
    int rc = hvcli_lookup(ctx, h, dom, domid);

    if (rc < 0)
        return rc;
    rc = hvctl_domain_getinfo(h, *domid, info);
    if (rc == -ESRCH)
        hvcli_err(ctx, "unknown domain '%s'", dom);
    else if (rc < 0)
        hvcli_err(ctx, "cannot read the state of domain '%s': %s", dom, strerror(-rc));
    return rc;
}

int hvcli_run(const struct hvcli_ctx *ctx,
              int (*op)(const struct hvcli_ctx *ctx, hvctl_t *h, const void *arg), const void *arg)
{
    hvctl_t *h;
    int rc;

    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = op(ctx, h, arg);
    hvctl_close(h);
    return rc < 0 ? HVCLI_EXIT_FAILURE : HVCLI_EXIT_OK;
}

int hvcli_run_domain_op(const struct hvcli_ctx *ctx, const struct hvcli_args *args,
                        int (*op)(hvctl_t *h, uint32_t domid), const char *what)
{
    const char *dom = args->operands[0];
    hvctl_t *h;
    uint32_t domid;
    int rc;

    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = hvcli_lookup(ctx, h, dom, &domid);
    if (rc == 0) {
        rc = op(h, domid);
        if (rc < 0)
            hvcli_err(ctx, "cannot %s domain '%s': %s", what, dom, strerror(-rc));
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
    struct xen_domctl_getdomaininfo *v = hvcli_reserve(a->v, &a->cap, a->count, more, sizeof(*v));

    if (!v)
        return -ENOMEM;
    a->v = v;
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

int hvcli_put_json(const struct hvcli_ctx *ctx, int made, char *json)
{
    int rc = made;

    errno = 0;
    if (rc == 0 && (fputs(json, stdout) == EOF || fflush(stdout) != 0))
        rc = errno ? -errno : -EIO;
    if (made == 0)
        free(json);
    if (rc < 0)
        hvcli_err(ctx, "cannot write JSON: %s", strerror(-rc));
    return rc;
}

void *hvcli_reserve(void *array, size_t *cap, size_t count, size_t more, size_t size)
{
    void *grown;

    if (*cap - count >= more)
        return array;
    if (more > SIZE_MAX / size - count)
        return NULL;
    grown = realloc(array, (count + more) * size);
    if (grown)
        *cap = count + more;
    return grown;
}
