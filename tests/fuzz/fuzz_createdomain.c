/*
 * libFuzzer target: arbitrary XEN_DOMCTL_createdomain requests handed to
 * hvd's domctl handler in-process, on the real /dev/kvm.  Every successful
 * creation is destroyed again, and after each input hvd must hold nothing:
 * no domain, no dalloc allocation, no extra fd or thread.  Leaks of plain
 * memory are LeakSanitizer's.  docs/fuzzing.md explains how to run it.
 *
 * Input (missing bytes read as zero):
 *   bytes 0..111  a struct xen_domctl_createdomain, in its ABI layout
 *                 (handle, name, max_vcpus, flags, max_pages, init_pages,
 *                 on_poweroff, on_reboot, on_crash, pad, fault_ttl;
 *                 little-endian);
 *   byte 120      shape bits (enum shape), which fold fields into ranges
 *                 where creation can succeed, so the whole path is covered.
 * fault_ttl is always taken modulo 601 (0..600): enough to reach every
 * fault point of a 64-vCPU domain (397, see docs/domain-lifecycle.md).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <sanitizer/asan_interface.h>
#include <xen/arch.h>
#include <xen/hypercall.h>
#include <xen/privcmd.h>
#include <xen/sched.h>

#define HOST_LIMIT_PAGES (1024ull * 256) /* hvd --max-memory 1024: 1 GiB */
#define FAULT_TTL_RANGE 601u
#define FEW_VCPUS 8u
#define SMALL_PAGES 8192u /* 32 MiB */
#define LOG_TAIL 2048u

enum shape {
    SHAPE_FEW_VCPUS = 1u << 0,     /* max_vcpus = 1 + max_vcpus % 8 */
    SHAPE_SMALL_MEMORY = 1u << 1,  /* init_pages = 1 + init_pages % 8192,
                                      max_pages = init_pages + max_pages % 8192 */
    SHAPE_VALID_ACTIONS = 1u << 2, /* each on_* modulo HV_ACTION_MAX + 1 */
    SHAPE_CREATE_TWICE = 1u << 3,  /* repeat the request while the first domain lives */
    SHAPE_VALID_FIELDS = 1u << 4,  /* flags = pad = 0, restart limits in range, and the
                                      name's bytes up to its NUL mapped onto
                                      [a-zA-Z0-9_.-] (at most 63) */
};

/* What one input may not leave behind, beyond memory (LeakSanitizer's). */
struct process_resources {
    unsigned int fds;
    unsigned int threads;
};

/* hvd's log is only a ring here: print its end when something breaks. */
static void dump_hvd_log_tail(void)
{
    static char tail[LOG_TAIL + 1], chunk[LOG_TAIL];
    uint64_t index = 0, lost;
    size_t len = 0, n;
    while ((n = log_read(&index, chunk, sizeof(chunk), &lost)) > 0) {
        size_t keep = len + n > LOG_TAIL ? LOG_TAIL - n : len;
        memmove(tail, tail + len - keep, keep);
        memcpy(tail + keep, chunk, n);
        len = keep + n;
    }
    tail[len] = '\0';
    fprintf(stderr, "--- the end of hvd's log ---\n%s--- (end of log) ---\n", tail);
}

static void dump_log_after_report(const char *report)
{
    (void)report; /* ASan has printed it already */
    dump_hvd_log_tail();
}

static void broken(const char *what)
{
    fprintf(stderr, "fuzz_createdomain: invariant broken: %s\n", what);
    dump_hvd_log_tail();
    abort();
}

static void check(bool ok, const char *what)
{
    if (!ok)
        broken(what);
}

static unsigned int count_dir_entries(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir)
        broken("cannot read /proc/self");
    unsigned int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n;
}

static struct process_resources process_resources(void)
{
    return (struct process_resources){ .fds = count_dir_entries("/proc/self/fd"),
                                       .threads = count_dir_entries("/proc/self/task") };
}

/*
 * A joined thread can still be listed for a moment after pthread_join()
 * returns (the kernel wakes the joiner before it reaps the thread), so
 * give the count a little time to settle before calling it a leak.
 */
static void check_resources_back(const struct process_resources *before)
{
    struct process_resources now = process_resources();
    for (int tries = 0; now.threads > before->threads && tries < 1000; tries++) {
        usleep(1000);
        now = process_resources();
    }
    check(now.fds <= before->fds, "an fd opened by createdomain is still open");
    check(now.threads <= before->threads, "a thread started by createdomain still runs");
}

