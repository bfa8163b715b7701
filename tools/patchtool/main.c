/*
 * patchtool: build live patches for hvd and load, apply, revert, replace,
 * unload and list them (patchtool(1), docs/livepatch.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "patchtool.h"

#ifndef HVPATCH_INCLUDEDIR
#error "HVPATCH_INCLUDEDIR (where hvpatch.h is installed) is set by tools/patchtool/patchtool.am"
#endif
#define DEFAULT_SOCKET "/run/hvd/hvd.sock"

static const char usage_text[] =
    "usage: patchtool [-s SOCKET] COMMAND [OPTIONS] ARGS\n"
    "  build --hvd HVD [--src TREE] [--depends PAYLOAD] -o OUT FIX.c\n"
    "                      make a payload from FIX.c for that hvd binary\n"
    "  upload NAME FILE    load a payload into hvd and check it (state checked)\n"
    "  apply [--nodeps] [-t MS] NAME\n"
    "                      patch hvd with a checked payload\n"
    "  revert [-t MS] NAME undo the most recently applied payload\n"
    "  replace [-t MS] NAME\n"
    "                      revert every applied payload and apply NAME, at once\n"
    "  unload NAME         free a checked payload\n"
    "  load [--name NAME] [-t MS] FILE\n"
    "                      upload and apply (unloaded again if it does not apply)\n"
    "  list [--json]       the payloads hvd holds\n"
    "Options: -s SOCKET (default $HVD_SOCKET or " DEFAULT_SOCKET "), -t MS: how long\n"
    "hvd's threads may take to reach the rendezvous (default 30, at most 1000).\n"
    "Exit status: 0 done, 1 error, 2 hvd busy (try again).  See patchtool(1).\n";

int pt_err(int rc, const char *fmt, ...)
{
    va_list ap;
    fputs("patchtool: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return rc;
}

void pt_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("patchtool: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

struct cmd_opts {
    struct build_opts build;
    const char *name;
    bool nodeps, json;
    uint64_t timeout_ns;
};

static int parse_cmd_opts(int argc, char **argv, struct cmd_opts *c)
{
    static const struct option opts[] = {
        { "hvd", required_argument, NULL, 'H' },        { "src", required_argument, NULL, 'S' },
        { "depends", required_argument, NULL, 'D' },    { "name", required_argument, NULL, 'n' },
        { "nodeps", no_argument, NULL, 'N' },           { "json", no_argument, NULL, 'j' },
        { "timeout-ms", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "+o:t:", opts, NULL)) != -1;) {
        char *end;
        unsigned long ms;
        switch (ch) {
        case 'H':
            c->build.hvd = optarg;
            break;
        case 'S':
            c->build.src = optarg;
            break;
        case 'D':
            c->build.depends = optarg;
            break;
        case 'o':
            c->build.out = optarg;
            break;
        case 'n':
            c->name = optarg;
            break;
        case 'N':
            c->nodeps = true;
            break;
        case 'j':
            c->json = true;
            break;
        case 't':
            errno = 0;
            ms = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || ms > LIVEPATCH_TIMEOUT_MAX_NS / 1000000u)
                return pt_err(-1, "-t %s: a timeout in milliseconds, 0..%llu", optarg,
                              LIVEPATCH_TIMEOUT_MAX_NS / 1000000u);
            c->timeout_ns = ms * 1000000u;
            break;
        default:
            return -1;
        }
    }
    return optind;
}

/* "dir/fix.livepatch" -> "fix" */
static const char *name_from_file(const char *file, char *buf, size_t len)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    snprintf(buf, len, "%s", base);
    char *dot = strstr(buf, ".livepatch");
    if (dot && dot != buf)
        *dot = '\0';
    return buf;
}

static int run_build(struct cmd_opts *c, int nargs, char **args)
{
    if (nargs != 1 || !c->build.hvd || !c->build.out)
        return pt_err(PT_EXIT_FAIL,
                      "build needs --hvd HVD, -o OUT and one C file (patchtool --help)");
    c->build.source = args[0];
    c->build.include_dir = HVPATCH_INCLUDEDIR;
    return patchtool_build(&c->build) ? PT_EXIT_FAIL : PT_EXIT_OK;
}

static const struct {
    const char *verb;
    uint32_t cmd;
} actions[] = {
    { "apply", LIVEPATCH_ACTION_APPLY },
    { "revert", LIVEPATCH_ACTION_REVERT },
    { "replace", LIVEPATCH_ACTION_REPLACE },
    { "unload", LIVEPATCH_ACTION_UNLOAD },
};

static bool is_verb(const char *verb)
{
    static const char *const others[] = { "list", "upload", "load" };
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (!strcmp(verb, actions[i].verb))
            return true;
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        if (!strcmp(verb, others[i]))
            return true;
    return false;
}

static int run_on_hvd(const char *socket, const char *verb, struct cmd_opts *c, int nargs,
                      char **args)
{
    hvctl_t *h;
    if (!is_verb(verb))
        return pt_err(PT_EXIT_FAIL, "unknown command '%s' (patchtool --help)", verb);
    int rc = hvctl_open(&h, socket);
    if (rc < 0)
        return pt_err(PT_EXIT_FAIL, "cannot connect to hvd at %s: %s", socket, strerror(-rc));
    char name[LIVEPATCH_NAME_MAX];
    rc = -1;
    if (!strcmp(verb, "list") && nargs == 0)
        rc = pt_list(h, c->json);
    else if (!strcmp(verb, "upload") && nargs == 2)
        rc = pt_upload(h, args[0], args[1]);
    else if (!strcmp(verb, "load") && nargs == 1)
        rc = pt_load(h, c->name ? c->name : name_from_file(args[0], name, sizeof(name)), args[0],
                     c->timeout_ns);
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]) && rc < 0; i++)
        if (!strcmp(verb, actions[i].verb) && nargs == 1)
            rc = pt_action(h, args[0], actions[i].cmd, c->nodeps ? LIVEPATCH_ACTION_NODEPS : 0,
                           c->timeout_ns);
    hvctl_close(h);
    return rc < 0 ? pt_err(PT_EXIT_FAIL, "%s: wrong arguments (patchtool --help)", verb) : rc;
}

int main(int argc, char **argv)
{
    const char *socket = getenv("HVD_SOCKET");
    if (!socket || !*socket)
        socket = DEFAULT_SOCKET;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return PT_EXIT_OK;
        }
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            socket = argv[++i];
        else
            return pt_err(PT_EXIT_FAIL, "unknown option %s (patchtool --help)", argv[i]);
    }
    if (i == argc)
        return pt_err(PT_EXIT_FAIL, "no command given (patchtool --help)");
    const char *verb = argv[i];
    struct cmd_opts c = { 0 };
    int first = parse_cmd_opts(argc - i, argv + i, &c);
    if (first < 0)
        return PT_EXIT_FAIL;
    if (!strcmp(verb, "build"))
        return run_build(&c, argc - i - first, argv + i + first);
    return run_on_hvd(socket, verb, &c, argc - i - first, argv + i + first);
}
