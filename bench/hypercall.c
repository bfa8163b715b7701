/*
 * bench/hypercall: the round trip of a null hypercall through hvd, against
 * the bare cost of the exit that carries it.
 *
 * Both sides boot the hcbench guest, which makes N xen_version calls in a
 * tight ring-0 loop and powers off.  hvd's side is a real domain, timed
 * from unpause until getdomaininfo reports it shut down; the reference is a
 * bare KVM VM in this process (raw_vm.c) that answers each `out` at once,
 * timed from the first KVM_RUN to the shutdown exit.  Running N and 2N calls
 * and dividing the difference by N cancels the fixed costs (boot, console
 * output, polling).  Each round measures both sides, alternating which goes
 * first; the result is the median over rounds of each round's ratio.
 *
 * Usage: bench/hypercall [-n CALLS] [-r ROUNDS] IMAGE   (hvd at $HVD_SOCKET)
 * Last line: RESULT ratio=R hypercall_us=H raw_exit_us=E
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <hvctl.h>
#include <hv/public/sched.h>

#include "bench.h"
#include "raw_vm.h"

#define RAM_SIZE         (16ull << 20)
#define DEFAULT_CALLS    20000ul
#define DEFAULT_ROUNDS   5ul
#define MAX_ROUNDS       100ul
#define POLL_INTERVAL_US 500u
#define RUN_TIMEOUT_NS   (60ull * 1000000000u)
#define CONSOLE_SIZE     4096

struct image {
    const char *path;
    void *data;
    size_t len;
};

/* The guest's console says it made all the calls and succeeded. */
static bool guest_output_ok(const char *console, unsigned long calls)
{
    char done[64];

    snprintf(done, sizeof(done), "%lu null hypercalls made\nTest result: SUCCESS\n", calls);
    return strstr(console, done) != NULL;
}

/* ---- hvd's side ------------------------------------------------------ */

static int hv_create_domain(hvctl_t *h, const struct image *img, unsigned long calls,
                            uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1,
        .max_pages = RAM_SIZE / 4096,
        .init_pages = RAM_SIZE / 4096,
        /* Keep it after it powers off, so its shutdown can be seen. */
        .on_poweroff = HV_ACTION_preserve,
        .on_reboot = HV_ACTION_preserve,
        .on_crash = HV_ACTION_preserve,
    };
    char cmdline[32];
    int rc = hvctl_domain_create(h, &cfg, domid);

    if (rc < 0)
        return rc;
    snprintf(cmdline, sizeof(cmdline), "%lu", calls);
    rc = hvctl_build_elf(h, *domid, img->data, img->len, cmdline, NULL);
    if (rc < 0)
        hvctl_domain_destroy(h, *domid);
    return rc;
}

/* Poll until the domain has shut down; the time at which it was seen to. */
static int hv_wait_shutdown(hvctl_t *h, uint32_t domid, uint64_t start, uint64_t *end)
{
    for (;;) {
        struct xen_domctl_getdomaininfo info;
        int rc = hvctl_domain_getinfo(h, domid, &info);

        *end = bench_now_ns();
        if (rc < 0)
            return rc;
        if (info.flags & XEN_DOMINF_shutdown)
            return info.shutdown_reason == SHUTDOWN_poweroff ? 0 : -EIO;
        if (*end - start > RUN_TIMEOUT_NS)
            return -ETIMEDOUT;
        bench_sleep_us(POLL_INTERVAL_US);
    }
}

/* Whatever the console socket holds now (the guest has stopped writing). */
static void drain_console(int fd, char *buf, size_t size)
{
    size_t used = 0;
    ssize_t n;

    while (used < size - 1 && (n = recv(fd, buf + used, size - 1 - used, MSG_DONTWAIT)) > 0)
        used += (size_t)n;
    buf[used] = '\0';
}

/* One run of hcbench in a domain of hvd: nanoseconds from unpause to shutdown. */
static int hv_run(hvctl_t *h, const struct image *img, unsigned long calls, uint64_t *ns)
{
    uint32_t domid;
    int console_fd = -1;
    char console[CONSOLE_SIZE];
    uint64_t start, end;
    int rc = hv_create_domain(h, img, calls, &domid);

    if (rc < 0)
        return rc;
    rc = hvctl_console_attach(h, domid, &console_fd);
    if (rc == 0) {
        start = bench_now_ns();
        rc = hvctl_domain_unpause(h, domid);
    }
    if (rc == 0)
        rc = hv_wait_shutdown(h, domid, start, &end);
    if (rc == 0) {
        drain_console(console_fd, console, sizeof(console));
        rc = guest_output_ok(console, calls) ? 0 : -EIO;
    }
    if (console_fd >= 0)
        close(console_fd);
    int destroy_rc = hvctl_domain_destroy(h, domid);
    if (rc == 0)
        rc = destroy_rc;
    if (rc == 0)
        *ns = end - start;
    return rc;
}

/* ---- the reference --------------------------------------------------- */

