/*
 * libhvcfg: hv domain configurations, read and written.
 *
 * One parser for three formats, chosen by content (the first non-blank
 * character '{' means JSON, '<' libvirt-style XML, anything else xl.cfg),
 * all filling struct hvcfg_domain with the same rules; a writer of the
 * JSON form; the names of the HV_ACTION_* values; and the JSON documents
 * `hvcli list -l`, `info` and `vcpu-list -l` print.
 *
 * Every call returns 0 (or a count) or a negative errno and prints
 * nothing: a parse error is described in the caller's buffer.
 */
#ifndef HVCFG_H
#define HVCFG_H

#include <stddef.h>
#include <stdint.h>
#include <hv/public/domctl.h> /* HV_NAME_MAX, HV_ACTION_*, HV_MAX_VCPUS */
#include <hv/public/sysctl.h> /* struct xen_sysctl_physinfo */
#include <hv/public/xen.h>    /* HV_CMDLINE_MAX */

/* Bytes in a kernel path, NUL included: Linux's PATH_MAX, spelled out so
 * that a strict -std=c11 build of a caller needs no feature macro. */
#define HVCFG_PATH_MAX 4096

/* Files (and buffers) larger than this are rejected. */
#define HVCFG_MAX_SIZE (1024u * 1024u)

struct hvcfg_domain {
    char name[HV_NAME_MAX];       /* required */
    uint64_t memory_mib;          /* "memory", required, >= 1 */
    uint64_t maxmem_mib;          /* "maxmem", default = memory, must be >= memory */
    uint32_t vcpus;               /* "vcpus", default 1, 1..HV_MAX_VCPUS */
    char kernel[HVCFG_PATH_MAX];  /* required unless HVCFG_PARSE_RESTORE ("": none); a relative
                                    path is resolved against the config file's directory */
    char cmdline[HV_CMDLINE_MAX]; /* "cmdline" (alias "extra"), default "" */
    uint8_t on_poweroff, on_reboot,
        on_crash; /* "destroy"|"restart"|"preserve"; defaults destroy, restart, destroy */
    /* More than restart_limit restarts within restart_interval_s seconds
     * are a restart loop, which hvd treats as a crash. */
    uint32_t
        restart_limit; /* "restart_limit", 1..HV_RESTART_LIMIT_MAX, default HV_RESTART_LIMIT_DEFAULT */
    uint32_t
        restart_interval_s; /* "restart_interval", 1..HV_RESTART_INTERVAL_MAX, default HV_RESTART_INTERVAL_DEFAULT */
    int has_uuid;     /* "uuid" given */
    uint8_t uuid[16]; /* parsed with libuuid's uuid_parse */
};

/* Parse flags. */
#define HVCFG_PARSE_CREATE  0u        /* a config to boot: "kernel" is required */
#define HVCFG_PARSE_RESTORE (1u << 0) /* a save image's config: "kernel" may be absent */

/* Set every field to its default (required fields empty). */
void hvcfg_init(struct hvcfg_domain *cfg);

/*
 * Parse a file; the format is chosen by content.  flags: HVCFG_PARSE_*.
 * Returns 0 or a negative errno: -EINVAL for bad content, -EFBIG for a
 * file over HVCFG_MAX_SIZE, -ENOENT etc. from open/read.  On error writes
 * one line to err (no trailing newline) naming the problem, prefixed with
 * "FILE:LINE: " when there is a line, e.g.
 *   "demo.cfg:3: unknown key 'memroy'"
 *   "demo.cfg:5: vcpus: '0' is out of range 1..64"
 *   "demo.cfg: missing required key 'kernel'"
 * JSON errors about one key read "FILE: key 'memory': ...".
 * cfg is (re)initialised first; its contents are unspecified on error.
 */
int hvcfg_parse_file(const char *path, unsigned flags, struct hvcfg_domain *cfg, char *err,
                     size_t errlen);

/*
 * The same from memory (text need not be NUL-terminated); name is used in
 * messages and dir for resolving a relative kernel path (NULL: leave it
 * relative).
 */
int hvcfg_parse_buffer(const char *text, size_t len, const char *name, const char *dir,
                       unsigned flags, struct hvcfg_domain *cfg, char *err, size_t errlen);

/*
 * Write cfg as a JSON object (one line, keys in a fixed order) into a
 * malloc'd NUL-terminated *json the caller frees.  "kernel", "cmdline"
 * and "uuid" are written only when cfg has them, so the text parses back
 * to cfg: with HVCFG_PARSE_RESTORE always, in create mode when it has a
 * kernel.  Returns 0, -EINVAL for a cfg the parser would reject, or
 * -ENOMEM.
 */
int hvcfg_write_json(const struct hvcfg_domain *cfg, char **json);

/*
 * The config of a running domain, as a save image carries it: name, UUID,
 * vcpus, actions and restart limits from info; maxmem is its RAM window
 * of nr_gfns pages and memory its tot_pages, both in MiB rounded up
 * (memory clamped to 1..maxmem); no kernel.  Returns 0 or -EINVAL.
 */
int hvcfg_from_domaininfo(const struct xen_domctl_getdomaininfo *info, uint64_t nr_gfns,
                          struct hvcfg_domain *cfg);

/*
 * Fill a createdomain struct from a parsed config: init_pages =
 * memory_mib * 256, max_pages = maxmem_mib * 256, name, actions and
 * restart limits copied, the UUID into handle (all zero without one).
 * Returns 0 or -EINVAL for a config that cannot be expressed (overflow,
 * out-of-range field).
 */
int hvcfg_to_createdomain(const struct hvcfg_domain *cfg, struct xen_domctl_createdomain *cd);

/* "destroy", "restart" or "preserve" for an HV_ACTION_* value; NULL for
 * any other value. */
const char *hvcfg_action_name(unsigned action);

/* The HV_ACTION_* value named name into *action: 0, or -EINVAL for a name
 * that is none. */
int hvcfg_action_parse(const char *name, uint8_t *action);

/*
 * The JSON documents of `hvcli list -l`, `hvcli info` and
 * `hvcli vcpu-list -l`, beautified and ending in no newline, into a
 * malloc'd *json the caller frees.  Return 0 or -ENOMEM (-EINVAL if the
 * generator refuses).
 */
int hvcfg_json_domains(const struct xen_domctl_getdomaininfo *info, size_t count, char **json);
/* tool_version and socket are reported as "hvcli_version" and "socket". */
int hvcfg_json_physinfo(const struct xen_sysctl_physinfo *pi, const char *tool_version,
                        const char *socket, char **json);

/* A member of a report: a string (str not NULL) or an unsigned number. */
struct hvcfg_json_member {
    const char *name;
    const char *str;
    uint64_t num;
};

/*
 * A report as one JSON object (as above: beautified, no final newline):
 * the n members m, then, when list_name is not NULL, an array of that name
 * of nrows objects of per_row members each (rows[r * per_row ...]).
 * `hvcli migrate --json` writes its report with it.
 */
int hvcfg_json_report(const struct hvcfg_json_member *m, size_t n, const char *list_name,
                      const struct hvcfg_json_member *rows, size_t per_row, size_t nrows,
                      char **json);

/* One line of vcpu-list: a vCPU and the domain it belongs to. */
struct hvcfg_vcpu_row {
    struct xen_domctl_getdomaininfo dom;
    struct xen_domctl_getvcpuinfo vcpu;
};
int hvcfg_json_vcpus(const struct hvcfg_vcpu_row *rows, size_t count, char **json);

#endif
