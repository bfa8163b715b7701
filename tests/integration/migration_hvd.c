/*
 * The hvd side of live migration through libhvctl, against a live hvd:
 * log-dirty mode (what KVM logs, what hvd marks itself, CLEAN and PEEK,
 * every bad request), its ownership by a connection, the vCPU throttle,
 * renaming and re-UUIDing a domain.  Run by migration_hvd.sh, which
 * starts hvd and passes the hello guest's path and the gfn of its
 * hypercall page (a text page the guest never writes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <hv/public/sched.h>
#include "hvctl.h"
#include "hvguest.h"
#include "check.h"

#define PAGES     4096u /* 16 MiB: the window and RAM of each domain */
#define NO_DOMAIN 4242u
#define BITMAP_OCTETS (PAGES / 8)

int failures;
static const char *hello_elf;
static uint64_t hypercall_page_gfn;

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };
    nanosleep(&ts, NULL);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bit(const uint8_t *bitmap, uint64_t i)
{
    return bitmap[i / 8] >> (i % 8) & 1;
}

/* A hello domain running cmdline, paused and built; on_reboot restarts it. */
static uint32_t create_hello(hvctl_t *h, const char *tag, const char *cmdline)
{
    struct xen_domctl_createdomain c = { .max_vcpus = 1, .max_pages = PAGES,
                                         .init_pages = PAGES,
                                         .on_poweroff = HV_ACTION_destroy,
                                         .on_reboot = HV_ACTION_restart,
                                         .on_crash = HV_ACTION_preserve };
    struct hvguest_build_info bi;
    uint32_t id = 0;
    snprintf(c.name, sizeof(c.name), "mig-%s-%d", tag, (int)getpid());
    int rc = hvctl_domain_create(h, &c, &id);
    CHECK(rc == 0, "create %s: %d", c.name, rc);
    rc = rc ? rc : hvguest_build_elf_file(h, id, hello_elf, cmdline, &bi);
    CHECK(rc == 0, "build %s: %d", c.name, rc);
    return id;
}

/* Wait up to 60 s until vCPU 0 blocks (the idle guest has booted). */
static void wait_blocked(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getvcpuinfo vi = { 0 };
    for (int i = 0; i < 600 && hvctl_vcpu_getinfo(h, id, 0, &vi) == 0 && !vi.blocked; i++)
        sleep_ms(100);
    CHECK(vi.blocked, "d%u's idle guest blocked", id);
}

/* CLEAN (or PEEK) all of the window; the count of dirty gfns, or -1. */
static int64_t read_all(hvctl_t *h, uint32_t id, int clean, uint8_t *bitmap)
{
    uint64_t dirty = 0;
    int rc = hvctl_logdirty_read(h, id, 0, PAGES, clean, bitmap, &dirty);
    CHECK(rc == 0, "%s of d%u: %d", clean ? "CLEAN" : "PEEK", id, rc);
    return rc ? -1 : (int64_t)dirty;
}

static void unknown_domain_is_esrch(hvctl_t *h)
{
    uint8_t bitmap[8], handle[16] = { 1 };
    CHECK(hvctl_logdirty_enable(h, NO_DOMAIN) == -ESRCH, "enable");
    CHECK(hvctl_logdirty_disable(h, NO_DOMAIN) == -ESRCH, "disable");
    CHECK(hvctl_logdirty_read(h, NO_DOMAIN, 0, 8, 1, bitmap, NULL) == -ESRCH, "clean");
    CHECK(hvctl_domain_throttle(h, NO_DOMAIN, 50) == -ESRCH, "throttle");
    CHECK(hvctl_domain_rename(h, NO_DOMAIN, "nobody-here") == -ESRCH, "rename");
    CHECK(hvctl_domain_sethandle(h, NO_DOMAIN, handle) == -ESRCH, "sethandle");
    CHECK(hvctl_domain_set_transient(h, NO_DOMAIN, 0) == -ESRCH, "set_transient");
    CHECK(hvctl_logdirty_enable(h, 70000) == -ESRCH, "a domid beyond 16 bits");
}

static uint64_t overhead_of(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getdomaininfo info = { 0 };
    hvctl_domain_getinfo(h, id, &info);
    return info.overhead_bytes;
}

