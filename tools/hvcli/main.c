/* hvcli: global options and dispatch to the verbs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hvcli.h"

static const struct hvcli_verb *const verbs[] = {
    &hvcli_verb_create,  &hvcli_verb_destroy,   &hvcli_verb_shutdown,        &hvcli_verb_list,
    &hvcli_verb_info,    &hvcli_verb_pause,     &hvcli_verb_unpause,         &hvcli_verb_console,
    &hvcli_verb_dmesg,   &hvcli_verb_vcpu_list, &hvcli_verb_mem_set,         &hvcli_verb_save,
    &hvcli_verb_restore, &hvcli_verb_migrate,   &hvcli_verb_migrate_receive, &hvcli_verb_rename,
};

static const struct hvcli_verb *find_verb(const char *name)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(verbs[i]->name, name) == 0)
            return verbs[i];
    return NULL;
}

static void print_main_help(void)
{
    printf("usage: hvcli [-s PATH] VERB [ARGS...]\n"
           "       hvcli help [VERB]\n"
           "\n"
           "Control the domains of hvd, the hv hypervisor.\n"
           "\n"
           "Options:\n"
           "  -s, --socket PATH  hvd's control socket (default: $HVD_SOCKET, else %s)\n"
           "  -h, --help         show this help\n"
           "      --version      show hvcli's version\n"
           "\n"
           "Verbs:\n",
           HVCTL_DEFAULT_SOCKET);
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        printf("  %-16s %s\n", verbs[i]->name, verbs[i]->summary);
    printf("\nDOM is a domain id, name or UUID.  `hvcli VERB --help` describes a verb.\n");
}

/* `hvcli help [VERB]` */
static int run_help(int argc, char **argv)
{
    const struct hvcli_verb *verb;

    if (argc < 2) {
        print_main_help();
        return HVCLI_EXIT_OK;
    }
    if (argc > 2) {
        hvcli_err(NULL, "help: too many operands; usage: hvcli help [VERB]");
        return HVCLI_EXIT_USAGE;
    }
    verb = find_verb(argv[1]);
    if (!verb) {
        hvcli_err(NULL, "help: unknown verb '%s' (see hvcli --help)", argv[1]);
        return HVCLI_EXIT_USAGE;
    }
    hvcli_print_help(verb);
    return HVCLI_EXIT_OK;
}

/* Parse the options before the verb.  Returns -1 to go on to the verb,
 * else the exit status. */
static int parse_global_options(struct hvcli_ctx *ctx, int argc, char **argv)
{
    enum { OPT_VERSION = 256 };
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    int c;

    /* '+': stop at the verb, whose options are its own. */
    while ((c = hvcli_getopt(ctx, argc, argv, "+:s:h", longopts)) != -1) {
        switch (c) {
        case 's':
            ctx->socket = optarg;
            break;
        case 'h':
            print_main_help();
            return HVCLI_EXIT_OK;
        case OPT_VERSION:
            printf("hvcli %s\n", HVCLI_VERSION);
            return HVCLI_EXIT_OK;
        default:
            return HVCLI_EXIT_USAGE;
        }
    }
    return -1;
}

static int dispatch(struct hvcli_ctx *ctx, int argc, char **argv)
{
    const struct hvcli_verb *verb;
    int rc = parse_global_options(ctx, argc, argv);

    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        hvcli_err(NULL, "no verb given (see hvcli --help)");
        return HVCLI_EXIT_USAGE;
    }
    argc -= optind;
    argv += optind;
    if (strcmp(argv[0], "help") == 0)
        return run_help(argc, argv);
    verb = find_verb(argv[0]);
    if (!verb) {
        hvcli_err(NULL, "unknown verb '%s' (see hvcli --help)", argv[0]);
        return HVCLI_EXIT_USAGE;
    }
    ctx->verb = verb;
    optind = 0; /* glibc: start a fresh scan of the verb's arguments */
    return hvcli_run_verb(ctx, argc, argv);
}

int main(int argc, char **argv)
{
    struct hvcli_ctx ctx = { .verb = NULL, .socket = NULL };
    int rc = dispatch(&ctx, argc, argv);

    /* Output that never reached its file (a full disk) is a failure too;
     * a verb that failed has reported already. */
    if (rc == HVCLI_EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        hvcli_err(&ctx, "cannot write to standard output: %s", strerror(errno));
        return HVCLI_EXIT_FAILURE;
    }
    return rc;
}
