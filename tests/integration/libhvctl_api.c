/*
 * libhvctl against a live hvd: every wrapper's success path and its
 * documented error returns.  Run by libhvctl_api.sh, which starts hvd and
 * passes the hello guest's path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/public/sched.h>
#include "hvctl.h"
#include "hvguest.h"
#include "check.h"

int failures;

static struct xen_domctl_createdomain small_domain(const char *name)
{
    struct xen_domctl_createdomain c = { .max_vcpus = 2,
                                         .max_pages = 8192,
                                         .init_pages = 4096,
                                         .on_poweroff = HV_ACTION_preserve,
                                         .on_crash = HV_ACTION_preserve };
    snprintf(c.name, sizeof(c.name), "%s", name);
    return c;
}

static void createdomain_rejects_bad_fields(hvctl_t *h)
{
    uint32_t id;
    struct xen_domctl_createdomain c = small_domain("bad");
    c.max_vcpus = 0;
    int rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -EINVAL, "max_vcpus 0 gave %d", rc);
    c = small_domain("bad");
    c.init_pages = c.max_pages + 1;
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -EINVAL, "init_pages > max_pages gave %d", rc);
    c = small_domain("bad");
    c.pad = 1;
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -EINVAL, "non-zero padding gave %d", rc);
    c = small_domain("bad name");
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -EINVAL, "a name with a space gave %d", rc);
    c = small_domain("42");
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -EINVAL, "an all-digit name gave %d", rc);
    c = small_domain("bad");
    c.on_crash = HV_ACTION_MAX + 1;
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -EINVAL, "bad on_crash gave %d", rc);
    c = small_domain("huge");
    c.init_pages = c.max_pages = 1ull << 34; /* 64 TiB: beyond any host limit */
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == -ENOMEM || rc == -EINVAL, "64 TiB gave %d", rc);
    struct xen_domctl_getdomaininfo info[4];
    CHECK(hvctl_domain_list(h, 0, info, 4) == 0, "failed creations left domains");
}

static void unknown_domain_is_esrch(hvctl_t *h)
{
    struct xen_domctl_getdomaininfo info;
    struct hv_vcpu_context ctx;
    int fd;
    void *p;
    uint32_t id;
    CHECK(hvctl_domain_getinfo(h, 4242, &info) == -ESRCH, "getinfo");
    CHECK(hvctl_domain_pause(h, 4242) == -ESRCH, "pause");
    CHECK(hvctl_domain_unpause(h, 4242) == -ESRCH, "unpause");
    CHECK(hvctl_domain_destroy(h, 4242) == -ESRCH, "destroy");
    CHECK(hvctl_domain_shutdown(h, 4242, SHUTDOWN_poweroff) == -ESRCH, "shutdown");
    CHECK(hvctl_vcpu_getcontext(h, 4242, 0, &ctx) == -ESRCH, "getcontext");
    CHECK(hvctl_console_attach(h, 4242, &fd) == -ESRCH, "console");
    CHECK(hvctl_map_foreign(h, 4242, 0, 1, PROT_READ, &p) == -ESRCH, "map");
    CHECK(hvctl_domain_lookup(h, "no-such-domain", &id) == -ESRCH, "lookup by name");
    CHECK(hvctl_domain_lookup(h, "12345678-1234-1234-1234-123456789abc", &id) == -ESRCH,
          "lookup by uuid");
    CHECK(hvctl_domain_destroy(h, 70000) == -ESRCH, "a domid beyond 16 bits");
}