/* One run of hcbench in a bare KVM VM: nanoseconds from first entry to shutdown. */
static int raw_run(const struct raw_kvm *k, const struct image *img, unsigned long calls,
                   uint64_t *ns)
{
    struct raw_vm vm;
    char cmdline[32];
    char console[CONSOLE_SIZE];
    uint64_t start;
    int rc = raw_vm_create(&vm, k, RAM_SIZE);

    if (rc < 0)
        return rc;
    snprintf(cmdline, sizeof(cmdline), "%lu", calls);
    rc = raw_vm_load_elf(&vm, img->data, img->len, cmdline);
    if (rc == 0) {
        start = bench_now_ns();
        rc = raw_vm_run(&vm, console, sizeof(console));
        *ns = bench_now_ns() - start;
    }
    if (rc == 0 && !guest_output_ok(console, calls))
        rc = -EIO;
    raw_vm_destroy(&vm);
    return rc;
}

/* ---- rounds and report ------------------------------------------------- */

static double per_call_us(uint64_t t1, uint64_t t2, unsigned long n1, unsigned long n2)
{
    return ((double)t2 - (double)t1) / (double)(n2 - n1) / 1000.0;
}

/* Microseconds per call in a domain of hvd, from runs of n1 and 2 * n1 calls. */
static double measure_hv(hvctl_t *h, const struct image *img, unsigned long n1)
{
    uint64_t t1, t2;
    int rc = hv_run(h, img, n1, &t1);

    if (rc == 0)
        rc = hv_run(h, img, 2 * n1, &t2);
    if (rc < 0)
        bench_fail("running hcbench in a domain of hvd", rc);
    return per_call_us(t1, t2, n1, 2 * n1);
}

/* The same in the bare KVM VM. */
static double measure_raw(const struct raw_kvm *k, const struct image *img, unsigned long n1)
{
    uint64_t t1, t2;
    int rc = raw_run(k, img, n1, &t1);

    if (rc == 0)
        rc = raw_run(k, img, 2 * n1, &t2);
    if (rc < 0)
        bench_fail("running hcbench in a bare KVM VM", rc);
    return per_call_us(t1, t2, n1, 2 * n1);
}

static int read_image(struct image *img)
{
    FILE *f = fopen(img->path, "rb");
    long size;

    if (!f)
        return -errno;
    if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0) {
        fclose(f);
        return -EINVAL;
    }
    img->len = (size_t)size;
    img->data = malloc(img->len);
    int rc = !img->data ? -ENOMEM : fread(img->data, 1, img->len, f) != img->len ? -EIO : 0;
    fclose(f);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-n CALLS] [-r ROUNDS] IMAGE\n", program_invocation_short_name);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long n1 = DEFAULT_CALLS, rounds = DEFAULT_ROUNDS;
    struct image img = { 0 };
    struct raw_kvm kvm;
    hvctl_t *h;
    int opt, rc;

    while ((opt = getopt(argc, argv, "n:r:")) != -1) {
        if (opt == 'n')
            n1 = bench_parse_count("-n", optarg);
        else if (opt == 'r')
            rounds = bench_parse_count("-r", optarg);
        else
            usage();
    }
    if (optind != argc - 1 || rounds > MAX_ROUNDS)
        usage();
    img.path = argv[optind];
    if ((rc = read_image(&img)) < 0)
        bench_fail(img.path, rc);
    if ((rc = hvctl_open(&h, NULL)) < 0)
        bench_fail("connecting to hvd", rc);
    if ((rc = raw_kvm_open(&kvm)) < 0)
        bench_fail("/dev/kvm", rc);

    double hv[MAX_ROUNDS], raw[MAX_ROUNDS], ratio[MAX_ROUNDS];

    printf("null hypercall (xen_version) vs bare KVM exit: %lu and %lu calls per run\n", n1,
           2 * n1);
    printf("%-8s %14s %14s %8s\n", "round", "hv us/call", "raw us/call", "ratio");
    for (unsigned long i = 0; i < rounds; i++) {
        if (i % 2 == 0) {
            hv[i] = measure_hv(h, &img, n1);
            raw[i] = measure_raw(&kvm, &img, n1);
        } else {
            raw[i] = measure_raw(&kvm, &img, n1);
            hv[i] = measure_hv(h, &img, n1);
        }
        ratio[i] = hv[i] / raw[i];
        printf("%-8lu %14.3f %14.3f %8.3f\n", i + 1, hv[i], raw[i], ratio[i]);
        fflush(stdout);
    }
    double hv_med = bench_median(hv, rounds), raw_med = bench_median(raw, rounds);
    double ratio_med = bench_median(ratio, rounds);
    printf("%-8s %14.3f %14.3f %8.3f\n", "median", hv_med, raw_med, ratio_med);
    printf("RESULT ratio=%.3f hypercall_us=%.3f raw_exit_us=%.3f\n", ratio_med, hv_med, raw_med);
    raw_kvm_close(&kvm);
    hvctl_close(h);
    free(img.data);
    return 0;
}
