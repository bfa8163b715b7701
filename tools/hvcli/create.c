/* hvcli create: build a domain from a config file and start it. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hvcli.h"

struct create_opts {
    bool paused;        /* -p: leave it paused */
    bool console;       /* -c: attach to its console */
    bool quiet;         /* -q: no "Created domain" line */
    uint32_t fault_ttl; /* --fault-ttl N: fail hvd's N-th creation step */
    const char *cfg_path;
};

static int parse_fault_ttl(const struct hvcli_ctx *ctx, const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX) {
        hvcli_err(ctx, "--fault-ttl: '%s' is not a number from 0 to %u", s, UINT32_MAX);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

enum { OPT_PAUSED, OPT_CONSOLE, OPT_QUIET, OPT_FAULT_TTL };

static const struct hvcli_opt create_options[] = {
    [OPT_PAUSED] = { "paused", 'p', NULL, "leave the domain paused (start it with hvcli unpause)" },
    [OPT_CONSOLE] = { "console", 'c', NULL,
                      "attach to its console (as hvcli console) once created" },
    [OPT_QUIET] = { "quiet", 'q', NULL, "do not print \"Created domain NAME (domid N)\"" },
    [OPT_FAULT_TTL] = { "fault-ttl", 0, "N",
                        "debugging: make hvd fail the N-th fail-able step of\n"
                        "creating the domain (0: none), as if out of memory" },
    { NULL, 0, NULL, NULL },
};

/* The options' and operand's values.  Returns 0 or -1 (reported). */
static int read_create_args(const struct hvcli_ctx *ctx, const struct hvcli_args *args,
                            struct create_opts *o)
{
    o->paused = args->value[OPT_PAUSED] != NULL;
    o->console = args->value[OPT_CONSOLE] != NULL;
    o->quiet = args->value[OPT_QUIET] != NULL;
    o->cfg_path = args->operands[0];
    if (args->value[OPT_FAULT_TTL])
        return parse_fault_ttl(ctx, args->value[OPT_FAULT_TTL], &o->fault_ttl);
    return 0;
}

/* Read CFG and turn it into the createdomain request. */
static int load_config(const struct hvcli_ctx *ctx, const char *path, struct hvcfg_domain *cfg,
                       struct xen_domctl_createdomain *cd)
{
    char err[512] = "";
    int rc;

    rc = hvcfg_parse_file(path, HVCFG_PARSE_CREATE, cfg, err, sizeof(err));
    if (rc < 0) {
        if (err[0])
            hvcli_err(ctx, "%s", err);
        else
            hvcli_err(ctx, "%s: %s", path, strerror(-rc));
        return rc;
    }
    rc = hvcfg_to_createdomain(cfg, cd);
    if (rc < 0)
        hvcli_err(ctx, "%s: unusable configuration: %s", path, strerror(-rc));
    return rc;
}

/* Why loading the kernel image failed, in words. */
static void describe_build_error(char *buf, size_t len, const char *kernel, int rc)
{
    switch (rc) {
    case -ENOEXEC:
        snprintf(buf, len, "%s: not an ELF x86-64 executable", kernel);
        break;
    case -EINVAL:
        snprintf(buf, len, "%s: malformed ELF image (bad offsets or segments)", kernel);
        break;
    case -E2BIG:
        snprintf(buf, len, "%s: image does not fit in the domain's memory", kernel);
        break;
    default:
        snprintf(buf, len, "%s: cannot load kernel: %s", kernel, strerror(-rc));
        break;
    }
}

/* Report why creation failed and destroy the half-built domain, so that no
 * domain is left behind.  One line names both failures if destroy fails. */
static void abandon_domain(const struct hvcli_ctx *ctx, hvctl_t *h, uint32_t domid, const char *why)
{
    int rc = hvctl_domain_destroy(h, domid);

    if (rc < 0)
        hvcli_err(ctx, "%s (and destroying domain %u failed: %s)", why, domid, strerror(-rc));
    else
        hvcli_err(ctx, "%s", why);
}

/* Keep the config with the domain (XEN_DOMCTL_toolstack_data), so that a
 * save image of it carries its kernel.  Fills why on failure. */
static int keep_config(hvctl_t *h, uint32_t domid, const struct hvcfg_domain *cfg, char *why,
                       size_t len)
{
    char *json = NULL;
    int rc = hvcfg_write_json(cfg, &json);

    if (rc == 0)
        rc = hvctl_toolstack_data_set(h, domid, json, strlen(json));
    if (rc == -E2BIG)
        snprintf(why, len,
                 "its config is %zu octets as JSON, more than the %u hvd keeps with a "
                 "domain (a shorter kernel path or cmdline fits)",
                 strlen(json), HV_TOOLSTACK_DATA_MAX);
    else if (rc < 0)
        snprintf(why, len, "cannot keep its config with the domain: %s", strerror(-rc));
    free(json);
    return rc;
}

/* Keep the config, load the kernel, attach the console if asked, unpause
 * unless asked not to.  On failure the domain is destroyed.  *console_fd is -1 or the
 * console stream. */
static int start_domain(const struct hvcli_ctx *ctx, hvctl_t *h, uint32_t domid,
                        const struct hvcfg_domain *cfg, const struct create_opts *o,
                        int *console_fd)
{
    struct hvguest_build_info info;
    char why[PATH_MAX + 128];
    int rc;

    *console_fd = -1;
    rc = keep_config(h, domid, cfg, why, sizeof(why));
    if (rc < 0)
        goto fail;
    rc = hvguest_build_elf_file(h, domid, cfg->kernel, cfg->cmdline, &info);
    if (rc < 0) {
        describe_build_error(why, sizeof(why), cfg->kernel, rc);
        goto fail;
    }
    /* Attach before unpausing: a domain that powers off at once with
     * on_poweroff=destroy would otherwise vanish with its output. */
    if (o->console) {
        rc = hvctl_console_attach(h, domid, console_fd);
        if (rc < 0) {
            snprintf(why, sizeof(why), "cannot attach to the console: %s", strerror(-rc));
            goto fail;
        }
    }
    if (!o->paused) {
        rc = hvctl_domain_unpause(h, domid);
        if (rc < 0) {
            snprintf(why, sizeof(why), "cannot unpause domain %u: %s", domid, strerror(-rc));
            goto fail_close;
        }
    }
    return 0;

fail_close:
    if (*console_fd >= 0)
        close(*console_fd);
    *console_fd = -1;
fail:
    abandon_domain(ctx, h, domid, why);
    return rc;
}

static int create_domain(const struct hvcli_ctx *ctx, hvctl_t *h, const struct hvcfg_domain *cfg,
                         struct xen_domctl_createdomain *cd, uint32_t *domid)
{
    int rc = hvctl_domain_create(h, cd, domid);

    /* hvd refuses a name or a UUID that another domain has. */
    if (rc == -EEXIST && cfg->has_uuid)
        hvcli_err(ctx, "a domain with the name '%s' or the same UUID already exists", cfg->name);
    else if (rc == -EEXIST)
        hvcli_err(ctx, "a domain named '%s' already exists", cfg->name);
    else if (rc == -EINVAL)
        hvcli_err(ctx,
                  "cannot create domain '%s': hvd refused a value (vcpus, or maxmem above "
                  "the host's guest memory: see hvcli info)",
                  cfg->name);
    else if (rc == -ENOMEM)
        hvcli_err(ctx, "cannot create domain '%s': %s (hvcli info shows free guest memory)",
                  cfg->name, strerror(-rc));
    else if (rc < 0)
        hvcli_err(ctx, "cannot create domain '%s': %s", cfg->name, strerror(-rc));
    return rc;
}

static int exec_create(const struct hvcli_ctx *ctx, const struct hvcli_args *args)
{
    struct create_opts o = { .paused = false };
    struct hvcfg_domain cfg;
    struct xen_domctl_createdomain cd;
    hvctl_t *h;
    uint32_t domid;
    int console_fd, rc;

    if (read_create_args(ctx, args, &o) < 0)
        return HVCLI_EXIT_USAGE;
    if (load_config(ctx, o.cfg_path, &cfg, &cd) < 0)
        return HVCLI_EXIT_FAILURE;
    cd.fault_ttl = o.fault_ttl;
    if (hvcli_open(ctx, &h) < 0)
        return HVCLI_EXIT_FAILURE;
    rc = create_domain(ctx, h, &cfg, &cd, &domid);
    if (rc == 0)
        rc = start_domain(ctx, h, domid, &cfg, &o, &console_fd);
    hvctl_close(h);
    if (rc < 0)
        return HVCLI_EXIT_FAILURE;
    if (!o.quiet) /* the config parser requires a name */
        fprintf(stderr, "Created domain %s (domid %u)\n", cfg.name, domid);
    return o.console ? hvcli_console_run(ctx, console_fd) : HVCLI_EXIT_OK;
}

const struct hvcli_verb hvcli_verb_create = {
    .name = "create",
    .summary = "create a domain from a config file and start it",
    .opts = create_options,
    .operands = "CFG",
    .min_operands = 1,
    .max_operands = 1,
    .details = "CFG is an xl-style config file, or JSON, or libvirt-style XML (see hvcli(1)).\n"
               "The domain is created paused, its kernel loaded, then unpaused.  If any\n"
               "step fails the domain is destroyed again.\n",
    .exec = exec_create,
};