/* A shadow_op with every field given, as a raw request. */
static int raw_shadow_op(hvctl_t *h, uint32_t id, uint32_t op, uint32_t nr, uint64_t gfn)
{
    static uint8_t bitmap[HV_PRIVCMD_MAX_BUF];
    struct xen_domctl d = { .cmd = XEN_DOMCTL_shadow_op, .domain = (domid_t)id };
    d.u.shadow_op = (struct xen_domctl_shadow_op){ .op = op, .nr = nr, .first_gfn = gfn };
    return hvctl_domctl(h, &d, NULL, 0, bitmap, sizeof(bitmap), NULL, NULL);
}

/* Every malformed request is refused, and none changes anything. */
static void hostile_requests(hvctl_t *h, hvctl_t *other, uint32_t id)
{
    uint8_t bitmap[BITMAP_OCTETS + 8];
    CHECK(hvctl_logdirty_read(h, id, 0, 0, 1, bitmap, NULL) == -EINVAL, "nr 0");
    CHECK(hvctl_logdirty_read(h, id, 0, HV_DIRTY_QUERY_MAX + 1, 1, NULL, NULL) == -EINVAL,
          "nr above HV_DIRTY_QUERY_MAX");
    CHECK(hvctl_logdirty_read(h, id, 0, HV_DIRTY_QUERY_MAX, 1, NULL, NULL) == -EINVAL,
          "nr HV_DIRTY_QUERY_MAX, past a 4096-gfn window");
    CHECK(hvctl_logdirty_read(h, id, PAGES - 1, 2, 1, bitmap, NULL) == -EINVAL,
          "range one gfn past the window");
    CHECK(hvctl_logdirty_read(h, id, PAGES, 1, 1, bitmap, NULL) == -EINVAL, "gfn = window");
    CHECK(hvctl_logdirty_read(h, id, UINT64_MAX - 3, 8, 1, bitmap, NULL) == -EINVAL,
          "a range that wraps");
    CHECK(hvctl_logdirty_read(h, id, UINT64_MAX, 1, 0, bitmap, NULL) == -EINVAL, "gfn 2^64-1");
    CHECK(hvctl_logdirty_read(h, id, PAGES - 1, 1, 0, bitmap, NULL) == 0, "the last gfn alone");
    CHECK(raw_shadow_op(h, id, 1, 0, 0) == -EINVAL, "op 1");
    CHECK(raw_shadow_op(h, id, 13, 8, 0) == -EINVAL, "op 13");
    CHECK(raw_shadow_op(h, id, UINT32_MAX, 0, 0) == -EINVAL, "op 2^32-1");
    CHECK(raw_shadow_op(h, id, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 1, 0) == -EINVAL,
          "enable with nr");
    CHECK(raw_shadow_op(h, id, XEN_DOMCTL_SHADOW_OP_OFF, 0, 5) == -EINVAL, "off with first_gfn");
    CHECK(hvctl_logdirty_enable(h, id) == -EBUSY, "a second enable by its owner");
    CHECK(hvctl_logdirty_enable(other, id) == -EBUSY, "a second enable by another connection");
    CHECK(hvctl_logdirty_read(other, id, 0, 8, 0, bitmap, NULL) == 0,
          "another connection may read it");
    CHECK(hvctl_logdirty_read(h, id, 0, PAGES, 0, bitmap, NULL) == 0,
          "still on after the refusals");
}

/* Pin a pattern across word boundaries: gfns freed one by one are dirty. */
static const uint64_t pattern[] = { 3001, 3070, 3071, 3072, 3137 };
#define NR_PATTERN (sizeof(pattern) / sizeof(pattern[0]))

static void check_range(hvctl_t *h, uint32_t id, uint64_t first, uint32_t nr, int clean,
                        uint64_t skip)
{
    uint8_t bitmap[BITMAP_OCTETS];
    uint64_t dirty = UINT64_MAX, want = 0;
    int rc = hvctl_logdirty_read(h, id, first, nr, clean, bitmap, &dirty);
    int same = rc == 0;
    for (uint64_t i = 0; same && i < nr; i++) {
        int set = 0;
        for (size_t k = 0; k < NR_PATTERN; k++)
            set |= pattern[k] == first + i && pattern[k] != skip;
        want += (uint64_t)set;
        same = bit(bitmap, i) == set;
    }
    CHECK(same && dirty == want, "%s [%llu, +%u): rc %d, %llu dirty, want %llu",
          clean ? "CLEAN" : "PEEK", (unsigned long long)first, nr, rc,
          (unsigned long long)dirty, (unsigned long long)want);
}

