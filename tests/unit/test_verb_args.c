/*
 * Unit tests for hvcli's one command-line parser (tools/hvcli/common.c):
 * options and operands from a verb's table, --help text made from it,
 * one-line usage errors with exit status 2, and the transitional path of
 * a verb that parses its own arguments.
 *
 * Prints "ok NAME" or "not ok NAME: why" per case and exits non-zero if
 * any case failed.
 */
#include "../../tools/hvcli/hvcli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"

enum { OPT_FLAG, OPT_NUM, OPT_LONG_ONLY_ARG };

static const struct hvcli_opt test_options[] = {
    [OPT_FLAG] = { "flag", 'f', NULL, "a flag" },
    [OPT_NUM] = { "num", 'n', "NUM", "a number\nover two lines" },
    [OPT_LONG_ONLY_ARG] = { "long-only", 0, "X", "no short letter" },
    { NULL, 0, NULL, NULL },
};

/* What the last exec or run saw.  The operands are copied: args points
 * into the argv that run() builds and drops. */
static int calls;
static struct hvcli_args seen;
static const char *seen_operands[4];

static int exec_test(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    (void)ctx;
    calls++;
    seen = *args;
    for (int i = 0; i < args->count && i < 4; i++)
        seen_operands[i] = args->operands[i];
    return 42;
}

static const struct hvcli_verb test_verb = {
    .name = "t",
    .summary = "a verb to test the parser",
    .opts = test_options,
    .operands = "A [B]",
    .min_operands = 1,
    .max_operands = 2,
    .details = "Details here.\n",
    .exec = exec_test,
};

/* Output of one run: stdout and stderr, each into a buffer. */
static char out[4096], err[4096];

