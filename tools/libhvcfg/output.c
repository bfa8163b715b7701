/*
 * libhvcfg: the JSON documents of `hvcli list/info/vcpu-list --json`:
 * domains, the host and vCPUs, as arrays or an object of plain members.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>
#include <hv/public/names.h>
#include <hv/public/sched.h>
#include "private.h"

#define PAGE_KIB (XEN_PAGE_SIZE / 1024)

static const char *shutdown_reason_name(uint32_t reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return "poweroff";
    case SHUTDOWN_reboot:
        return "reboot";
    case SHUTDOWN_suspend:
        return "suspend";
    case SHUTDOWN_crash:
        return "crash";
    case SHUTDOWN_watchdog:
        return "watchdog";
    default:
        return "unknown";
    }
}

/* hvd reports only HV_ACTION_* values; anything else is shown, not trusted. */
static const char *action_or_unknown(uint8_t action)
{
    const char *name = hv_action_name(action);
    return name ? name : "unknown";
}

static void json_domain_state(struct json_gen *j, const struct xen_domctl_getdomaininfo *d)
{
    bool shut = d->flags & XEN_DOMINF_shutdown;

    gen_string(j, "state");
    gen_note(j, yajl_gen_map_open(j->g));
    gen_bool(j, "running", d->flags & XEN_DOMINF_running);
    gen_bool(j, "blocked", d->flags & XEN_DOMINF_blocked);
    gen_bool(j, "paused", d->flags & XEN_DOMINF_paused);
    gen_bool(j, "shutdown", shut);
    gen_bool(j, "crashed", shut && d->shutdown_reason == SHUTDOWN_crash);
    gen_bool(j, "dying", d->flags & XEN_DOMINF_dying);
    gen_note(j, yajl_gen_map_close(j->g));
    gen_string(j, "shutdown_reason");
    if (shut)
        gen_string(j, shutdown_reason_name(d->shutdown_reason));
    else
        gen_note(j, yajl_gen_null(j->g));
}

static void json_domain(struct json_gen *j, const struct xen_domctl_getdomaininfo *d)
{
    char uuid[37];

    uuid_unparse_lower(d->handle, uuid);
    gen_note(j, yajl_gen_map_open(j->g));
    gen_u64(j, "domid", d->domain);
    gen_strn(j, "name", d->name, sizeof d->name);
    gen_str(j, "uuid", uuid);
    json_domain_state(j, d);
    gen_u64(j, "pause_count", d->pause_count);
    gen_u64(j, "memory_kib", d->tot_pages * PAGE_KIB);
    gen_u64(j, "maxmem_kib", d->max_pages * PAGE_KIB);
    gen_u64(j, "tot_pages", d->tot_pages);
    gen_u64(j, "max_pages", d->max_pages);
    gen_u64(j, "vcpus_online", d->nr_online_vcpus);
    gen_u64(j, "max_vcpus", d->max_vcpus);
    gen_u64(j, "cpu_time_ns", d->cpu_time_ns);
    gen_u64(j, "overhead_bytes", d->overhead_bytes);
    gen_u64(j, "overhead_allocs", d->overhead_allocs);
    gen_str(j, "on_poweroff", action_or_unknown(d->on_poweroff));
    gen_str(j, "on_reboot", action_or_unknown(d->on_reboot));
    gen_str(j, "on_crash", action_or_unknown(d->on_crash));
    gen_u64(j, "restart_limit", d->restart_limit);
    gen_u64(j, "restart_interval_s", d->restart_interval_s);
    gen_note(j, yajl_gen_map_close(j->g));
}

/* A JSON array of count items; item(j, items, i) writes the i-th. */
static int gen_array(char **json, size_t count, const void *items,
                     void (*item)(struct json_gen *j, const void *items, size_t i))
{
    struct json_gen j;
    int rc;

    *json = NULL;
    rc = gen_begin(&j, true);
    if (rc < 0)
        return rc;
    gen_note(&j, yajl_gen_array_open(j.g));
    for (size_t i = 0; i < count; i++)
        item(&j, items, i);
    gen_note(&j, yajl_gen_array_close(j.g));
    return gen_end(&j, json);
}

static void domain_item(struct json_gen *j, const void *items, size_t i)
{
    json_domain(j, (const struct xen_domctl_getdomaininfo *)items + i);
}

HVCFG_EXPORT int hvcfg_json_domains(const struct xen_domctl_getdomaininfo *info, size_t count,
                                    char **json)
{
    return gen_array(json, count, info, domain_item);
}