static void vcpu_context_rules(hvctl_t *h, uint32_t id)
{
    struct hv_vcpu_context ctx;
    int rc = hvctl_vcpu_getcontext(h, id, 0, &ctx);
    CHECK(rc == 0 && (ctx.flags & HV_VCPU_CTX_ONLINE), "getcontext of the built vCPU: %d", rc);
    CHECK(ctx.efer & 0x400, "vCPU 0 is in long mode (efer %#llx)", (unsigned long long)ctx.efer);
    CHECK(hvctl_vcpu_getcontext(h, id, 2, &ctx) == -EINVAL, "vcpu 2 of 2");
    rc = hvctl_vcpu_getcontext(h, id, 1, &ctx);
    CHECK(rc == 0 && !(ctx.flags & HV_VCPU_CTX_ONLINE), "vCPU 1 is down: %d", rc);
    ctx.flags = 0x80;
    CHECK(hvctl_vcpu_setcontext(h, id, 1, &ctx) == -EINVAL, "unknown context flags");
    ctx.flags = HV_VCPU_CTX_ONLINE;
    ctx.cr0 = 0x80000001; /* long mode (EFER.LMA) with paging but no PAE: KVM refuses */
    ctx.cr4 = 0;
    ctx.efer = 0x500;
    CHECK(hvctl_vcpu_setcontext(h, id, 1, &ctx) == -EINVAL, "inconsistent state");
}

static void foreign_mapping(hvctl_t *h, uint32_t id)
{
    void *p;
    int rc = hvctl_map_foreign(h, id, 0, 4096, PROT_READ | PROT_WRITE, &p);
    CHECK(rc == 0, "map all RAM: %d", rc);
    if (rc == 0) {
        const uint8_t *ram = p;
        CHECK(ram[0x100000] != 0 || ram[0x100001] != 0, "the image is loaded at 1 MiB");
        CHECK(hvctl_unmap_foreign(p, 4096) == 0, "unmap");
    }
    CHECK(hvctl_map_foreign(h, id, 4096, 1, PROT_READ, &p) == -ENXIO, "an unpopulated gfn");
    CHECK(hvctl_map_foreign(h, id, 8192, 1, PROT_READ, &p) == -ENXIO, "beyond the p2m");
    CHECK(hvctl_map_foreign(h, id, 0, 0, PROT_READ, &p) == -EINVAL, "zero pages");
}

static void pause_rules(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getdomaininfo info;
    CHECK(hvctl_domain_unpause(h, id) == 0, "unpause the built domain");
    CHECK(hvctl_domain_unpause(h, id) == -EINVAL, "unpause when not paused");
    CHECK(hvctl_domain_pause(h, id) == 0, "pause");
    CHECK(hvctl_domain_pause(h, id) == 0, "pause twice");
    CHECK(hvctl_domain_getinfo(h, id, &info) == 0 && info.pause_count == 2, "pause count 2");
    struct hv_vcpu_context ctx;
    CHECK(hvctl_vcpu_getcontext(h, id, 0, &ctx) == 0, "context readable while paused");
    CHECK(hvctl_domain_unpause(h, id) == 0 && hvctl_domain_unpause(h, id) == 0, "unpause twice");
    CHECK(hvctl_vcpu_setcontext(h, id, 0, &ctx) == -EBUSY || info.flags & XEN_DOMINF_shutdown,
          "setcontext while running");
}

static void shutdown_preserved(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getdomaininfo info;
    CHECK(hvctl_domain_shutdown(h, id, 99) == -EINVAL, "bad shutdown reason");
    CHECK(hvctl_domain_shutdown(h, id, SHUTDOWN_poweroff) == 0, "shutdown");
    int rc = hvctl_domain_getinfo(h, id, &info);
    CHECK(rc == 0 && (info.flags & XEN_DOMINF_shutdown) &&
              info.shutdown_reason == SHUTDOWN_poweroff,
          "preserved after shutdown: rc %d flags %#x", rc, info.flags);
    CHECK(hvctl_domain_destroy(h, id) == 0, "destroy");
    CHECK(hvctl_domain_destroy(h, id) == -ESRCH, "second destroy");
}

static uint64_t overhead_bytes(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getdomaininfo info = { .overhead_bytes = 0 };
    CHECK(hvctl_domain_getinfo(h, id, &info) == 0, "getinfo for the overhead");
    return info.overhead_bytes;
}

