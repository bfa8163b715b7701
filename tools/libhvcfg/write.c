/*
 * libhvcfg: the config writer.  It walks the key table (keys.c) and
 * writes each key the config has, so what it writes is what the parser
 * reads back.
 */
#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>
#include <hv/public/names.h>
#include "private.h"

/* What the parser would reject, or the writer could not write. */
static bool writable(const struct hvcfg_domain *cfg)
{
    struct xen_domctl_createdomain cd;

    if (hvcfg_to_createdomain(cfg, &cd) < 0)
        return false;
    return hv_name_check(cfg->name, strlen(cfg->name)) == HV_NAME_OK &&
           strnlen(cfg->kernel, sizeof cfg->kernel) < sizeof cfg->kernel &&
           strnlen(cfg->cmdline, sizeof cfg->cmdline) < sizeof cfg->cmdline;
}

static void write_key(struct json_gen *j, const struct hvcfg_domain *cfg,
                      const struct cfg_key_def *k)
{
    char uuid[37];

    switch (k->key) {
    case KEY_NAME:
        gen_str(j, k->name, cfg->name);
        break;
    case KEY_MEMORY:
        gen_u64(j, k->name, cfg->memory_mib);
        break;
    case KEY_MAXMEM:
        gen_u64(j, k->name, cfg->maxmem_mib);
        break;
    case KEY_VCPUS:
        gen_u64(j, k->name, cfg->vcpus);
        break;
    case KEY_ON_POWEROFF:
        gen_str(j, k->name, hv_action_name(cfg->on_poweroff));
        break;
    case KEY_ON_REBOOT:
        gen_str(j, k->name, hv_action_name(cfg->on_reboot));
        break;
    case KEY_ON_CRASH:
        gen_str(j, k->name, hv_action_name(cfg->on_crash));
        break;
    case KEY_RESTART_LIMIT:
        gen_u64(j, k->name, cfg->restart_limit);
        break;
    case KEY_RESTART_INTERVAL:
        gen_u64(j, k->name, cfg->restart_interval_s);
        break;
    case KEY_KERNEL:
        if (cfg->kernel[0])
            gen_str(j, k->name, cfg->kernel);
        break;
    case KEY_CMDLINE:
        if (cfg->cmdline[0])
            gen_str(j, k->name, cfg->cmdline);
        break;
    case KEY_UUID:
        if (cfg->has_uuid) {
            uuid_unparse_lower(cfg->uuid, uuid);
            gen_str(j, k->name, uuid);
        }
        break;
    case KEY_COUNT:
        break;
    }
}

HVCFG_EXPORT int hvcfg_write_json(const struct hvcfg_domain *cfg, char **json)
{
    struct json_gen j;

    *json = NULL;
    if (!writable(cfg))
        return -EINVAL;
    int rc = gen_begin(&j, false);
    if (rc < 0)
        return rc;
    /* The parser takes JSON strings as UTF-8: refuse to write anything else. */
    yajl_gen_config(j.g, yajl_gen_validate_utf8, 1);
    gen_note(&j, yajl_gen_map_open(j.g));
    for (size_t i = 0; i < cfg_key_count; i++)
        if (!cfg_keys[i].alias)
            write_key(&j, cfg, &cfg_keys[i]);
    gen_note(&j, yajl_gen_map_close(j.g));
    return gen_end(&j, json);
}