HVCFG_EXPORT int hvcfg_json_physinfo(const struct xen_sysctl_physinfo *pi, const char *tool_version,
                                     const char *socket, char **json)
{
    char hv_version[24];
    struct json_gen j;
    int rc;

    *json = NULL;
    rc = gen_begin(&j, true);

    if (rc < 0)
        return rc;
    snprintf(hv_version, sizeof hv_version, "%u.%u", pi->hv_version >> 16,
             pi->hv_version & 0xffffu);
    gen_note(&j, yajl_gen_map_open(j.g));
    gen_str(&j, "hv_version", hv_version);
    gen_str(&j, "hvcli_version", tool_version);
    gen_str(&j, "socket", socket);
    gen_u64(&j, "nr_cpus", pi->nr_cpus);
    gen_u64(&j, "nr_domains", pi->nr_domains);
    gen_u64(&j, "max_vcpus", pi->max_vcpus);
    gen_u64(&j, "total_memory_mib", pi->total_pages / XEN_PAGES_PER_MIB);
    gen_u64(&j, "free_memory_mib", pi->free_pages / XEN_PAGES_PER_MIB);
    gen_u64(&j, "total_pages", pi->total_pages);
    gen_u64(&j, "free_pages", pi->free_pages);
    gen_u64(&j, "uptime_s", pi->uptime_ns / 1000000000u);
    gen_u64(&j, "uptime_ns", pi->uptime_ns);
    gen_u64(&j, "overhead_bytes", pi->overhead_bytes);
    gen_u64(&j, "overhead_allocs", pi->overhead_allocs);
    gen_u64(&j, "livepatch_bytes", pi->livepatch_bytes);
    char build_id[2 * sizeof(pi->build_id) + 1] = "";
    for (uint32_t i = 0; i < pi->build_id_len && i < sizeof(pi->build_id); i++)
        snprintf(build_id + 2 * i, 3, "%02x", pi->build_id[i]);
    gen_str(&j, "build_id", build_id);
    gen_note(&j, yajl_gen_map_close(j.g));
    return gen_end(&j, json);
}

static void json_vcpu(struct json_gen *j, const struct hvcfg_vcpu_row *r)
{
    gen_note(j, yajl_gen_map_open(j->g));
    gen_u64(j, "domid", r->dom.domain);
    gen_strn(j, "name", r->dom.name, sizeof r->dom.name);
    gen_u64(j, "vcpu", r->vcpu.vcpu);
    gen_bool(j, "online", r->vcpu.online);
    gen_bool(j, "running", r->vcpu.running);
    gen_bool(j, "blocked", r->vcpu.blocked);
    gen_bool(j, "paused", r->dom.flags & XEN_DOMINF_paused);
    gen_u64(j, "cpu_time_ns", r->vcpu.cpu_time_ns);
    gen_note(j, yajl_gen_map_close(j->g));
}

static void vcpu_item(struct json_gen *j, const void *items, size_t i)
{
    json_vcpu(j, (const struct hvcfg_vcpu_row *)items + i);
}

HVCFG_EXPORT int hvcfg_json_vcpus(const struct hvcfg_vcpu_row *rows, size_t count, char **json)
{
    return gen_array(json, count, rows, vcpu_item);
}

static void json_members(struct json_gen *j, const struct hvcfg_json_member *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (m[i].str)
            gen_str(j, m[i].name, m[i].str);
        else
            gen_u64(j, m[i].name, m[i].num);
    }
}

HVCFG_EXPORT int hvcfg_json_report(const struct hvcfg_json_member *m, size_t n,
                                   const char *list_name, const struct hvcfg_json_member *rows,
                                   size_t per_row, size_t nrows, char **json)
{
    struct json_gen j;
    int rc;

    *json = NULL;
    rc = gen_begin(&j, true);
    if (rc < 0)
        return rc;
    gen_note(&j, yajl_gen_map_open(j.g));
    json_members(&j, m, n);
    if (list_name) {
        gen_string(&j, list_name);
        gen_note(&j, yajl_gen_array_open(j.g));
        for (size_t r = 0; r < nrows; r++) {
            gen_note(&j, yajl_gen_map_open(j.g));
            json_members(&j, rows + r * per_row, per_row);
            gen_note(&j, yajl_gen_map_close(j.g));
        }
        gen_note(&j, yajl_gen_array_close(j.g));
    }
    gen_note(&j, yajl_gen_map_close(j.g));
    return gen_end(&j, json);
}