static void slurp(FILE *f, char *buf, size_t size)
{
    rewind(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Send stdout and stderr to temporary files until capture_end(). */
struct capture {
    FILE *out, *err;
    int saved_out, saved_err;
};

static void capture_begin(struct capture *c)
{
    fflush(stdout);
    fflush(stderr);
    c->out = tmpfile();
    c->err = tmpfile();
    c->saved_out = dup(STDOUT_FILENO);
    c->saved_err = dup(STDERR_FILENO);
    dup2(fileno(c->out), STDOUT_FILENO);
    dup2(fileno(c->err), STDERR_FILENO);
}

/* Restore stdout and stderr; what was written is in out and err. */
static void capture_end(struct capture *c)
{
    fflush(stdout);
    fflush(stderr);
    dup2(c->saved_out, STDOUT_FILENO);
    dup2(c->saved_err, STDERR_FILENO);
    close(c->saved_out);
    close(c->saved_err);
    slurp(c->out, out, sizeof out);
    slurp(c->err, err, sizeof err);
}

/* Run verb on a NULL-terminated list of arguments (argv[0] is the verb). */
static int run(const struct hvcli_verb *verb, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, verb);
    for (char *a; argc < 15 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    struct hvcli_ctx ctx = { .verb = verb, .socket = NULL };
    struct capture c;
    capture_begin(&c);
    calls = 0;
    memset(&seen, 0, sizeof seen);
    optind = 0; /* as main() does: a fresh scan */
    int rc = hvcli_run_verb(&ctx, argc, argv);
    capture_end(&c);
    return rc;
}

static bool args_parses_options_and_operands(void)
{
    int rc = run(&test_verb, "t", "-f", "-n", "1", "--num=2", "--long-only", "x", "a", "b", NULL);
    CHECK(rc == 42 && calls == 1, "rc %d, %d calls, stderr '%s'", rc, calls, err);
    CHECK(seen.value[OPT_FLAG] && strcmp(seen.value[OPT_FLAG], "") == 0, "flag not seen");
    CHECK(seen.value[OPT_NUM] && strcmp(seen.value[OPT_NUM], "2") == 0, "num '%s', want the last, 2",
          seen.value[OPT_NUM] ? seen.value[OPT_NUM] : "NULL");
    CHECK(seen.value[OPT_LONG_ONLY_ARG] && strcmp(seen.value[OPT_LONG_ONLY_ARG], "x") == 0,
          "long-only not seen");
    CHECK(seen.count == 2 && strcmp(seen_operands[0], "a") == 0 && strcmp(seen_operands[1], "b") == 0,
          "operands: %d", seen.count);
    rc = run(&test_verb, "t", "a", NULL);
    CHECK(rc == 42 && !seen.value[OPT_FLAG] && !seen.value[OPT_NUM] && seen.count == 1,
          "no options: rc %d", rc);
    return true;
}

/* A usage error: exit status 2, exec not called, one line on stderr holding want. */
static bool usage_error(const char *want, const char *what)
{
    CHECK(calls == 0, "%s: exec was called", what);
    CHECK(strstr(err, want), "%s: stderr '%s' lacks '%s'", what, err, want);
    CHECK(strchr(err, '\n') == err + strlen(err) - 1, "%s: not one line: '%s'", what, err);
    return true;
}

static bool args_reports_usage_errors(void)
{
    static const char usage[] = "usage: hvcli t [-f] [-n NUM] [--long-only X] A [B]";
    CHECK(run(&test_verb, "t", NULL) == HVCLI_EXIT_USAGE, "no operand accepted");
    if (!usage_error("hvcli: t: missing operand; usage: hvcli t [-f]", "no operand") ||
        !usage_error(usage, "no operand"))
        return false;
    CHECK(run(&test_verb, "t", "a", "b", "c", NULL) == HVCLI_EXIT_USAGE, "3 operands accepted");
    if (!usage_error("too many operands", "3 operands"))
        return false;
    CHECK(run(&test_verb, "t", "-x", "a", NULL) == HVCLI_EXIT_USAGE, "-x accepted");
    if (!usage_error("unknown option '-x'", "-x"))
        return false;
    CHECK(run(&test_verb, "t", "a", "-n", NULL) == HVCLI_EXIT_USAGE, "-n without argument accepted");
    if (!usage_error("option '-n' needs an argument", "-n"))
        return false;
    CHECK(run(&test_verb, "t", "--flag=1", "a", NULL) == HVCLI_EXIT_USAGE, "--flag=1 accepted");
    if (!usage_error("option '--flag' takes no argument", "--flag=1"))
        return false;
    CHECK(run(&test_verb, "t", "--nope", "a", NULL) == HVCLI_EXIT_USAGE, "--nope accepted");
    return usage_error("unknown option '--nope'", "--nope");
}

static bool args_help_is_made_from_the_table(void)
{
    static const char want[] =
        "usage: hvcli t [-f] [-n NUM] [--long-only X] A [B]\n"
        "\n"
        "a verb to test the parser\n"
        "\n"
        "Details here.\n"
        "\n"
        "Options:\n"
        "  -f, --flag         a flag\n"
        "  -n, --num NUM      a number\n"
        "                     over two lines\n"
        "      --long-only X  no short letter\n"
        "  -h, --help         show this help\n";
    int rc = run(&test_verb, "t", "--help", NULL);
    CHECK(rc == HVCLI_EXIT_OK && calls == 0, "rc %d, %d calls", rc, calls);
    CHECK(strcmp(out, want) == 0, "help:\n%s\nwant:\n%s", out, want);
    rc = run(&test_verb, "t", "a", "-h", "too", "many", NULL);
    CHECK(rc == HVCLI_EXIT_OK && calls == 0 && strcmp(out, want) == 0, "-h among operands: rc %d", rc);
    return true;
}

static const struct test tests[] = {
    TEST(args_parses_options_and_operands),
    TEST(args_reports_usage_errors),
    TEST(args_help_is_made_from_the_table),
};

int main(void)
{
    int failed = run_cases("test_verb_args", tests, sizeof tests / sizeof tests[0]);
    return failed ? 1 : 0;
}
