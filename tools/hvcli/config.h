/*
 * Transitional: restore.c, which is being rewritten into a library, still
 * spells the config parser's names from before libhvcfg.  This maps them
 * onto libhvcfg; delete it once restore.c calls hvcfg_* itself.  A save
 * image's config is parsed in restore mode, where "kernel" may be absent.
 */
#ifndef HVCLI_CONFIG_H
#define HVCLI_CONFIG_H

#include <hvcfg.h>

#define hv_domain_config hvcfg_domain

static inline int hv_config_parse_buffer(const char *text, size_t len, const char *name,
                                         const char *dir, struct hvcfg_domain *cfg, char *err,
                                         size_t errlen)
{
    return hvcfg_parse_buffer(text, len, name, dir, HVCFG_PARSE_RESTORE, cfg, err, errlen);
}

static inline int hv_config_to_createdomain(const struct hvcfg_domain *cfg,
                                            struct xen_domctl_createdomain *cd)
{
    return hvcfg_to_createdomain(cfg, cd);
}

#endif
