/*
 * libhvcfg: the config keys.  The key table below is the one list of
 * keys: the xl.cfg and JSON front ends look names up in it, the XML front
 * end finds its elements in it, cfg_finish() takes the required keys from
 * it and the writer walks it.  cfg_apply_key() validates and stores every
 * setting, whatever the format.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <uuid/uuid.h>
#include <hv/public/names.h>
#include "private.h"

/* In the order the writer writes them; "extra" is xl's old name for "cmdline". */
const struct cfg_key_def cfg_keys[] = {
    /* name              key                   kind          need                  alias  XML element      where */
    { "name", KEY_NAME, VALUE_STRING, KEY_REQUIRED, false, "name", XML_DOMAIN },
    { "uuid", KEY_UUID, VALUE_STRING, KEY_OPTIONAL, false, "uuid", XML_DOMAIN },
    { "memory", KEY_MEMORY, VALUE_NUMBER, KEY_REQUIRED, false, "currentMemory", XML_MEMORY },
    { "maxmem", KEY_MAXMEM, VALUE_NUMBER, KEY_OPTIONAL, false, "memory", XML_MEMORY },
    { "vcpus", KEY_VCPUS, VALUE_NUMBER, KEY_OPTIONAL, false, "vcpu", XML_DOMAIN },
    { "kernel", KEY_KERNEL, VALUE_STRING, KEY_REQUIRED_TO_BOOT, false, "kernel", XML_OS },
    { "cmdline", KEY_CMDLINE, VALUE_STRING, KEY_OPTIONAL, false, "cmdline", XML_OS },
    { "extra", KEY_CMDLINE, VALUE_STRING, KEY_OPTIONAL, true, NULL, XML_NONE },
    { "on_poweroff", KEY_ON_POWEROFF, VALUE_STRING, KEY_OPTIONAL, false, "on_poweroff",
      XML_DOMAIN },
    { "on_reboot", KEY_ON_REBOOT, VALUE_STRING, KEY_OPTIONAL, false, "on_reboot", XML_DOMAIN },
    { "on_crash", KEY_ON_CRASH, VALUE_STRING, KEY_OPTIONAL, false, "on_crash", XML_DOMAIN },
    { "restart_limit", KEY_RESTART_LIMIT, VALUE_NUMBER, KEY_OPTIONAL, false, "restart_limit",
      XML_DOMAIN },
    { "restart_interval", KEY_RESTART_INTERVAL, VALUE_NUMBER, KEY_OPTIONAL, false,
      "restart_interval", XML_DOMAIN },
};
const size_t cfg_key_count = sizeof cfg_keys / sizeof cfg_keys[0];

static int set_name(struct parser *p, const char *key, const struct cfg_value *v)
{
    int rc = cfg_expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    char shown[SHOW_MAX + 4];
    cfg_show(shown, v->text, v->len);
    switch (hv_name_check(v->text, v->len)) {
    case HV_NAME_OK:
        break;
    case HV_NAME_EMPTY:
        return cfg_key_fail(p, key, "must not be empty");
    case HV_NAME_TOO_LONG:
        return cfg_key_fail(p, key, "'%s' is longer than %u characters", shown, HV_NAME_MAX - 1);
    case HV_NAME_BAD_CHAR:
        return cfg_key_fail(p, key, "'%s' may contain only A-Z a-z 0-9 _ . -", shown);
    case HV_NAME_ALL_DIGITS:
        return cfg_key_fail(p, key, "'%s' is all digits, which would read as a domid", shown);
    }
    memcpy(p->cfg->name, v->text, v->len + 1);
    return 0;
}

static int set_kernel(struct parser *p, const char *key, const struct cfg_value *v)
{
    int rc = cfg_expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (v->len == 0)
        return cfg_key_fail(p, key, "must not be empty");
    char *out = p->cfg->kernel;
    int n;
    if (v->text[0] == '/' || !p->dir)
        n = snprintf(out, HVCFG_PATH_MAX, "%s", v->text);
    else if (strcmp(p->dir, "/") == 0)
        n = snprintf(out, HVCFG_PATH_MAX, "/%s", v->text);
    else
        n = snprintf(out, HVCFG_PATH_MAX, "%s/%s", p->dir, v->text);
    if (n < 0 || n >= HVCFG_PATH_MAX)
        return cfg_key_fail(p, key, "path is longer than %d bytes", HVCFG_PATH_MAX - 1);
    return 0;
}

static int set_action(struct parser *p, const char *key, const struct cfg_value *v, uint8_t *out)
{
    int rc = cfg_expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (hvcfg_action_parse(v->text, out) == 0)
        return 0;
    char shown[SHOW_MAX + 4];
    return cfg_key_fail(p, key, "'%s' is not one of destroy, restart, preserve",
                        cfg_show(shown, v->text, v->len));
}

