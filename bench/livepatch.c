/*
 * bench/livepatch: how long a live patch holds hvd's threads.  With 1, 2
 * and 8 busy vCPUs (1-vCPU domains, alternately looping in ring 3 and on a
 * hypercall), CYCLES apply/revert cycles of a payload; for each action hvd
 * reports (LIVEPATCH_LIST) the time from the request to every thread
 * resumed and the time its threads were held: from the first one stopping
 * to the last one resumed.  The reference, in the same run and with the
 * same domains, is what stopping every vCPU costs otherwise: pausing every
 * domain and unpausing it again.
 *
 * Usage: bench/livepatch [-c CYCLES] -p PAYLOAD GUEST_ELF   (hvd at $HVD_SOCKET)
 * GUEST_ELF is tests/guests/hello.elf, PAYLOAD a payload built for this
 * hvd (tests/livepatch/hello.livepatch).
 * Last line: RESULT held_us_2=A held_us_8=B p99_us_8=C held_us_1=.. action_us_2=..
 *   held_us_N    median time the threads were held, N busy vCPUs
 *   p99_us_8     its 99th percentile with 8
 *   action_us_N  median time from the request to every thread resumed
 *   pause_us_N   median pause-all + unpause-all (the reference)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hvctl.h>
#include <hvguest.h>

#include "bench.h"

#define DEFAULT_CYCLES 100ul
#define MAX_CYCLES     10000ul
#define MAX_BUSY       8u
#define PAYLOAD_NAME   "bench"
#define RAM_PAGES      (16u << 8) /* 16 MiB */

static const unsigned int busy_counts[] = { 1, 2, 8 };

struct run {
    double held_us[2 * MAX_CYCLES], action_us[2 * MAX_CYCLES], pause_us[MAX_CYCLES];
    size_t n_actions, n_pauses;
};

static void create_busy_domains(hvctl_t *h, const void *elf, size_t len, unsigned int n,
                                uint32_t *domids)
{
    for (unsigned int i = 0; i < n; i++) {
        struct xen_domctl_createdomain cfg = { .max_vcpus = 1,
                                               .max_pages = RAM_PAGES,
                                               .init_pages = RAM_PAGES };
        int rc = hvctl_domain_create(h, &cfg, &domids[i]);
        if (rc == 0)
            rc = hvguest_build_elf(h, domids[i], elf, len, i % 2 ? "hypercalls" : "spin", NULL);
        if (rc == 0)
            rc = hvctl_domain_unpause(h, domids[i]);
        if (rc < 0)
            bench_fail("creating a busy domain", rc);
    }
}

/* One scheduled action, waited for; its figures from LIVEPATCH_LIST. */
static void timed_action(hvctl_t *h, uint32_t cmd, struct run *r)
{
    int rc = hvctl_livepatch_action(h, PAYLOAD_NAME, cmd, 0, LIVEPATCH_TIMEOUT_MAX_NS);
    struct xen_livepatch_status st = { .rc = -EAGAIN };
    while (rc == 0 && st.rc == -EAGAIN) {
        bench_sleep_us(50);
        rc = hvctl_livepatch_get(h, PAYLOAD_NAME, &st);
    }
    if (rc == 0)
        rc = st.rc;
    if (rc < 0)
        bench_fail(cmd == LIVEPATCH_ACTION_APPLY ? "apply" : "revert", rc);
    static struct xen_livepatch_info info[LIVEPATCH_PAYLOADS_MAX];
    uint32_t nr, remaining, version;
    rc = hvctl_livepatch_list(h, 0, info, LIVEPATCH_PAYLOADS_MAX, &nr, &remaining, &version);
    for (uint32_t i = 0; rc == 0 && i < nr; i++) {
        if (strcmp(info[i].name.name, PAYLOAD_NAME))
            continue;
        r->held_us[r->n_actions] = (double)info[i].held_ns / 1e3;
        r->action_us[r->n_actions++] = (double)info[i].action_ns / 1e3;
        return;
    }
    bench_fail("reading the action's figures", rc ? rc : -ENOENT);
}

