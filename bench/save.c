/*
 * bench/save: hvcli save and hvcli restore of a 1 GiB domain whose every
 * page holds data, to and from a file, against `cat` copying a 1 GiB file
 * to the same directory in the same run (the copy limit of that disk and
 * page cache).  Rounds alternate: cat, save (which destroys the domain),
 * restore -p (which brings it back); each is timed as a whole command,
 * started after a sync(2) so that none pays for the last one's writeback.
 * Each round then saves with -z and restores that image too.  At the end
 * every page is checked against the pattern it was given.  Every figure
 * is printed as the median of the rounds with their smallest and largest.
 *
 * A page is 1 KiB of pseudo-random octets and 3 KiB of a repeated stamp,
 * so that zlib has something to do but cannot make it vanish.
 *
 * Usage: bench/save [-r ROUNDS] [-m MIB] [-d DIR] [-H HVCLI]   (hvd at $HVD_SOCKET)
 * Last line: RESULT save_ratio=S restore_ratio=R save_gbps=G restore_gbps=H zlib_save_ratio=Z
 *              save_ratio_min=.. save_ratio_max=.. restore_ratio_min=.. restore_ratio_max=..
 *   save_gbps, restore_gbps  10^9 octets of guest memory per second (median round)
 *   save_ratio, restore_ratio  those rates over cat's rate in the same round (median;
 *                              _min and _max: the smallest and largest round)
 *   zlib_save_ratio  the rate of save -z over cat's rate (median round)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hvctl.h>

#include "bench.h"

#define PAGE_SIZE       XEN_PAGE_SIZE
#define DEFAULT_MIB     1024ul
#define DEFAULT_ROUNDS  5ul
#define MAX_ROUNDS      20ul
#define DOMAIN_NAME     "bench-save"
#define RANDOM_OCTETS   1024u

struct bench {
    const char *hvcli, *dir;
    uint64_t pages;
    char src[4096], copy[4096], image[4096], zimage[4096];
};

/* A page's contents: RANDOM_OCTETS from a gfn-seeded xorshift, then its stamp. */
static void fill_page(uint64_t *w, uint64_t gfn)
{
    uint64_t x = gfn * 0x9e3779b97f4a7c15ul + 1;

    for (unsigned int i = 0; i < PAGE_SIZE / 8; i++) {
        if (i < RANDOM_OCTETS / 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w[i] = x;
        } else {
            w[i] = gfn << 16 | (i & 0xff);
        }
    }
}

static bool page_is_right(const uint64_t *w, uint64_t gfn)
{
    uint64_t want[PAGE_SIZE / 8];

    fill_page(want, gfn);
    return memcmp(w, want, PAGE_SIZE) == 0;
}

static int map_domain(hvctl_t *h, uint32_t domid, uint64_t pages, void **mem)
{
    return hvctl_map_foreign(h, domid, 0, pages, PROT_READ | PROT_WRITE, mem);
}

/* A paused 1-vCPU domain whose every page holds its pattern. */
static uint32_t make_domain(hvctl_t *h, uint64_t pages)
{
    struct xen_domctl_createdomain cd = {
        .name = DOMAIN_NAME, .max_vcpus = 1, .max_pages = pages, .init_pages = pages,
    };
    uint32_t domid;
    void *mem;
    int rc = hvctl_domain_create(h, &cd, &domid);

    if (rc < 0)
        bench_fail("creating the " DOMAIN_NAME " domain", rc);
    if ((rc = map_domain(h, domid, pages, &mem)) < 0)
        bench_fail("mapping the domain's memory", rc);
    for (uint64_t g = 0; g < pages; g++)
        fill_page((uint64_t *)((char *)mem + g * PAGE_SIZE), g);
    hvctl_unmap_foreign(mem, pages);
    return domid;
}

/* Every page of the (restored) domain still holds its pattern. */
static void check_domain(hvctl_t *h, uint64_t pages)
{
    uint32_t domid;
    void *mem;
    int rc = hvctl_domain_lookup(h, DOMAIN_NAME, &domid);

    if (rc == 0)
        rc = map_domain(h, domid, pages, &mem);
    if (rc < 0)
        bench_fail("mapping the restored domain", rc);
    for (uint64_t g = 0; g < pages; g++) {
        if (!page_is_right((uint64_t *)((char *)mem + g * PAGE_SIZE), g)) {
            fprintf(stderr, "bench/save: page %#lx of the restored domain is wrong\n",
                    (unsigned long)g);
            exit(1);
        }
    }
    hvctl_unmap_foreign(mem, pages);
}

