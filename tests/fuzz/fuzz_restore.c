/*
 * libFuzzer target: libhvguest's restore engine (hvguest_restore) on
 * arbitrary streams, against the hvd at $HVD_SOCKET.  After every input:
 * a failed restore said why and left no domain behind, a successful one
 * made a domain that destroys cleanly, and hvd still answers.  A crash, a
 * sanitizer report, a leak or a broken invariant is a bug in the engine,
 * its libraries or hvd.  tests/fuzz/fuzz_restore.sh runs it; see
 * docs/fuzzing.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hvctl.h>
#include <hvguest.h>

static hvctl_t *hvd;

static void broken(const char *what, int rc)
{
    fprintf(stderr, "fuzz_restore: %s (rc %d)\n", what, rc);
    abort();
}

static int input_fd(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0)
        fd = memfd_create("fuzz_restore", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
        lseek(fd, 0, SEEK_SET) != 0)
        broken("the harness cannot make its input file", -errno);
    return fd;
}

/* Domains that are not on their way out. */
static int live_domains(void)
{
    struct xen_domctl_getdomaininfo info[64];
    int live = 0, n;

    for (uint32_t first = 0; (n = hvctl_domain_list(hvd, first, info, 64)) > 0;
         first = info[n - 1].domain + 1u) {
        for (int i = 0; i < n; i++)
            live += !(info[i].flags & XEN_DOMINF_dying);
    }
    if (n < 0)
        broken("hvd stopped answering", n);
    return live;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    int rc = hvctl_open(&hvd, NULL);
    if (rc < 0)
        broken("cannot connect to hvd ($HVD_SOCKET)", rc);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hvguest_status st;
    uint32_t domid = 0;
    int before = live_domains();
    int rc = hvguest_restore(hvd, input_fd(data, size), 0, NULL, NULL, &domid, &st);

    if (rc == 0 && (rc = hvctl_domain_destroy(hvd, domid)) < 0)
        broken("a restored domain does not destroy", rc);
    else if (rc < 0 && st.error[0] == '\0')
        broken("a failed restore did not say why", rc);
    if (live_domains() != before)
        broken("a domain was left behind", rc);
    return 0;
}
