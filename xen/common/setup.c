/*
 * hvd: start-up and shut-down.  Parses the command line, opens /dev/kvm,
 * claims the control socket, optionally daemonizes, runs the main loop and
 * on SIGTERM destroys every domain and removes the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xen/arch.h>
#include <xen/hypercall.h>
#include <xen/memory.h>
#include <xen/privcmd.h>
#include <xen/sched.h>
#include <xen/livepatch.h>

#define DEFAULT_SOCKET "/run/hvd/hvd.sock"

struct hvd_options {
    const char *socket;
    const char *pidfile;
    const char *log;
    bool foreground;
    uint64_t max_memory_mib;  /* 0: the host's physical memory */
    uint64_t domain_mappings; /* 0: MEMORY_DEFAULT_WINDOW_MAPPINGS */
    gid_t group;
    uint64_t max_clients, max_clients_per_user;
    uint64_t halt_poll_us;
};

static char command_line[1024];

const char *hvd_command_line(void)
{
    return command_line;
}

static void save_command_line(int argc, char **argv)
{
    size_t used = 0;
    for (int i = 0; i < argc && used < sizeof(command_line) - 1; i++) {
        int n = snprintf(command_line + used, sizeof(command_line) - used, "%s%s", i ? " " : "",
                         argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: hvd [OPTIONS]\n"
        "Run the hv hypervisor: serve domains on KVM, controlled through a socket.\n\n"
        "  -s, --socket PATH       control socket (default $HVD_SOCKET or %s)\n"
        "  -f, --foreground        do not daemonize\n"
        "  -p, --pidfile FILE      write hvd's pid to FILE\n"
        "  -l, --log FILE          append the log to FILE (it is also kept in memory: hvcli "
        "dmesg)\n"
        "  -m, --max-memory MiB    memory all guests together may hold (default: physical memory)\n"
        "  -M, --domain-mappings N mappings one domain's memory may take in hvd (default %u)\n"
        "  -g, --group GROUP       members of GROUP may control hvd too (default: root only)\n"
        "      --max-clients N     control connections served at once (default %u; the\n"
        "                          last eighth of them are kept for root)\n"
        "      --max-clients-per-user N\n"
        "                          connections one user other than root may hold (default %u)\n"
        "      --halt-poll-us N    how long a halted vCPU may poll for its wake-up before it\n"
        "                          sleeps, at most (default %u; 0: never poll)\n"
        "  -h, --help              show this help\n"
        "  -V, --version           show hvd's version\n",
        DEFAULT_SOCKET, MEMORY_DEFAULT_WINDOW_MAPPINGS, PRIVCMD_DEFAULT_MAX_CLIENTS,
        PRIVCMD_DEFAULT_MAX_CLIENTS_PER_USER, HALT_POLL_DEFAULT_US);
}

/* A domain's memory needs a few mappings (RAM, holes, the shared-info
 * page); whether the host can give a domain its bound is checked when the
 * domain is created. */
#define DOMAIN_MAPPINGS_MIN 8u
#define DOMAIN_MAPPINGS_MAX (1u << 24)
#define CLIENTS_MAX         65536u
#define HALT_POLL_MAX_US    10000u

/* The number option --name takes, from min to max; a one-line error if not. */
static int parse_number(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "hvd: --%s: '%s' is not a number from %llu to %llu\n", name, s,
                (unsigned long long)min, (unsigned long long)max);
        return -EINVAL;
    }
    *out = v;
    return 0;
}

/* The daemon works from /: relative paths are made absolute first. */
static const char *absolute_path(const char *path)
{
    static char bufs[3][4096];
    static int next;
    char cwd[2048];
    if (!path || path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return path;
    char *b = bufs[next++ % 3];
    snprintf(b, sizeof(bufs[0]), "%s/%s", cwd, path);
    return b;
}

enum { OPT_MAX_CLIENTS = 256, OPT_MAX_CLIENTS_PER_USER, OPT_HALT_POLL_US };

static void print_version(void)
{
    printf("hvd %d.%d (changeset %s)\n", HV_VERSION_MAJOR, HV_VERSION_MINOR, HV_CHANGESET);
}

static int parse_options(int argc, char **argv, struct hvd_options *o)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "foreground", no_argument, NULL, 'f' },
        { "pidfile", required_argument, NULL, 'p' },
        { "log", required_argument, NULL, 'l' },
        { "max-memory", required_argument, NULL, 'm' },
        { "group", required_argument, NULL, 'g' },
        { "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
        { "max-clients-per-user", required_argument, NULL, OPT_MAX_CLIENTS_PER_USER },
        { "domain-mappings", required_argument, NULL, 'M' },
        { "halt-poll-us", required_argument, NULL, OPT_HALT_POLL_US },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "s:fp:l:m:M:g:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->socket = optarg;
            break;
        case 'f':
            o->foreground = true;
            break;
        case 'p':
            o->pidfile = optarg;
            break;
        case 'l':
            o->log = optarg;
            break;
        case 'm':
            if (parse_number("max-memory", optarg, 1, 1ull << 30, &o->max_memory_mib))
                return -1;
            break;
        case 'M':
            if (parse_number("domain-mappings", optarg, DOMAIN_MAPPINGS_MIN, DOMAIN_MAPPINGS_MAX,
                             &o->domain_mappings))
                return -1;
            break;
        case 'g': {
            struct group *g = getgrnam(optarg);
            if (!g) {
                fprintf(stderr, "hvd: --group: no group named '%s'\n", optarg);
                return -1;
            }
            o->group = g->gr_gid;
            break;
        }
        case OPT_MAX_CLIENTS:
            if (parse_number("max-clients", optarg, 1, CLIENTS_MAX, &o->max_clients))
                return -1;
            break;
        case OPT_MAX_CLIENTS_PER_USER:
            if (parse_number("max-clients-per-user", optarg, 1, CLIENTS_MAX,
                             &o->max_clients_per_user))
                return -1;
            break;
        case OPT_HALT_POLL_US:
            if (parse_number("halt-poll-us", optarg, 0, HALT_POLL_MAX_US, &o->halt_poll_us))
                return -1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            print_version();
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hvd: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    o->socket = absolute_path(o->socket);
    o->pidfile = absolute_path(o->pidfile);
    o->log = absolute_path(o->log);
    return 0;
}

