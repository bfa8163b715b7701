/*
 * Unit tests for libhvcfg (tools/libhvcfg): the parser's three formats,
 * every validation rule, the messages, files on disk, the create and
 * restore modes, the writer and its round trip, hvcfg_to_createdomain,
 * the action names, and malformed input (truncations, random
 * bytes, mutations) that must fail cleanly rather than crash.
 *
 * Prints "ok NAME" or "not ok NAME: why" per case and exits non-zero if
 * any case failed.
 */
#include <hvcfg.h>
#include <hv/public/names.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"

#define ERRLEN 512

static char tmpdir[64];
static struct hvcfg_domain cfg;
static char err[ERRLEN];

static const char good_xl[] =
    "# demo domain\n"
    "name = \"demo-1.x_y\"\n"
    "uuid = \"01234567-89ab-cdef-0123-456789abcdef\"\n"
    "memory = 32\n"
    "maxmem = 0x40   # 64 MiB\n"
    "vcpus = 4;\n"
    "kernel = 'hello.elf'\n"
    "cmdline = \"console=hvc0 msg=\\\"hi # there\\\" dir=C:\\\\x\"\n"
    "on_poweroff = \"preserve\"\n"
    "on_reboot = \"destroy\"\n"
    "on_crash = \"restart\"\n"
    "restart_limit = 5\n"
    "restart_interval = 0x78 # 2 minutes\n";

static const char good_json[] =
    "{\n"
    "  \"name\": \"demo-1.x_y\",\n"
    "  \"uuid\": \"01234567-89ab-cdef-0123-456789abcdef\",\n"
    "  \"memory\": 32,\n"
    "  \"maxmem\": 64,\n"
    "  \"vcpus\": 4,\n"
    "  \"kernel\": \"hello.elf\",\n"
    "  \"cmdline\": \"console=hvc0 msg=\\\"hi # there\\\" dir=C:\\\\x\",\n"
    "  \"on_poweroff\": \"preserve\",\n"
    "  \"on_reboot\": \"destroy\",\n"
    "  \"on_crash\": \"restart\",\n"
    "  \"restart_limit\": 5,\n"
    "  \"restart_interval\": 120\n"
    "}\n";

static const char good_xml[] =
    "<domain type='hv'>\n"
    "  <name>demo-1.x_y</name>\n"
    "  <uuid>01234567-89ab-cdef-0123-456789abcdef</uuid>\n"
    "  <memory unit='MiB'>64</memory>\n"
    "  <currentMemory unit='KiB'>32768</currentMemory>\n"
    "  <vcpu>4</vcpu>\n"
    "  <!-- the image -->\n"
    "  <os>\n"
    "    <kernel>hello.elf</kernel>\n"
    "    <cmdline>console=hvc0 msg=\"hi # there\" dir=C:\\x</cmdline>\n"
    "  </os>\n"
    "  <on_poweroff>preserve</on_poweroff>\n"
    "  <on_reboot>destroy</on_reboot>\n"
    "  <on_crash>restart</on_crash>\n"
    "  <restart_limit>5</restart_limit>\n"
    "  <restart_interval> 120 </restart_interval>\n"
    "</domain>\n";

static const char minimal_xl[] = "name = \"d1\"\nmemory = 16\nkernel = \"/boot/hello.elf\"\n";

/* ---- helpers ------------------------------------------------------------ */

