/*
 * bench/create: create (paused) and destroy a 1-vCPU, 64 MiB domain through
 * libhvctl, against the bare KVM work such a domain needs: KVM_CREATE_VM,
 * one KVM_CREATE_VCPU and one 64 MiB memory slot over anonymous memory,
 * then closing it all.  Rounds alternate hvd and the reference, each round
 * timing a batch of cycles of each, so both see the same machine.
 *
 * Usage: bench/create [-c CYCLES_PER_ROUND] [-r ROUNDS]   (hvd at $HVD_SOCKET)
 * Last line: RESULT ratio=R per_s=N
 *   ratio = median hvd cycle / median bare cycle
 *   per_s = hvd cycles per second (cycles done / time they took)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <hvctl.h>

#include "bench.h"

#define RAM_SIZE          (64ull << 20)
#define DEFAULT_CYCLES    25ul
#define DEFAULT_ROUNDS    20ul
#define MAX_SAMPLES       100000ul

/* One hvd cycle: create the domain paused, destroy it. */
static int hv_cycle(hvctl_t *h)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1,
        .max_pages = RAM_SIZE / 4096,
        .init_pages = RAM_SIZE / 4096,
    };
    uint32_t domid;
    int rc = hvctl_domain_create(h, &cfg, &domid);

    return rc < 0 ? rc : hvctl_domain_destroy(h, domid);
}

/* One bare cycle: a VM, its vCPU and RAM slot, all closed again. */
static int raw_cycle(int kvm_fd)
{
    int vm_fd, vcpu_fd = -1, rc = 0;
    void *ram;

    vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0ul);
    if (vm_fd < 0)
        return -errno;
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED) {
        close(vm_fd);
        return -errno;
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0, .memory_size = RAM_SIZE, .userspace_addr = (uintptr_t)ram,
    };
    if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        rc = -errno;
    if (rc == 0 && (vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0ul)) < 0)
        rc = -errno;
    if (vcpu_fd >= 0)
        close(vcpu_fd);
    close(vm_fd);
    munmap(ram, RAM_SIZE);
    return rc;
}

struct samples {
    double *us;   /* one per cycle */
    size_t n;
    uint64_t total_ns;
};

static void time_hv_cycles(hvctl_t *h, unsigned long cycles, struct samples *s)
{
    for (unsigned long i = 0; i < cycles; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = hv_cycle(h);
        uint64_t dt = bench_now_ns() - t0;

        if (rc < 0)
            bench_fail("create and destroy a domain of hvd", rc);
        s->us[s->n++] = (double)dt / 1000.0;
        s->total_ns += dt;
    }
}

static void time_raw_cycles(int kvm_fd, unsigned long cycles, struct samples *s)
{
    for (unsigned long i = 0; i < cycles; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = raw_cycle(kvm_fd);
        uint64_t dt = bench_now_ns() - t0;

        if (rc < 0)
            bench_fail("create and close a bare KVM VM", rc);
        s->us[s->n++] = (double)dt / 1000.0;
        s->total_ns += dt;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-c CYCLES_PER_ROUND] [-r ROUNDS]\n",
            program_invocation_short_name);
    exit(2);
}

static void print_row(const char *what, struct samples *s, double *median)
{
    *median = bench_median(s->us, s->n);
    printf("%-22s %8zu %12.1f %12.1f %10.1f\n", what, s->n, *median,
           bench_percentile(s->us, s->n, 99), (double)s->n * 1e9 / (double)s->total_ns);
}

int main(int argc, char **argv)
{
    unsigned long cycles = DEFAULT_CYCLES, rounds = DEFAULT_ROUNDS;
    hvctl_t *h;
    int kvm_fd, opt, rc;

    while ((opt = getopt(argc, argv, "c:r:")) != -1) {
        if (opt == 'c')
            cycles = bench_parse_count("-c", optarg);
        else if (opt == 'r')
            rounds = bench_parse_count("-r", optarg);
        else
            usage();
    }
    if (optind != argc || cycles > MAX_SAMPLES / rounds)
        usage();
    if ((rc = hvctl_open(&h, NULL)) < 0)
        bench_fail("connecting to hvd", rc);
    if ((kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
        bench_fail("/dev/kvm", -errno);

    struct samples hv = { .us = calloc(cycles * rounds, sizeof(double)) };
    struct samples raw = { .us = calloc(cycles * rounds, sizeof(double)) };
    if (!hv.us || !raw.us)
        bench_fail("allocating samples", -ENOMEM);
    for (unsigned long i = 0; i < rounds; i++) {
        if (i % 2 == 0) {
            time_hv_cycles(h, cycles, &hv);
            time_raw_cycles(kvm_fd, cycles, &raw);
        } else {
            time_raw_cycles(kvm_fd, cycles, &raw);
            time_hv_cycles(h, cycles, &hv);
        }
    }

    double hv_med, raw_med;
    printf("create (paused) + destroy, 1 vCPU, 64 MiB: %lu rounds of %lu cycles each\n",
           rounds, cycles);
    printf("%-22s %8s %12s %12s %10s\n", "", "cycles", "median us", "p99 us", "cycles/s");
    print_row("hvd (libhvctl)", &hv, &hv_med);
    print_row("bare KVM", &raw, &raw_med);
    printf("RESULT ratio=%.3f per_s=%.0f\n", hv_med / raw_med,
           (double)hv.n * 1e9 / (double)hv.total_ns);
    free(hv.us);
    free(raw.us);
    close(kvm_fd);
    hvctl_close(h);
    return 0;
}