static uint64_t host_memory_pages(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / XEN_PAGE_SIZE : 0;
}

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -errno;
    fprintf(f, "%d\n", (int)getpid());
    return fclose(f) ? -errno : 0;
}

/* Make the socket's directory when it is missing (e.g. /run/hvd). */
static void make_socket_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir(dir, 0755);
    }
}

/* The daemon tells its parent it is serving; the parent waits for that. */
static int ready_fd = -1;

/*
 * Detach from the terminal.  The parent exits only once the daemon has
 * written its pidfile and is about to serve, so a script that runs `hvd`
 * can use the socket and the pidfile as soon as hvd returns.
 */
static int daemonize(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        char ok;
        close(p[1]);
        _exit(read(p[0], &ok, 1) == 1 ? 0 : 1);
    }
    close(p[0]);
    ready_fd = p[1];
    if (setsid() < 0 || chdir("/") < 0)
        return -1;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        return -1;
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    close(null);
    return 0;
}

static void daemon_ready(void)
{
    if (ready_fd < 0)
        return;
    if (write(ready_fd, "r", 1) < 0) {
        /* the parent is gone: nobody is waiting */
    }
    close(ready_fd);
    ready_fd = -1;
}

static void block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1); /* vCPU threads unblock it for kicks */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    vcpu_signals_init();
}

static const char *kvm_error(int rc)
{
    switch (rc) {
    case -ENOENT:
        return "/dev/kvm does not exist (KVM not available: load kvm_intel or kvm_amd)";
    case -EACCES:
    case -EPERM:
        return "/dev/kvm: permission denied (run as root or join the kvm group)";
    default:
        return NULL;
    }
}

/*
 * Every connection, domain and vCPU costs descriptors: take all the hard
 * limit allows, so the soft limit (often 1024) is not what runs out first.
 */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int hvd_start(const struct hvd_options *o, int *notify_fd)
{
    raise_fd_limit();
    int rc = arch_kvm_open();
    if (rc) {
        const char *msg = kvm_error(rc);
        fprintf(stderr, "hvd: %s%s\n",
                msg ? msg : "cannot use /dev/kvm: ", msg ? "" : strerror(-rc));
        return rc;
    }
    make_socket_dir(o->socket);
    privcmd_set_client_limits((unsigned int)o->max_clients, (unsigned int)o->max_clients_per_user);
    vcpu_set_halt_poll_max(o->halt_poll_us * 1000);
    rc = privcmd_listen(o->socket, o->group);
    if (rc) {
        fprintf(stderr, "hvd: %s: %s\n", o->socket,
                rc == -EADDRINUSE ? "another hvd is serving this socket" : strerror(-rc));
        return rc;
    }
    *notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (*notify_fd < 0)
        return -errno;
    uint64_t pages =
        o->max_memory_mib ? o->max_memory_mib << (20 - XEN_PAGE_SHIFT) : host_memory_pages();
    domain_init(pages, *notify_fd);
    memory_init(o->domain_mappings);
    sysctl_init();
    livepatch_init();
    return 0;
}

HV_NOPATCH int main(int argc, char **argv)
{
    struct hvd_options o = { .socket = getenv("HVD_SOCKET"),
                             .group = (gid_t)-1,
                             .max_clients = PRIVCMD_DEFAULT_MAX_CLIENTS,
                             .halt_poll_us = HALT_POLL_DEFAULT_US,
                             .max_clients_per_user = PRIVCMD_DEFAULT_MAX_CLIENTS_PER_USER };
    if (!o.socket || !*o.socket)
        o.socket = DEFAULT_SOCKET;
    save_command_line(argc, argv);
    if (parse_options(argc, argv, &o))
        return 2;
    if (o.log && log_init(o.log)) {
        fprintf(stderr, "hvd: --log %s: %s\n", o.log, strerror(errno));
        return 1;
    }
    block_signals();
    int notify_fd = -1;
    if (hvd_start(&o, &notify_fd))
        return 1;
    if (!o.foreground && daemonize() < 0) {
        fprintf(stderr, "hvd: cannot daemonize: %s\n", strerror(errno));
        return 1;
    }
    if (o.pidfile && write_pidfile(o.pidfile))
        printk("hvd: cannot write pidfile %s", o.pidfile);
    daemon_ready();
    printk("hvd %d.%d started, socket %s, guest memory limit %llu MiB", HV_VERSION_MAJOR,
           HV_VERSION_MINOR, o.socket,
           (unsigned long long)(domain_host_pages() >> (20 - XEN_PAGE_SHIFT)));
    int rc = privcmd_run(notify_fd);
    domain_destroy_all();
    privcmd_close();
    close(notify_fd);
    if (o.pidfile)
        unlink(o.pidfile);
    printk("hvd stopped");
    log_close();
    return rc ? 1 : 0;
}
