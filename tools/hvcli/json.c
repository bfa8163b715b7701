/* hvcli: JSON output of domain info and host info over yajl_gen. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>
#include <yajl/yajl_gen.h>
#include <hv/public/sched.h>
#include "hvcli.h"

#define PAGE_KIB      4u   /* KiB per 4 KiB page */
#define PAGES_PER_MIB 256u

/* A generator that remembers its first failure, so that callers can emit
 * a whole document and check once at the end. */
struct json {
    yajl_gen g;
    yajl_gen_status status;
};

static void json_note(struct json *j, yajl_gen_status st)
{
    if (j->status == yajl_gen_status_ok)
        j->status = st;
}

static void json_string(struct json *j, const char *s)
{
    json_note(j, yajl_gen_string(j->g, (const unsigned char *)s, strlen(s)));
}

/* The members of an object: "key": value. */
static void json_str(struct json *j, const char *key, const char *val)
{
    json_string(j, key);
    json_string(j, val);
}

/* A string that may fill its buffer with no NUL (the ABI's name fields). */
static void json_strn(struct json *j, const char *key, const char *val, size_t max)
{
    json_string(j, key);
    json_note(j, yajl_gen_string(j->g, (const unsigned char *)val, strnlen(val, max)));
}

/* yajl_gen_integer takes a long long; a uint64_t may not fit, so emit
 * the decimal digits as a number. */
static void json_u64(struct json *j, const char *key, uint64_t val)
{
    char digits[24];
    int len = snprintf(digits, sizeof(digits), "%" PRIu64, val);

    json_string(j, key);
    json_note(j, yajl_gen_number(j->g, digits, (size_t)len));
}

static void json_bool(struct json *j, const char *key, bool val)
{
    json_string(j, key);
    json_note(j, yajl_gen_bool(j->g, val));
}

static int json_begin(struct json *j)
{
    j->g = yajl_gen_alloc(NULL);
    if (!j->g)
        return -ENOMEM;
    j->status = yajl_gen_status_ok;
    yajl_gen_config(j->g, yajl_gen_beautify, 1);
    yajl_gen_config(j->g, yajl_gen_indent_string, "  ");
    return 0;
}

/* Write the document to stdout and free the generator. */
static int json_end(struct json *j)
{
    const unsigned char *buf;
    size_t len;
    int rc = 0;

    errno = 0;
    if (j->status == yajl_gen_status_ok)
        json_note(j, yajl_gen_get_buf(j->g, &buf, &len));
    if (j->status != yajl_gen_status_ok)
        rc = -EINVAL;
    else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
        rc = errno ? -errno : -EIO;
    yajl_gen_free(j->g);
    return rc;
}

static const char *shutdown_reason_name(uint32_t reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff: return "poweroff";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    default: return "unknown";
    }
}

static const char *action_name(uint8_t action)
{
    switch (action) {
    case HV_ACTION_destroy: return "destroy";
    case HV_ACTION_restart: return "restart";
    case HV_ACTION_preserve: return "preserve";
    default: return "unknown";
    }
}

static void json_domain_state(struct json *j, const struct xen_domctl_getdomaininfo *d)
{
    bool shut = d->flags & XEN_DOMINF_shutdown;

    json_string(j, "state");
    json_note(j, yajl_gen_map_open(j->g));
    json_bool(j, "running", d->flags & XEN_DOMINF_running);
    json_bool(j, "blocked", d->flags & XEN_DOMINF_blocked);
    json_bool(j, "paused", d->flags & XEN_DOMINF_paused);
    json_bool(j, "shutdown", shut);
    json_bool(j, "crashed", shut && d->shutdown_reason == SHUTDOWN_crash);
    json_bool(j, "dying", d->flags & XEN_DOMINF_dying);
    json_note(j, yajl_gen_map_close(j->g));
    json_string(j, "shutdown_reason");
    if (shut)
        json_string(j, shutdown_reason_name(d->shutdown_reason));
    else
        json_note(j, yajl_gen_null(j->g));
}