/* The toolstack's p2m changes, on a paused domain with a clean bitmap. */
static void p2m_changes_are_dirty(hvctl_t *h, uint32_t id)
{
    uint8_t bitmap[BITMAP_OCTETS];
    for (size_t k = 0; k < NR_PATTERN; k++)
        CHECK(hvctl_p2m_set(h, id, pattern[k], 1, 0) == 0, "free gfn %llu",
              (unsigned long long)pattern[k]);
    check_range(h, id, 3000, 200, 0, 0);
    check_range(h, id, 3000, 200, 0, 0); /* PEEK left them */
    check_range(h, id, 3070, 3, 0, 0);
    check_range(h, id, 2999, 1, 0, 0);
    check_range(h, id, 3071, 1, 1, 0); /* CLEAN of one gfn clears that one only */
    check_range(h, id, 3000, 200, 0, 3071);
    check_range(h, id, 1, 4095, 1, 3071);
    CHECK(read_all(h, id, 1, bitmap) == 0, "nothing dirty after CLEAN");
    for (size_t k = 0; k < NR_PATTERN; k++)
        CHECK(hvctl_p2m_set(h, id, pattern[k], 1, 1) == 0, "populate gfn %llu",
              (unsigned long long)pattern[k]);
    check_range(h, id, 2950, 300, 1, 0);
    CHECK(read_all(h, id, 0, bitmap) == 0, "nothing else dirty");
}

/*
 * Domain B: idle, log-dirty on before it first runs.  hvd's write of the
 * hypercall page (a page the guest only executes) is logged; a paused
 * domain dirties nothing; p2m changes are dirty.
 */
static void hvd_writes_are_dirty(hvctl_t *h, hvctl_t *other, uint32_t id)
{
    uint8_t bitmap[BITMAP_OCTETS];
    uint64_t before = overhead_of(h, id);
    CHECK(hvctl_logdirty_read(h, id, 0, 8, 1, bitmap, NULL) == -ENOENT, "CLEAN while off");
    CHECK(hvctl_logdirty_disable(h, id) == 0, "OFF while off");
    CHECK(hvctl_logdirty_enable(h, id) == 0, "enable");
    CHECK(overhead_of(h, id) >= before + 2 * BITMAP_OCTETS, "the bitmaps are charged: %llu -> %llu",
          (unsigned long long)before, (unsigned long long)overhead_of(h, id));
    CHECK(read_all(h, id, 1, bitmap) == 0, "a domain that never ran is clean");
    CHECK(hvctl_domain_unpause(h, id) == 0, "unpause");
    wait_blocked(h, id);
    CHECK(hvctl_domain_pause(h, id) == 0, "pause");
    int64_t n = read_all(h, id, 0, bitmap);
    CHECK(n > 0 && bit(bitmap, hypercall_page_gfn), "hvd's hypercall page (gfn %#llx) is dirty: %lld",
          (unsigned long long)hypercall_page_gfn, (long long)n);
    CHECK(read_all(h, id, 1, bitmap) == n, "CLEAN returns what PEEK saw");
    CHECK(read_all(h, id, 1, bitmap) == 0, "a second CLEAN of a paused domain: nothing");
    p2m_changes_are_dirty(h, id);
    hostile_requests(h, other, id);
}

/* A connection of user nobody gets -EPERM for each (in a child process). */
static void unprivileged_refused(uint32_t id)
{
    pid_t pid = fork();
    if (pid == 0) {
        hvctl_t *u;
        uint8_t bitmap[8], handle[16] = { 9 };
        if (setgid(65534) || setuid(65534) || hvctl_open(&u, NULL))
            _exit(2);
        int ok = hvctl_logdirty_enable(u, id) == -EPERM && hvctl_logdirty_disable(u, id) == -EPERM &&
                 hvctl_logdirty_read(u, id, 0, 8, 1, bitmap, NULL) == -EPERM &&
                 hvctl_domain_throttle(u, id, 50) == -EPERM &&
                 hvctl_domain_rename(u, id, "stolen") == -EPERM &&
                 hvctl_domain_sethandle(u, id, handle) == -EPERM &&
                 hvctl_domain_set_transient(u, id, 1) == -EPERM;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "an unprivileged connection gets -EPERM for each (child status %#x)", status);
}