/* A file of `pages` pages of the same pattern: what cat copies. */
static void make_source(const struct bench *b)
{
    static uint64_t buf[256 * PAGE_SIZE / 8];
    int fd = open(b->src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
        bench_fail(b->src, -errno);
    for (uint64_t g = 0; g < b->pages; g += 256) {
        size_t n = b->pages - g < 256 ? b->pages - g : 256;
        for (size_t i = 0; i < n; i++)
            fill_page(buf + i * PAGE_SIZE / 8, g + i);
        if (write(fd, buf, n * PAGE_SIZE) != (ssize_t)(n * PAGE_SIZE))
            bench_fail("writing the source file", errno ? -errno : -EIO);
    }
    close(fd);
}

/* hvcli's stderr goes here and is shown only when a command fails. */
static char errlog[4096];

/* Run argv (stdout to `out` if not NULL); the wall time in ns.  Fails on a non-zero exit. */
static uint64_t run_timed(char *const argv[], const char *out)
{
    sync(); /* each command starts without the last one's writeback */
    uint64_t t0 = bench_now_ns();
    pid_t pid = fork();
    int status;

    if (pid < 0)
        bench_fail("fork", -errno);
    if (pid == 0) {
        int err = open(errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
        if (err < 0 || dup2(err, STDERR_FILENO) < 0)
            _exit(126);
        if (out && (fd < 0 || dup2(fd, STDOUT_FILENO) < 0))
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        bench_fail("waitpid", -errno);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char msg[512] = "";
        int fd = open(errlog, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, msg, sizeof(msg) - 1) : 0;
        msg[n > 0 ? n : 0] = '\0';
        fprintf(stderr, "bench/save: '%s %s' failed (status %#x): %s\n", argv[0], argv[1],
                status, msg);
        exit(1);
    }
    return bench_now_ns() - t0;
}

static uint64_t time_cat(const struct bench *b)
{
    char *argv[] = { "cat", (char *)b->src, NULL };
    uint64_t ns = run_timed(argv, b->copy);

    unlink(b->copy);
    return ns;
}

static uint64_t time_save(const struct bench *b, const char *image, bool zlib)
{
    char *plain[] = { (char *)b->hvcli, "save", DOMAIN_NAME, (char *)image, NULL };
    char *compressed[] = { (char *)b->hvcli, "save", "-z", DOMAIN_NAME, (char *)image, NULL };

    return run_timed(zlib ? compressed : plain, NULL);
}

static uint64_t time_restore(const struct bench *b, const char *image)
{
    char *argv[] = { (char *)b->hvcli, "restore", "-p", "-e", (char *)image, NULL };

    return run_timed(argv, NULL);
}

static double gbps(uint64_t octets, double ns)
{
    return (double)octets / ns;
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-r ROUNDS] [-m MIB] [-d DIR] [-H HVCLI]\n",
            program_invocation_short_name);
    exit(2);
}

static void parse_args(int argc, char **argv, struct bench *b, unsigned long *rounds)
{
    unsigned long mib = DEFAULT_MIB;
    int opt;

    b->hvcli = "./tools/hvcli/hvcli";
    b->dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
    while ((opt = getopt(argc, argv, "r:m:d:H:")) != -1) {
        switch (opt) {
        case 'r': *rounds = bench_parse_count("-r", optarg); break;
        case 'm': mib = bench_parse_count("-m", optarg); break;
        case 'd': b->dir = optarg; break;
        case 'H': b->hvcli = optarg; break;
        default: usage();
        }
    }
    if (optind != argc || *rounds > MAX_ROUNDS || mib > (1ul << 20))
        usage();
    b->pages = mib * 256;
    snprintf(b->src, sizeof(b->src), "%s/bench-save.src", b->dir);
    snprintf(b->copy, sizeof(b->copy), "%s/bench-save.copy", b->dir);
    snprintf(b->image, sizeof(b->image), "%s/bench-save.img", b->dir);
    snprintf(b->zimage, sizeof(b->zimage), "%s/bench-save.zimg", b->dir);
    snprintf(errlog, sizeof(errlog), "%s/bench-save.err", b->dir);
}

static off_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? st.st_size : 0;
}

/* The timed commands of a round, in the order they run. */
enum { CAT, SAVE, RESTORE, ZSAVE, ZRESTORE, FIGURES };

static const char *const figure_label[FIGURES] = {
    [CAT] = "cat FILE > FILE2", [SAVE] = "hvcli save", [RESTORE] = "hvcli restore -p",
    [ZSAVE] = "hvcli save -z", [ZRESTORE] = "hvcli restore -p (zlib)",
};