static void check_no_domain_left(void)
{
    struct dalloc_account host;
    dalloc_host_totals(&host);
    check(domain_count() == 0, "a domain is left after destroying every created one");
    check(host.count == 0 && host.bytes == 0, "host-wide dalloc totals are not back to zero");
}

static bool is_documented_error(long rc)
{
    return rc == -EINVAL || rc == -EEXIST || rc == -ENOMEM || rc == -ENOSPC;
}

static void make_name_valid(char name[HV_NAME_MAX])
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    name[HV_NAME_MAX - 1] = '\0';
    for (size_t i = 0; name[i]; i++)
        name[i] = allowed[(uint8_t)name[i] % (sizeof(allowed) - 1)];
}

static void apply_shape(struct xen_domctl_createdomain *cfg, uint8_t shape)
{
    cfg->fault_ttl %= FAULT_TTL_RANGE;
    if (shape & SHAPE_FEW_VCPUS)
        cfg->max_vcpus = 1 + cfg->max_vcpus % FEW_VCPUS;
    if (shape & SHAPE_SMALL_MEMORY) {
        cfg->init_pages = 1 + cfg->init_pages % SMALL_PAGES;
        cfg->max_pages = cfg->init_pages + cfg->max_pages % SMALL_PAGES;
    }
    if (shape & SHAPE_VALID_ACTIONS) {
        cfg->on_poweroff %= HV_ACTION_MAX + 1;
        cfg->on_reboot %= HV_ACTION_MAX + 1;
        cfg->on_crash %= HV_ACTION_MAX + 1;
    }
    if (shape & SHAPE_VALID_FIELDS) {
        cfg->flags = 0;
        cfg->pad = 0;
        cfg->restart_limit %= HV_RESTART_LIMIT_MAX + 1;
        cfg->restart_interval_s %= HV_RESTART_INTERVAL_MAX + 1;
        make_name_valid(cfg->name);
    }
}

static bool handle_is_nil(const uint8_t handle[16])
{
    static const uint8_t nil[16];
    return !memcmp(handle, nil, sizeof(nil));
}

/* What hvd reports of a domain it just created must be what was asked. */
static void check_created(const struct xen_domctl_createdomain *cfg, const struct xen_domctl *op)
{
    struct domain *d = domain_lookup(op->domain, true);
    check(d != NULL, "createdomain returned a domid that does not exist");
    struct xen_domctl_getdomaininfo info;
    domain_getinfo(d, &info);
    check(info.max_vcpus == cfg->max_vcpus && info.max_pages == cfg->max_pages &&
              info.tot_pages == cfg->init_pages,
          "the domain's vCPUs or memory differ from the request");
    check(!cfg->name[0] || !strncmp(info.name, cfg->name, HV_NAME_MAX),
          "the domain's name is not the one asked");
    check(handle_is_nil(cfg->handle) || !memcmp(info.handle, cfg->handle, 16),
          "the domain's UUID is not the one asked");
    check(!memcmp(op->u.createdomain.handle, info.handle, 16),
          "createdomain returned another UUID than the domain's");
    check(info.pause_count == 1 && info.nr_online_vcpus == 0,
          "a new domain is not paused with its vCPUs down");
    /* Success with fault_ttl N means the N-th fault point was never reached. */
    check(!cfg->fault_ttl || info.create_fault_points < cfg->fault_ttl,
          "creation succeeded although its fault_ttl-th fault point was passed");
}

/*
 * hvd's main thread takes no signal while it serves a request (it blocks
 * them and reads SIGTERM/SIGINT from a signalfd), so neither may the
 * harness: libFuzzer's -timeout SIGALRM interrupts KVM_CREATE_VM, which
 * then fails with EINTR (docs/fuzzing.md).  A hang in here is left to the
 * caller's own time limit; destroy keeps libFuzzer's.
 */
