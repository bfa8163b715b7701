/*
 * patchtool's operations on a running hvd, over libhvctl: upload, the
 * actions (waiting for the scheduled ones to finish), load, list.  A
 * refusal is explained with the line hvd logged about the payload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "patchtool.h"

#define POLL_NS         1000000ull     /* between two looks at a pending action */
#define ACTION_SLACK_NS 10000000000ull /* beyond its timeout, for hvd to get to it */

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The last line of hvd's log about payload name, or "". */
static void logged_reason(hvctl_t *h, const char *name, char *out, size_t len)
{
    static char buf[65536];
    char want[96], line[512] = "";
    size_t used = 0;
    uint64_t index = 0;
    snprintf(want, sizeof(want), "livepatch: '%s'", name);
    snprintf(out, len, "%s", "");
    for (int n; (n = hvctl_readconsole(h, &index, buf, sizeof(buf))) > 0;) {
        for (int i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (used < sizeof(line) - 1)
                    line[used++] = buf[i];
                continue;
            }
            line[used] = '\0';
            used = 0;
            if (strstr(line, want))
                snprintf(out, len, "%s", strstr(line, want) + strlen("livepatch: "));
        }
    }
}

static int fail(hvctl_t *h, const char *what, const char *name, int rc)
{
    char reason[512];
    logged_reason(h, name, reason, sizeof(reason));
    pt_err(1, "%s %s: %s%s%s", what, name, strerror(-rc), reason[0] ? ": " : "", reason);
    return rc == -EBUSY || rc == -EAGAIN ? PT_EXIT_BUSY : PT_EXIT_FAIL;
}

static int read_payload(const char *file, uint8_t **data, size_t *size)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pt_err(PT_EXIT_FAIL, "cannot open %s: %s", file, strerror(errno));
    *data = malloc(LIVEPATCH_PAYLOAD_MAX + 1);
    ssize_t got = 0, n = 1;
    while (*data && got <= (ssize_t)LIVEPATCH_PAYLOAD_MAX &&
           (n = read(fd, *data + got, LIVEPATCH_PAYLOAD_MAX + 1 - (size_t)got)) > 0)
        got += n;
    close(fd);
    if (!*data || n < 0)
        return pt_err(PT_EXIT_FAIL, "cannot read %s: %s", file, strerror(errno));
    if (got > (ssize_t)LIVEPATCH_PAYLOAD_MAX)
        return pt_err(PT_EXIT_FAIL, "%s is larger than %u octets", file, LIVEPATCH_PAYLOAD_MAX);
    *size = (size_t)got;
    return 0;
}

int pt_upload(hvctl_t *h, const char *name, const char *file)
{
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = read_payload(file, &data, &size);
    if (rc == 0) {
        rc = hvctl_livepatch_upload(h, name, data, size);
        rc = rc ? fail(h, "upload", name, rc) : PT_EXIT_OK;
    }
    free(data);
    return rc;
}

static const char *action_verb(uint32_t cmd)
{
    switch (cmd) {
    case LIVEPATCH_ACTION_UNLOAD:
        return "unload";
    case LIVEPATCH_ACTION_REVERT:
        return "revert";
    case LIVEPATCH_ACTION_APPLY:
        return "apply";
    default:
        return "replace";
    }
}

/* A scheduled action's outcome, as GET reports it when it is no longer pending. */
static int wait_for_action(hvctl_t *h, const char *name, uint64_t timeout_ns)
{
    uint64_t deadline =
        monotonic_ns() + (timeout_ns ? timeout_ns : LIVEPATCH_TIMEOUT_DEFAULT_NS) + ACTION_SLACK_NS;
    struct xen_livepatch_status st;
    for (;;) {
        int rc = hvctl_livepatch_get(h, name, &st);
        if (rc < 0)
            return rc;
        if (st.rc != -EAGAIN)
            return st.rc;
        if (monotonic_ns() > deadline)
            return -ETIMEDOUT;
        struct timespec pause = { 0, (long)POLL_NS };
        nanosleep(&pause, NULL);
    }
}

int pt_action(hvctl_t *h, const char *name, uint32_t cmd, uint32_t flags, uint64_t timeout_ns)
{
    int rc = hvctl_livepatch_action(h, name, cmd, flags, timeout_ns);
    if (rc == 0 && cmd != LIVEPATCH_ACTION_UNLOAD)
        rc = wait_for_action(h, name, timeout_ns);
    return rc ? fail(h, action_verb(cmd), name, rc) : PT_EXIT_OK;
}

int pt_load(hvctl_t *h, const char *name, const char *file, uint64_t timeout_ns)
{
    int rc = pt_upload(h, name, file);
    if (rc)
        return rc;
    rc = pt_action(h, name, LIVEPATCH_ACTION_APPLY, 0, timeout_ns);
    if (rc) /* not applied: unloaded again, as patchtool(1) says */
        hvctl_livepatch_action(h, name, LIVEPATCH_ACTION_UNLOAD, 0, 0);
    return rc;
}

static void hex(const uint8_t *b, uint32_t n, char *out)
{
    out[0] = '\0';
    for (uint32_t i = 0; i < n && i < LIVEPATCH_BUILD_ID_MAX; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void print_entry(const struct xen_livepatch_info *i, bool json, bool first)
{
    char id[2 * LIVEPATCH_BUILD_ID_MAX + 1], dep[2 * LIVEPATCH_BUILD_ID_MAX + 1];
    const char *state = i->status.state == LIVEPATCH_STATE_APPLIED ? "applied" : "checked";
    hex(i->build_id, i->build_id_len, id);
    hex(i->depends, i->depends_len, dep);
    if (json)
        printf("%s\n  {\"name\": \"%s\", \"state\": \"%s\", \"rc\": %d, \"functions\": %u, "
               "\"applied_order\": %u, \"build_id\": \"%s\", \"depends\": \"%s\", "
               "\"memory\": %llu, \"action_ns\": %llu, \"held_ns\": %llu}",
               first ? "" : ",", i->name.name, state, i->status.rc, i->nr_funcs, i->applied_order,
               id, dep, (unsigned long long)i->memory, (unsigned long long)i->action_ns,
               (unsigned long long)i->held_ns);
    else
        printf("%-24s %-8s %5d %5u %5u %-40s %s\n", i->name.name, state, i->status.rc, i->nr_funcs,
               i->applied_order, id, dep[0] ? dep : "-");
}

int pt_list(hvctl_t *h, bool json)
{
    static struct xen_livepatch_info info[LIVEPATCH_PAYLOADS_MAX];
    uint32_t idx = 0, nr, remaining, version, first_version = 0;
    do {
        int rc =
            hvctl_livepatch_list(h, idx, info, LIVEPATCH_PAYLOADS_MAX, &nr, &remaining, &version);
        if (rc < 0)
            return pt_err(PT_EXIT_FAIL, "cannot list payloads: %s", strerror(-rc));
        if (idx && version != first_version)
            return pt_err(PT_EXIT_BUSY, "the list changed while it was read: try again");
        if (idx == 0 && json)
            printf("[");
        else if (idx == 0)
            printf("%-24s %-8s %5s %5s %5s %-40s %s\n", "name", "state", "rc", "funcs", "order",
                   "build-id", "depends");
        first_version = version;
        for (uint32_t i = 0; i < nr; i++)
            print_entry(&info[i], json, idx + i == 0);
        idx += nr;
    } while (remaining && nr);
    if (json)
        printf("%s]\n", idx ? "\n" : "");
    return PT_EXIT_OK;
}