static int set_uuid(struct parser *p, const char *key, const struct cfg_value *v)
{
    int rc = cfg_expect_kind(p, key, v, VALUE_STRING);
    if (rc)
        return rc;
    if (uuid_parse(v->text, p->cfg->uuid) != 0) {
        char shown[SHOW_MAX + 4];
        return cfg_key_fail(p, key,
                            "'%s' is not a UUID (like 01234567-89ab-cdef-0123-456789abcdef)",
                            cfg_show(shown, v->text, v->len));
    }
    p->cfg->has_uuid = 1;
    return 0;
}

static int set_key(struct parser *p, enum cfg_key key, const char *name, const struct cfg_value *v)
{
    struct hvcfg_domain *cfg = p->cfg;
    switch (key) {
    case KEY_NAME:
        return set_name(p, name, v);
    case KEY_MEMORY:
        return cfg_get_number(p, name, v, 1, MEMORY_MAX_MIB, &cfg->memory_mib);
    case KEY_MAXMEM:
        return cfg_get_number(p, name, v, 1, MEMORY_MAX_MIB, &cfg->maxmem_mib);
    case KEY_VCPUS:
        return cfg_get_u32(p, name, v, 1, HV_MAX_VCPUS, &cfg->vcpus);
    case KEY_KERNEL:
        return set_kernel(p, name, v);
    case KEY_CMDLINE:
        return cfg_get_string(p, name, v, cfg->cmdline, sizeof cfg->cmdline);
    case KEY_ON_POWEROFF:
        return set_action(p, name, v, &cfg->on_poweroff);
    case KEY_ON_REBOOT:
        return set_action(p, name, v, &cfg->on_reboot);
    case KEY_ON_CRASH:
        return set_action(p, name, v, &cfg->on_crash);
    case KEY_UUID:
        return set_uuid(p, name, v);
    case KEY_RESTART_LIMIT:
        return cfg_get_u32(p, name, v, 1, HV_RESTART_LIMIT_MAX, &cfg->restart_limit);
    case KEY_RESTART_INTERVAL:
        return cfg_get_u32(p, name, v, 1, HV_RESTART_INTERVAL_MAX, &cfg->restart_interval_s);
    case KEY_COUNT:
        break;
    }
    return -EINVAL;
}

/* Validate and store one setting; name is how the input spelt the key (static storage). */
int cfg_apply_key(struct parser *p, enum cfg_key key, const char *name, const struct cfg_value *v)
{
    if (p->seen[key]) {
        const char *first = p->seen_as[key];
        if (p->format == FORMAT_JSON)
            return cfg_key_fail(p, name, "given twice");
        if (strcmp(first, name) != 0)
            return cfg_key_fail(p, name, "given twice (first at line %u as '%s')",
                                p->seen_line[key], first);
        return cfg_key_fail(p, name, "given twice (first at line %u)", p->seen_line[key]);
    }
    int rc = set_key(p, key, name, v);
    if (rc)
        return rc;
    p->seen[key] = true;
    p->seen_line[key] = p->line;
    p->seen_as[key] = name;
    return 0;
}

const struct cfg_key_def *cfg_lookup_key(const char *s, size_t len)
{
    for (size_t i = 0; i < cfg_key_count; i++)
        if (strlen(cfg_keys[i].name) == len && memcmp(cfg_keys[i].name, s, len) == 0)
            return &cfg_keys[i];
    return NULL;
}

int cfg_unknown_key(struct parser *p, const char *s, size_t len)
{
    char shown[SHOW_MAX + 4];
    return cfg_fail(p, "unknown key '%s'", cfg_show(shown, s, len));
}

static bool is_required(const struct parser *p, const struct cfg_key_def *k)
{
    if (k->need == KEY_REQUIRED_TO_BOOT)
        return !(p->flags & HVCFG_PARSE_RESTORE);
    return k->need == KEY_REQUIRED;
}

static int missing_key(struct parser *p, const struct cfg_key_def *k)
{
    if (p->format != FORMAT_XML)
        return cfg_fail(p, "missing required key '%s'", k->name);
    if (k->where == XML_OS)
        return cfg_fail(p, "missing required element <os><%s>", k->xml);
    /* <memory> (the maximum) alone sets memory too: it is the element to ask for. */
    if (k->key == KEY_MEMORY)
        return cfg_fail(p, "missing required element <memory>");
    return cfg_fail(p, "missing required element <%s>", k->xml);
}

/* After all settings: required keys, the maxmem default, maxmem >= memory. */
int cfg_finish(struct parser *p)
{
    p->line = 0;
    for (size_t i = 0; i < cfg_key_count; i++)
        if (is_required(p, &cfg_keys[i]) && !p->seen[cfg_keys[i].key])
            return missing_key(p, &cfg_keys[i]);
    struct hvcfg_domain *cfg = p->cfg;
    if (!p->seen[KEY_MAXMEM]) {
        cfg->maxmem_mib = cfg->memory_mib;
    } else if (cfg->maxmem_mib < cfg->memory_mib) {
        p->line = p->seen_line[KEY_MAXMEM];
        return cfg_key_fail(p, p->seen_as[KEY_MAXMEM],
                            "%" PRIu64 " MiB is less than %s (%" PRIu64 " MiB)", cfg->maxmem_mib,
                            p->seen_as[KEY_MEMORY], cfg->memory_mib);
    }
    return 0;
}