/* One round: ns[f] is how long figure f took. */
static void run_round(const struct bench *b, double ns[FIGURES], off_t *image_size,
                      off_t *zimage_size)
{
    ns[CAT] = (double)time_cat(b);
    ns[SAVE] = (double)time_save(b, b->image, false);
    ns[RESTORE] = (double)time_restore(b, b->image);
    *image_size = file_size(b->image);
    unlink(b->image);
    ns[ZSAVE] = (double)time_save(b, b->zimage, true);
    ns[ZRESTORE] = (double)time_restore(b, b->zimage);
    *zimage_size = file_size(b->zimage);
    unlink(b->zimage);
}

/* A row of the table: seconds, GB/s and the rate over cat's, each as
 * "median (min-max)" over the rounds.  ns[i] is this figure's time in
 * round i, ratio[i] cat's time over it in the same round. */
static void print_figure(const char *label, const double *ns, const double *ratio,
                         uint64_t octets, size_t rounds)
{
    double secs[MAX_ROUNDS], rate[MAX_ROUNDS];
    char a[64], c[64], d[64];

    for (size_t i = 0; i < rounds; i++) {
        secs[i] = ns[i] / 1e9;
        rate[i] = gbps(octets, ns[i]);
    }
    printf("%-24s %22s %22s %22s\n", label, bench_spread(secs, rounds, 3, a, sizeof(a)),
           bench_spread(rate, rounds, 3, c, sizeof(c)),
           bench_spread(ratio, rounds, 3, d, sizeof(d)));
}

int main(int argc, char **argv)
{
    struct bench b;
    unsigned long rounds = DEFAULT_ROUNDS;
    double ns[FIGURES][MAX_ROUNDS], ratio[FIGURES][MAX_ROUNDS], round_ns[FIGURES];
    off_t image_size = 0, zimage_size = 0;
    hvctl_t *h;
    int rc;

    parse_args(argc, argv, &b, &rounds);
    if ((rc = hvctl_open(&h, NULL)) < 0)
        bench_fail("connecting to hvd", rc);
    uint64_t octets = b.pages * PAGE_SIZE;
    make_domain(h, b.pages);
    make_source(&b);
    for (unsigned long i = 0; i < rounds; i++) {
        run_round(&b, round_ns, &image_size, &zimage_size);
        for (int f = 0; f < FIGURES; f++) {
            ns[f][i] = round_ns[f];
            ratio[f][i] = round_ns[CAT] / round_ns[f];
        }
    }
    unlink(b.src);
    unlink(errlog);
    check_domain(h, b.pages);

    printf("%lu MiB domain, every page written; files in %s; %lu rounds: median (min-max)\n",
           (unsigned long)(octets >> 20), b.dir, rounds);
    printf("%-24s %22s %22s %22s\n", "", "seconds", "GB/s", "vs cat");
    for (int f = 0; f < FIGURES; f++)
        print_figure(figure_label[f], ns[f], ratio[f], octets, rounds);
    printf("image %.1f MiB; with -z %.1f MiB (%.2f : 1)\n", (double)image_size / 1048576.0,
           (double)zimage_size / 1048576.0,
           zimage_size ? (double)image_size / (double)zimage_size : 0.0);
    /* bench_median sorts: after it, [0] is the smallest and [rounds - 1] the largest. */
    double save_gbps = gbps(octets, bench_median(ns[SAVE], rounds));
    double restore_gbps = gbps(octets, bench_median(ns[RESTORE], rounds));
    double save_ratio = bench_median(ratio[SAVE], rounds);
    double restore_ratio = bench_median(ratio[RESTORE], rounds);
    double zlib_save_ratio = bench_median(ratio[ZSAVE], rounds);
    printf("RESULT save_ratio=%.3f restore_ratio=%.3f save_gbps=%.3f restore_gbps=%.3f "
           "zlib_save_ratio=%.3f save_ratio_min=%.3f save_ratio_max=%.3f "
           "restore_ratio_min=%.3f restore_ratio_max=%.3f\n",
           save_ratio, restore_ratio, save_gbps, restore_gbps, zlib_save_ratio, ratio[SAVE][0],
           ratio[SAVE][rounds - 1], ratio[RESTORE][0], ratio[RESTORE][rounds - 1]);
    uint32_t domid;
    if (hvctl_domain_lookup(h, DOMAIN_NAME, &domid) == 0)
        hvctl_domain_destroy(h, domid);
    hvctl_close(h);
    return 0;
}