/* XEN_DOMCTL_toolstack_data: kept, replaced, cleared, charged, bounded. */
static void toolstack_data_rules(hvctl_t *h, uint32_t id)
{
    static char big[HV_TOOLSTACK_DATA_MAX + 1], got[HV_TOOLSTACK_DATA_MAX];
    size_t len = 1;
    uint64_t before = overhead_bytes(h, id);
    CHECK(hvctl_toolstack_data_get(h, id, got, sizeof(got), &len) == 0 && len == 0,
          "a new domain has none (len %zu)", len);
    CHECK(hvctl_toolstack_data_set(h, id, "{\"kernel\": \"k\"}", 15) == 0, "set");
    CHECK(hvctl_toolstack_data_get(h, id, got, sizeof(got), &len) == 0 && len == 15 &&
              memcmp(got, "{\"kernel\": \"k\"}", 15) == 0,
          "get gives back what was set (len %zu)", len);
    CHECK(overhead_bytes(h, id) == before + 15, "the 15 octets are charged to the domain");
    CHECK(hvctl_toolstack_data_get(h, id, got, 4, &len) == -ENOBUFS, "a buffer too small");
    memset(big, 'x', sizeof(big));
    CHECK(hvctl_toolstack_data_set(h, id, big, HV_TOOLSTACK_DATA_MAX) == 0, "the maximum");
    CHECK(hvctl_toolstack_data_set(h, id, big, sizeof(big)) == -E2BIG, "one past the maximum");
    struct xen_domctl op = { .cmd = XEN_DOMCTL_toolstack_data,
                             .domain = (domid_t)id,
                             .u.toolstack_data.cmd = HV_TOOLSTACK_DATA_set };
    CHECK(hvctl_domctl(h, &op, big, sizeof(big), NULL, 0, NULL, NULL) == -E2BIG,
          "hvd refuses one past the maximum too");
    op.u.toolstack_data.cmd = HV_TOOLSTACK_DATA_get;
    CHECK(hvctl_domctl(h, &op, "x", 1, got, sizeof(got), NULL, NULL) == -EINVAL,
          "a get carrying data");
    op.u.toolstack_data.cmd = 7;
    CHECK(hvctl_domctl(h, &op, NULL, 0, NULL, 0, NULL, NULL) == -EINVAL, "an unknown command");
    CHECK(hvctl_toolstack_data_get(h, id, got, sizeof(got), &len) == 0 &&
              len == HV_TOOLSTACK_DATA_MAX,
          "refusals left the data as it was (len %zu)", len);
    CHECK(hvctl_toolstack_data_set(h, id, NULL, 0) == 0, "clear");
    CHECK(hvctl_toolstack_data_get(h, id, got, sizeof(got), &len) == 0 && len == 0, "cleared");
    CHECK(overhead_bytes(h, id) == before, "clearing gave the charge back");
    CHECK(hvctl_toolstack_data_set(h, 4242, "x", 1) == -ESRCH, "an unknown domain");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s GUEST.elf (with HVD_SOCKET set)\n", argv[0]);
        return 2;
    }
    hvctl_t *h;
    int rc = hvctl_open(&h, NULL);
    if (rc) {
        fprintf(stderr, "hvctl_open: %s\n", strerror(-rc));
        return 1;
    }
    createdomain_rejects_bad_fields(h);
    unknown_domain_is_esrch(h);

    uint32_t id;
    struct xen_domctl_createdomain c = small_domain("api");
    rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == 0, "create: %d", rc);
    struct xen_domctl_createdomain dup = small_domain("api");
    CHECK(hvctl_domain_create(h, &dup, &id) == -EEXIST, "the same name twice");
    dup = small_domain("api2");
    memcpy(dup.handle, c.handle, sizeof(dup.handle));
    CHECK(hvctl_domain_create(h, &dup, &id) == -EEXIST, "the same UUID twice");
    uint32_t found;
    CHECK(hvctl_domain_lookup(h, "api", &found) == 0 && found == id, "lookup by name");
    struct hvguest_build_info bi;
    CHECK(hvguest_build_elf(h, id, "junk", 4, "", &bi) == -ENOEXEC, "junk image");
    rc = hvguest_build_elf_file(h, id, argv[1], "idle", &bi);
    CHECK(rc == 0, "build: %d", rc);
    vcpu_context_rules(h, id);
    foreign_mapping(h, id);
    pause_rules(h, id);
    toolstack_data_rules(h, id);
    shutdown_preserved(h, id);
    hvctl_close(h);
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
