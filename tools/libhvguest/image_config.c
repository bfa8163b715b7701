/* The config a save image carries, through libhvcfg. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hvcfg.h>
#include "image_config.h"

/* The kernel and cmdline of the config the toolstack kept with domid, if
 * any (one that is not a config is ignored: it is the toolstack's data). */
static void kept_kernel(hvctl_t *h, uint32_t domid, struct hvcfg_domain *cfg)
{
    char *data = malloc(HV_TOOLSTACK_DATA_MAX);
    struct hvcfg_domain *kept = malloc(sizeof(*kept));
    char err[256];
    size_t len = 0;

    if (data && kept &&
        hvctl_toolstack_data_get(h, domid, data, HV_TOOLSTACK_DATA_MAX, &len) == 0 && len > 0 &&
        hvcfg_parse_buffer(data, len, "its kept config", NULL, HVCFG_PARSE_RESTORE, kept, err,
                           sizeof(err)) == 0) {
        memcpy(cfg->kernel, kept->kernel, sizeof(cfg->kernel));
        memcpy(cfg->cmdline, kept->cmdline, sizeof(cfg->cmdline));
    }
    free(kept);
    free(data);
}

int image_config_write(hvctl_t *h, uint32_t domid, const struct xen_domctl_getdomaininfo *info,
                       uint64_t nr_gfns, char **json)
{
    struct hvcfg_domain *cfg = malloc(sizeof(*cfg)); /* PATH_MAX inside: off the stack */
    int rc = cfg ? hvcfg_from_domaininfo(info, nr_gfns, cfg) : -ENOMEM;

    if (rc == 0) {
        kept_kernel(h, domid, cfg);
        rc = hvcfg_write_json(cfg, json);
    }
    free(cfg);
    return rc;
}

int image_config_keep(hvctl_t *h, uint32_t domid, const struct hvsave_domain_header *dh)
{
    size_t len = dh->config ? strlen(dh->config) : 0;
    int rc = len ? hvctl_toolstack_data_set(h, domid, dh->config, len) : 0;

    return rc == -E2BIG ? 0 : rc;
}

/* The config must describe the domain the header does. */
static int check_against_header(const struct hvcfg_domain *cfg,
                                const struct hvsave_domain_header *dh, char *err, size_t errlen)
{
    if (cfg->vcpus != dh->nr_vcpus) {
        snprintf(err, errlen, "its configuration has %" PRIu32 " vCPUs, its domain header %" PRIu32,
                 cfg->vcpus, dh->nr_vcpus);
        return -EINVAL;
    }
    if (dh->nr_pages > cfg->maxmem_mib * XEN_PAGES_PER_MIB) {
        snprintf(err, errlen,
                 "its RAM window of %" PRIu64 " pages is larger than its "
                 "configuration's maxmem (%" PRIu64 " MiB)",
                 dh->nr_pages, cfg->maxmem_mib);
        return -EINVAL;
    }
    return 0;
}

static int config_to_createdomain(const struct hvcfg_domain *cfg,
                                  const struct hvsave_domain_header *dh,
                                  struct xen_domctl_createdomain *cd, char *err, size_t errlen)
{
    int rc = check_against_header(cfg, dh, err, errlen);

    if (rc == 0 && (rc = hvcfg_to_createdomain(cfg, cd)) < 0)
        snprintf(err, errlen, "its configuration cannot be used: %s", strerror(-rc));
    if (rc < 0)
        return rc;
    /* RAM comes from the image; the window is exactly the saved one. */
    cd->init_pages = 1;
    cd->max_pages = dh->nr_pages;
    return 0;
}

int image_config_read(const struct hvsave_domain_header *dh, struct xen_domctl_createdomain *cd,
                      char *err, size_t errlen)
{
    struct hvcfg_domain *cfg;
    int rc;

    if (!dh->config || !dh->config[0]) {
        snprintf(err, errlen, "the image carries no domain configuration");
        return -EINVAL;
    }
    cfg = malloc(sizeof(*cfg));
    if (!cfg) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    err[0] = '\0';
    rc = hvcfg_parse_buffer(dh->config, strlen(dh->config), "its configuration", NULL,
                            HVCFG_PARSE_RESTORE, cfg, err, errlen);
    if (rc < 0 && !err[0])
        snprintf(err, errlen, "%s", strerror(-rc));
    if (rc == 0)
        rc = config_to_createdomain(cfg, dh, cd, err, errlen);
    free(cfg);
    return rc;
}
