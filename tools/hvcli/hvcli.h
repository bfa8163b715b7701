/*
 * hvcli: the administrator's command-line tool.  One verb per file; this
 * header holds what the verbs share: the verb table entry, the error
 * helper, option and argument checks, and connecting to hvd.
 */
#ifndef HVCLI_H
#define HVCLI_H

#include <stdbool.h>
#include <getopt.h>
#include <stdint.h>
#include <hvctl.h>
#include <hvcfg.h>
#include <hvguest.h>

#ifndef PACKAGE_VERSION /* configure defines it; a direct gcc build does not */
#define PACKAGE_VERSION "unknown"
#endif
#define HVCLI_VERSION PACKAGE_VERSION

/* Exit status: documented in hvcli(1). */
#define HVCLI_EXIT_OK      0
#define HVCLI_EXIT_FAILURE 1 /* the request failed or hvd could not be reached */
#define HVCLI_EXIT_USAGE   2 /* bad command line */

struct hvcli_ctx;

/* One option of a verb.  Every verb also takes -h/--help, which the
 * parser adds. */
struct hvcli_opt {
    const char *name; /* long name ("wait"); NULL ends a table */
    char letter;      /* short letter ('w'); 0: the long name only */
    const char *arg;  /* its argument's name ("SECS"); NULL: it takes none */
    const char *help; /* for `hvcli VERB --help`; a '\n' goes on on the next line */
};

#define HVCLI_MAX_OPTS 12 /* options in a verb's table, --help aside */

/* What the parser found on a verb's command line. */
struct hvcli_args {
    /* value[i]: the argument of opts[i] (the last one given), "" when
     * opts[i] takes none, NULL when it was not given. */
    const char *value[HVCLI_MAX_OPTS];
    char **operands;
    int count; /* of operands */
};

/*
 * A verb, declared: hvcli_run_verb() parses its options and operands from
 * this table (reporting usage errors in one line, exit status 2), answers
 * --help with text made from it, then calls exec.
 */
struct hvcli_verb {
    const char *name;
    const char *summary;            /* one line for `hvcli --help` */
    const struct hvcli_opt *opts;   /* NULL: none but --help */
    const char *operands;           /* their usage, e.g. "DOM MiB" or "[DOM...]" */
    int min_operands, max_operands; /* max -1: no limit */
    const char *details;            /* NULL, or paragraphs shown before the options */
    int (*exec)(const struct hvcli_ctx *ctx, const struct hvcli_args *args); /* exit status */
};

/* What every verb gets: itself and the global options. */
struct hvcli_ctx {
    const struct hvcli_verb *verb; /* NULL before a verb is known */
    const char *socket;            /* -s PATH, or NULL for the default */
};

extern const struct hvcli_verb hvcli_verb_create;
extern const struct hvcli_verb hvcli_verb_destroy;
extern const struct hvcli_verb hvcli_verb_shutdown;
extern const struct hvcli_verb hvcli_verb_list;
extern const struct hvcli_verb hvcli_verb_info;
extern const struct hvcli_verb hvcli_verb_pause;
extern const struct hvcli_verb hvcli_verb_unpause;
extern const struct hvcli_verb hvcli_verb_console;
extern const struct hvcli_verb hvcli_verb_dmesg;
extern const struct hvcli_verb hvcli_verb_vcpu_list;
extern const struct hvcli_verb hvcli_verb_mem_set;
extern const struct hvcli_verb hvcli_verb_save;
extern const struct hvcli_verb hvcli_verb_restore;
extern const struct hvcli_verb hvcli_verb_migrate;
extern const struct hvcli_verb hvcli_verb_migrate_receive;
extern const struct hvcli_verb hvcli_verb_rename;

/* Print exactly one line "hvcli: VERB: message" (or "hvcli: message")
 * to stderr. */
void hvcli_err(const struct hvcli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Run ctx->verb on its arguments (argv[0] is the verb's name).  Returns
 * the exit status. */
int hvcli_run_verb(const struct hvcli_ctx *ctx, int argc, char **argv);

/* Print "usage: hvcli SYNOPSIS" and the verb's help to stdout. */
void hvcli_print_help(const struct hvcli_verb *verb);

/* The socket this invocation talks to (the -s path or the default). */
const char *hvcli_socket(const struct hvcli_ctx *ctx);

/*
 * getopt_long over a verb's arguments with one-line error messages.
 * shortopts must start with ':' (so a missing argument is told apart).
 * Returns the option, -1 at the end, or '?' after reporting a bad option.
 */
int hvcli_getopt(const struct hvcli_ctx *ctx, int argc, char **argv, const char *shortopts,
                 const struct option *longopts);

/* Domains to show: the ones named (in that order), or all of them (paged,
 * none dropped).  Reports errors itself; the caller frees a->v. */
struct hvcli_domains {
    struct xen_domctl_getdomaininfo *v;
    size_t count, cap;
};
int hvcli_collect_domains(const struct hvcli_ctx *ctx, hvctl_t *h, char **doms, int count,
                          struct hvcli_domains *a);
/* --timeout SECS: a number of seconds > 0 (one-line error otherwise). */
int hvcli_parse_timeout(const struct hvcli_ctx *ctx, const char *arg, double *secs);
double hvcli_monotonic_s(void);

/* Check the number of operands; reports and returns -EINVAL if outside
 * min..max. */
int hvcli_check_operands(const struct hvcli_ctx *ctx, int count, int min, int max);

/* Connect to hvd; reports the failure (naming the socket) and returns
 * -errno. */
int hvcli_open(const struct hvcli_ctx *ctx, hvctl_t **h);

/* Resolve a domid, name or UUID; reports "unknown domain 'X'" and other
 * failures. */
int hvcli_lookup(const struct hvcli_ctx *ctx, hvctl_t *h, const char *dom, uint32_t *domid);

/* hvcli_lookup, then the domain's information; reports any failure. */
int hvcli_lookup_info(const struct hvcli_ctx *ctx, hvctl_t *h, const char *dom, uint32_t *domid,
                      struct xen_domctl_getdomaininfo *info);

/* The body of a verb that does op(ctx, h, arg) on a connection to hvd
 * (op reports its own failures); returns the exit status. */
int hvcli_run(const struct hvcli_ctx *ctx,
              int (*op)(const struct hvcli_ctx *ctx, hvctl_t *h, const void *arg), const void *arg);

/* The body of a verb that takes one DOM and applies op to it (destroy,
 * pause, unpause); `what` names the action in errors ("pause"). */
int hvcli_run_domain_op(const struct hvcli_ctx *ctx, const struct hvcli_args *args,
                        int (*op)(hvctl_t *h, uint32_t domid), const char *what);

/* Relay the console stream fd to the terminal until hvd closes it, the
 * user detaches with Ctrl-] or a signal ends it.  Closes fd.  Returns the
 * exit status. */
int hvcli_console_run(const struct hvcli_ctx *ctx, int fd);

/* Print the JSON document a libhvcfg writer made (made: the writer's
 * result; json is freed) to stdout, or report why not.  Returns 0 or
 * -errno. */
int hvcli_put_json(const struct hvcli_ctx *ctx, int made, char *json);

/* Room for `more` elements of `size` octets after the first `count` of
 * array, which has room for *cap: returns the array (moved if it grew) or
 * NULL, when out of memory (array and *cap unchanged). */
void *hvcli_reserve(void *array, size_t *cap, size_t count, size_t more, size_t size);

#endif
