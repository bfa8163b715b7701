/* libhvcfg: a config and the domctl structs: to a createdomain, from a domain's info. */
#include <errno.h>
#include <string.h>
#include "private.h"

HVCFG_EXPORT int hvcfg_to_createdomain(const struct hvcfg_domain *cfg,
                                       struct xen_domctl_createdomain *cd)
{
    memset(cd, 0, sizeof *cd);
    if (strnlen(cfg->name, sizeof cfg->name) == sizeof cfg->name)
        return -EINVAL;
    if (cfg->vcpus < 1 || cfg->vcpus > HV_MAX_VCPUS)
        return -EINVAL;
    if (cfg->memory_mib < 1 || cfg->maxmem_mib < cfg->memory_mib ||
        cfg->maxmem_mib > UINT64_MAX / XEN_PAGES_PER_MIB)
        return -EINVAL;
    if (cfg->on_poweroff > HV_ACTION_MAX || cfg->on_reboot > HV_ACTION_MAX ||
        cfg->on_crash > HV_ACTION_MAX)
        return -EINVAL;
    if (cfg->restart_limit < 1 || cfg->restart_limit > HV_RESTART_LIMIT_MAX ||
        cfg->restart_interval_s < 1 || cfg->restart_interval_s > HV_RESTART_INTERVAL_MAX)
        return -EINVAL;
    memcpy(cd->name, cfg->name, sizeof cd->name);
    if (cfg->has_uuid)
        memcpy(cd->handle, cfg->uuid, sizeof cd->handle);
    cd->max_vcpus = cfg->vcpus;
    cd->init_pages = cfg->memory_mib * XEN_PAGES_PER_MIB;
    cd->max_pages = cfg->maxmem_mib * XEN_PAGES_PER_MIB;
    cd->on_poweroff = cfg->on_poweroff;
    cd->on_reboot = cfg->on_reboot;
    cd->on_crash = cfg->on_crash;
    cd->restart_limit = cfg->restart_limit;
    cd->restart_interval_s = cfg->restart_interval_s;
    return 0;
}

static uint64_t pages_to_mib(uint64_t pages)
{
    return pages / XEN_PAGES_PER_MIB + (pages % XEN_PAGES_PER_MIB != 0);
}

HVCFG_EXPORT int hvcfg_from_domaininfo(const struct xen_domctl_getdomaininfo *info,
                                       uint64_t nr_gfns, struct hvcfg_domain *cfg)
{
    size_t name_len = strnlen(info->name, sizeof info->name);

    hvcfg_init(cfg);
    if (name_len == sizeof info->name || nr_gfns == 0)
        return -EINVAL;
    memcpy(cfg->name, info->name, name_len);
    cfg->has_uuid = 1;
    memcpy(cfg->uuid, info->handle, sizeof cfg->uuid);
    cfg->vcpus = info->max_vcpus;
    cfg->maxmem_mib = pages_to_mib(nr_gfns);
    cfg->memory_mib = pages_to_mib(info->tot_pages);
    /* A domain may hold no page yet, or (briefly) more than its window. */
    if (cfg->memory_mib < 1)
        cfg->memory_mib = 1;
    if (cfg->memory_mib > cfg->maxmem_mib)
        cfg->memory_mib = cfg->maxmem_mib;
    cfg->on_poweroff = info->on_poweroff;
    cfg->on_reboot = info->on_reboot;
    cfg->on_crash = info->on_crash;
    cfg->restart_limit = info->restart_limit;
    cfg->restart_interval_s = info->restart_interval_s;
    return 0;
}