static void timed_pause_all(hvctl_t *h, const uint32_t *domids, unsigned int n, struct run *r)
{
    uint64_t t0 = bench_now_ns();
    for (unsigned int i = 0; i < n; i++) {
        int rc = hvctl_domain_pause(h, domids[i]);
        if (rc < 0)
            bench_fail("pause", rc);
    }
    for (unsigned int i = 0; i < n; i++) {
        int rc = hvctl_domain_unpause(h, domids[i]);
        if (rc < 0)
            bench_fail("unpause", rc);
    }
    r->pause_us[r->n_pauses++] = (double)(bench_now_ns() - t0) / 1e3;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench/livepatch [-c CYCLES] -p PAYLOAD GUEST_ELF\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long cycles = DEFAULT_CYCLES;
    const char *payload_path = NULL;
    for (int c; (c = getopt(argc, argv, "c:p:")) != -1;) {
        if (c == 'c')
            cycles = bench_parse_count("-c", optarg);
        else if (c == 'p')
            payload_path = optarg;
        else
            usage();
    }
    if (optind != argc - 1 || !payload_path || cycles > MAX_CYCLES)
        usage();
    void *elf, *payload;
    size_t elf_len, payload_len;
    hvctl_t *h;
    int rc = bench_read_file(argv[optind], &elf, &elf_len);
    if (rc == 0)
        rc = bench_read_file(payload_path, &payload, &payload_len);
    if (rc < 0)
        bench_fail("reading the guest or the payload", rc);
    if ((rc = hvctl_open(&h, getenv("HVD_SOCKET"))) < 0)
        bench_fail("connecting to hvd", rc);
    if ((rc = hvctl_livepatch_upload(h, PAYLOAD_NAME, payload, payload_len)) < 0)
        bench_fail("uploading the payload (hvd's log says why)", rc);

    static struct run runs[sizeof(busy_counts) / sizeof(busy_counts[0])];
    printf("%-6s %26s %26s %26s %8s\n", "busy", "held us (p99)", "request->resumed us",
           "pause+unpause all us", "held/ref");
    for (size_t k = 0; k < sizeof(busy_counts) / sizeof(busy_counts[0]); k++) {
        unsigned int n = busy_counts[k];
        uint32_t domids[MAX_BUSY];
        struct run *r = &runs[k];
        create_busy_domains(h, elf, elf_len, n, domids);
        bench_sleep_us(200000); /* let them get going */
        for (unsigned long i = 0; i < cycles; i++) {
            timed_action(h, LIVEPATCH_ACTION_APPLY, r);
            timed_action(h, LIVEPATCH_ACTION_REVERT, r);
            timed_pause_all(h, domids, n, r);
        }
        for (unsigned int i = 0; i < n; i++)
            hvctl_domain_destroy(h, domids[i]);
        char held[48], action[48], ref[48];
        double p99 = bench_percentile(r->held_us, r->n_actions, 99);
        double held_median = bench_median(r->held_us, r->n_actions);
        double ref_median = bench_median(r->pause_us, r->n_pauses);
        snprintf(held, sizeof(held), "%.0f (%.0f)", held_median, p99);
        printf("%-6u %26s %26s %26s %8.2f\n", n, held,
               bench_spread(r->action_us, r->n_actions, 0, action, sizeof(action)),
               bench_spread(r->pause_us, r->n_pauses, 0, ref, sizeof(ref)),
               held_median / ref_median);
    }
    hvctl_livepatch_action(h, PAYLOAD_NAME, LIVEPATCH_ACTION_UNLOAD, 0, 0);
    hvctl_close(h);
    printf("RESULT held_us_2=%.0f held_us_8=%.0f p99_us_8=%.0f held_us_1=%.0f action_us_1=%.0f "
           "action_us_2=%.0f action_us_8=%.0f pause_us_1=%.0f pause_us_2=%.0f pause_us_8=%.0f\n",
           bench_median(runs[1].held_us, runs[1].n_actions),
           bench_median(runs[2].held_us, runs[2].n_actions),
           bench_percentile(runs[2].held_us, runs[2].n_actions, 99),
           bench_median(runs[0].held_us, runs[0].n_actions),
           bench_median(runs[0].action_us, runs[0].n_actions),
           bench_median(runs[1].action_us, runs[1].n_actions),
           bench_median(runs[2].action_us, runs[2].n_actions),
           bench_median(runs[0].pause_us, runs[0].n_pauses),
           bench_median(runs[1].pause_us, runs[1].n_pauses),
           bench_median(runs[2].pause_us, runs[2].n_pauses));
    free(elf);
    free(payload);
    return 0;
}