static void json_domain(struct json *j, const struct xen_domctl_getdomaininfo *d)
{
    char uuid[37];

    uuid_unparse_lower(d->handle, uuid);
    json_note(j, yajl_gen_map_open(j->g));
    json_u64(j, "domid", d->domain);
    json_strn(j, "name", d->name, sizeof(d->name));
    json_str(j, "uuid", uuid);
    json_domain_state(j, d);
    json_u64(j, "pause_count", d->pause_count);
    json_u64(j, "memory_kib", d->tot_pages * PAGE_KIB);
    json_u64(j, "maxmem_kib", d->max_pages * PAGE_KIB);
    json_u64(j, "tot_pages", d->tot_pages);
    json_u64(j, "max_pages", d->max_pages);
    json_u64(j, "vcpus_online", d->nr_online_vcpus);
    json_u64(j, "max_vcpus", d->max_vcpus);
    json_u64(j, "cpu_time_ns", d->cpu_time_ns);
    json_u64(j, "overhead_bytes", d->overhead_bytes);
    json_u64(j, "overhead_allocs", d->overhead_allocs);
    json_str(j, "on_poweroff", action_name(d->on_poweroff));
    json_str(j, "on_reboot", action_name(d->on_reboot));
    json_str(j, "on_crash", action_name(d->on_crash));
    json_u64(j, "restart_limit", d->restart_limit);
    json_u64(j, "restart_interval_s", d->restart_interval_s);
    json_note(j, yajl_gen_map_close(j->g));
}

int hvcli_json_domains(const struct xen_domctl_getdomaininfo *info, size_t count)
{
    struct json j;
    int rc = json_begin(&j);

    if (rc < 0)
        return rc;
    json_note(&j, yajl_gen_array_open(j.g));
    for (size_t i = 0; i < count; i++)
        json_domain(&j, &info[i]);
    json_note(&j, yajl_gen_array_close(j.g));
    return json_end(&j);
}

int hvcli_json_physinfo(const struct xen_sysctl_physinfo *pi, const char *socket)
{
    char hv_version[24];
    struct json j;
    int rc = json_begin(&j);

    if (rc < 0)
        return rc;
    snprintf(hv_version, sizeof(hv_version), "%u.%u", pi->hv_version >> 16,
             pi->hv_version & 0xffffu);
    json_note(&j, yajl_gen_map_open(j.g));
    json_str(&j, "hv_version", hv_version);
    json_str(&j, "hvcli_version", HVCLI_VERSION);
    json_str(&j, "socket", socket);
    json_u64(&j, "nr_cpus", pi->nr_cpus);
    json_u64(&j, "nr_domains", pi->nr_domains);
    json_u64(&j, "max_vcpus", pi->max_vcpus);
    json_u64(&j, "total_memory_mib", pi->total_pages / PAGES_PER_MIB);
    json_u64(&j, "free_memory_mib", pi->free_pages / PAGES_PER_MIB);
    json_u64(&j, "total_pages", pi->total_pages);
    json_u64(&j, "free_pages", pi->free_pages);
    json_u64(&j, "uptime_s", pi->uptime_ns / 1000000000u);
    json_u64(&j, "uptime_ns", pi->uptime_ns);
    json_u64(&j, "overhead_bytes", pi->overhead_bytes);
    json_u64(&j, "overhead_allocs", pi->overhead_allocs);
    json_note(&j, yajl_gen_map_close(j.g));
    return json_end(&j);
}

static void json_vcpu(struct json *j, const struct hvcli_vcpu_row *r)
{
    json_note(j, yajl_gen_map_open(j->g));
    json_u64(j, "domid", r->dom.domain);
    json_strn(j, "name", r->dom.name, sizeof(r->dom.name));
    json_u64(j, "vcpu", r->vcpu.vcpu);
    json_bool(j, "online", r->vcpu.online);
    json_bool(j, "running", r->vcpu.running);
    json_bool(j, "blocked", r->vcpu.blocked);
    json_bool(j, "paused", r->dom.flags & XEN_DOMINF_paused);
    json_u64(j, "cpu_time_ns", r->vcpu.cpu_time_ns);
    json_note(j, yajl_gen_map_close(j->g));
}

int hvcli_json_vcpus(const struct hvcli_vcpu_row *rows, size_t count)
{
    struct json j;
    int rc = json_begin(&j);

    if (rc < 0)
        return rc;
    json_note(&j, yajl_gen_array_open(j.g));
    for (size_t i = 0; i < count; i++)
        json_vcpu(&j, &rows[i]);
    json_note(&j, yajl_gen_array_close(j.g));
    return json_end(&j);
}
