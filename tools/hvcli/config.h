/*
 * hvcli domain configuration: one parser for three formats.
 *
 *   xl.cfg      key = value lines, as xl reads them
 *   JSON        an object with the same keys
 *   XML         a libvirt-style <domain> document
 *
 * The format is chosen by content: the first non-blank character '{' means
 * JSON, '<' means XML, anything else xl.cfg.  Every format fills the same
 * struct and goes through the same validation.
 */
#ifndef HVCLI_CONFIG_H
#define HVCLI_CONFIG_H

#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include <hv/public/domctl.h>   /* HV_NAME_MAX, HV_ACTION_*, HV_MAX_VCPUS */
#include <hv/public/xen.h>      /* HV_CMDLINE_MAX */

/* Files (and buffers) larger than this are rejected. */
#define HV_CONFIG_MAX_SIZE (1024u * 1024u)

struct hv_domain_config {
    char name[HV_NAME_MAX];      /* required */
    uint64_t memory_mib;         /* "memory", required, >= 1 */
    uint64_t maxmem_mib;         /* "maxmem", default = memory, must be >= memory */
    uint32_t vcpus;              /* "vcpus", default 1, 1..HV_MAX_VCPUS */
    char kernel[PATH_MAX];       /* required; a relative path is resolved against the config file's directory */
    char cmdline[HV_CMDLINE_MAX];/* "cmdline" (alias "extra"), default "" */
    uint8_t on_poweroff, on_reboot, on_crash; /* "destroy"|"restart"|"preserve"; defaults destroy, restart, destroy */
    /* More than restart_limit restarts within restart_interval_s seconds
     * are a restart loop, which hvd treats as a crash. */
    uint32_t restart_limit;      /* "restart_limit", 1..HV_RESTART_LIMIT_MAX, default HV_RESTART_LIMIT_DEFAULT */
    uint32_t restart_interval_s; /* "restart_interval", 1..HV_RESTART_INTERVAL_MAX, default HV_RESTART_INTERVAL_DEFAULT */
    int has_uuid;                /* "uuid" given */
    uint8_t uuid[16];            /* parsed with libuuid's uuid_parse */
};

/* Set every field to its default (required fields empty). */
void hv_config_init(struct hv_domain_config *cfg);

/*
 * Parse a file; the format is chosen by content.  Returns 0 or a negative
 * errno: -EINVAL for bad content, -EFBIG for a file over
 * HV_CONFIG_MAX_SIZE, -ENOENT etc. from open/read.  On error writes one
 * line to err (no trailing newline) naming the problem, prefixed with
 * "FILE:LINE: " when there is a line, e.g.
 *   "demo.cfg:3: unknown key 'memroy'"
 *   "demo.cfg:5: vcpus: '0' is out of range 1..64"
 *   "demo.cfg: missing required key 'kernel'"
 * JSON errors about one key read "FILE: key 'memory': ...".
 * cfg is (re)initialised first; its contents are unspecified on error.
 */
int hv_config_parse_file(const char *path, struct hv_domain_config *cfg, char *err, size_t errlen);

/*
 * The same from memory (text need not be NUL-terminated); name is used in
 * messages and dir for resolving a relative kernel path (NULL: leave it
 * relative).
 */
int hv_config_parse_buffer(const char *text, size_t len, const char *name, const char *dir,
                           struct hv_domain_config *cfg, char *err, size_t errlen);

/*
 * Fill a createdomain struct from a parsed config: init_pages =
 * memory_mib * 256, max_pages = maxmem_mib * 256, name, actions and
 * restart limits copied, the UUID into handle (all zero without one).  Returns 0 or -EINVAL for a
 * config that cannot be expressed (overflow, out-of-range field).
 */
int hv_config_to_createdomain(const struct hv_domain_config *cfg, struct xen_domctl_createdomain *cd);

#endif
