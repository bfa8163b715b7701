/*
 * libhvcfg: the parser's entry points.  The format is chosen by content
 * and the text handed to its front end (xl.c, json_in.c, xml.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "private.h"

HVCFG_EXPORT void hvcfg_init(struct hvcfg_domain *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->vcpus = 1;
    cfg->on_poweroff = HV_ACTION_destroy;
    cfg->on_reboot = HV_ACTION_restart;
    cfg->on_crash = HV_ACTION_destroy;
    cfg->restart_limit = HV_RESTART_LIMIT_DEFAULT;
    cfg->restart_interval_s = HV_RESTART_INTERVAL_DEFAULT;
}

static enum cfg_format detect_format(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i < len && s[i] == '{')
        return FORMAT_JSON;
    if (i < len && s[i] == '<')
        return FORMAT_XML;
    return FORMAT_XL;
}

static unsigned line_of(const char *s, size_t offset)
{
    unsigned line = 1;
    for (size_t i = 0; i < offset; i++)
        line += s[i] == '\n';
    return line;
}

HVCFG_EXPORT int hvcfg_parse_buffer(const char *text, size_t len, const char *name, const char *dir,
                                    unsigned flags, struct hvcfg_domain *cfg, char *err,
                                    size_t errlen)
{
    struct parser p = {
        .file = name ? name : "config",
        .dir = dir && dir[0] ? dir : NULL,
        .flags = flags,
        .cfg = cfg,
        .err = err,
        .errlen = errlen,
    };
    if (err && errlen)
        err[0] = '\0';
    hvcfg_init(cfg);
    if (flags & ~HVCFG_PARSE_RESTORE)
        return cfg_fail(&p, "unknown parse flags 0x%x", flags);
    if (len > HVCFG_MAX_SIZE) {
        cfg_fail(&p, "file is larger than %u MiB", HVCFG_MAX_SIZE >> 20);
        return -EFBIG;
    }
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul) {
        p.line = line_of(text, (size_t)(nul - text));
        return cfg_fail(&p, "NUL byte in the file");
    }
    p.format = detect_format(text, len);
    switch (p.format) {
    case FORMAT_JSON:
        return cfg_parse_json(&p, text, len);
    case FORMAT_XML:
        return cfg_parse_xml(&p, text, len);
    case FORMAT_XL:
        break;
    }
    return cfg_parse_xl(&p, text, len);
}

/* Read at most HVCFG_MAX_SIZE + 1 bytes: one more than allowed shows that the file is too big. */
static int read_file(int fd, char **out, size_t *outlen)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len == cap && cap <= HVCFG_MAX_SIZE) {
            cap = cap * 2 > HVCFG_MAX_SIZE + 1 ? HVCFG_MAX_SIZE + 1 : cap * 2;
            char *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                return -ENOMEM;
            }
            buf = bigger;
        }
        if (len == cap)
            break;
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return -e;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* The directory part of path: "." when it has none. */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

HVCFG_EXPORT int hvcfg_parse_file(const char *path, unsigned flags, struct hvcfg_domain *cfg,
                                  char *err, size_t errlen)
{
    struct parser p = { .file = path, .err = err, .errlen = errlen };
    hvcfg_init(cfg);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        cfg_fail(&p, "cannot open: %s", strerror(e));
        return -e;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(fd, &text, &len);
    close(fd);
    if (rc) {
        cfg_fail(&p, "cannot read: %s", strerror(-rc));
        return rc;
    }
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    rc = hvcfg_parse_buffer(text, len, path, dir, flags, cfg, err, errlen);
    free(text);
    return rc;
}