/* Domain A spins in ring 3, writing its stack: KVM logs it. */
static void guest_writes_are_dirty(hvctl_t *h, uint32_t id)
{
    uint8_t bitmap[BITMAP_OCTETS];
    CHECK(hvctl_logdirty_enable(h, id) == 0, "enable on a running domain");
    read_all(h, id, 1, bitmap);
    sleep_ms(200);
    int64_t n = read_all(h, id, 1, bitmap);
    printf("# the spinning guest dirtied %lld gfns in 200 ms\n", (long long)n);
    CHECK(n >= 1, "the spinning guest dirtied memory: %lld gfns", (long long)n);
    CHECK(hvctl_domain_pause(h, id) == 0, "pause");
    read_all(h, id, 1, bitmap);
    CHECK(read_all(h, id, 1, bitmap) == 0, "then a paused one nothing");
    CHECK(hvctl_domain_unpause(h, id) == 0, "unpause");
    sleep_ms(200);
    CHECK(read_all(h, id, 0, bitmap) >= 1, "running again, it dirties memory again");
    CHECK(hvctl_logdirty_disable(h, id) == 0, "disable");
    CHECK(hvctl_logdirty_read(h, id, 0, 8, 1, bitmap, NULL) == -ENOENT, "CLEAN after OFF");
}

/* Share of wall-clock time vCPU 0 spent in the guest over about 2 s. */
static double cpu_share(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getvcpuinfo a = { 0 }, b = { 0 };
    hvctl_vcpu_getinfo(h, id, 0, &a);
    uint64_t t0 = now_ns();
    sleep_ms(2000);
    hvctl_vcpu_getinfo(h, id, 0, &b);
    double share = (double)(b.cpu_time_ns - a.cpu_time_ns) / (double)(now_ns() - t0);
    printf("# vCPU 0 of d%u ran %.3f of the last 2 s\n", id, share);
    return share;
}

static int raw_throttle(hvctl_t *h, uint32_t id, uint32_t percent, uint32_t pad)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_throttle, .domain = (domid_t)id };
    d.u.throttle = (struct xen_domctl_throttle){ .percent = percent, .pad = pad };
    return hvctl_domctl(h, &d, NULL, 0, NULL, 0, NULL, NULL);
}

static void throttle(hvctl_t *h, uint32_t id)
{
    double full = cpu_share(h, id);
    CHECK(full > 0.5, "unthrottled, the spinning vCPU runs %.2f of the time", full);
    CHECK(hvctl_domain_throttle(h, id, 100) == -EINVAL, "100 %%");
    CHECK(hvctl_domain_throttle(h, id, UINT32_MAX) == -EINVAL, "2^32-1 %%");
    CHECK(raw_throttle(h, id, 10, 1) == -EINVAL, "pad not zero");
    CHECK(hvctl_domain_throttle(h, id, 90) == 0, "90 %%");
    double slow = cpu_share(h, id);
    CHECK(slow < 0.4 && slow > 0.005, "throttled by 90 %%, it runs %.2f of the time", slow);
    uint64_t t0 = now_ns();
    CHECK(hvctl_domain_pause(h, id) == 0 && hvctl_domain_unpause(h, id) == 0,
          "pause and unpause while throttled");
    CHECK(now_ns() - t0 < 1000000000ull, "at once: %llu ms",
          (unsigned long long)(now_ns() - t0) / 1000000);
    CHECK(hvctl_domain_throttle(h, id, 0) == 0, "0 %%");
    full = cpu_share(h, id);
    CHECK(full > 0.5, "throttle off, it runs %.2f of the time", full);
}

/* Wait up to 10 s until b's log-dirty is off (seen from connection h). */
static int wait_logdirty_off(hvctl_t *h, uint32_t b)
{
    uint8_t bitmap[8];
    int rc = 0;
    for (int i = 0; i < 100 && (rc = hvctl_logdirty_read(h, b, 0, 8, 0, bitmap, NULL)) == 0; i++)
        sleep_ms(100);
    return rc;
}

/* What a connection set goes when it closes; another may turn it off too. */
static void ownership(hvctl_t *h, hvctl_t *other, uint32_t a, uint32_t b)
{
    hvctl_t *owner;
    CHECK(hvctl_logdirty_disable(other, b) == 0, "another connection turns it off");
    CHECK(wait_logdirty_off(h, b) == -ENOENT, "and it is off");
    CHECK(hvctl_open(&owner, NULL) == 0, "open the owner");
    CHECK(hvctl_logdirty_enable(owner, b) == 0, "the owner enables");
    CHECK(hvctl_domain_throttle(owner, a, 95) == 0, "and throttles");
    double slow = cpu_share(h, a);
    CHECK(slow < 0.4, "throttled by 95 %%: %.2f", slow);
    hvctl_close(owner);
    CHECK(wait_logdirty_off(h, b) == -ENOENT, "log-dirty is off once its owner closed");
    double full = cpu_share(h, a);
    CHECK(full > 0.5, "and the throttle is gone: %.2f", full);
    CHECK(hvctl_logdirty_enable(h, b) == 0, "a new owner may enable it");
}