static int parse_named(const char *name, const char *text)
{
    return hvcfg_parse_buffer(text, strlen(text), name, "/cfgdir", HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
}

static int parse(const char *text)
{
    return parse_named("demo.cfg", text);
}

/* A failure message is one non-empty line that starts with the file's name. */
static bool message_is_one_line(const char *name)
{
    return err[0] && !strchr(err, '\n') && strncmp(err, name, strlen(name)) == 0;
}

/*
 * Parse text (as file `name`) and expect rc want with a message that holds
 * every NULL-terminated piece.
 */
static bool rejects_as(const char *name, const char *text, int want, ...)
{
    int rc = parse_named(name, text);
    CHECK(rc == want, "rc %d (%s), want %d; message '%s'", rc, strerror(-rc), want, err);
    CHECK(message_is_one_line(name), "message is not one line starting with %s: '%s'", name, err);
    va_list ap;
    va_start(ap, want);
    for (const char *piece; (piece = va_arg(ap, const char *));) {
        if (!strstr(err, piece)) {
            set_why("message '%s' lacks '%s'", err, piece);
            va_end(ap);
            return false;
        }
    }
    va_end(ap);
    return true;
}

#define REJECTS(text, ...) rejects_as("demo.cfg", text, -EINVAL, __VA_ARGS__, NULL)
#define REJECTS_JSON(text, ...) rejects_as("demo.json", text, -EINVAL, __VA_ARGS__, NULL)
#define REJECTS_XML(text, ...) rejects_as("demo.xml", text, -EINVAL, __VA_ARGS__, NULL)

static bool rejects_exactly(const char *text, const char *message)
{
    int rc = parse(text);
    CHECK(rc == -EINVAL, "rc %d, want -EINVAL; message '%s'", rc, err);
    CHECK(strcmp(err, message) == 0, "message '%s', want '%s'", err, message);
    return true;
}

static const uint8_t demo_uuid[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                       0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

/* The fields every good_* config sets. */
static bool check_demo_fields(void)
{
    CHECK(strcmp(cfg.name, "demo-1.x_y") == 0, "name '%s'", cfg.name);
    CHECK(cfg.has_uuid == 1, "has_uuid %d", cfg.has_uuid);
    CHECK(memcmp(cfg.uuid, demo_uuid, 16) == 0, "uuid bytes differ");
    CHECK(cfg.memory_mib == 32, "memory %llu", (unsigned long long)cfg.memory_mib);
    CHECK(cfg.maxmem_mib == 64, "maxmem %llu", (unsigned long long)cfg.maxmem_mib);
    CHECK(cfg.vcpus == 4, "vcpus %u", cfg.vcpus);
    CHECK(strcmp(cfg.kernel, "/cfgdir/hello.elf") == 0, "kernel '%s'", cfg.kernel);
    CHECK(strcmp(cfg.cmdline, "console=hvc0 msg=\"hi # there\" dir=C:\\x") == 0, "cmdline '%s'",
          cfg.cmdline);
    CHECK(cfg.on_poweroff == HV_ACTION_preserve, "on_poweroff %u", cfg.on_poweroff);
    CHECK(cfg.on_reboot == HV_ACTION_destroy, "on_reboot %u", cfg.on_reboot);
    CHECK(cfg.on_crash == HV_ACTION_restart, "on_crash %u", cfg.on_crash);
    CHECK(cfg.restart_limit == 5, "restart_limit %u", cfg.restart_limit);
    CHECK(cfg.restart_interval_s == 120, "restart_interval %u", cfg.restart_interval_s);
    return true;
}

static bool parses_good(const char *name, const char *text)
{
    int rc = parse_named(name, text);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(err[0] == '\0', "message on success: '%s'", err);
    return check_demo_fields();
}

/* Write text to tmpdir/rel (creating one level of directory if rel has one). */
static bool write_file(const char *rel, const char *text, size_t len, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmpdir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0700);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    CHECK(f, "cannot create %s: %s", path, strerror(errno));
    size_t n = fwrite(text, 1, len, f);
    CHECK(fclose(f) == 0 && n == len, "cannot write %s", path);
    return true;
}

/* ---- good input --------------------------------------------------------- */

static bool config_parses_good_xl(void)
{
    return parses_good("demo.cfg", good_xl);
}

static bool config_parses_good_json(void)
{
    return parses_good("demo.json", good_json);
}

static bool config_parses_good_xml(void)
{
    return parses_good("demo.xml", good_xml);
}

static bool config_applies_defaults(void)
{
    memset(&cfg, 0xa5, sizeof cfg);
    int rc = parse(minimal_xl);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(strcmp(cfg.name, "d1") == 0, "name '%s'", cfg.name);
    CHECK(cfg.memory_mib == 16 && cfg.maxmem_mib == 16, "memory %llu maxmem %llu",
          (unsigned long long)cfg.memory_mib, (unsigned long long)cfg.maxmem_mib);
    CHECK(cfg.vcpus == 1, "vcpus %u", cfg.vcpus);
    CHECK(strcmp(cfg.kernel, "/boot/hello.elf") == 0, "kernel '%s'", cfg.kernel);
    CHECK(cfg.cmdline[0] == '\0', "cmdline '%s'", cfg.cmdline);
    CHECK(cfg.on_poweroff == HV_ACTION_destroy && cfg.on_reboot == HV_ACTION_restart &&
          cfg.on_crash == HV_ACTION_destroy, "actions %u %u %u", cfg.on_poweroff, cfg.on_reboot,
          cfg.on_crash);
    CHECK(cfg.has_uuid == 0, "has_uuid %d", cfg.has_uuid);
    CHECK(cfg.restart_limit == 10 && cfg.restart_interval_s == 60, "restart limit %u in %u s",
          cfg.restart_limit, cfg.restart_interval_s);
    static const uint8_t zero[16];
    CHECK(memcmp(cfg.uuid, zero, 16) == 0, "uuid not zero");
    return true;
}

static bool config_init_sets_defaults(void)
{
    memset(&cfg, 0xa5, sizeof cfg);
    hvcfg_init(&cfg);
    CHECK(cfg.name[0] == '\0' && cfg.kernel[0] == '\0' && cfg.cmdline[0] == '\0', "strings not empty");
    CHECK(cfg.memory_mib == 0 && cfg.maxmem_mib == 0 && cfg.has_uuid == 0, "numbers not zero");
    CHECK(cfg.vcpus == 1, "vcpus %u", cfg.vcpus);
    CHECK(cfg.on_poweroff == HV_ACTION_destroy && cfg.on_reboot == HV_ACTION_restart &&
          cfg.on_crash == HV_ACTION_destroy, "actions %u %u %u", cfg.on_poweroff, cfg.on_reboot,
          cfg.on_crash);
    CHECK(cfg.restart_limit == 10 && cfg.restart_interval_s == 60, "restart limit %u in %u s",
          cfg.restart_limit, cfg.restart_interval_s);
    return true;
}

static bool config_accepts_extra_alias(void)
{
    int rc = parse("name='a'\nmemory=1\nkernel='k'\nextra = \"root=/dev/x\"\n");
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(strcmp(cfg.cmdline, "root=/dev/x") == 0, "cmdline '%s'", cfg.cmdline);
    return true;
}

static bool config_accepts_xl_syntax_variants(void)
{
    /* CRLF, tabs, no blanks around '=', ';' then a comment, single quotes keep backslashes. */
    int rc = parse("\r\n\t# c\r\nname=\"x\";# c\r\nmemory\t=\t0X10 ;\r\n"
                   "kernel = '/k\\n' # '#' inside a comment\r\n   \r\ncmdline=\"a\\nb\"\r\n");
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(cfg.memory_mib == 16, "memory %llu", (unsigned long long)cfg.memory_mib);
    CHECK(strcmp(cfg.kernel, "/k\\n") == 0, "kernel '%s'", cfg.kernel);
    CHECK(strcmp(cfg.cmdline, "a\nb") == 0, "cmdline '%s'", cfg.cmdline);
    return true;
}

static bool config_accepts_limits(void)
{
    char text[4096];
    char name[HV_NAME_MAX];
    memset(name, 'n', HV_NAME_MAX - 1);
    name[HV_NAME_MAX - 1] = '\0';
    snprintf(text, sizeof text, "name = \"%s\"\nmemory = 1\nvcpus = %u\nkernel = \"/k\"\n", name,
             HV_MAX_VCPUS);
    int rc = parse(text);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(strcmp(cfg.name, name) == 0, "name '%s'", cfg.name);
    CHECK(cfg.vcpus == HV_MAX_VCPUS && cfg.memory_mib == 1, "vcpus %u memory %llu", cfg.vcpus,
          (unsigned long long)cfg.memory_mib);
    return true;
}

static bool config_accepts_longest_cmdline(void)
{
    static char text[HV_CMDLINE_MAX + 128];
    char line[HV_CMDLINE_MAX];
    memset(line, 'c', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    snprintf(text, sizeof text, "%scmdline = \"%s\"\n", minimal_xl, line);
    int rc = parse(text);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(strlen(cfg.cmdline) == HV_CMDLINE_MAX - 1, "cmdline length %zu", strlen(cfg.cmdline));
    return true;
}

static bool config_xml_memory_units(void)
{
    static const struct { const char *memory; uint64_t mib; } cases[] = {
        { "<memory>16384</memory>", 16 },
        { "<memory unit='KiB'>2048</memory>", 2 },
        { "<memory unit='MiB'>48</memory>", 48 },
        { "<memory unit='GiB'>2</memory>", 2048 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "<domain><name>d</name>%s<os><kernel>/k</kernel></os></domain>", cases[i].memory);
        int rc = parse_named("demo.xml", text);
        CHECK(rc == 0, "%s: rc %d: %s", cases[i].memory, rc, err);
        CHECK(cfg.maxmem_mib == cases[i].mib && cfg.memory_mib == cases[i].mib,
              "%s: memory %llu maxmem %llu, want %llu", cases[i].memory,
              (unsigned long long)cfg.memory_mib, (unsigned long long)cfg.maxmem_mib,
              (unsigned long long)cases[i].mib);
    }
    return true;
}

static bool config_xml_current_memory_alone_sets_both(void)
{
    int rc = parse_named("demo.xml", "<domain><name>d</name><currentMemory unit='MiB'>8</currentMemory>"
                                     "<os><kernel>/k</kernel></os></domain>");
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(cfg.memory_mib == 8 && cfg.maxmem_mib == 8, "memory %llu maxmem %llu",
          (unsigned long long)cfg.memory_mib, (unsigned long long)cfg.maxmem_mib);
    return true;
}

static bool config_detects_format_after_blanks(void)
{
    int rc = parse_named("x", " \n\t{\"name\": \"j\", \"memory\": 2, \"kernel\": \"/k\"}");
    CHECK(rc == 0 && strcmp(cfg.name, "j") == 0, "JSON: rc %d: %s", rc, err);
    rc = parse_named("x", "\n\n<domain><name>x</name><memory unit='MiB'>2</memory>"
                          "<os><kernel>/k</kernel></os></domain>");
    CHECK(rc == 0 && strcmp(cfg.name, "x") == 0, "XML: rc %d: %s", rc, err);
    return true;
}

/* The bounds of both restart keys, in each format. */
static bool config_accepts_restart_bounds(void)
{
    static const struct { const char *name, *text; uint32_t limit, interval; } cases[] = {
        { "demo.cfg", "name='d'\nmemory=1\nkernel='/k'\nrestart_limit = 1\nrestart_interval = 86400\n",
          1, 86400 },
        { "demo.cfg", "name='d'\nmemory=1\nkernel='/k'\nrestart_limit = 64\nrestart_interval = 1\n",
          64, 1 },
        { "demo.json", "{\"name\": \"d\", \"memory\": 1, \"kernel\": \"/k\", \"restart_limit\": 64, "
                       "\"restart_interval\": 86400}", 64, 86400 },
        { "demo.xml", "<domain><name>d</name><memory unit='MiB'>1</memory><os><kernel>/k</kernel></os>"
                      "<restart_limit>1</restart_limit><restart_interval>1</restart_interval></domain>",
          1, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_named(cases[i].name, cases[i].text);
        CHECK(rc == 0, "case %zu: rc %d: %s", i, rc, err);
        CHECK(cfg.restart_limit == cases[i].limit && cfg.restart_interval_s == cases[i].interval,
              "case %zu: restart limit %u in %u s, want %u in %u s", i, cfg.restart_limit,
              cfg.restart_interval_s, cases[i].limit, cases[i].interval);
    }
    return true;
}

/* The config of a save image made before the restart keys existed. */
static bool config_old_image_config_gets_default_restart_limits(void)
{
    static const char old[] = "{\"name\":\"web\",\"uuid\":\"01234567-89ab-cdef-0123-456789abcdef\","
                              "\"memory\":16,\"maxmem\":32,\"vcpus\":2,"
                              "\"kernel\":\"(restored from a save image)\",\"on_poweroff\":\"destroy\","
                              "\"on_reboot\":\"restart\",\"on_crash\":\"preserve\"}";
    int rc = hvcfg_parse_buffer(old, strlen(old), "its configuration", NULL, HVCFG_PARSE_RESTORE, &cfg, err, sizeof err);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(cfg.restart_limit == 10 && cfg.restart_interval_s == 60, "restart limit %u in %u s",
          cfg.restart_limit, cfg.restart_interval_s);
    return true;
}

/* ---- xl.cfg errors ------------------------------------------------------ */

static bool config_rejects_unknown_key(void)
{
    return rejects_exactly("name = \"d\"\n\nmemroy = 16\n", "demo.cfg:3: unknown key 'memroy'");
}

static bool config_rejects_duplicate_key(void)
{
    return REJECTS("name = \"d\"\nmemory = 16\nkernel = \"/k\"\nmemory = 32\n", "demo.cfg:4:",
                   "memory", "twice", "line 2");
}

static bool config_rejects_cmdline_and_extra(void)
{
    return REJECTS("extra = \"a\"\ncmdline = \"b\"\n", "demo.cfg:2:", "cmdline", "twice", "line 1",
                   "'extra'");
}

static bool config_rejects_string_for_number(void)
{
    return REJECTS("name = \"d\"\nmemory = \"16\"\n", "demo.cfg:2:", "memory", "expected a number",
                   "string");
}

static bool config_rejects_number_for_string(void)
{
    return REJECTS("\nname = 5\n", "demo.cfg:2:", "name", "expected a string", "number");
}

static bool config_rejects_vcpus_out_of_range(void)
{
    if (!rejects_exactly("name = \"d\"\nmemory = 16\nkernel = \"/k\"\n\nvcpus = 0\n",
                         "demo.cfg:5: vcpus: '0' is out of range 1..64"))
        return false;
    return REJECTS("vcpus = 65\n", "demo.cfg:1:", "vcpus", "'65'", "out of range");
}

static bool config_rejects_zero_memory(void)
{
    return REJECTS("memory = 0\n", "demo.cfg:1:", "memory", "'0'", "out of range");
}

static bool config_rejects_overflowing_number(void)
{
    if (!REJECTS("\n\nmemory = 18446744073709551616\n", "demo.cfg:3:", "memory", "too large"))
        return false;
    if (!REJECTS("maxmem = 0x10000000000000000\n", "demo.cfg:1:", "maxmem", "too large"))
        return false;
    /* Fits 64 bits, but not as bytes of memory. */
    return REJECTS("memory = 18446744073709551615\n", "demo.cfg:1:", "memory", "out of range");
}

static bool config_rejects_negative_number(void)
{
    return REJECTS("vcpus = -1\n", "demo.cfg:1:", "vcpus", "'-1'", "out of range");
}

static bool config_rejects_malformed_number(void)
{
    return REJECTS("memory = 0x\n", "demo.cfg:1:", "memory", "'0x'", "not an integer");
}

static bool config_rejects_restart_keys_out_of_range(void)
{
    if (!rejects_exactly("name = \"d\"\nmemory = 16\nkernel = \"/k\"\nrestart_limit = 0\n",
                         "demo.cfg:4: restart_limit: '0' is out of range 1..64"))
        return false;
    if (!REJECTS("\nrestart_limit = 65\n", "demo.cfg:2:", "restart_limit", "'65'", "out of range 1..64"))
        return false;
    if (!REJECTS("restart_limit = -3\n", "demo.cfg:1:", "restart_limit", "'-3'", "out of range"))
        return false;
    if (!rejects_exactly("restart_interval = 0\n",
                         "demo.cfg:1: restart_interval: '0' is out of range 1..86400"))
        return false;
    if (!REJECTS("\n\nrestart_interval = 86401\n", "demo.cfg:3:", "restart_interval", "'86401'",
                 "out of range 1..86400"))
        return false;
    if (!REJECTS("restart_interval = 0x100000000\n", "demo.cfg:1:", "restart_interval",
                 "out of range"))
        return false;
    return REJECTS("restart_limit = 99999999999999999999\n", "demo.cfg:1:", "restart_limit",
                   "too large");
}

static bool config_rejects_restart_keys_wrong_type(void)
{
    if (!REJECTS("name = \"d\"\nrestart_limit = \"5\"\n", "demo.cfg:2:", "restart_limit",
                 "expected a number", "string"))
        return false;
    if (!REJECTS("restart_interval = [ 60 ]\n", "demo.cfg:1:", "restart_interval",
                 "expected a number", "list"))
        return false;
    if (!REJECTS("restart_interval = 60s\n", "demo.cfg:1:", "restart_interval", "after the value"))
        return false;
    return REJECTS("restart_limit = ten\n", "demo.cfg:1:", "restart_limit", "unquoted", "'ten'");
}

static bool config_rejects_restart_keys_twice(void)
{
    if (!REJECTS("restart_limit = 5\nname = \"d\"\nrestart_limit = 5\n", "demo.cfg:3:",
                 "restart_limit", "twice", "line 1"))
        return false;
    return REJECTS("\nrestart_interval = 5\nrestart_interval = 6\n", "demo.cfg:3:", "restart_interval",
                   "twice", "line 2");
}

static bool config_rejects_unterminated_string(void)
{
    if (!REJECTS("name = \"d\"\nkernel = \"/k\n", "demo.cfg:2:", "kernel", "unterminated string"))
        return false;
    if (!REJECTS("kernel = '/k", "demo.cfg:1:", "kernel", "unterminated string"))
        return false;
    return REJECTS("cmdline = \"a\\\"", "demo.cfg:1:", "cmdline", "unterminated string");
}

static bool config_rejects_garbage_after_value(void)
{
    if (!REJECTS("name = \"d\"\nmemory = 16 MiB\n", "demo.cfg:2:", "memory", "after the value", "'M'"))
        return false;
    if (!REJECTS("memory = 16M\n", "demo.cfg:1:", "memory", "after the value"))
        return false;
    return REJECTS("name = \"d\" \"e\"\n", "demo.cfg:1:", "name", "after the value");
}

static bool config_rejects_second_setting_on_a_line(void)
{
    return REJECTS("name = \"d\"; memory = 16\n", "demo.cfg:1:", "name", "after the value");
}

static bool config_rejects_missing_equals_and_value(void)
{
    if (!REJECTS("name \"d\"\n", "demo.cfg:1:", "name", "expected '='"))
        return false;
    if (!REJECTS("\nmemory =\n", "demo.cfg:2:", "memory", "expected a value", "end of line"))
        return false;
    return REJECTS("= 5\n", "demo.cfg:1:", "expected a key");
}

static bool config_rejects_unquoted_string(void)
{
    return REJECTS("on_crash = destroy\n", "demo.cfg:1:", "on_crash", "unquoted", "'destroy'");
}

static bool config_rejects_unknown_escape(void)
{
    return REJECTS("cmdline = \"a\\tb\"\n", "demo.cfg:1:", "cmdline", "escape", "\\t");
}

static bool config_rejects_list_for_scalar(void)
{
    /* Lists are valid syntax, may span lines and hold comments, but no key takes one. */
    if (!REJECTS("name = \"d\"\ncmdline = [ \"a\", # first\n  'b', 3,\n]\n", "demo.cfg:2:", "cmdline",
                 "expected a string", "list"))
        return false;
    if (!REJECTS("vcpus = []\n", "demo.cfg:1:", "vcpus", "expected a number", "list"))
        return false;
    return REJECTS("vcpus = [ 1 2 ]\n", "demo.cfg:1:", "vcpus", "expected ',' or ']'");
}

static bool config_rejects_unterminated_list(void)
{
    if (!REJECTS("vcpus = [ 1,\n 2,\n", "demo.cfg:3:", "vcpus", "unterminated list"))
        return false;
    return REJECTS("vcpus = [ [ 1 ] ]\n", "demo.cfg:1:", "vcpus", "in the list");
}

static bool config_rejects_bad_names(void)
{
    char text[256];
    if (!REJECTS("name = \"\"\n", "demo.cfg:1:", "name", "empty"))
        return false;
    if (!REJECTS("\nname = \"a b\"\n", "demo.cfg:2:", "name", "'a b'", "A-Z a-z 0-9 _ . -"))
        return false;
    if (!REJECTS("name = \"../x\"\n", "demo.cfg:1:", "name", "A-Z"))
        return false;
    if (!REJECTS("name = \"caf\xc3\xa9\"\n", "demo.cfg:1:", "name", "A-Z"))
        return false;
    if (!REJECTS("name = \"123\"\n", "demo.cfg:1:", "name", "'123'", "domid"))
        return false;
    char name[HV_NAME_MAX + 1];
    memset(name, 'n', HV_NAME_MAX);
    name[HV_NAME_MAX] = '\0';
    snprintf(text, sizeof text, "name = '%s'\n", name);
    return REJECTS(text, "demo.cfg:1:", "name", "longer than 63");
}

static bool config_rejects_bad_uuid(void)
{
    if (!REJECTS("uuid = \"01234567-89ab-cdef-0123-456789abcdeg\"\n", "demo.cfg:1:", "uuid",
                 "not a UUID"))
        return false;
    return REJECTS("\nuuid = \"0123\"\n", "demo.cfg:2:", "uuid", "'0123'", "not a UUID");
}

static bool config_rejects_bad_action(void)
{
    if (!REJECTS("on_reboot = \"reboot\"\n", "demo.cfg:1:", "on_reboot", "'reboot'",
                 "destroy, restart, preserve"))
        return false;
    return REJECTS("on_poweroff = \"Destroy\"\n", "demo.cfg:1:", "on_poweroff", "'Destroy'");
}

static bool config_rejects_nul_byte(void)
{
    static const char text[] = "name = \"d\"\nmemory = 16\nkernel = \"/k\0\"\n";
    int rc = hvcfg_parse_buffer(text, sizeof text - 1, "demo.cfg", NULL, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    CHECK(rc == -EINVAL, "rc %d: %s", rc, err);
    CHECK(strstr(err, "demo.cfg:3:") && strstr(err, "NUL"), "message '%s'", err);
    return true;
}

static bool config_rejects_missing_required_keys(void)
{
    if (!rejects_exactly("name = \"d\"\nmemory = 16\n", "demo.cfg: missing required key 'kernel'"))
        return false;
    if (!rejects_exactly("kernel = \"/k\"\nmemory = 16\n", "demo.cfg: missing required key 'name'"))
        return false;
    if (!rejects_exactly("kernel = \"/k\"\nname = \"d\"\n", "demo.cfg: missing required key 'memory'"))
        return false;
    return rejects_exactly("", "demo.cfg: missing required key 'name'");
}

static bool config_rejects_maxmem_below_memory(void)
{
    return REJECTS("name = \"d\"\nmaxmem = 8\nmemory = 16\nkernel = \"/k\"\n", "demo.cfg:2:", "maxmem",
                   "less than memory");
}

static bool config_rejects_empty_kernel(void)
{
    return REJECTS("kernel = ''\n", "demo.cfg:1:", "kernel", "empty");
}

static bool config_rejects_long_cmdline(void)
{
    static char text[HV_CMDLINE_MAX + 64];
    char line[HV_CMDLINE_MAX + 1];
    memset(line, 'c', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    snprintf(text, sizeof text, "cmdline = \"%s\"\n", line);
    return REJECTS(text, "demo.cfg:1:", "cmdline", "longer than 1023");
}

static bool config_rejects_oversized_buffer(void)
{
    size_t len = HVCFG_MAX_SIZE + 1;
    char *text = malloc(len);
    CHECK(text, "out of memory");
    memset(text, '\n', len);
    int rc = hvcfg_parse_buffer(text, len, "big.cfg", NULL, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    free(text);
    CHECK(rc == -EFBIG, "rc %d: %s", rc, err);
    CHECK(strstr(err, "big.cfg") && strstr(err, "larger than 1 MiB"), "message '%s'", err);
    return true;
}

static bool config_truncates_long_messages(void)
{
    char small[24];
    int rc = hvcfg_parse_buffer("memroy = 1\n", 11, "a-rather-long-file-name.cfg", NULL, HVCFG_PARSE_CREATE, &cfg, small,
                                    sizeof small);
    CHECK(rc == -EINVAL, "rc %d", rc);
    CHECK(strlen(small) == sizeof small - 1, "message '%s' not cut to fit", small);
    rc = hvcfg_parse_buffer("memroy = 1\n", 11, "x.cfg", NULL, HVCFG_PARSE_CREATE, &cfg, NULL, 0);
    CHECK(rc == -EINVAL, "rc %d without a message buffer", rc);
    return true;
}

/* ---- JSON errors -------------------------------------------------------- */

static bool config_json_rejects_unknown_key(void)
{
    return REJECTS_JSON("{\"name\": \"d\", \"memroy\": 16}", "demo.json: unknown key 'memroy'");
}

static bool config_json_rejects_wrong_types(void)
{
    if (!REJECTS_JSON("{\"memory\": \"16\"}", "demo.json: key 'memory': expected a number, got a string"))
        return false;
    if (!REJECTS_JSON("{\"name\": 7}", "key 'name': expected a string, got a number"))
        return false;
    if (!REJECTS_JSON("{\"vcpus\": true}", "key 'vcpus':", "boolean"))
        return false;
    if (!REJECTS_JSON("{\"kernel\": null}", "key 'kernel':", "null"))
        return false;
    if (!REJECTS_JSON("{\"cmdline\": {}}", "key 'cmdline':", "object"))
        return false;
    return REJECTS_JSON("{\"cmdline\": [\"a\"]}", "key 'cmdline':", "list");
}

static bool config_json_rejects_bad_numbers(void)
{
    if (!REJECTS_JSON("{\"memory\": 1.5}", "key 'memory':", "'1.5'", "not an integer"))
        return false;
    if (!REJECTS_JSON("{\"memory\": 1e3}", "key 'memory':", "not an integer"))
        return false;
    if (!REJECTS_JSON("{\"vcpus\": -2}", "key 'vcpus':", "'-2'", "out of range 1..64"))
        return false;
    return REJECTS_JSON("{\"maxmem\": 123456789012345678901234}", "key 'maxmem':", "too large");
}

static bool config_json_rejects_duplicate_key(void)
{
    return REJECTS_JSON("{\"vcpus\": 1, \"vcpus\": 2}", "key 'vcpus':", "twice");
}

static bool config_json_reports_yajl_error(void)
{
    if (!REJECTS_JSON("{\"name\": \"d\",\n \"memory\": 16", "demo.json:", "invalid JSON", "premature EOF"))
        return false;
    return REJECTS_JSON("{\"name\": \"d\"} x", "invalid JSON", "trailing garbage");
}

static bool config_json_rejects_empty_object(void)
{
    /* Only '{' selects JSON: a top-level array reads as a broken xl.cfg. */
    if (!REJECTS_JSON("  [1, 2]", "demo.json:1: expected a key, found '['"))
        return false;
    return REJECTS_JSON("{} ", "demo.json: missing required key 'name'");
}

static bool config_json_rejects_deep_nesting(void)
{
    char text[256] = "{\"cmdline\": ";
    for (int i = 0; i < 40; i++)
        strcat(text, "[");
    for (int i = 0; i < 40; i++)
        strcat(text, "]");
    strcat(text, "}");
    return REJECTS_JSON(text, "invalid JSON", "nested deeper");
}

static bool config_json_checks_values_like_xl(void)
{
    if (!REJECTS_JSON("{\"name\": \"a/b\"}", "key 'name':", "A-Z"))
        return false;
    if (!REJECTS_JSON("{\"on_crash\": \"explode\"}", "key 'on_crash':", "'explode'"))
        return false;
    if (!REJECTS_JSON("{\"uuid\": \"nope\"}", "key 'uuid':", "not a UUID"))
        return false;
    return REJECTS_JSON("{\"name\": \"d\", \"memory\": 4, \"maxmem\": 2, \"kernel\": \"/k\"}",
                        "key 'maxmem':", "less than memory");
}

static bool config_json_checks_restart_keys(void)
{
    if (!REJECTS_JSON("{\"restart_limit\": \"5\"}",
                      "demo.json: key 'restart_limit': expected a number, got a string"))
        return false;
    if (!REJECTS_JSON("{\"restart_interval\": false}", "key 'restart_interval':", "boolean"))
        return false;
    if (!REJECTS_JSON("{\"restart_interval\": null}", "key 'restart_interval':", "null"))
        return false;
    if (!REJECTS_JSON("{\"restart_limit\": 2.5}", "key 'restart_limit':", "'2.5'", "not an integer"))
        return false;
    if (!REJECTS_JSON("{\"restart_limit\": 65}",
                      "demo.json: key 'restart_limit': '65' is out of range 1..64"))
        return false;
    if (!REJECTS_JSON("{\"restart_interval\": 86401}",
                      "demo.json: key 'restart_interval': '86401' is out of range 1..86400"))
        return false;
    if (!REJECTS_JSON("{\"restart_interval\": 0}", "key 'restart_interval':", "'0'", "out of range"))
        return false;
    return REJECTS_JSON("{\"restart_limit\": 3, \"restart_limit\": 3}", "key 'restart_limit':",
                        "twice");
}

/* ---- XML errors --------------------------------------------------------- */

static bool config_xml_rejects_unknown_element(void)
{
    return REJECTS_XML("<domain type='hv'>\n  <name>d</name>\n\n  <devices/>\n</domain>\n",
                       "demo.xml:4: unknown element <devices>");
}

static bool config_xml_rejects_unknown_os_element(void)
{
    return REJECTS_XML("<domain>\n<os>\n<kernel>/k</kernel>\n<initrd>/i</initrd>\n</os>\n</domain>",
                       "demo.xml:4: unknown element <initrd>");
}

static bool config_xml_rejects_bad_memory(void)
{
    if (!REJECTS_XML("<domain>\n<memory unit='TiB'>1</memory></domain>", "demo.xml:2:", "memory",
                     "unknown unit 'TiB'"))
        return false;
    if (!REJECTS_XML("<domain>\n<memory>1000</memory></domain>", "demo.xml:2:", "memory",
                     "not a whole number of MiB"))
        return false;
    if (!REJECTS_XML("<domain>\n\n<memory unit='MiB'>lots</memory></domain>", "demo.xml:3:", "memory",
                     "'lots'", "not an integer"))
        return false;
    if (!REJECTS_XML("<domain><memory unit='GiB'>18014398509481984</memory></domain>", "memory",
                     "too large"))
        return false;
    return REJECTS_XML("<domain><memory unit='MiB'>0</memory></domain>", "memory", "out of range");
}

static bool config_xml_rejects_current_above_memory(void)
{
    return REJECTS_XML("<domain><name>d</name>\n<memory unit='MiB'>8</memory>\n"
                       "<currentMemory unit='MiB'>16</currentMemory>\n<os><kernel>/k</kernel></os>"
                       "</domain>",
                       "demo.xml:2: memory:", "less than currentMemory");
}

static bool config_xml_rejects_duplicate_element(void)
{
    return REJECTS_XML("<domain>\n<vcpu>1</vcpu>\n<vcpu>2</vcpu>\n</domain>", "demo.xml:3:", "vcpu",
                       "twice", "line 2");
}

static bool config_xml_reports_parse_error_line(void)
{
    return REJECTS_XML("<domain>\n<name>d</name>\n<vcpu>1</vcpuu>\n</domain>", "demo.xml:3:",
                       "invalid XML");
}

static bool config_xml_rejects_wrong_root_and_type(void)
{
    if (!REJECTS_XML("<vm><name>d</name></vm>", "demo.xml:1:", "<domain>", "<vm>"))
        return false;
    return REJECTS_XML("<domain type='kvm'/>", "demo.xml:1:", "type 'kvm'");
}

static bool config_xml_rejects_nested_and_stray_content(void)
{
    if (!REJECTS_XML("<domain>\n<name><b>d</b></name></domain>", "demo.xml:2:", "<name>", "elements"))
        return false;
    return REJECTS_XML("<domain>\nstray text<name>d</name></domain>", "demo.xml:2:", "unexpected content");
}

static bool config_xml_rejects_missing_elements(void)
{
    if (!REJECTS_XML("<domain><name>d</name><memory>1024</memory></domain>",
                     "demo.xml: missing required element <os><kernel>"))
        return false;
    return REJECTS_XML("<domain><name>d</name><os><kernel>/k</kernel></os></domain>",
                       "demo.xml: missing required element <memory>");
}

static bool config_xml_checks_values_like_xl(void)
{
    if (!REJECTS_XML("<domain>\n<vcpu>65</vcpu></domain>", "demo.xml:2: vcpu: '65' is out of range 1..64"))
        return false;
    if (!REJECTS_XML("<domain>\n<on_crash>coredump</on_crash></domain>", "demo.xml:2:", "on_crash",
                     "'coredump'"))
        return false;
    return REJECTS_XML("<domain>\n<name></name></domain>", "demo.xml:2:", "name", "empty");
}

static bool config_xml_checks_restart_keys(void)
{
    if (!REJECTS_XML("<domain>\n<name>d</name>\n<restart_limit>65</restart_limit></domain>",
                     "demo.xml:3: restart_limit: '65' is out of range 1..64"))
        return false;
    if (!REJECTS_XML("<domain>\n<restart_interval>0</restart_interval></domain>",
                     "demo.xml:2: restart_interval: '0' is out of range 1..86400"))
        return false;
    if (!REJECTS_XML("<domain>\n<restart_interval>soon</restart_interval></domain>", "demo.xml:2:",
                     "restart_interval", "'soon'", "not an integer"))
        return false;
    if (!REJECTS_XML("<domain><restart_limit></restart_limit></domain>", "demo.xml:1:",
                     "restart_limit", "not an integer"))
        return false;
    if (!REJECTS_XML("<domain>\n<restart_limit><n>3</n></restart_limit></domain>", "demo.xml:2:",
                     "<restart_limit>", "elements"))
        return false;
    return REJECTS_XML("<domain>\n<restart_limit>3</restart_limit>\n\n"
                       "<restart_limit>4</restart_limit></domain>",
                       "demo.xml:4:", "restart_limit", "twice", "line 2");
}

static bool config_xml_does_not_expand_entities(void)
{
    char secret[128], text[512];
    if (!write_file("secret.txt", "SECRET-CONTENT", 14, secret, sizeof secret))
        return false;
    snprintf(text, sizeof text,
             "<?xml version='1.0'?>\n<!DOCTYPE domain [ <!ENTITY s SYSTEM 'file://%s'> ]>\n"
             "<domain>\n<name>d</name>\n<os><kernel>&s;</kernel></os>\n"
             "<memory unit='MiB'>1</memory></domain>",
             secret);
    if (!REJECTS_XML(text, "demo.xml:5:", "entity"))
        return false;
    CHECK(!strstr(err, "SECRET") && !strstr(cfg.kernel, "SECRET"), "entity was expanded");
    return true;
}

/* ---- kernel paths and files --------------------------------------------- */

static bool config_resolves_relative_kernel(void)
{
    static const struct { const char *dir, *kernel, *want; } cases[] = {
        { "/etc/hv", "hello.elf", "/etc/hv/hello.elf" },
        { "/etc/hv", "../img/h.elf", "/etc/hv/../img/h.elf" },
        { "/etc/hv", "/abs/h.elf", "/abs/h.elf" },
        { "/", "h.elf", "/h.elf" },
        { "rel/dir", "h.elf", "rel/dir/h.elf" },
        { NULL, "h.elf", "h.elf" },
        { "", "h.elf", "h.elf" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "name='d'\nmemory=1\nkernel='%s'\n", cases[i].kernel);
        int rc = hvcfg_parse_buffer(text, strlen(text), "demo.cfg", cases[i].dir, HVCFG_PARSE_CREATE, &cfg, err,
                                        sizeof err);
        CHECK(rc == 0, "case %zu: rc %d: %s", i, rc, err);
        CHECK(strcmp(cfg.kernel, cases[i].want) == 0, "case %zu: kernel '%s', want '%s'", i, cfg.kernel,
              cases[i].want);
    }
    return true;
}

static bool config_rejects_overlong_kernel_path(void)
{
    static char text[HVCFG_PATH_MAX + 128];
    char kernel[HVCFG_PATH_MAX - 4];
    memset(kernel, 'k', sizeof kernel - 1);
    kernel[sizeof kernel - 1] = '\0';
    snprintf(text, sizeof text, "kernel = \"%s\"\n", kernel);
    /* Fits alone, but not behind "/cfgdir/". */
    return REJECTS(text, "demo.cfg:1:", "kernel", "longer than");
}

static bool config_parses_files_on_disk(void)
{
    static const struct { const char *rel; const char *text; } files[] = {
        { "demo.cfg", good_xl }, { "sub/demo.json", good_json }, { "sub/deeper.xml", good_xml },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256], want[256];
        if (!write_file(files[i].rel, files[i].text, strlen(files[i].text), path, sizeof path))
            return false;
        int rc = hvcfg_parse_file(path, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
        CHECK(rc == 0, "%s: rc %d: %s", path, rc, err);
        snprintf(want, sizeof want, "%s", path);
        strcpy(strrchr(want, '/') + 1, "hello.elf");
        CHECK(strcmp(cfg.kernel, want) == 0, "%s: kernel '%s', want '%s'", path, cfg.kernel, want);
        CHECK(strcmp(cfg.name, "demo-1.x_y") == 0 && cfg.memory_mib == 32 && cfg.vcpus == 4,
              "%s: fields differ", path);
    }
    return true;
}

static bool config_file_without_directory_uses_dot(void)
{
    char path[256];
    if (!write_file("bare2.cfg", "name='b'\nmemory=1\nkernel='img.elf'\n", 34, path, sizeof path))
        return false;
    int here = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(here >= 0 && chdir(tmpdir) == 0, "cannot enter %s", tmpdir);
    int rc = hvcfg_parse_file("bare2.cfg", HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    CHECK(fchdir(here) == 0 && close(here) == 0, "cannot return to the old directory");
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(strcmp(cfg.kernel, "./img.elf") == 0, "kernel '%s'", cfg.kernel);
    return true;
}

static bool config_reports_errors_with_file_path(void)
{
    char path[256], want[300];
    if (!write_file("bad.cfg", "name = 'd'\nvcpus = 99\n", 22, path, sizeof path))
        return false;
    int rc = hvcfg_parse_file(path, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    snprintf(want, sizeof want, "%s:2: vcpus: '99' is out of range 1..64", path);
    CHECK(rc == -EINVAL && strcmp(err, want) == 0, "rc %d, message '%s', want '%s'", rc, err, want);
    return true;
}

static bool config_reports_missing_file(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/no-such.cfg", tmpdir);
    int rc = hvcfg_parse_file(path, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    CHECK(rc == -ENOENT, "rc %d: %s", rc, err);
    CHECK(strstr(err, path) && strstr(err, strerror(ENOENT)) && !strchr(err, '\n'), "message '%s'", err);
    return true;
}

static bool config_reports_directory(void)
{
    int rc = hvcfg_parse_file(tmpdir, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    CHECK(rc == -EISDIR, "rc %d: %s", rc, err);
    CHECK(strstr(err, tmpdir), "message '%s'", err);
    return true;
}

static bool config_rejects_file_over_1mib(void)
{
    size_t len = HVCFG_MAX_SIZE + 1;
    char *text = malloc(len), path[256];
    CHECK(text, "out of memory");
    memset(text, '#', len);
    bool written = write_file("huge.cfg", text, len, path, sizeof path);
    free(text);
    if (!written)
        return false;
    int rc = hvcfg_parse_file(path, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    CHECK(rc == -EFBIG, "rc %d: %s", rc, err);
    CHECK(strstr(err, "huge.cfg") && strstr(err, "1 MiB"), "message '%s'", err);
    /* Exactly 1 MiB is allowed (then fails only for its content). */
    text = malloc(HVCFG_MAX_SIZE);
    CHECK(text, "out of memory");
    memset(text, '\n', HVCFG_MAX_SIZE);
    written = write_file("max.cfg", text, HVCFG_MAX_SIZE, path, sizeof path);
    free(text);
    if (!written)
        return false;
    rc = hvcfg_parse_file(path, HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    CHECK(rc == -EINVAL && strstr(err, "missing required key 'name'"), "1 MiB: rc %d: %s", rc, err);
    return true;
}

/* ---- hvcfg_to_createdomain ---------------------------------------------- */

static bool config_to_createdomain_fills_fields(void)
{
    struct xen_domctl_createdomain cd;
    CHECK(parse(good_xl) == 0, "parse: %s", err);
    memset(&cd, 0xff, sizeof cd);
    int rc = hvcfg_to_createdomain(&cfg, &cd);
    CHECK(rc == 0, "rc %d", rc);
    CHECK(strcmp(cd.name, "demo-1.x_y") == 0, "name '%s'", cd.name);
    CHECK(memcmp(cd.handle, demo_uuid, 16) == 0, "handle differs");
    CHECK(cd.max_vcpus == 4 && cd.flags == 0, "max_vcpus %u flags %u", cd.max_vcpus, cd.flags);
    CHECK(cd.init_pages == 32 * 256 && cd.max_pages == 64 * 256, "init %llu max %llu",
          (unsigned long long)cd.init_pages, (unsigned long long)cd.max_pages);
    CHECK(cd.on_poweroff == HV_ACTION_preserve && cd.on_reboot == HV_ACTION_destroy &&
          cd.on_crash == HV_ACTION_restart, "actions %u %u %u", cd.on_poweroff, cd.on_reboot,
          cd.on_crash);
    CHECK(cd.pad == 0 && cd.fault_ttl == 0, "pad %u fault_ttl %u not zero", cd.pad, cd.fault_ttl);
    return true;
}

static bool config_to_createdomain_zero_handle_without_uuid(void)
{
    struct xen_domctl_createdomain cd;
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    memset(&cd, 0xff, sizeof cd);
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == 0, "failed");
    static const uint8_t zero[16];
    CHECK(memcmp(cd.handle, zero, 16) == 0, "handle not zero");
    CHECK(cd.init_pages == 16 * 256 && cd.max_pages == 16 * 256, "pages %llu/%llu",
          (unsigned long long)cd.init_pages, (unsigned long long)cd.max_pages);
    return true;
}

static bool config_to_createdomain_rejects_overflow(void)
{
    struct xen_domctl_createdomain cd;
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    cfg.maxmem_mib = UINT64_MAX / 256 + 1;
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == -EINVAL, "maxmem overflow accepted");
    cfg.maxmem_mib = UINT64_MAX / 256;
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == 0, "largest maxmem rejected");
    CHECK(cd.max_pages == UINT64_MAX / 256 * 256, "max_pages %llu", (unsigned long long)cd.max_pages);
    cfg.memory_mib = UINT64_MAX / 256 + 1;
    cfg.maxmem_mib = cfg.memory_mib;
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == -EINVAL, "memory overflow accepted");
    return true;
}

static bool config_to_createdomain_rejects_bad_fields(void)
{
    struct xen_domctl_createdomain cd;
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    cfg.maxmem_mib = 8;
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == -EINVAL, "maxmem < memory accepted");
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    cfg.vcpus = 0;
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == -EINVAL, "0 vcpus accepted");
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    cfg.on_crash = HV_ACTION_MAX + 1;
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == -EINVAL, "bad action accepted");
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    memset(cfg.name, 'x', sizeof cfg.name);
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == -EINVAL, "unterminated name accepted");
    return true;
}

static bool config_to_createdomain_carries_restart_limits(void)
{
    struct xen_domctl_createdomain cd;
    CHECK(parse(good_xl) == 0, "parse: %s", err);
    memset(&cd, 0xff, sizeof cd);
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == 0, "failed");
    CHECK(cd.restart_limit == 5 && cd.restart_interval_s == 120, "restart limit %u in %u s",
          cd.restart_limit, cd.restart_interval_s);
    /* Without the keys: the defaults, written out rather than left to hvd. */
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    CHECK(hvcfg_to_createdomain(&cfg, &cd) == 0, "failed");
    CHECK(cd.restart_limit == 10 && cd.restart_interval_s == 60, "restart limit %u in %u s",
          cd.restart_limit, cd.restart_interval_s);
    return true;
}

static bool config_to_createdomain_rejects_bad_restart_limits(void)
{
    static const struct { uint32_t limit, interval; } bad[] = {
        { 0, 60 }, { 65, 60 }, { 10, 0 }, { 10, 86401 }, { UINT32_MAX, UINT32_MAX },
    };
    struct xen_domctl_createdomain cd;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(parse(minimal_xl) == 0, "parse: %s", err);
        cfg.restart_limit = bad[i].limit;
        cfg.restart_interval_s = bad[i].interval;
        int rc = hvcfg_to_createdomain(&cfg, &cd);
        CHECK(rc == -EINVAL, "restart limit %u in %u s gave %d", bad[i].limit, bad[i].interval, rc);
    }
    return true;
}

/* ---- restore mode --------------------------------------------------------- */

static int parse_mode(const char *name, const char *text, unsigned flags)
{
    return hvcfg_parse_buffer(text, strlen(text), name, "/cfgdir", flags, &cfg, err, sizeof err);
}

static bool config_restore_mode_makes_kernel_optional(void)
{
    static const struct { const char *name, *text; } cases[] = {
        { "r.cfg", "name = \"d\"\nmemory = 16\n" },
        { "r.json", "{\"name\": \"d\", \"memory\": 16}" },
        { "r.xml", "<domain><name>d</name><memory unit='MiB'>16</memory></domain>" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_mode(cases[i].name, cases[i].text, HVCFG_PARSE_RESTORE);
        CHECK(rc == 0, "%s: rc %d: %s", cases[i].name, rc, err);
        CHECK(cfg.kernel[0] == '\0' && cfg.memory_mib == 16, "%s: kernel '%s', memory %llu",
              cases[i].name, cfg.kernel, (unsigned long long)cfg.memory_mib);
        rc = parse_mode(cases[i].name, cases[i].text, HVCFG_PARSE_CREATE);
        CHECK(rc == -EINVAL && strstr(err, "kernel"), "%s in create mode: rc %d: %s",
              cases[i].name, rc, err);
    }
    return true;
}

static bool config_restore_mode_keeps_other_rules(void)
{
    int rc = parse_mode("r.cfg", "memory = 16\n", HVCFG_PARSE_RESTORE);
    CHECK(rc == -EINVAL && strcmp(err, "r.cfg: missing required key 'name'") == 0, "no name: %d %s",
          rc, err);
    rc = parse_mode("r.cfg", "name = \"d\"\n", HVCFG_PARSE_RESTORE);
    CHECK(rc == -EINVAL && strcmp(err, "r.cfg: missing required key 'memory'") == 0,
          "no memory: %d %s", rc, err);
    rc = parse_mode("r.cfg", "name = \"d\"\nmemory = 16\nkernel = \"\"\n", HVCFG_PARSE_RESTORE);
    CHECK(rc == -EINVAL && strstr(err, "kernel: must not be empty"), "empty kernel: %d %s", rc, err);
    rc = parse_mode("r.cfg", "name = \"d\"\nmemory = 16\nkernel = \"k.elf\"\ncmdline = \"x\"\n",
                    HVCFG_PARSE_RESTORE);
    CHECK(rc == 0 && strcmp(cfg.kernel, "/cfgdir/k.elf") == 0 && strcmp(cfg.cmdline, "x") == 0,
          "kernel given: %d %s '%s'", rc, err, cfg.kernel);
    rc = parse_mode("r.cfg", minimal_xl, 0x80);
    CHECK(rc == -EINVAL && message_is_one_line("r.cfg") && strstr(err, "flags"),
          "unknown flag: %d %s", rc, err);
    return true;
}

/* ---- the writer ------------------------------------------------------------ */

static bool same_config(const struct hvcfg_domain *a, const struct hvcfg_domain *b)
{
    CHECK(strcmp(a->name, b->name) == 0, "name '%s' vs '%s'", a->name, b->name);
    CHECK(a->memory_mib == b->memory_mib && a->maxmem_mib == b->maxmem_mib, "memory differs");
    CHECK(a->vcpus == b->vcpus, "vcpus %u vs %u", a->vcpus, b->vcpus);
    CHECK(strcmp(a->kernel, b->kernel) == 0, "kernel '%s' vs '%s'", a->kernel, b->kernel);
    CHECK(strcmp(a->cmdline, b->cmdline) == 0, "cmdline '%s' vs '%s'", a->cmdline, b->cmdline);
    CHECK(a->on_poweroff == b->on_poweroff && a->on_reboot == b->on_reboot &&
          a->on_crash == b->on_crash, "actions differ");
    CHECK(a->restart_limit == b->restart_limit && a->restart_interval_s == b->restart_interval_s,
          "restart limits differ");
    CHECK(a->has_uuid == b->has_uuid, "has_uuid %d vs %d", a->has_uuid, b->has_uuid);
    CHECK(!a->has_uuid || memcmp(a->uuid, b->uuid, 16) == 0, "uuid differs");
    return true;
}

/* Write want, parse the text back with flags, and compare. */
static bool round_trips(const struct hvcfg_domain *want, unsigned flags, char **json)
{
    int rc = hvcfg_write_json(want, json);
    CHECK(rc == 0 && *json, "write: rc %d", rc);
    struct hvcfg_domain back;
    rc = hvcfg_parse_buffer(*json, strlen(*json), "written", NULL, flags, &back, err, sizeof err);
    CHECK(rc == 0, "parse of %s: rc %d: %s", *json, rc, err);
    return same_config(want, &back);
}

static bool config_writer_round_trips_in_create_mode(void)
{
    for (size_t f = 0; f < 3; f++) {
        static const char *const names[] = { "demo.cfg", "demo.json", "demo.xml" };
        static const char *const texts[] = { good_xl, good_json, good_xml };
        CHECK(parse_named(names[f], texts[f]) == 0, "%s: %s", names[f], err);
        struct hvcfg_domain want = cfg;
        char *json = NULL;
        bool ok = round_trips(&want, HVCFG_PARSE_CREATE, &json);
        if (ok && !(strstr(json, "\"kernel\":\"/cfgdir/hello.elf\"") && strstr(json, "\"cmdline\":"))) {
            set_why("%s: kernel or cmdline missing from %s", names[f], json);
            ok = false;
        }
        free(json);
        if (!ok)
            return false;
    }
    return true;
}

/* Checks on what the writer wrote for a config without a kernel. */
static bool written_without_kernel(const char *json)
{
    CHECK(!strstr(json, "kernel") && !strstr(json, "cmdline") && !strstr(json, "uuid"),
          "kernel, cmdline or uuid written for a config without: %s", json);
    int rc = parse_mode("w.json", json, HVCFG_PARSE_CREATE);
    CHECK(rc == -EINVAL && strstr(err, "missing required key 'kernel'"), "create mode took %s: rc %d %s",
          json, rc, err);
    return true;
}

static bool config_writer_round_trips_in_restore_mode(void)
{
    CHECK(parse_mode("r.cfg", "name = \"r\"\nmemory = 8\nvcpus = 3\non_crash = \"preserve\"\n",
                     HVCFG_PARSE_RESTORE) == 0, "parse: %s", err);
    struct hvcfg_domain want = cfg;
    char *json = NULL;
    bool ok = round_trips(&want, HVCFG_PARSE_RESTORE, &json) && written_without_kernel(json);
    free(json);
    return ok;
}

static bool config_writer_keeps_odd_strings(void)
{
    hvcfg_init(&cfg);
    strcpy(cfg.name, "o");
    cfg.memory_mib = cfg.maxmem_mib = 1;
    strcpy(cfg.kernel, "relative/k \"q\".elf");
    strcpy(cfg.cmdline, "a\\b\nc\td \xc3\xa9");
    struct hvcfg_domain want = cfg;
    char *json = NULL;
    bool ok = round_trips(&want, HVCFG_PARSE_CREATE, &json);
    free(json);
    return ok;
}

static bool config_writer_rejects_what_the_parser_would(void)
{
    CHECK(parse(minimal_xl) == 0, "parse: %s", err);
    const struct hvcfg_domain good = cfg;
    struct hvcfg_domain bad[7];
    for (size_t i = 0; i < 7; i++)
        bad[i] = good;
    strcpy(bad[0].name, "123");
    strcpy(bad[1].name, "a b");
    bad[2].vcpus = 0;
    bad[3].maxmem_mib = bad[3].memory_mib - 1;
    bad[4].on_crash = HV_ACTION_MAX + 1;
    strcpy(bad[5].cmdline, "\xff\xfe not UTF-8");
    bad[6].restart_limit = 0;
    for (size_t i = 0; i < 7; i++) {
        char *json = (char *)"unchanged";
        int rc = hvcfg_write_json(&bad[i], &json);
        CHECK(rc == -EINVAL && json == NULL, "bad config %zu: rc %d, json %p", i, rc, (void *)json);
    }
    return true;
}

static bool config_from_domaininfo_rounds_and_round_trips(void)
{
    struct xen_domctl_getdomaininfo info;
    memset(&info, 0, sizeof info);
    strcpy(info.name, "saved");
    memcpy(info.handle, demo_uuid, 16);
    info.max_vcpus = 2;
    info.tot_pages = 257;  /* 1 MiB and a page: 2 MiB rounded up */
    info.on_poweroff = HV_ACTION_preserve;
    info.on_reboot = HV_ACTION_destroy;
    info.on_crash = HV_ACTION_restart;
    info.restart_limit = 3;
    info.restart_interval_s = 30;
    struct hvcfg_domain want;
    int rc = hvcfg_from_domaininfo(&info, 1024, &want);
    CHECK(rc == 0, "rc %d", rc);
    CHECK(want.memory_mib == 2 && want.maxmem_mib == 4 && want.vcpus == 2, "memory %llu/%llu",
          (unsigned long long)want.memory_mib, (unsigned long long)want.maxmem_mib);
    CHECK(want.has_uuid && want.kernel[0] == '\0', "uuid or kernel");
    info.tot_pages = 0;
    CHECK(hvcfg_from_domaininfo(&info, 1024, &cfg) == 0 && cfg.memory_mib == 1, "no pages");
    info.tot_pages = 5000;
    CHECK(hvcfg_from_domaininfo(&info, 1024, &cfg) == 0 && cfg.memory_mib == 4, "over window");
    CHECK(hvcfg_from_domaininfo(&info, 0, &cfg) == -EINVAL, "no window accepted");
    char *json = NULL;
    bool ok = round_trips(&want, HVCFG_PARSE_RESTORE, &json);
    free(json);
    return ok;
}

/* ---- names ------------------------------------------------------------------ */

static bool config_action_names_round_trip(void)
{
    static const char *const names[] = { "destroy", "restart", "preserve" };
    for (unsigned a = 0; a <= HV_ACTION_MAX; a++) {
        const char *name = hvcfg_action_name(a);
        CHECK(name && strcmp(name, names[a]) == 0, "action %u is '%s'", a, name ? name : "NULL");
        uint8_t back = 0xff;
        CHECK(hvcfg_action_parse(name, &back) == 0 && back == a, "'%s' parses to %u", name, back);
    }
    uint8_t untouched = 7;
    CHECK(hvcfg_action_name(HV_ACTION_MAX + 1) == NULL, "name for an unknown action");
    CHECK(hvcfg_action_parse("Destroy", &untouched) == -EINVAL && untouched == 7, "'Destroy' parsed");
    CHECK(hvcfg_action_parse("", &untouched) == -EINVAL, "'' parsed");
    return true;
}

static bool config_name_rule_boundaries(void)
{
    char longest[HV_NAME_MAX + 1];
    memset(longest, 'a', sizeof longest);
    CHECK(hv_name_check(longest, HV_NAME_MAX - 1) == HV_NAME_OK, "63 bytes refused");
    CHECK(hv_name_check(longest, HV_NAME_MAX) == HV_NAME_TOO_LONG, "64 bytes taken");
    CHECK(hv_name_check("", 0) == HV_NAME_EMPTY, "empty taken");
    CHECK(hv_name_check("0123", 4) == HV_NAME_ALL_DIGITS, "digits taken");
    CHECK(hv_name_check("0x12", 4) == HV_NAME_OK, "0x12 refused");
    CHECK(hv_name_check("a/b", 3) == HV_NAME_BAD_CHAR, "slash taken");
    CHECK(hv_name_check("A-z_0.9", 7) == HV_NAME_OK, "A-z_0.9 refused");
    return true;
}

/* ---- the listings' JSON ----------------------------------------------------- */

static bool config_json_domains_names_actions(void)
{
    struct xen_domctl_getdomaininfo d[2];
    memset(d, 0, sizeof d);
    strcpy(d[0].name, "one");
    d[0].on_crash = HV_ACTION_preserve;
    strcpy(d[1].name, "two");
    d[1].on_crash = 9;
    d[1].tot_pages = 512;
    char *json = NULL;
    int rc = hvcfg_json_domains(d, 2, &json);
    CHECK(rc == 0 && json, "rc %d", rc);
    bool ok = json[0] == '[' && strstr(json, "\"on_crash\": \"preserve\"") &&
              strstr(json, "\"on_crash\": \"unknown\"") && strstr(json, "\"memory_kib\": 2048") &&
              strstr(json, "\"name\": \"two\"");
    if (!ok)
        set_why("unexpected document %s", json);
    free(json);
    return ok;
}

static bool config_json_physinfo_and_vcpus(void)
{
    struct xen_sysctl_physinfo pi;
    memset(&pi, 0, sizeof pi);
    pi.hv_version = (1u << 16) | 2;
    pi.total_pages = 1024;
    char *json = NULL;
    int rc = hvcfg_json_physinfo(&pi, "9.9", "/run/s", &json);
    CHECK(rc == 0 && json, "physinfo rc %d", rc);
    bool ok = strstr(json, "\"hv_version\": \"1.2\"") && strstr(json, "\"hvcli_version\": \"9.9\"") &&
              strstr(json, "\"socket\": \"/run/s\"") && strstr(json, "\"total_memory_mib\": 4");
    if (!ok)
        set_why("unexpected physinfo %s", json);
    free(json);
    if (!ok)
        return false;
    struct hvcfg_vcpu_row row;
    memset(&row, 0, sizeof row);
    strcpy(row.dom.name, "v");
    row.vcpu.vcpu = 3;
    row.vcpu.online = 1;
    rc = hvcfg_json_vcpus(&row, 1, &json);
    CHECK(rc == 0 && json, "vcpus rc %d", rc);
    ok = strstr(json, "\"vcpu\": 3") && strstr(json, "\"online\": true") && strstr(json, "\"name\": \"v\"");
    if (!ok)
        set_why("unexpected vcpus %s", json);
    free(json);
    return ok;
}

/* ---- malformed input ---------------------------------------------------- */

/*
 * Parse exactly len bytes from a heap block of that size, so that ASan
 * catches any read past the end; the result must be success or a clean
 * one-line failure.
 */
static bool parses_or_fails_cleanly(const char *bytes, size_t len, const char *what)
{
    char *copy = malloc(len ? len : 1);
    CHECK(copy, "out of memory");
    memcpy(copy, bytes, len);
    int rc = hvcfg_parse_buffer(copy, len, "fuzz.cfg", "/d", HVCFG_PARSE_CREATE, &cfg, err, sizeof err);
    free(copy);
    CHECK(rc == 0 || rc == -EINVAL, "%s (%zu bytes): rc %d: %s", what, len, rc, err);
    CHECK(rc == 0 || message_is_one_line("fuzz.cfg"), "%s (%zu bytes): bad message '%s'", what, len, err);
    CHECK(rc != 0 || err[0] == '\0', "%s (%zu bytes): message on success '%s'", what, len, err);
    return true;
}

static const char *const good_configs[] = { good_xl, good_json, good_xml };

static bool config_survives_truncation(void)
{
    for (size_t f = 0; f < 3; f++) {
        const char *text = good_configs[f];
        size_t len = strlen(text);
        for (size_t n = 0; n <= len; n++)
            if (!parses_or_fails_cleanly(text, n, "truncated"))
                return false;
        CHECK(parse_named("fuzz.cfg", text) == 0, "the whole of config %zu failed: %s", f, err);
    }
    return true;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    /* xorshift64: a fixed seed keeps failures reproducible. */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool config_survives_random_bytes(void)
{
    static const char alphabet[] = "{}[]<>/=\"'#;:,\\\n -0x19azAZ";
    char buf[512];
    for (int i = 0; i < 3000; i++) {
        size_t len = next_random() % sizeof buf;
        bool texty = i % 2;
        /* Half the buffers use bytes the parsers care about, to get past the first token. */
        for (size_t j = 0; j < len; j++)
            buf[j] = texty ? alphabet[next_random() % (sizeof alphabet - 1)] : (char)next_random();
        if (i % 3 == 0 && len > 0)
            buf[0] = "{<n"[i % 9 / 3];
        if (!parses_or_fails_cleanly(buf, len, "random"))
            return false;
    }
    return true;
}

static bool config_survives_mutations(void)
{
    char buf[1024];
    for (size_t f = 0; f < 3; f++) {
        size_t len = strlen(good_configs[f]);
        for (int i = 0; i < 1500; i++) {
            memcpy(buf, good_configs[f], len);
            for (int k = 1 + (int)(next_random() % 4); k > 0; k--)
                buf[next_random() % len] = (char)next_random();
            if (!parses_or_fails_cleanly(buf, len, "mutated"))
                return false;
        }
    }
    return true;
}

/* ---- runner ------------------------------------------------------------- */

static const struct test tests[] = {
    TEST(config_parses_good_xl),
    TEST(config_parses_good_json),
    TEST(config_parses_good_xml),
    TEST(config_applies_defaults),
    TEST(config_init_sets_defaults),
    TEST(config_accepts_extra_alias),
    TEST(config_accepts_xl_syntax_variants),
    TEST(config_accepts_limits),
    TEST(config_accepts_longest_cmdline),
    TEST(config_xml_memory_units),
    TEST(config_xml_current_memory_alone_sets_both),
    TEST(config_detects_format_after_blanks),
    TEST(config_accepts_restart_bounds),
    TEST(config_old_image_config_gets_default_restart_limits),
    TEST(config_rejects_unknown_key),
    TEST(config_rejects_duplicate_key),
    TEST(config_rejects_cmdline_and_extra),
    TEST(config_rejects_string_for_number),
    TEST(config_rejects_number_for_string),
    TEST(config_rejects_vcpus_out_of_range),
    TEST(config_rejects_zero_memory),
    TEST(config_rejects_overflowing_number),
    TEST(config_rejects_negative_number),
    TEST(config_rejects_malformed_number),
    TEST(config_rejects_restart_keys_out_of_range),
    TEST(config_rejects_restart_keys_wrong_type),
    TEST(config_rejects_restart_keys_twice),
    TEST(config_rejects_unterminated_string),
    TEST(config_rejects_garbage_after_value),
    TEST(config_rejects_second_setting_on_a_line),
    TEST(config_rejects_missing_equals_and_value),
    TEST(config_rejects_unquoted_string),
    TEST(config_rejects_unknown_escape),
    TEST(config_rejects_list_for_scalar),
    TEST(config_rejects_unterminated_list),
    TEST(config_rejects_bad_names),
    TEST(config_rejects_bad_uuid),
    TEST(config_rejects_bad_action),
    TEST(config_rejects_nul_byte),
    TEST(config_rejects_missing_required_keys),
    TEST(config_rejects_maxmem_below_memory),
    TEST(config_rejects_empty_kernel),
    TEST(config_rejects_long_cmdline),
    TEST(config_rejects_oversized_buffer),
    TEST(config_truncates_long_messages),
    TEST(config_json_rejects_unknown_key),
    TEST(config_json_rejects_wrong_types),
    TEST(config_json_rejects_bad_numbers),
    TEST(config_json_rejects_duplicate_key),
    TEST(config_json_reports_yajl_error),
    TEST(config_json_rejects_empty_object),
    TEST(config_json_rejects_deep_nesting),
    TEST(config_json_checks_values_like_xl),
    TEST(config_json_checks_restart_keys),
    TEST(config_xml_rejects_unknown_element),
    TEST(config_xml_rejects_unknown_os_element),
    TEST(config_xml_rejects_bad_memory),
    TEST(config_xml_rejects_current_above_memory),
    TEST(config_xml_rejects_duplicate_element),
    TEST(config_xml_reports_parse_error_line),
    TEST(config_xml_rejects_wrong_root_and_type),
    TEST(config_xml_rejects_nested_and_stray_content),
    TEST(config_xml_rejects_missing_elements),
    TEST(config_xml_checks_values_like_xl),
    TEST(config_xml_checks_restart_keys),
    TEST(config_xml_does_not_expand_entities),
    TEST(config_resolves_relative_kernel),
    TEST(config_rejects_overlong_kernel_path),
    TEST(config_parses_files_on_disk),
    TEST(config_file_without_directory_uses_dot),
    TEST(config_reports_errors_with_file_path),
    TEST(config_reports_missing_file),
    TEST(config_reports_directory),
    TEST(config_rejects_file_over_1mib),
    TEST(config_to_createdomain_fills_fields),
    TEST(config_to_createdomain_zero_handle_without_uuid),
    TEST(config_to_createdomain_rejects_overflow),
    TEST(config_to_createdomain_rejects_bad_fields),
    TEST(config_to_createdomain_carries_restart_limits),
    TEST(config_to_createdomain_rejects_bad_restart_limits),
    TEST(config_restore_mode_makes_kernel_optional),
    TEST(config_restore_mode_keeps_other_rules),
    TEST(config_writer_round_trips_in_create_mode),
    TEST(config_writer_round_trips_in_restore_mode),
    TEST(config_writer_keeps_odd_strings),
    TEST(config_writer_rejects_what_the_parser_would),
    TEST(config_from_domaininfo_rounds_and_round_trips),
    TEST(config_action_names_round_trip),
    TEST(config_name_rule_boundaries),
    TEST(config_json_domains_names_actions),
    TEST(config_json_physinfo_and_vcpus),
    TEST(config_survives_truncation),
    TEST(config_survives_random_bytes),
    TEST(config_survives_mutations),
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/hvcfg.XXXXXX", base && strlen(base) < 40 ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "test_config: cannot create %s: %s\n", tmpdir, strerror(errno));
        return 1;
    }
    int failed = run_cases("test_config", tests, sizeof tests / sizeof tests[0]);
    nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    return failed ? 1 : 0;
}