static long domctl_without_signals(struct xen_domctl *op, struct privcmd_reply_extra *extra)
{
    sigset_t alarm, old;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alarm, &old);
    long rc = do_domctl(op, NULL, 0, extra, false, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static long create(const struct xen_domctl_createdomain *cfg, struct xen_domctl *op)
{
    struct privcmd_reply_extra extra = { 0 };
    *op = (struct xen_domctl){ .cmd = XEN_DOMCTL_createdomain,
                               .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                               .u.createdomain = *cfg };
    long rc = domctl_without_signals(op, &extra);
    check(is_documented_error(rc) || rc == 0, "createdomain returned an undocumented error");
    check(extra.nr_fds == 0 && extra.buf_len == 0, "createdomain handed back fds or bytes");
    if (rc == 0)
        check_created(cfg, op);
    return rc;
}

/*
 * The same request again while the first domain (if any) lives: a name or
 * UUID given must now be taken; a request that failed must fail the same
 * way, since a failed creation leaves hvd exactly as it was.
 */
static long create_again(const struct xen_domctl_createdomain *cfg, long first_rc,
                         const struct xen_domctl *first, struct xen_domctl *op)
{
    long rc = create(cfg, op);
    if (first_rc != 0)
        check(rc == first_rc, "a failed request failed differently the second time");
    else if (cfg->name[0] || !handle_is_nil(cfg->handle))
        check(rc == -EEXIST, "a second domain got the same name or UUID");
    else
        check(rc != 0 || op->domain != first->domain, "two domains got the same domid");
    return rc;
}

static void destroy_if_created(long rc, const struct xen_domctl *op)
{
    if (rc == 0)
        check(domain_destroy(domain_lookup(op->domain, true), 0) == 0,
              "a destroy without a time limit did not finish");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t input[sizeof(struct xen_domctl_createdomain) + 1] = { 0 };
    memcpy(input, data, size < sizeof(input) ? size : sizeof(input));
    struct xen_domctl_createdomain cfg;
    memcpy(&cfg, input, sizeof(cfg));
    uint8_t shape = input[sizeof(cfg)];
    apply_shape(&cfg, shape);

    struct process_resources before = process_resources();
    unsigned int requests = shape & SHAPE_CREATE_TWICE ? 2 : 1;
    struct xen_domctl op[2];
    long rc[2];
    rc[0] = create(&cfg, &op[0]);
    if (requests == 2)
        rc[1] = create_again(&cfg, rc[0], &op[0], &op[1]);
    for (unsigned int i = 0; i < requests; i++)
        destroy_if_created(rc[i], &op[i]);
    check_no_domain_left();
    check_resources_back(&before);
    return 0;
}

/*
 * What setup.c, left out for its main(), gives the rest of hvd.  Only a
 * guest's xen_version hypercall reads it, and no guest runs here.
 */
const char *hvd_command_line(void)
{
    return "fuzz_createdomain";
}

/* As hvd's block_signals(), but SIGINT and SIGTERM stay libFuzzer's. */
static void init_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1); /* vCPU threads unblock it for kicks */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    vcpu_signals_init(); /* before libFuzzer, which keeps a handler it finds */
}

/*
 * hvd's main loop watches vCPU timers and console clients, so creation
 * needs its control socket and epoll set.  Nobody connects: the socket's
 * path is removed at once, leaving nothing behind even after a crash.
 */
static int listen_unreachable(void)
{
    char dir[] = "/tmp/fuzz_createdomain.XXXXXX", path[sizeof(dir) + 16];
    if (!mkdtemp(dir))
        return -errno;
    snprintf(path, sizeof(path), "%s/hvd.sock", dir);
    int rc = privcmd_listen(path, (gid_t)-1);
    unlink(path);
    rmdir(dir);
    return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    init_signals();
    int rc = arch_kvm_open();
    if (rc) {
        fprintf(stderr, "fuzz_createdomain: cannot use /dev/kvm: %s\n", strerror(-rc));
        exit(1);
    }
    rc = listen_unreachable();
    if (rc) {
        fprintf(stderr, "fuzz_createdomain: cannot start hvd's main loop: %s\n", strerror(-rc));
        exit(1);
    }
    atexit(privcmd_close);
    int notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (notify_fd < 0) {
        perror("fuzz_createdomain: eventfd");
        exit(1);
    }
    domain_init(HOST_LIMIT_PAGES, notify_fd);
    sysctl_init();
    /* libFuzzer owns the death callback: follow ASan's reports instead. */
    __asan_set_error_report_callback(dump_log_after_report);
    return 0;
}