static void rename_and_handle(hvctl_t *h, uint32_t a, uint32_t b)
{
    struct xen_domctl_getdomaininfo ia, ib;
    char name[HV_NAME_MAX + 1];
    uint8_t handle[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
                           0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, (uint8_t)getpid() };
    hvctl_domain_getinfo(h, b, &ib);
    snprintf(name, sizeof(name), "mig-renamed-%d", (int)getpid());
    CHECK(hvctl_domain_rename(h, a, name) == 0, "rename");
    CHECK(hvctl_domain_getinfo(h, a, &ia) == 0 && !strcmp(ia.name, name), "getinfo: '%s'", ia.name);
    CHECK(hvctl_domain_rename(h, a, name) == 0, "its own name again");
    CHECK(hvctl_domain_rename(h, a, ib.name) == -EEXIST, "another domain's name");
    const char *bad[] = { "", "1234", "a b", "a/b", "x\n", "é" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(hvctl_domain_rename(h, a, bad[i]) == -EINVAL, "name '%s'", bad[i]);
    memset(name, 'n', HV_NAME_MAX - 1);
    name[HV_NAME_MAX - 1] = '\0';
    CHECK(hvctl_domain_rename(h, a, name) == 0, "a name of %u octets", HV_NAME_MAX - 1);
    name[HV_NAME_MAX - 1] = 'n';
    name[HV_NAME_MAX] = '\0';
    CHECK(hvctl_domain_rename(h, a, name) == -EINVAL, "a name of %u octets", HV_NAME_MAX);
    struct xen_domctl d = { .cmd = XEN_DOMCTL_set_name, .domain = (domid_t)a };
    memset(d.u.set_name.name, 'x', sizeof(d.u.set_name.name));
    CHECK(hvctl_domctl(h, &d, NULL, 0, NULL, 0, NULL, NULL) == -EINVAL, "a name without its NUL");
    CHECK(hvctl_domain_getinfo(h, a, &ia) == 0 && strlen(ia.name) == HV_NAME_MAX - 1,
          "the refusals changed nothing: '%s'", ia.name);
    CHECK(hvctl_domain_sethandle(h, a, handle) == 0, "sethandle");
    CHECK(hvctl_domain_getinfo(h, a, &ia) == 0 && !memcmp(ia.handle, handle, 16), "getinfo: new UUID");
    CHECK(hvctl_domain_sethandle(h, a, handle) == 0, "its own UUID again");
    CHECK(hvctl_domain_sethandle(h, a, ib.handle) == -EEXIST, "another domain's UUID");
    memset(handle, 0, sizeof(handle));
    CHECK(hvctl_domain_sethandle(h, a, handle) == -EINVAL, "an all-zero UUID");
    CHECK(hvctl_domain_getinfo(h, a, &ia) == 0 && ia.handle[0] == 0x12, "UUID kept");
}

/* A restart keeps log-dirty on and marks every gfn. */
static void restart_marks_all(hvctl_t *h, uint32_t b)
{
    uint8_t bitmap[BITMAP_OCTETS];
    struct xen_domctl_getdomaininfo info = { 0 };
    read_all(h, b, 1, bitmap);
    CHECK(hvctl_domain_unpause(h, b) == 0, "unpause");
    CHECK(hvctl_domain_shutdown(h, b, SHUTDOWN_reboot) == 0, "reboot");
    for (int i = 0; i < 100; i++) {
        if (hvctl_domain_getinfo(h, b, &info) || !(info.flags & XEN_DOMINF_shutdown))
            break;
        sleep_ms(100);
    }
    CHECK(!(info.flags & XEN_DOMINF_shutdown), "restarted: flags %#x", info.flags);
    CHECK(read_all(h, b, 1, bitmap) == PAGES, "every gfn is dirty after a restart");
}

/* A bare domain (never built), made through h with flags. */
static int create_bare(hvctl_t *h, const char *tag, uint32_t flags, uint32_t *id)
{
    struct xen_domctl_createdomain c = { .max_vcpus = 1, .max_pages = 256, .init_pages = 256,
                                         .flags = flags };
    snprintf(c.name, sizeof(c.name), "mig-%s-%d", tag, (int)getpid());
    return hvctl_domain_create(h, &c, id);
}

/* Wait up to 10 s until domain id is gone; true if it went. */
static int wait_gone(hvctl_t *h, uint32_t id)
{
    struct xen_domctl_getdomaininfo info;
    for (int i = 0; i < 100; i++) {
        if (hvctl_domain_getinfo(h, id, &info) == -ESRCH)
            return 1;
        sleep_ms(100);
    }
    return 0;
}

/* A transient domain goes with the connection holding it, and only then. */
static void transient_domains(hvctl_t *h)
{
    hvctl_t *t;
    uint32_t made = 0, kept = 0, bound = 0, other = 0;
    CHECK(create_bare(h, "badflag", 1u << 30, &other) == -EINVAL, "an unknown createdomain flag");
    CHECK(hvctl_open(&t, NULL) == 0, "open the holder");
    CHECK(create_bare(t, "transient", XEN_DOMCTL_CDF_transient, &made) == 0, "create transient");
    CHECK(create_bare(t, "kept", XEN_DOMCTL_CDF_transient, &kept) == 0, "create another");
    CHECK(hvctl_domain_set_transient(t, kept, 0) == 0, "make it ordinary");
    CHECK(create_bare(h, "bound", 0, &bound) == 0, "create an ordinary domain");
    CHECK(hvctl_domain_set_transient(t, bound, 1) == 0, "bind it to the holder");
    CHECK(create_bare(h, "other", 0, &other) == 0, "and one it does not hold");
    struct xen_domctl d = { .cmd = XEN_DOMCTL_set_transient, .domain = (domid_t)other };
    d.u.set_transient = (struct xen_domctl_set_transient){ .transient = 2 };
    CHECK(hvctl_domctl(t, &d, NULL, 0, NULL, 0, NULL, NULL) == -EINVAL, "transient 2");
    d.u.set_transient = (struct xen_domctl_set_transient){ .transient = 1, .pad = 1 };
    CHECK(hvctl_domctl(t, &d, NULL, 0, NULL, 0, NULL, NULL) == -EINVAL, "pad not zero");
    CHECK(hvctl_domain_set_transient(t, NO_DOMAIN, 1) == -ESRCH, "unknown domain");
    hvctl_close(t);
    CHECK(wait_gone(h, made), "the transient domain went with its connection");
    CHECK(wait_gone(h, bound), "so did the one bound to it later");
    struct xen_domctl_getdomaininfo info;
    CHECK(hvctl_domain_getinfo(h, kept, &info) == 0, "the one made ordinary stays");
    CHECK(hvctl_domain_getinfo(h, other, &info) == 0, "and so does the refused one");
    CHECK(hvctl_domain_destroy(h, kept) == 0 && hvctl_domain_destroy(h, other) == 0, "destroy them");
}

int main(int argc, char **argv)
{
    hvctl_t *h, *other;
    if (argc != 3) {
        fprintf(stderr, "usage: %s hello.elf hypercall-page-gfn\n", argv[0]);
        return 2;
    }
    hello_elf = argv[1];
    hypercall_page_gfn = strtoull(argv[2], NULL, 0);
    if (hvctl_open(&h, NULL) || hvctl_open(&other, NULL)) {
        fprintf(stderr, "cannot connect to hvd\n");
        return 1;
    }
    unknown_domain_is_esrch(h);
    transient_domains(h);
    uint32_t a = create_hello(h, "spin", "spin"), b = create_hello(h, "idle", "idle");
    hvd_writes_are_dirty(h, other, b);
    unprivileged_refused(b);
    CHECK(hvctl_domain_unpause(h, a) == 0, "unpause the spinning guest");
    guest_writes_are_dirty(h, a);
    throttle(h, a);
    ownership(h, other, a, b);
    rename_and_handle(h, a, b);
    restart_marks_all(h, b);
    CHECK(hvctl_domain_throttle(h, a, 50) == 0, "throttled when destroyed");
    CHECK(hvctl_logdirty_enable(h, a) == 0, "log-dirty on when destroyed");
    CHECK(hvctl_domain_destroy(h, a) == 0, "destroy a");
    CHECK(hvctl_domain_destroy(h, b) == 0, "destroy b");
    hvctl_close(other);
    hvctl_close(h);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
