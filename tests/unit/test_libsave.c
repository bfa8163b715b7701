/*
 * libhvsave: round trips through a pipe with every record type, plain and
 * compressed, and the reader against every kind of bad input the spec
 * (docs/specs/save-stream.md) rules out: truncation at every offset, each
 * header field corrupted, unknown record types, over-limit lengths,
 * non-zero padding, gfns outside the domain, overflowing counts and bad
 * zlib data.  Each case checks the exact error and that the reader freed
 * everything it allocated.  Migration streams (rounds of pages and holes,
 * spec section 13) round-trip, and each of their rules has a case, for the
 * reader and for the writer.  Readers and writers with a timeout give up
 * on a peer that stalls, and wait for a slow one, on pipes and sockets,
 * blocking or O_NONBLOCK.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * over the library's sources, so it sees every allocation libhvsave makes.
 *
 * `test_libsave --write-seeds DIR` writes small valid streams to DIR as
 * the seed corpus of the fuzzer (tests/fuzz/fuzz_save_reader.c).
 *
 * Prints "ok NAME" or "not ok NAME: why" per test; exits non-zero on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hvsave.h"

/* ---- allocation accounting (-Wl,--wrap) -------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static long live_blocks;      /* blocks allocated and not yet freed */
static size_t largest_request; /* the largest single request since reset */

static void note_request(size_t n)
{
    if (n > largest_request)
        largest_request = n;
}

void *__wrap_malloc(size_t n)
{
    note_request(n);
    void *p = __real_malloc(n);
    live_blocks += p != NULL;
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    note_request(size && n > SIZE_MAX / size ? SIZE_MAX : n * size);
    void *p = __real_calloc(n, size);
    live_blocks += p != NULL;
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    note_request(n);
    void *p = __real_realloc(old, n);
    live_blocks += old == NULL && p != NULL;
    return p;
}

void __wrap_free(void *p)
{
    live_blocks -= p != NULL;
    __real_free(p);
}

/* ---- reporting ------------------------------------------------------------ */

static int passed, failed;
static char why[512]; /* the current test's first failure */
/* Read page records with HVSAVE_READ_PAGES_LATER, taking their pages with
 * hvsave_read_pages() (the reader tests run both ways). */
static bool pages_later;

__attribute__((format(printf, 1, 2))) static bool fail(const char *fmt, ...)
{
    if (why[0])
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return false;
}

#define CHECK(cond, ...) ((cond) ? true : fail(__VA_ARGS__))

static const char *current_test; /* for the watchdog */

static void run(const char *name, void (*test)(void))
{
    current_test = name;
    why[0] = '\0';
    test();
    const char *mode = pages_later ? " (pages later)" : "";
    if (why[0]) {
        printf("not ok %s%s: %s\n", name, mode, why);
        failed++;
    } else {
        printf("ok %s%s\n", name, mode);
        passed++;
    }
    fflush(stdout);
}

static void die(const char *what)
{
    printf("not ok setup: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* ---- byte buffers and fds --------------------------------------------------- */

struct buf {
    uint8_t *p;
    size_t n;
};

static void buf_free(struct buf *b)
{
    free(b->p);
    *b = (struct buf){ NULL, 0 };
}

static struct buf buf_copy(const struct buf *b)
{
    struct buf c = { malloc(b->n ? b->n : 1), b->n };
    if (!c.p)
        die("malloc");
    memcpy(c.p, b->p, b->n);
    return c;
}

/* Insert n octets at offset at. */
static void buf_insert(struct buf *b, size_t at, const void *p, size_t n)
{
    uint8_t *q = realloc(b->p, b->n + n);
    if (!q)
        die("realloc");
    memmove(q + at + n, q + at, b->n - at);
    memcpy(q + at, p, n);
    b->p = q;
    b->n += n;
}

/* Remove the octets [from, to). */
static void buf_cut(struct buf *b, size_t from, size_t to)
{
    memmove(b->p + from, b->p + to, b->n - to);
    b->n -= to - from;
}

static void put32(struct buf *b, size_t at, uint32_t v)
{
    memcpy(b->p + at, &v, 4);
}

static void put64(struct buf *b, size_t at, uint64_t v)
{
    memcpy(b->p + at, &v, 8);
}

static void write_all(int fd, const void *p, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t k = write(fd, (const char *)p + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            die("write");
        done += (size_t)k;
    }
}

/* A memfd holding p[0..n-1], positioned at 0: the reader just reads it. */
static int fd_with(const void *p, size_t n)
{
    int fd = memfd_create("hvsave-test", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    write_all(fd, p, n);
    if (lseek(fd, 0, SEEK_SET) != 0)
        die("lseek");
    return fd;
}

static struct buf fd_contents(int fd)
{
    off_t end = lseek(fd, 0, SEEK_END);
    struct buf b = { malloc(end > 0 ? (size_t)end : 1), (size_t)end };
    if (end < 0 || !b.p || pread(fd, b.p, b.n, 0) != (ssize_t)b.n)
        die("reading back a memfd");
    return b;
}

/* ---- a domain to save ------------------------------------------------------ */

#define NR_PAGES_WINDOW 8192u /* the fixture's RAM window: gfns 0..8191 */

struct fixture {
    struct hvsave_domain_header dh;
    uint32_t nr;        /* pages saved */
    uint64_t *gfns;
    uint8_t *pages;     /* nr * 4096 */
    struct hv_save_vm_state vm;
    uint8_t *vcpu[2];
    uint32_t vcpu_len[2];
    struct hv_save_shared_info si;
    struct {
        struct hv_save_event_channels h;
        struct hv_save_evtchn c[3];
    } evtchn;
    struct {
        struct hv_save_timers h;
        struct hv_save_timer t[2];
    } timers;
    struct {
        struct hv_save_console_ring h;
        char data[5]; /* 21 octets of body: 3 of padding */
    } console;
    struct hvsave_run_state run;
    unsigned with; /* which of the hvd 1.1 records fixture_write() writes: WITH_* */
};

/* The records a stream of hvd 1.1 on may carry, and a stream of hvd 1.0 may not. */
#define WITH_SHARED_INFO    (1u << 0)
#define WITH_EVENT_CHANNELS (1u << 1)
#define WITH_TIMERS         (1u << 2)
#define WITH_RUN_STATE      (1u << 3)
#define WITH_ALL            0xfu

/*
 * Page i: zero (i % 3 == 0), a repeating pattern (1) or pseudo-random
 * bytes that do not compress (2), so a zlib stream has both record kinds.
 */
static void fill_page(uint8_t *p, uint32_t i)
{
    uint64_t x = 0x9e3779b97f4a7c15ull * (i + 1);
    for (size_t k = 0; k < HV_SAVE_PAGE_SIZE; k++) {
        if (i % 3 == 0)
            p[k] = 0;
        else if (i % 3 == 1)
            p[k] = (uint8_t)(i + k % 7);
        else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            p[k] = (uint8_t)x;
        }
    }
}

/* A VCPU record with an XSAVE area of xsave_len octets (XSTATE_BV 3 at 512). */
static uint8_t *make_vcpu(uint32_t id, uint32_t nr_msrs, uint32_t xsave_len, uint32_t *len)
{
    *len = (uint32_t)sizeof(struct hv_save_vcpu) + xsave_len + 16 * nr_msrs;
    uint8_t *b = calloc(1, *len);
    if (!b)
        die("calloc");
    struct hv_save_vcpu *v = (void *)b;
    v->vcpu_id = id;
    v->flags = HV_SAVE_VCPU_ONLINE | HV_SAVE_VCPU_LAPIC;
    v->mp_state = id ? HV_SAVE_MP_HALTED : HV_SAVE_MP_RUNNABLE;
    v->nr_xcrs = 1;
    v->xcrs[0] = (struct hv_save_xcr){ .index = 0, .value = 7 };
    v->xsave_len = xsave_len;
    v->nr_msrs = nr_msrs;
    v->regs.rip = 0x100000 + id;
    v->regs.rsp = 0x7ff000 - 0x1000 * id;
    v->regs.rflags = 0x202;
    v->sregs.cs = (struct hv_save_segment){ .selector = 0x8, .type = 11, .present = 1, .s = 1, .l = 1,
                                            .g = 1, .limit = 0xffffffff };
    v->sregs.cr0 = 0x80050033;
    v->sregs.efer = 0x500;
    v->events.flags = HV_SAVE_EVENTS_NMI_PENDING | HV_SAVE_EVENTS_SIPI_VECTOR;
    v->events.interrupt_nr = 0x30;
    v->lapic[0x20 + 3] = (uint8_t)id;
    uint8_t *xsave = b + sizeof(*v);
    for (uint32_t k = 0; k < xsave_len; k++)
        xsave[k] = (uint8_t)(k * 31 + id);
    memcpy(xsave + 512, &(uint64_t){ 3 }, 8); /* XSTATE_BV: x87 and SSE */
    struct hv_save_msr *msrs = (void *)(xsave + xsave_len);
    for (uint32_t k = 0; k < nr_msrs; k++)
        msrs[k] = (struct hv_save_msr){ .index = 0x10 + 0x100 * k, .value = 0x1111111111ull * (k + 1) };
    return b;
}

static void fixture_init(struct fixture *f, uint32_t nr)
{
    memset(f, 0, sizeof(*f));
    f->dh = (struct hvsave_domain_header){ .hvd_version = HV_SAVE_HVD_1_1, .nr_vcpus = 2,
                                           .nr_pages = NR_PAGES_WINDOW, .tot_pages = nr,
                                           .config = "{\"name\": \"t\", \"memory\": 32}" };
    f->nr = nr;
    f->gfns = malloc(sizeof(uint64_t) * nr);
    f->pages = malloc((size_t)nr * HV_SAVE_PAGE_SIZE);
    if (!f->gfns || !f->pages)
        die("malloc");
    for (uint32_t i = 0; i < nr; i++) {
        f->gfns[i] = (uint64_t)i * 7 % NR_PAGES_WINDOW; /* distinct: 7 is prime to 8192 */
        fill_page(f->pages + (size_t)i * HV_SAVE_PAGE_SIZE, i);
    }
    f->vm.flags = HV_SAVE_VM_IRQCHIP | HV_SAVE_VM_PIT;
    f->vm.pic_master.irq_base = 0x20;
    f->vm.pic_slave.irq_base = 0x28;
    f->vm.ioapic.base_address = 0xfec00000;
    f->vm.ioapic.redirtbl[4] = 0x10000;
    f->vm.pit.channels[0] = (struct hv_save_pit_channel){ .count = 65536, .rw_mode = 3, .mode = 2,
                                                          .gate = 1, .count_load_time = 12345 };
    f->vm.clock = (struct hv_save_clock){ .clock_ns = 987654321, .realtime_ns = 1700000000000000000ull,
                                          .flags = HV_SAVE_CLOCK_TSC_STABLE };
    /* vCPU 1 as a host without XSAVE saves it: the smallest area the spec allows. */
    for (uint32_t v = 0; v < 2; v++)
        f->vcpu[v] = make_vcpu(v, 3 + v, v ? HV_SAVE_XSAVE_MIN : 4096, &f->vcpu_len[v]);
    f->si.gfn = NR_PAGES_WINDOW - 1;
    memset(f->si.page, 0x5a, sizeof(f->si.page));
    f->evtchn.h = (struct hv_save_event_channels){ .nr_channels = 3, .upcall_vector = 0xf3 };
    f->evtchn.c[0] = (struct hv_save_evtchn){ .port = 1, .state = HV_SAVE_EVTCHN_VIRQ, .virq = 0 };
    f->evtchn.c[1] = (struct hv_save_evtchn){ .port = 2, .state = HV_SAVE_EVTCHN_UNBOUND, .vcpu = 1 };
    f->evtchn.c[2] = (struct hv_save_evtchn){ .port = 7, .state = HV_SAVE_EVTCHN_INTERDOMAIN,
                                              .remote_domid = 3, .remote_port = 9 };
    f->timers.h.nr_timers = 2;
    f->timers.t[0] = (struct hv_save_timer){ .vcpu = 0, .kind = HV_SAVE_TIMER_SINGLESHOT,
                                             .deadline_ns = 1000000000 };
    f->timers.t[1] = (struct hv_save_timer){ .vcpu = 1, .kind = HV_SAVE_TIMER_PERIODIC,
                                             .deadline_ns = 1000500000, .period_ns = 1000000 };
    f->console.h.lost = 17;
    f->console.h.len = 5;
    memcpy(f->console.data, "hello", 5);
    f->run = (struct hvsave_run_state){ HVSAVE_RUN_SHUTDOWN, 3 }; /* crash */
    f->with = WITH_ALL;
}

static void fixture_free(struct fixture *f)
{
    free(f->gfns);
    free(f->pages);
    free(f->vcpu[0]);
    free(f->vcpu[1]);
}

/* The records after the memory, up to END; 0 or the first error. */
static int fixture_write_state(struct hvsave_writer *w, const struct fixture *f)
{
    int rc = hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f->vm, sizeof(f->vm));
    for (uint32_t v = 0; v < 2 && !rc; v++)
        rc = hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f->vcpu[v], f->vcpu_len[v]);
    if (!rc && (f->with & WITH_SHARED_INFO))
        rc = hvsave_write_record(w, HV_SAVE_TYPE_SHARED_INFO, &f->si, sizeof(f->si));
    if (!rc && (f->with & WITH_EVENT_CHANNELS))
        rc = hvsave_write_record(w, HV_SAVE_TYPE_EVENT_CHANNELS, &f->evtchn, sizeof(f->evtchn));
    if (!rc && (f->with & WITH_TIMERS))
        rc = hvsave_write_record(w, HV_SAVE_TYPE_TIMERS, &f->timers, sizeof(f->timers));
    if (!rc && (f->with & WITH_RUN_STATE))
        rc = hvsave_write_run_state(w, &f->run);
    return rc ? rc : hvsave_writer_finish(w);
}

/* Write the fixture as a complete stream, waiting at most timeout_ms for fd; 0 or the first error. */
static int fixture_write_timeout(const struct fixture *f, int fd, unsigned flags, int timeout_ms)
{
    struct hvsave_writer *w;
    int rc = hvsave_writer_open_timeout(&w, fd, &f->dh, flags, timeout_ms);
    if (!rc) /* an optional record first: they may come anywhere */
        rc = hvsave_write_record(w, HV_SAVE_TYPE_CONSOLE_RING, &f->console, 21);
    if (!rc)
        rc = hvsave_write_pages(w, f->gfns, f->pages, f->nr);
    if (!rc)
        rc = fixture_write_state(w, f);
    hvsave_writer_close(w);
    return rc;
}

static int fixture_write(const struct fixture *f, int fd, unsigned flags)
{
    return fixture_write_timeout(f, fd, flags, 0);
}

static struct buf fixture_bytes(const struct fixture *f, unsigned flags)
{
    int fd = memfd_create("hvsave-test", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    int rc = fixture_write(f, fd, flags);
    if (rc) {
        printf("not ok setup: writing the fixture: %s\n", strerror(-rc));
        exit(2);
    }
    struct buf b = fd_contents(fd);
    close(fd);
    return b;
}

/* A small stream: 3 pages (zero, pattern, random). */
static struct buf small_stream(unsigned flags)
{
    struct fixture f;
    fixture_init(&f, 3);
    struct buf b = fixture_bytes(&f, flags);
    fixture_free(&f);
    return b;
}

/* ---- walking a stream's bytes ------------------------------------------------- */

#define HEADERS_END(b) (24 + 32 + (size_t)(((uint32_t *)((b)->p + 48))[0] + 7) / 8 * 8)

/* Offset of the n-th record (0-based) of the given type, or 0 if none. */
static size_t find_record(const struct buf *b, uint32_t type, unsigned n)
{
    for (size_t at = HEADERS_END(b); at + 8 <= b->n;) {
        uint32_t t, len;
        memcpy(&t, b->p + at, 4);
        memcpy(&len, b->p + at + 4, 4);
        if (t == type && n-- == 0)
            return at;
        at += 8 + (size_t)len + ((8 - (len & 7)) & 7);
    }
    return 0;
}

/* Offsets of every record header, and the stream's end. */
static size_t record_boundaries(const struct buf *b, size_t *out, size_t max)
{
    size_t n = 0;
    out[n++] = 24;
    for (size_t at = HEADERS_END(b); at <= b->n && n < max;) {
        out[n++] = at;
        if (at + 8 > b->n)
            break;
        uint32_t len;
        memcpy(&len, b->p + at + 4, 4);
        at += 8 + (size_t)len + ((8 - (len & 7)) & 7);
    }
    return n;
}

/* ---- reading ---------------------------------------------------------------- */

struct result {
    int rc;
    char err[320];
    unsigned records;  /* returned, END included */
    unsigned skipped;
    uint32_t skipped_type;
};

/*
 * A page record's pages: with pages_later, taken into a buffer of ours,
 * the first page alone and then the rest (so a record's end is checked
 * after more than one call); *data points at them either way.
 */
static int take_pages(struct hvsave_reader *r, const struct hvsave_record *rec, const uint8_t **data)
{
    static uint8_t pages[HV_SAVE_PAGES_PER_RECORD * 4096];
    bool is_pages = rec->type == HV_SAVE_TYPE_PAGE_DATA || rec->type == HV_SAVE_TYPE_PAGE_DATA_ZLIB;
    if (data)
        *data = pages_later ? pages : rec->u.pages.data;
    if (!is_pages || !pages_later)
        return 0;
    if (rec->u.pages.data)
        return fail("HVSAVE_READ_PAGES_LATER: the record came with its pages"), -EPROTO;
    int rc = hvsave_read_pages(r, pages, 1);
    if (!rc && rec->u.pages.count > 1)
        rc = hvsave_read_pages(r, pages + 4096, rec->u.pages.count - 1);
    return rc;
}

/*
 * Read every record from fd, waiting at most timeout_ms for it; checks
 * that the reader freed all it allocated.
 */
static struct result read_fd_timeout(int fd, int timeout_ms)
{
    struct result res = { 0 };
    long before = live_blocks;
    struct hvsave_reader *r;
    struct hvsave_record rec;
    res.rc = hvsave_reader_open_timeout(&r, fd, timeout_ms);
    if (!res.rc && pages_later)
        res.rc = hvsave_reader_set_flags(r, HVSAVE_READ_PAGES_LATER);
    while (!res.rc) {
        res.rc = hvsave_read_record(r, &rec);
        if (!res.rc)
            res.rc = take_pages(r, &rec, NULL);
        if (res.rc)
            break;
        res.records++;
        if (rec.skipped) {
            res.skipped++;
            res.skipped_type = rec.type;
        }
        if (rec.type == HV_SAVE_TYPE_END)
            break;
    }
    snprintf(res.err, sizeof(res.err), "%s", hvsave_reader_error(r));
    hvsave_reader_close(r);
    if (live_blocks != before)
        fail("the reader leaked %ld blocks (rc %d: %s)", live_blocks - before, res.rc, res.err);
    return res;
}

static struct result read_fd(int fd)
{
    return read_fd_timeout(fd, 0);
}

static struct result read_bytes(const struct buf *b)
{
    int fd = fd_with(b->p, b->n);
    struct result res = read_fd(fd);
    close(fd);
    return res;
}

/* The stream b must fail with rc and a message containing each of the words. */
static bool expect_error(const struct buf *b, int rc, const char *what, const char *w1, const char *w2)
{
    struct result res = read_bytes(b);
    if (res.rc != rc)
        return fail("%s: rc %d (%s), want %d (%s); message '%s'", what, res.rc, strerror(-res.rc), rc,
                    strerror(-rc), res.err);
    if ((w1 && !strstr(res.err, w1)) || (w2 && !strstr(res.err, w2)))
        return fail("%s: message '%s' does not name '%s'%s%s", what, res.err, w1 ? w1 : "",
                    w2 ? " and " : "", w2 ? w2 : "");
    return true;
}

/* ---- round trips -------------------------------------------------------------- */

/* Check every record read from fd against the fixture. */
static bool verify_stream(const struct fixture *f, int fd, unsigned *zlib_records, unsigned *plain_records)
{
    struct hvsave_reader *r;
    struct hvsave_record rec;
    uint32_t *seen = calloc(NR_PAGES_WINDOW, sizeof(uint32_t)); /* gfn -> page index + 1 */
    for (uint32_t i = 0; i < f->nr; i++)
        seen[f->gfns[i]] = i + 1;
    uint32_t pages = 0, vcpus = 0;
    unsigned other = 0;
    int rc = hvsave_reader_open(&r, fd);
    CHECK(!rc, "open: %s", hvsave_reader_error(r));
    if (!rc && pages_later)
        rc = hvsave_reader_set_flags(r, HVSAVE_READ_PAGES_LATER);
    const struct hvsave_domain_header *dh = hvsave_reader_domain(r);
    if (!rc)
        CHECK(dh->nr_vcpus == 2 && dh->nr_pages == NR_PAGES_WINDOW && dh->tot_pages == f->nr &&
                  dh->hvd_version == HV_SAVE_HVD_1_1 && strcmp(dh->config, f->dh.config) == 0,
              "the domain header did not survive");
    while (!rc && !why[0]) {
        const uint8_t *data = NULL;
        rc = hvsave_read_record(r, &rec);
        if (!rc)
            rc = take_pages(r, &rec, &data);
        if (rc) {
            fail("record: %s", hvsave_reader_error(r));
            break;
        }
        if (rec.type == HV_SAVE_TYPE_END)
            break;
        switch (rec.type) {
        case HV_SAVE_TYPE_PAGE_DATA:
        case HV_SAVE_TYPE_PAGE_DATA_ZLIB:
            *(rec.type == HV_SAVE_TYPE_PAGE_DATA ? plain_records : zlib_records) += 1;
            for (uint32_t i = 0; i < rec.u.pages.count; i++) {
                uint32_t idx = seen[rec.u.pages.gfns[i]];
                if (!CHECK(idx, "gfn %#" PRIx64 " was not saved", rec.u.pages.gfns[i]))
                    break;
                CHECK(memcmp(data + (size_t)i * 4096,
                             f->pages + (size_t)(idx - 1) * 4096, 4096) == 0,
                      "page at gfn %#" PRIx64 " differs", rec.u.pages.gfns[i]);
                pages++;
            }
            break;
        case HV_SAVE_TYPE_VM_STATE:
            CHECK(memcmp(rec.u.vm_state, &f->vm, sizeof(f->vm)) == 0, "VM_STATE differs");
            other++;
            break;
        case HV_SAVE_TYPE_VCPU:
            CHECK(rec.u.vcpu.vcpu->vcpu_id == vcpus && rec.length == f->vcpu_len[vcpus] &&
                      memcmp(rec.body, f->vcpu[vcpus], rec.length) == 0 &&
                      rec.u.vcpu.msrs[0].index == 0x10 &&
                      rec.u.vcpu.xsave[1] == (uint8_t)(31 + vcpus),
                  "VCPU %u differs", vcpus);
            vcpus++;
            break;
        case HV_SAVE_TYPE_SHARED_INFO:
            CHECK(memcmp(rec.u.shared_info, &f->si, sizeof(f->si)) == 0, "SHARED_INFO differs");
            other++;
            break;
        case HV_SAVE_TYPE_EVENT_CHANNELS:
            CHECK(rec.u.evtchn.hdr->nr_channels == 3 && rec.u.evtchn.channels[2].remote_port == 9 &&
                      memcmp(rec.body, &f->evtchn, sizeof(f->evtchn)) == 0,
                  "EVENT_CHANNELS differ");
            other++;
            break;
        case HV_SAVE_TYPE_TIMERS:
            CHECK(rec.u.timers.timers[1].period_ns == 1000000 &&
                      memcmp(rec.body, &f->timers, sizeof(f->timers)) == 0,
                  "TIMERS differ");
            other++;
            break;
        case HV_SAVE_TYPE_RUN_STATE:
            CHECK(rec.u.run_state->state == f->run.state &&
                      rec.u.run_state->shutdown_reason == f->run.shutdown_reason,
                  "RUN_STATE differs");
            other++;
            break;
        case HV_SAVE_TYPE_CONSOLE_RING:
            CHECK(rec.u.console.hdr->lost == 17 && memcmp(rec.u.console.data, "hello", 5) == 0,
                  "CONSOLE_RING differs");
            other++;
            break;
        default:
            fail("unexpected record type %#x", rec.type);
        }
    }
    CHECK(pages == f->nr, "%u pages read back, %u written", pages, f->nr);
    CHECK(vcpus == 2 && other == 6, "%u VCPU and %u other records read back", vcpus, other);
    struct hvsave_run_state rs;
    CHECK(hvsave_reader_run_state(r, &rs) == 0 && rs.state == f->run.state &&
              rs.shutdown_reason == f->run.shutdown_reason,
          "the run state did not survive");
    hvsave_reader_close(r);
    free(seen);
    return !why[0];
}

/* Write the fixture into a pipe from a child process and read it here. */
static void roundtrip_pipe(unsigned flags, bool want_zlib)
{
    struct fixture f;
    fixture_init(&f, 5000); /* two page records: 4096 + 904 */
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(p[0]);
        _exit(fixture_write(&f, p[1], flags) ? 1 : 0);
    }
    close(p[1]);
    unsigned zlib_records = 0, plain_records = 0;
    long before = live_blocks;
    verify_stream(&f, p[0], &zlib_records, &plain_records);
    CHECK(live_blocks == before, "the reader leaked %ld blocks", live_blocks - before);
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer failed");
    if (want_zlib)
        CHECK(zlib_records == 2, "%u PAGE_DATA_ZLIB records, want 2", zlib_records);
    else
        CHECK(zlib_records == 0 && plain_records == 2, "%u plain and %u zlib page records, want 2 and 0",
              plain_records, zlib_records);
    fixture_free(&f);
}

static void roundtrip_through_pipe_keeps_every_record(void)
{
    roundtrip_pipe(0, false);
}

static void roundtrip_through_pipe_with_zlib_keeps_every_record(void)
{
    roundtrip_pipe(HVSAVE_ZLIB, true);
}

/* Incompressible pages go as PAGE_DATA even with HVSAVE_ZLIB; the stream is smaller overall. */
static void zlib_writes_plain_records_for_incompressible_pages(void)
{
    struct fixture f;
    fixture_init(&f, 3);
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    hvsave_writer_open(&w, fd, &f.dh, HVSAVE_ZLIB);
    int rc = hvsave_write_pages(w, &f.gfns[2], f.pages + 2 * 4096, 1); /* the random page */
    rc = rc ? rc : hvsave_write_pages(w, &f.gfns[1], f.pages + 4096, 1); /* the pattern page */
    hvsave_writer_close(w);
    struct buf b = fd_contents(fd);
    close(fd);
    CHECK(!rc, "write_pages: %s", strerror(-rc));
    CHECK(find_record(&b, HV_SAVE_TYPE_PAGE_DATA, 0) && find_record(&b, HV_SAVE_TYPE_PAGE_DATA_ZLIB, 0),
          "want one PAGE_DATA (random page) and one PAGE_DATA_ZLIB (pattern page)");
    buf_free(&b);
    fixture_free(&f);
}

/* The reader never reads past END: what follows stays in the pipe. */
static void reader_stops_at_end(void)
{
    struct buf b = small_stream(0);
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    write_all(p[1], b.p, b.n);
    write_all(p[1], "TRAILER", 7);
    close(p[1]);
    struct result res = read_fd(p[0]);
    char tail[16] = "";
    ssize_t n = read(p[0], tail, sizeof(tail));
    close(p[0]);
    CHECK(res.rc == 0, "read: %s", res.err);
    CHECK(n == 7 && memcmp(tail, "TRAILER", 7) == 0, "the reader consumed data after END");
    buf_free(&b);
}

/* ---- truncation ----------------------------------------------------------------- */

/* Every proper prefix of the stream b is truncated, and says so. */
static void truncated_at_every_offset(const struct buf *b)
{
    for (size_t cut = 0; cut < b->n && !why[0]; cut++) {
        struct buf t = { b->p, cut };
        char what[64];
        snprintf(what, sizeof(what), "cut at %zu of %zu", cut, b->n);
        expect_error(&t, -ENODATA, what, "truncated", NULL);
    }
    struct result whole = read_bytes(b);
    CHECK(whole.rc == 0, "the whole stream fails: %s", whole.err);
}

static void truncated_everywhere(unsigned flags)
{
    struct buf b = small_stream(flags);
    size_t bounds[64];
    size_t nb = record_boundaries(&b, bounds, 64);
    CHECK(nb >= 11, "only %zu record boundaries found", nb);
    truncated_at_every_offset(&b);
    /* At a record boundary the message says which record came last. */
    struct buf t = { b.p, bounds[3] };
    expect_error(&t, -ENODATA, "cut at a boundary", "without an END record", NULL);
    /* Inside a record it names the record. */
    t.n = find_record(&b, HV_SAVE_TYPE_VM_STATE, 0) + 100;
    expect_error(&t, -ENODATA, "cut inside VM_STATE", "(VM_STATE)", "truncated");
    buf_free(&b);
}

static void reader_rejects_truncation_at_every_offset(void)
{
    truncated_everywhere(0);
}

static void reader_rejects_truncation_at_every_offset_zlib(void)
{
    truncated_everywhere(HVSAVE_ZLIB);
}

/* ---- headers ------------------------------------------------------------------- */

static void corrupt32(const struct buf *b, size_t at, uint32_t v, int rc, const char *what,
                      const char *word)
{
    struct buf c = buf_copy(b);
    put32(&c, at, v);
    expect_error(&c, rc, what, word, NULL);
    buf_free(&c);
}

static void reader_rejects_each_corrupted_image_header_field(void)
{
    struct buf b = small_stream(0);
    for (size_t i = 0; i < 8; i++) {
        struct buf c = buf_copy(&b);
        c.p[i] ^= 0x20;
        expect_error(&c, -EBADMSG, "magic", "bad magic", NULL);
        buf_free(&c);
    }
    corrupt32(&b, 8, htobe32(2), -EPROTONOSUPPORT, "version 2", "version 2");
    corrupt32(&b, 8, htobe32(0), -EPROTONOSUPPORT, "version 0", "version 0");
    corrupt32(&b, 8, 1, -EPROTONOSUPPORT, "little-endian version", "version 16777216");
    corrupt32(&b, 12, htobe32(HV_SAVE_OPT_BIG_ENDIAN), -EPROTONOSUPPORT, "big-endian", "big-endian");
    corrupt32(&b, 12, htobe32(2), -EBADMSG, "reserved option", "reserved options");
    corrupt32(&b, 16, htobe32(65536), -EPROTONOSUPPORT, "page size", "page size 65536");
    corrupt32(&b, 20, 1, -EBADMSG, "image pad", "pad");
    buf_free(&b);
}

static void reader_rejects_each_corrupted_domain_header_field(void)
{
    struct buf b = small_stream(0);
    corrupt32(&b, 28, 0, -EBADMSG, "nr_vcpus 0", "nr_vcpus 0");
    corrupt32(&b, 28, HV_SAVE_MAX_VCPUS + 1, -EBADMSG, "nr_vcpus 4097", "nr_vcpus 4097");
    struct buf c = buf_copy(&b);
    put64(&c, 32, 0);
    expect_error(&c, -EBADMSG, "nr_pages 0", "nr_pages 0", NULL);
    put64(&c, 32, HV_SAVE_MAX_PAGES + 1);
    expect_error(&c, -EBADMSG, "nr_pages 2^40+1", "nr_pages", NULL);
    put64(&c, 32, NR_PAGES_WINDOW);
    put64(&c, 40, NR_PAGES_WINDOW + 1);
    expect_error(&c, -EBADMSG, "tot_pages", "tot_pages", NULL);
    buf_free(&c);
    largest_request = 0;
    corrupt32(&b, 48, HV_SAVE_CONFIG_MAX + 1, -E2BIG, "config_len", "config_len");
    CHECK(largest_request < 65536, "a config_len over the limit allocated %zu octets", largest_request);
    corrupt32(&b, 48, 0xffffffff, -E2BIG, "config_len 4 GiB", "config_len");
    corrupt32(&b, 52, 1, -EBADMSG, "domain pad", "pad");
    /* A NUL inside the config text, and non-zero config padding. */
    uint32_t config_len;
    memcpy(&config_len, b.p + 48, 4);
    c = buf_copy(&b);
    c.p[56 + 3] = 0;
    expect_error(&c, -EBADMSG, "NUL in config", "NUL", NULL);
    buf_free(&c);
    CHECK(config_len % 8, "the fixture's config needs padding (length %u)", config_len);
    c = buf_copy(&b);
    c.p[56 + config_len] = 1;
    expect_error(&c, -EBADMSG, "config padding", "padding", NULL);
    buf_free(&c);
    buf_free(&b);
}

/* ---- record headers --------------------------------------------------------------- */

/* Insert a record (header, body, padding) at offset at. */
static void insert_record(struct buf *b, size_t at, uint32_t type, const void *body, uint32_t len)
{
    uint8_t hdr[8], pad[8] = { 0 };
    memcpy(hdr, &type, 4);
    memcpy(hdr + 4, &len, 4);
    buf_insert(b, at, hdr, 8);
    buf_insert(b, at + 8, body, len);
    buf_insert(b, at + 8 + len, pad, (8 - (len & 7)) & 7);
}

static void insert_record_before_end(struct buf *b, uint32_t type, const void *body, uint32_t len)
{
    insert_record(b, b->n - 8, type, body, len);
}

static void reader_fails_on_unknown_mandatory_record_naming_it(void)
{
    struct buf b = small_stream(0);
    struct result plain = read_bytes(&b);
    insert_record_before_end(&b, 0x00001234, "abcdefgh", 8);
    expect_error(&b, -EOPNOTSUPP, "unknown mandatory", "0x00001234", "mandatory");
    char name[32]; /* it comes where END was */
    snprintf(name, sizeof(name), "record %u ", plain.records - 1);
    expect_error(&b, -EOPNOTSUPP, "unknown mandatory", name, NULL);
    buf_free(&b);
}

static void reader_skips_unknown_optional_record(void)
{
    struct buf b = small_stream(0);
    struct result plain = read_bytes(&b);
    insert_record_before_end(&b, 0x80001234, "thirteen octs", 13);
    struct result res = read_bytes(&b);
    CHECK(res.rc == 0, "read: %s", res.err);
    CHECK(res.skipped == 1 && res.skipped_type == 0x80001234, "skipped %u records, last type %#x",
          res.skipped, res.skipped_type);
    CHECK(res.records == plain.records + 1, "%u records, want %u", res.records, plain.records + 1);
    /* Its padding is checked too. */
    b.p[b.n - 8 - 1] = 0xff;
    expect_error(&b, -EBADMSG, "optional record padding", "padding", "0x80001234");
    buf_free(&b);
}

/* A 4 GiB - 1 length: -E2BIG from the header alone, nothing allocated, nothing more read. */
static void reader_rejects_4gib_length_without_allocating(void)
{
    static const uint32_t types[] = { HV_SAVE_TYPE_PAGE_DATA, 0x80001234, 0x1234 };
    struct buf b = small_stream(0);
    size_t at = find_record(&b, HV_SAVE_TYPE_PAGE_DATA, 0);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        int p[2];
        if (pipe(p) < 0)
            die("pipe");
        uint32_t hdr[2] = { types[i], 0xffffffff };
        write_all(p[1], b.p, at);
        write_all(p[1], hdr, 8);
        write_all(p[1], "SENTINEL", 8);
        close(p[1]); /* a reader that wrongly reads on sees the end, not a hang */
        largest_request = 0;
        struct result res = read_fd(p[0]);
        char tail[8];
        ssize_t n = read(p[0], tail, 8);
        close(p[0]);
        CHECK(res.rc == -E2BIG && strstr(res.err, "4294967295"), "type %#x: rc %d: %s", types[i],
              res.rc, res.err);
        CHECK(largest_request < 65536, "type %#x: the reader asked for %zu octets", types[i],
              largest_request);
        CHECK(n == 8 && memcmp(tail, "SENTINEL", 8) == 0, "type %#x: the reader read past the header",
              types[i]);
    }
    buf_free(&b);
}

static void reader_rejects_length_wrong_for_type(void)
{
    struct buf b = small_stream(0);
    size_t at = find_record(&b, HV_SAVE_TYPE_VM_STATE, 0);
    corrupt32(&b, at + 4, 376, -EBADMSG, "VM_STATE 376", "length 376");
    at = find_record(&b, HV_SAVE_TYPE_END, 0);
    corrupt32(&b, at + 4, 8, -EBADMSG, "END with a body", "(END)");
    corrupt32(&b, at, 0, -EBADMSG, "type 0", "type 0 is reserved");
    at = find_record(&b, HV_SAVE_TYPE_CONSOLE_RING, 0);
    corrupt32(&b, at + 16, 6, -EBADMSG, "console len", "len 6");
    buf_free(&b);
}

static void reader_rejects_nonzero_padding(void)
{
    struct buf b = small_stream(0);
    size_t at = find_record(&b, HV_SAVE_TYPE_CONSOLE_RING, 0); /* 21 octets + 3 of padding */
    for (size_t i = 0; i < 3; i++) {
        struct buf c = buf_copy(&b);
        c.p[at + 8 + 21 + i] = 0x80;
        expect_error(&c, -EBADMSG, "console padding", "(CONSOLE_RING)", "padding");
        buf_free(&c);
    }
    buf_free(&b);
}

/* ---- record bodies ------------------------------------------------------------------ */

static void reader_rejects_gfn_beyond_domain(void)
{
    struct buf b = small_stream(0);
    size_t at = find_record(&b, HV_SAVE_TYPE_PAGE_DATA, 0);
    struct buf c = buf_copy(&b);
    put64(&c, at + 16 + 8, NR_PAGES_WINDOW); /* the second gfn */
    expect_error(&c, -EBADMSG, "PAGE_DATA gfn", "gfn 0x2000", "(PAGE_DATA)");
    put64(&c, at + 16 + 8, UINT64_MAX);
    expect_error(&c, -EBADMSG, "PAGE_DATA gfn ~0", "gfn 0xffffffffffffffff", NULL);
    buf_free(&c);
    /* The same gfns are fine in a larger domain: the limit is the domain header's. */
    c = buf_copy(&b);
    put64(&c, 32, 8); /* nr_pages 8 < the fixture's gfn 14 */
    put64(&c, 40, 3);
    expect_error(&c, -EBADMSG, "gfn beyond a smaller nr_pages", "gfn 0xe", NULL);
    buf_free(&c);
    at = find_record(&b, HV_SAVE_TYPE_SHARED_INFO, 0);
    corrupt32(&b, at + 8, NR_PAGES_WINDOW, -EBADMSG, "SHARED_INFO gfn", "(SHARED_INFO)");
    buf_free(&b);

    b = small_stream(HVSAVE_ZLIB);
    at = find_record(&b, HV_SAVE_TYPE_PAGE_DATA_ZLIB, 0);
    CHECK(at, "no PAGE_DATA_ZLIB record");
    corrupt32(&b, at + 16, NR_PAGES_WINDOW + 5, -EBADMSG, "PAGE_DATA_ZLIB gfn", "(PAGE_DATA_ZLIB)");
    buf_free(&b);
}

/* A count whose count * 4096 (or 4104) wraps in 32 bits must not pass. */
static void reader_rejects_count_overflowing_page_size(void)
{
    struct buf b = small_stream(0);
    size_t at = find_record(&b, HV_SAVE_TYPE_PAGE_DATA, 0);
    const uint32_t count = 0x100001;
    uint32_t len = (uint32_t)(8 + 4104ull * count); /* 8392720 after wrapping */
    struct buf c = { malloc(at + 8 + len + 8), at + 8 + len };
    if (!c.p)
        die("malloc");
    memcpy(c.p, b.p, at);
    memset(c.p + at, 0, 8 + len);
    put32(&c, at, HV_SAVE_TYPE_PAGE_DATA);
    put32(&c, at + 4, len);
    put32(&c, at + 8, count);
    expect_error(&c, -EBADMSG, "count 0x100001", "count 1048577", NULL);
    put32(&c, at + 8, 0xffffffff);
    expect_error(&c, -EBADMSG, "count 0xffffffff", "count 4294967295", NULL);
    put32(&c, at + 8, 0);
    expect_error(&c, -EBADMSG, "count 0", "count 0", NULL);
    buf_free(&c);
    /* PAGE_DATA_ZLIB: the same count with a small body. */
    c = buf_copy(&b);
    put32(&c, at, HV_SAVE_TYPE_PAGE_DATA_ZLIB);
    put32(&c, at + 8, 0xffffffff);
    expect_error(&c, -EBADMSG, "zlib count 0xffffffff", "count 4294967295", NULL);
    buf_free(&c);
    buf_free(&b);
}

/* Replace the stream's page records with one PAGE_DATA_ZLIB record of the given data. */
static struct buf with_zlib_record(const struct buf *b, uint32_t count, const void *z, uint32_t zlen)
{
    size_t first = find_record(b, HV_SAVE_TYPE_PAGE_DATA, 0);
    size_t vm = find_record(b, HV_SAVE_TYPE_VM_STATE, 0);
    uint32_t len = 8 + 8 * count + zlen;
    size_t pad = (8 - (len & 7)) & 7;
    struct buf c = { calloc(1, b->n + len + 16), 0 };
    if (!c.p)
        die("calloc");
    memcpy(c.p, b->p, first);
    c.n = first;
    uint32_t hdr[4] = { HV_SAVE_TYPE_PAGE_DATA_ZLIB, len, count, zlen };
    memcpy(c.p + c.n, hdr, 16);
    c.n += 16;
    for (uint32_t i = 0; i < count; i++, c.n += 8)
        memcpy(c.p + c.n, &(uint64_t){ i }, 8);
    memcpy(c.p + c.n, z, zlen);
    c.n += zlen + pad;
    memcpy(c.p + c.n, b->p + vm, b->n - vm);
    c.n += b->n - vm;
    return c;
}

static void expect_zlib_error(const struct buf *b, uint32_t count, const void *z, uint32_t zlen,
                              const char *what, const char *word)
{
    struct buf c = with_zlib_record(b, count, z, zlen);
    expect_error(&c, -EBADMSG, what, "(PAGE_DATA_ZLIB)", word);
    buf_free(&c);
}

static void reader_rejects_bad_zlib_bodies(void)
{
    struct buf b = small_stream(0);
    static uint8_t plain[3 * 4096 + 1];
    memset(plain, 0xab, sizeof(plain));
    uint8_t z[4096];
    uLongf zlen = sizeof(z);
    /* First a good one: the replacement itself is valid. */
    compress2(z, &zlen, plain, 2 * 4096, 6);
    struct buf good = with_zlib_record(&b, 2, z, (uint32_t)zlen);
    struct result res = read_bytes(&good);
    CHECK(res.rc == 0, "a good PAGE_DATA_ZLIB record fails: %s", res.err);
    buf_free(&good);
    expect_zlib_error(&b, 2, "garbage, not zlib at all", 24, "garbage", "bad zlib data");
    zlen = sizeof(z);
    compress2(z, &zlen, plain, 2 * 4096 - 1, 6);
    expect_zlib_error(&b, 2, z, (uint32_t)zlen, "one octet short", "inflates to 8191");
    zlen = sizeof(z);
    compress2(z, &zlen, plain, 2 * 4096 + 1, 6);
    expect_zlib_error(&b, 2, z, (uint32_t)zlen, "one octet long", "more than 2 pages");
    zlen = sizeof(z);
    compress2(z, &zlen, plain, 3 * 4096, 6);
    expect_zlib_error(&b, 2, z, (uint32_t)zlen, "a page too many", "more than 2 pages");
    zlen = sizeof(z);
    compress2(z, &zlen, plain, 2 * 4096, 6);
    memcpy(z + zlen, "junk", 4);
    expect_zlib_error(&b, 2, z, (uint32_t)zlen + 4, "junk after the stream", "after the end");
    expect_zlib_error(&b, 2, z, (uint32_t)zlen - 4, "checksum cut off", "bad zlib data");
    z[zlen - 1] ^= 1;
    expect_zlib_error(&b, 2, z, (uint32_t)zlen, "bad checksum", "bad zlib data");
    buf_free(&b);
}

/* HVSAVE_READ_PAGES_LATER: what a caller may and may not do with open pages. */
static void reader_gives_pages_later_only_as_asked(void)
{
    struct buf b = small_stream(0);
    int fd = fd_with(b.p, b.n);
    struct hvsave_reader *r;
    struct hvsave_record rec;
    static uint8_t dst[2 * 4096];
    CHECK(hvsave_reader_set_flags(NULL, 0) == -EINVAL, "set_flags(NULL) is not -EINVAL");
    CHECK(hvsave_reader_open(&r, fd) == 0, "open: %s", hvsave_reader_error(r));
    CHECK(hvsave_reader_set_flags(r, 1u << 7) == -EINVAL, "an unknown flag is not -EINVAL");
    CHECK(hvsave_read_pages(r, dst, 1) == -EINVAL, "pages taken with no page record open");
    CHECK(hvsave_reader_set_flags(r, HVSAVE_READ_PAGES_LATER) == 0, "set_flags failed");
    CHECK(hvsave_read_record(r, &rec) == 0 && rec.type == HV_SAVE_TYPE_CONSOLE_RING,
          "the first record is not the CONSOLE_RING");
    CHECK(hvsave_read_record(r, &rec) == 0 && rec.type == HV_SAVE_TYPE_PAGE_DATA &&
              rec.u.pages.data == NULL && rec.u.pages.count >= 2,
          "the second record is not a PAGE_DATA of 2+ pages without its data");
    uint32_t count = rec.u.pages.count;
    uint64_t index = rec.index;
    CHECK(hvsave_read_record(r, &rec) == -EINVAL, "a record read while pages are open");
    CHECK(hvsave_reader_set_flags(r, 0) == -EBUSY, "flags changed while pages are open");
    CHECK(hvsave_read_pages(r, NULL, 1) == -EINVAL, "pages read to NULL");
    CHECK(hvsave_read_pages(r, dst, count + 1) == -EINVAL, "more pages taken than the record has");
    CHECK(hvsave_reader_error(r)[0] == '\0', "a misuse failed the reader: %s", hvsave_reader_error(r));
    uint8_t page[4096];
    fill_page(page, 0);
    for (uint32_t i = 0; i < count && !why[0]; i++) {
        CHECK(hvsave_read_pages(r, dst, 1) == 0, "page %u: %s", i, hvsave_reader_error(r));
        fill_page(page, i);
        CHECK(memcmp(dst, page, 4096) == 0, "page %u differs", i);
    }
    CHECK(hvsave_read_pages(r, dst, 1) == -EINVAL, "a page taken after the record's last");
    CHECK(hvsave_read_record(r, &rec) == 0 && rec.index == index + 1,
          "the next record: %s (index %" PRIu64 ", want %" PRIu64 ")", hvsave_reader_error(r),
          rec.index, index + 1);
    hvsave_reader_close(r);
    close(fd);
    buf_free(&b);
}

static void reader_rejects_records_out_of_order(void)
{
    struct buf b = small_stream(0);
    size_t vm = find_record(&b, HV_SAVE_TYPE_VM_STATE, 0);
    size_t v0 = find_record(&b, HV_SAVE_TYPE_VCPU, 0);
    size_t v1 = find_record(&b, HV_SAVE_TYPE_VCPU, 1);
    size_t si = find_record(&b, HV_SAVE_TYPE_SHARED_INFO, 0);
    size_t end = find_record(&b, HV_SAVE_TYPE_END, 0);
    /* A copy of VCPU 0 before VM_STATE. */
    struct buf c = buf_copy(&b);
    buf_insert(&c, vm, b.p + v0, v1 - v0);
    expect_error(&c, -EBADMSG, "VCPU before VM_STATE", "VCPU before VM_STATE", NULL);
    buf_free(&c);
    /* A page record after VM_STATE. */
    c = buf_copy(&b);
    size_t pd = find_record(&b, HV_SAVE_TYPE_PAGE_DATA, 0);
    buf_insert(&c, v0, b.p + pd, vm - pd);
    expect_error(&c, -EBADMSG, "PAGE_DATA after VM_STATE", "PAGE_DATA after VM_STATE", NULL);
    buf_free(&c);
    /* A second VM_STATE. */
    c = buf_copy(&b);
    buf_insert(&c, v0, b.p + vm, v0 - vm);
    expect_error(&c, -EBADMSG, "two VM_STATEs", "a second VM_STATE", NULL);
    buf_free(&c);
    /* END after one of two VCPUs; VCPU 1 first. */
    c = buf_copy(&b);
    c.n = v1;
    buf_insert(&c, v1, b.p + end, 8);
    expect_error(&c, -EBADMSG, "END too early", "after 1 of 2 VCPU", NULL);
    buf_free(&c);
    c = buf_copy(&b);
    put32(&c, v0 + 8, 1);
    expect_error(&c, -EBADMSG, "vcpu_id 1 first", "vcpu_id 1 where 0 is due", NULL);
    buf_free(&c);
    /* SHARED_INFO twice; CONSOLE_RING twice. */
    c = buf_copy(&b);
    buf_insert(&c, si, b.p + si, 8 + 4104);
    expect_error(&c, -EBADMSG, "two SHARED_INFOs", "a second SHARED_INFO", NULL);
    buf_free(&c);
    c = buf_copy(&b);
    size_t cr = find_record(&b, HV_SAVE_TYPE_CONSOLE_RING, 0);
    buf_insert(&c, cr, b.p + cr, 8 + 24);
    expect_error(&c, -EBADMSG, "two CONSOLE_RINGs", "a second CONSOLE_RING", NULL);
    buf_free(&c);
    buf_free(&b);
}

static void reader_rejects_bad_fields_in_bodies(void)
{
    struct buf b = small_stream(0);
    size_t v0 = find_record(&b, HV_SAVE_TYPE_VCPU, 0) + 8;
    corrupt32(&b, v0 + 4, 4, -EBADMSG, "vcpu flags", "reserved vCPU flags");
    corrupt32(&b, v0 + 8, 5, -EBADMSG, "mp_state", "mp_state 5");
    corrupt32(&b, v0 + 16, 577, -EBADMSG, "xsave_len", "xsave_len 577");
    corrupt32(&b, v0 + 20, 4, -EBADMSG, "nr_msrs", "does not match");
    corrupt32(&b, v0 + 536 + 16, 1, -EBADMSG, "xcr beyond nr_xcrs", "xcrs[1]");
    corrupt32(&b, v0 + 448 + 8, 0x04000000, -EBADMSG, "interrupt_shadow bit 2", "interrupt_shadow");
    corrupt32(&b, v0 + 448 + 20, 0x40, -EBADMSG, "event flags bit 6", "reserved event flags");
    size_t msrs = v0 + 1816 + 4096;
    corrupt32(&b, msrs + 16, 0x10, -EBADMSG, "MSRs not ascending", "not ascending");
    corrupt32(&b, msrs + 4, 1, -EBADMSG, "MSR pad", "MSR 0: pad");
    size_t vm = find_record(&b, HV_SAVE_TYPE_VM_STATE, 0) + 8;
    corrupt32(&b, vm, HV_SAVE_VM_PIT, -EBADMSG, "irqchip state without flag", "IRQCHIP");
    size_t ec = find_record(&b, HV_SAVE_TYPE_EVENT_CHANNELS, 0) + 8;
    corrupt32(&b, ec + 8 + 24, 1, -EBADMSG, "evtchn port order", "not ascending");
    corrupt32(&b, ec + 8 + 8, 2, -EBADMSG, "evtchn vcpu", "vcpu 2");
    size_t tm = find_record(&b, HV_SAVE_TYPE_TIMERS, 0) + 8;
    corrupt32(&b, tm + 8 + 4, 3, -EBADMSG, "timer kind", "kind 3");
    buf_free(&b);
}

/* ---- XSAVE area lengths ----------------------------------------------------------- */

/* A stream whose VCPU 1 has an XSAVE area of xsave_len octets (the fixture's is 576). */
static struct buf stream_with_xsave_len(uint32_t xsave_len)
{
    struct fixture f;
    fixture_init(&f, 3);
    free(f.vcpu[1]);
    f.vcpu[1] = make_vcpu(1, 4, xsave_len, &f.vcpu_len[1]);
    struct buf b = fixture_bytes(&f, 0);
    fixture_free(&f);
    return b;
}

static void xsave_len_from_576_to_65536_in_steps_of_8(void)
{
    static const uint32_t good[] = { HV_SAVE_XSAVE_MIN, 584, 1024, 4096, HV_SAVE_XSAVE_MAX };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct buf b = stream_with_xsave_len(good[i]);
        struct result res = read_bytes(&b);
        CHECK(res.rc == 0, "xsave_len %u: %s", good[i], res.err);
        buf_free(&b);
    }
    /* The same record with xsave_len just outside: the body length follows it. */
    struct buf b = stream_with_xsave_len(HV_SAVE_XSAVE_MIN);
    size_t v1 = find_record(&b, HV_SAVE_TYPE_VCPU, 1);
    corrupt32(&b, v1 + 8 + 16, HV_SAVE_XSAVE_MIN - 8, -EBADMSG, "xsave_len 568", "xsave_len 568");
    corrupt32(&b, v1 + 8 + 16, HV_SAVE_XSAVE_MIN + 4, -EBADMSG, "xsave_len 580", "xsave_len 580");
    corrupt32(&b, v1 + 8 + 16, HV_SAVE_XSAVE_MAX + 8, -EBADMSG, "xsave_len 65544", "xsave_len 65544");
    buf_free(&b);
    /* The writer refuses them as the reader does. */
    struct fixture f;
    fixture_init(&f, 3);
    uint32_t len;
    uint8_t *v = make_vcpu(0, 2, HV_SAVE_XSAVE_MIN - 8, &len); /* 2 MSRs: a long enough body */
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    hvsave_writer_open(&w, fd, &f.dh, 0);
    hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm));
    CHECK(hvsave_write_record(w, HV_SAVE_TYPE_VCPU, v, len) == -EINVAL &&
              strstr(hvsave_writer_error(w), "xsave_len 568"),
          "a VCPU with 568 octets of XSAVE written: %s", hvsave_writer_error(w));
    hvsave_writer_close(w);
    close(fd);
    free(v);
    fixture_free(&f);
}

/* ---- which hvd_version may carry which records ------------------------------------ */

/* The fixture as a stream of the given hvd_version carrying the WITH_* records in with. */
static int write_version(uint32_t hvd_version, unsigned with, struct buf *out)
{
    struct fixture f;
    fixture_init(&f, 3);
    f.dh.hvd_version = hvd_version;
    f.with = with;
    int fd = memfd_create("t", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    int rc = fixture_write(&f, fd, 0);
    *out = fd_contents(fd);
    close(fd);
    fixture_free(&f);
    return rc;
}

static const struct {
    unsigned with;
    uint32_t type;
    const char *name;
} hvd_1_1_records[] = {
    { WITH_SHARED_INFO, HV_SAVE_TYPE_SHARED_INFO, "SHARED_INFO" },
    { WITH_EVENT_CHANNELS, HV_SAVE_TYPE_EVENT_CHANNELS, "EVENT_CHANNELS" },
    { WITH_TIMERS, HV_SAVE_TYPE_TIMERS, "TIMERS" },
    { WITH_RUN_STATE, HV_SAVE_TYPE_RUN_STATE, "RUN_STATE" },
};

/* hvd 1.0 streams carry none of SHARED_INFO, EVENT_CHANNELS, TIMERS, RUN_STATE. */
static void reader_rejects_hvd_1_1_records_in_a_hvd_1_0_stream(void)
{
    for (size_t i = 0; i < sizeof(hvd_1_1_records) / sizeof(hvd_1_1_records[0]); i++) {
        struct buf b;
        int rc = write_version(HV_SAVE_HVD_1_1, hvd_1_1_records[i].with, &b);
        CHECK(rc == 0, "writing a 1.1 stream with %s: %s", hvd_1_1_records[i].name, strerror(-rc));
        struct result res = read_bytes(&b);
        CHECK(res.rc == 0, "the 1.1 stream with %s: %s", hvd_1_1_records[i].name, res.err);
        put32(&b, 24, HV_SAVE_HVD_VERSION(1, 0));
        char label[48];
        snprintf(label, sizeof(label), "(%s)", hvd_1_1_records[i].name);
        expect_error(&b, -EBADMSG, hvd_1_1_records[i].name, label, "stream of hvd 1.0");
        buf_free(&b);
    }
}

/* A stream of hvd 1.0 without them reads, and its domain runs after a restore. */
static void hvd_1_0_stream_without_them_reads_as_running(void)
{
    struct buf b;
    int rc = write_version(HV_SAVE_HVD_VERSION(1, 0), 0, &b);
    CHECK(rc == 0, "writing a 1.0 stream: %s", strerror(-rc));
    int fd = fd_with(b.p, b.n);
    struct hvsave_reader *r;
    struct hvsave_record rec;
    struct hvsave_run_state rs = { 99, 99 };
    rc = hvsave_reader_open(&r, fd);
    while (!rc && !(rc = hvsave_read_record(r, &rec)) && rec.type != HV_SAVE_TYPE_END)
        ;
    CHECK(rc == 0, "reading a 1.0 stream: %s", hvsave_reader_error(r));
    CHECK(hvsave_reader_version(r) == 1 && hvsave_reader_domain(r)->hvd_version == 0x10000,
          "version %u, hvd_version %#x", hvsave_reader_version(r),
          hvsave_reader_domain(r)->hvd_version);
    CHECK(hvsave_reader_run_state(r, &rs) == 0 && rs.state == HVSAVE_RUN_RUNNING &&
              rs.shutdown_reason == 0,
          "a stream without RUN_STATE is not running: %u %u", rs.state, rs.shutdown_reason);
    hvsave_reader_close(r);
    close(fd);
    buf_free(&b);
    /* Later versions carry them: 1.2 and 2.0 like 1.1. */
    static const uint32_t later[] = { HV_SAVE_HVD_VERSION(1, 2), HV_SAVE_HVD_VERSION(2, 0) };
    for (size_t i = 0; i < 2; i++) {
        rc = write_version(later[i], WITH_ALL, &b);
        struct result res = read_bytes(&b);
        CHECK(rc == 0 && res.rc == 0, "hvd_version %#x: %s", later[i], res.err);
        buf_free(&b);
    }
}

static void writer_refuses_hvd_1_1_records_in_a_hvd_1_0_stream(void)
{
    struct fixture f;
    fixture_init(&f, 3);
    f.dh.hvd_version = HV_SAVE_HVD_VERSION(1, 0);
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    CHECK(hvsave_writer_open(&w, fd, &f.dh, 0) == 0, "open: %s", hvsave_writer_error(w));
    hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm));
    hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[0], f.vcpu_len[0]);
    hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[1], f.vcpu_len[1]);
    uint64_t before = hvsave_writer_offset(w);
    const void *bodies[] = { &f.si, &f.evtchn, &f.timers };
    const uint32_t lens[] = { sizeof(f.si), sizeof(f.evtchn), sizeof(f.timers) };
    for (size_t i = 0; i < 3; i++)
        CHECK(hvsave_write_record(w, hvd_1_1_records[i].type, bodies[i], lens[i]) == -EINVAL &&
                  strstr(hvsave_writer_error(w), "hvd 1.1"),
              "%s written in a 1.0 stream: %s", hvd_1_1_records[i].name, hvsave_writer_error(w));
    CHECK(hvsave_write_run_state(w, &f.run) == -EINVAL, "RUN_STATE written in a 1.0 stream");
    CHECK(hvsave_write_run_state(w, &(struct hvsave_run_state){ HVSAVE_RUN_RUNNING, 0 }) == 0,
          "running refused in a 1.0 stream: it writes nothing");
    CHECK(hvsave_writer_offset(w) == before, "refused records wrote %" PRIu64 " octets",
          hvsave_writer_offset(w) - before);
    CHECK(hvsave_writer_finish(w) == 0, "finish: %s", hvsave_writer_error(w));
    hvsave_writer_close(w);
    close(fd);
    fixture_free(&f);
}

/* ---- the run state ------------------------------------------------------------------ */

/* Write the fixture with run state rs; read it back: 0 and *got, or the first error. */
static int run_state_roundtrip(struct hvsave_run_state rs, struct hvsave_run_state *got, bool *record)
{
    struct fixture f;
    fixture_init(&f, 3);
    f.run = rs;
    int fd = memfd_create("t", MFD_CLOEXEC);
    int rc = fixture_write(&f, fd, 0);
    fixture_free(&f);
    struct buf b = fd_contents(fd);
    *record = find_record(&b, HV_SAVE_TYPE_RUN_STATE, 0) != 0;
    buf_free(&b);
    lseek(fd, 0, SEEK_SET);
    struct hvsave_reader *r;
    struct hvsave_record rec;
    if (!rc)
        rc = hvsave_reader_open(&r, fd);
    bool early = false; /* hvsave_reader_run_state() before END */
    while (!rc && !(rc = hvsave_read_record(r, &rec)) && rec.type != HV_SAVE_TYPE_END)
        early |= hvsave_reader_run_state(r, got) != -EAGAIN;
    if (!rc)
        rc = hvsave_reader_run_state(r, got);
    CHECK(!early, "the run state was known before END");
    if (r)
        hvsave_reader_close(r);
    close(fd);
    return rc;
}

static void run_state_roundtrips_running_paused_and_each_shutdown_reason(void)
{
    struct hvsave_run_state states[2 + HV_SAVE_SHUTDOWN_MAX + 1] = {
        { HVSAVE_RUN_RUNNING, 0 },
        { HVSAVE_RUN_PAUSED, 0 },
    };
    for (uint32_t reason = 0; reason <= HV_SAVE_SHUTDOWN_MAX; reason++)
        states[2 + reason] = (struct hvsave_run_state){ HVSAVE_RUN_SHUTDOWN, reason };
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        struct hvsave_run_state got = { 99, 99 };
        bool record;
        int rc = run_state_roundtrip(states[i], &got, &record);
        CHECK(rc == 0 && got.state == states[i].state &&
                  got.shutdown_reason == states[i].shutdown_reason,
              "state %u reason %u: rc %d, read back %u %u", states[i].state,
              states[i].shutdown_reason, rc, got.state, got.shutdown_reason);
        CHECK(record == (states[i].state != HVSAVE_RUN_RUNNING),
              "state %u: a RUN_STATE record %s written", states[i].state, record ? "was" : "was not");
    }
}

static void reader_rejects_bad_run_state_records(void)
{
    struct buf b = small_stream(0);
    size_t rs = find_record(&b, HV_SAVE_TYPE_RUN_STATE, 0);
    CHECK(rs, "the fixture has no RUN_STATE");
    corrupt32(&b, rs + 8, 0, -EBADMSG, "state 0 (running is no record)", "state 0 is unknown");
    corrupt32(&b, rs + 8, 3, -EBADMSG, "state 3", "state 3 is unknown");
    corrupt32(&b, rs + 12, HV_SAVE_SHUTDOWN_MAX + 1, -EBADMSG, "reason 5", "shutdown_reason 5");
    struct buf c = buf_copy(&b);
    put32(&c, rs + 8, HVSAVE_RUN_PAUSED);
    expect_error(&c, -EBADMSG, "paused with a reason", "(RUN_STATE)", "shutdown_reason 3");
    buf_free(&c);
    corrupt32(&b, rs + 4, 16, -EBADMSG, "length 16", "length 16");
    /* Twice, and before TIMERS. */
    c = buf_copy(&b);
    buf_insert(&c, rs, b.p + rs, 16);
    expect_error(&c, -EBADMSG, "two RUN_STATEs", "a second RUN_STATE", NULL);
    buf_free(&c);
    c = buf_copy(&b);
    size_t tm = find_record(&b, HV_SAVE_TYPE_TIMERS, 0);
    buf_insert(&c, tm, b.p + rs, 16);
    expect_error(&c, -EBADMSG, "RUN_STATE before TIMERS", "TIMERS after RUN_STATE", NULL);
    buf_free(&c);
    buf_free(&b);
}

static void writer_refuses_bad_run_states(void)
{
    struct fixture f;
    fixture_init(&f, 3);
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    hvsave_writer_open(&w, fd, &f.dh, 0);
    hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm));
    hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[0], f.vcpu_len[0]);
    hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[1], f.vcpu_len[1]);
    uint64_t before = hvsave_writer_offset(w);
    static const struct hvsave_run_state bad[] = {
        { 3, 0 }, { HVSAVE_RUN_RUNNING, 1 }, { HVSAVE_RUN_PAUSED, 2 }, { HVSAVE_RUN_SHUTDOWN, 5 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(hvsave_write_run_state(w, &bad[i]) == -EINVAL, "state %u reason %u written",
              bad[i].state, bad[i].shutdown_reason);
    CHECK(hvsave_writer_offset(w) == before, "refused run states wrote octets");
    CHECK(hvsave_write_run_state(w, &f.run) == 0, "run state: %s", hvsave_writer_error(w));
    CHECK(hvsave_write_run_state(w, &f.run) == -EINVAL, "a second RUN_STATE written");
    CHECK(hvsave_write_record(w, HV_SAVE_TYPE_TIMERS, &f.timers, sizeof(f.timers)) == -EINVAL,
          "TIMERS written after RUN_STATE");
    CHECK(hvsave_writer_finish(w) == 0, "finish: %s", hvsave_writer_error(w));
    CHECK(hvsave_write_run_state(w, &(struct hvsave_run_state){ HVSAVE_RUN_RUNNING, 0 }) == -EINVAL,
          "a run state accepted after END");
    hvsave_writer_close(w);
    close(fd);
    fixture_free(&f);
}

/* ---- octets after END ---------------------------------------------------------------- */

/*
 * In a file as in a pipe, what follows END is not part of the stream: the
 * reader succeeds without reading it and leaves the file position just
 * after END, whatever follows (garbage, or a whole second image).
 */
static void reader_ignores_octets_after_end_in_a_file(void)
{
    struct buf b = small_stream(0);
    struct buf tails[2] = { { (uint8_t *)"TRAILER", 7 }, b };
    for (size_t i = 0; i < 2; i++) {
        int fd = memfd_create("t", MFD_CLOEXEC);
        if (fd < 0)
            die("memfd_create");
        write_all(fd, b.p, b.n);
        write_all(fd, tails[i].p, tails[i].n);
        lseek(fd, 0, SEEK_SET);
        struct result res = read_fd(fd);
        off_t at = lseek(fd, 0, SEEK_CUR);
        close(fd);
        CHECK(res.rc == 0, "tail %zu: %s", i, res.err);
        CHECK(at == (off_t)b.n, "tail %zu: the reader stopped at %lld, END ends at %zu", i,
              (long long)at, b.n);
    }
    buf_free(&b);
}

/* ---- the writer --------------------------------------------------------------------- */

static void writer_refuses_what_the_reader_would_reject(void)
{
    struct fixture f;
    fixture_init(&f, 3);
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    struct hvsave_domain_header bad = f.dh;
    bad.nr_vcpus = 0;
    CHECK(hvsave_writer_open(&w, fd, &bad, 0) == -EINVAL && !w, "nr_vcpus 0 accepted");
    CHECK(hvsave_writer_open(&w, fd, &f.dh, 0x10) == -EINVAL, "unknown flags accepted");
    CHECK(hvsave_writer_open(&w, fd, &f.dh, 0) == 0, "open failed");
    uint64_t start = hvsave_writer_offset(w);
    uint64_t gfn = NR_PAGES_WINDOW;
    CHECK(hvsave_write_pages(w, &gfn, f.pages, 1) == -EINVAL && strstr(hvsave_writer_error(w), "gfn"),
          "a gfn beyond nr_pages was written: %s", hvsave_writer_error(w));
    CHECK(hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[0], f.vcpu_len[0]) == -EINVAL,
          "VCPU before VM_STATE written");
    CHECK(hvsave_write_record(w, 0x1234, "x", 1) == -EINVAL, "unknown mandatory type written");
    CHECK(hvsave_write_record(w, HV_SAVE_TYPE_END, NULL, 0) == -EINVAL, "END through write_record");
    CHECK(hvsave_writer_finish(w) == -EINVAL && strstr(hvsave_writer_error(w), "VM_STATE"),
          "an incomplete stream finished: %s", hvsave_writer_error(w));
    CHECK(hvsave_writer_offset(w) == start, "refused records wrote %" PRIu64 " octets",
          hvsave_writer_offset(w) - start);
    CHECK(hvsave_write_record(w, 0x80000099, "opt", 3) == 0, "an unknown optional type is refused");
    hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm));
    hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[0], f.vcpu_len[0]);
    hvsave_write_record(w, HV_SAVE_TYPE_VCPU, f.vcpu[1], f.vcpu_len[1]);
    CHECK(hvsave_writer_finish(w) == 0, "finish: %s", hvsave_writer_error(w));
    CHECK(hvsave_write_record(w, HV_SAVE_TYPE_CONSOLE_RING, &f.console, 21) == -EINVAL,
          "a record after END");
    hvsave_writer_close(w);
    struct result res = read_fd(fd); /* the memfd's position is at its end: nothing to read */
    CHECK(res.rc == -ENODATA, "reading at the end: %d", res.rc);
    lseek(fd, 0, SEEK_SET);
    res = read_fd(fd);
    CHECK(res.rc == 0 && res.skipped == 1, "the written stream: %s", res.err);
    close(fd);
    fixture_free(&f);
}

static void writer_reports_write_errors(void)
{
    struct fixture f;
    fixture_init(&f, 3);
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    close(p[0]); /* writes now fail with EPIPE (SIGPIPE is ignored in main) */
    struct hvsave_writer *w;
    int rc = hvsave_writer_open(&w, p[1], &f.dh, 0);
    CHECK(rc == -EPIPE && w, "open on a closed pipe: %d", rc);
    CHECK(hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm)) == -EPIPE,
          "the failure is not sticky");
    CHECK(strstr(hvsave_writer_error(w), "offset 0") != NULL, "message: %s", hvsave_writer_error(w));
    hvsave_writer_close(w);
    close(p[1]);
    fixture_free(&f);
}

/* ---- migration streams ---------------------------------------------------------------- */

/* b with the u32 at `at` set to v must be corrupt, naming the record and saying words. */
static void corrupt32_bad(const struct buf *b, size_t at, uint32_t v, const char *what,
                          const char *record, const char *words)
{
    struct buf c = buf_copy(b);
    put32(&c, at, v);
    expect_error(&c, -EBADMSG, what, record, words);
    buf_free(&c);
}

#define UNPOPULATED_GFN 8000u /* never one of the fixture's gfns (7 * i for i < 1143) */

/*
 * The gfns populated so far, one octet each, and how many: the writer's
 * count for ROUND_END's populated, the reader's to check it.
 */
struct populated {
    uint8_t map[NR_PAGES_WINDOW];
    uint64_t count;
};

static void populate(struct populated *p, uint64_t gfn, bool on)
{
    if (p->map[gfn] == on)
        return;
    p->map[gfn] = on;
    if (on)
        p->count++;
    else
        p->count--;
}

/*
 * A migration stream's memory, one letter a step:
 *   P  every page of the fixture (so a later round sends its gfns again)
 *   p  the fixture's first page alone
 *   H  holes: the fixture's second gfn, and UNPOPULATED_GFN
 *   C  the CONSOLE_RING (an optional record may come anywhere)
 *   R  ROUND_END
 *   F  FINAL_ROUND
 *   E  the final round's ROUND_END (HV_SAVE_ROUND_FINAL)
 * and then the state records and END.
 */
#define MIGRATION_PLAN "PRPHRFHpE" /* three rounds: pages, pages sent again and holes, final */

static int write_step(struct hvsave_writer *w, const struct fixture *f, char step,
                      struct populated *pop)
{
    const uint64_t holes[2] = { f->gfns[1], UNPOPULATED_GFN };
    uint32_t n = step == 'P' ? f->nr : 1;
    int rc;
    switch (step) {
    case 'P':
    case 'p':
        rc = hvsave_write_pages(w, f->gfns, f->pages, n);
        for (uint32_t i = 0; i < n && !rc; i++)
            populate(pop, f->gfns[i], true);
        return rc;
    case 'H':
        rc = hvsave_write_holes(w, holes, 2);
        for (uint32_t i = 0; i < 2 && !rc; i++)
            populate(pop, holes[i], false);
        return rc;
    case 'C':
        return hvsave_write_record(w, HV_SAVE_TYPE_CONSOLE_RING, &f->console, 21);
    case 'R':
        return hvsave_write_round_end(w, 0, pop->count);
    case 'F':
        return hvsave_write_final_round(w);
    default: /* 'E' */
        return hvsave_write_round_end(w, HV_SAVE_ROUND_FINAL, pop->count);
    }
}

/* The fixture as a migration stream of hvd 1.2 whose memory is plan; 0 or the first error. */
static int migration_write(const struct fixture *f, int fd, unsigned flags, const char *plan)
{
    struct hvsave_domain_header dh = f->dh;
    dh.hvd_version = HV_SAVE_HVD_1_2;
    struct populated *pop = calloc(1, sizeof(*pop));
    struct hvsave_writer *w;
    if (!pop)
        die("calloc");
    int rc = hvsave_writer_open(&w, fd, &dh, flags);
    for (const char *step = plan; *step && !rc; step++)
        rc = write_step(w, f, *step, pop);
    if (!rc)
        rc = fixture_write_state(w, f);
    hvsave_writer_close(w);
    free(pop);
    return rc;
}

/* A migration stream of a fixture of nr pages. */
static struct buf migration_bytes(uint32_t nr, unsigned flags, const char *plan)
{
    struct fixture f;
    fixture_init(&f, nr);
    int fd = memfd_create("hvsave-test", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    int rc = migration_write(&f, fd, flags, plan);
    if (rc) {
        printf("not ok setup: writing the migration stream %s: %s\n", plan, strerror(-rc));
        exit(2);
    }
    struct buf b = fd_contents(fd);
    close(fd);
    fixture_free(&f);
    return b;
}

/* What a reader of a migration stream has seen, to check each record against. */
struct round_check {
    const struct fixture *f;
    uint32_t index_of[NR_PAGES_WINDOW]; /* gfn -> the fixture's page index + 1 */
    struct populated pop;
    uint64_t rounds, gfns; /* ROUND_ENDs so far, gfns of the current round */
    bool final_begun;
    char trace[64]; /* the records as plan letters: a run of page or hole records is one */
};

static void trace_add(struct round_check *c, char letter)
{
    size_t n = strlen(c->trace);
    if ((letter == 'P' || letter == 'H') && n && c->trace[n - 1] == letter)
        return;
    if (n + 1 < sizeof(c->trace))
        c->trace[n] = letter;
}

/* The trace a plan's stream must leave: p is a page record as P is, and runs are one. */
static void plan_trace(const char *plan, char *out, size_t len)
{
    size_t n = 0;
    for (const char *step = plan; *step && n + 1 < len; step++) {
        char letter = *step == 'p' ? 'P' : *step;
        if (!((letter == 'P' || letter == 'H') && n && out[n - 1] == letter))
            out[n++] = letter;
    }
    out[n] = '\0';
}

static void check_page_record(struct round_check *c, const struct hvsave_record *rec,
                              const uint8_t *data)
{
    for (uint32_t i = 0; i < rec->u.pages.count; i++) {
        uint64_t gfn = rec->u.pages.gfns[i];
        uint32_t idx = gfn < NR_PAGES_WINDOW ? c->index_of[gfn] : 0;
        if (!CHECK(idx, "gfn %#" PRIx64 " was not saved", gfn))
            return;
        CHECK(memcmp(data + (size_t)i * 4096, c->f->pages + (size_t)(idx - 1) * 4096, 4096) == 0,
              "page at gfn %#" PRIx64 " differs", gfn);
        populate(&c->pop, gfn, true);
    }
    c->gfns += rec->u.pages.count;
    trace_add(c, 'P');
}

static void check_round_end(struct round_check *c, const struct hv_save_round_end *e)
{
    bool final = e->flags & HV_SAVE_ROUND_FINAL;
    CHECK(e->round == c->rounds && e->pages == c->gfns && e->populated == c->pop.count &&
              final == c->final_begun,
          "ROUND_END: round %u, %" PRIu64 " gfns, %" PRIu64 " populated, final %d; want %" PRIu64
          ", %" PRIu64 ", %" PRIu64 ", %d",
          e->round, e->pages, e->populated, final, c->rounds, c->gfns, c->pop.count,
          c->final_begun);
    c->rounds++;
    c->gfns = 0;
    trace_add(c, final ? 'E' : 'R');
}

static void check_round_record(struct round_check *c, const struct hvsave_record *rec,
                               const uint8_t *data)
{
    switch (rec->type) {
    case HV_SAVE_TYPE_PAGE_DATA:
    case HV_SAVE_TYPE_PAGE_DATA_ZLIB:
        check_page_record(c, rec, data);
        break;
    case HV_SAVE_TYPE_PAGE_HOLES:
        for (uint32_t i = 0; i < rec->u.holes.count; i++)
            populate(&c->pop, rec->u.holes.gfns[i], false);
        c->gfns += rec->u.holes.count;
        trace_add(c, 'H');
        break;
    case HV_SAVE_TYPE_ROUND_END:
        check_round_end(c, rec->u.round_end);
        break;
    case HV_SAVE_TYPE_FINAL_ROUND:
        CHECK(rec->u.final_round->round == c->rounds, "FINAL_ROUND: round %u, want %" PRIu64,
              rec->u.final_round->round, c->rounds);
        c->final_begun = true;
        trace_add(c, 'F');
        break;
    case HV_SAVE_TYPE_CONSOLE_RING:
        trace_add(c, 'C');
        break;
    default: /* the state records: the round trip of save streams checks them */
        break;
    }
}

/* Read the migration stream of plan from fd and check every round record. */
static void verify_migration(const struct fixture *f, int fd, const char *plan)
{
    struct round_check *c = calloc(1, sizeof(*c));
    struct hvsave_reader *r;
    struct hvsave_record rec;
    char want[64];
    if (!c)
        die("calloc");
    c->f = f;
    for (uint32_t i = 0; i < f->nr; i++)
        c->index_of[f->gfns[i]] = i + 1;
    int rc = hvsave_reader_open(&r, fd);
    if (!rc && pages_later)
        rc = hvsave_reader_set_flags(r, HVSAVE_READ_PAGES_LATER);
    while (!rc && !why[0]) {
        const uint8_t *data = NULL;
        rc = hvsave_read_record(r, &rec);
        if (!rc)
            rc = take_pages(r, &rec, &data);
        if (rc || rec.type == HV_SAVE_TYPE_END)
            break;
        check_round_record(c, &rec, data);
    }
    CHECK(rc == 0, "plan %s: %s", plan, hvsave_reader_error(r));
    plan_trace(plan, want, sizeof(want));
    CHECK(strcmp(c->trace, want) == 0, "plan %s: the records read are %s, want %s", plan, c->trace,
          want);
    hvsave_reader_close(r);
    free(c);
}

/* Write the migration stream of plan into a pipe from a child and check it here. */
static void migration_roundtrip(unsigned flags, const char *plan)
{
    struct fixture f;
    fixture_init(&f, 5);
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(p[0]);
        _exit(migration_write(&f, p[1], flags, plan) ? 1 : 0);
    }
    close(p[1]);
    long before = live_blocks;
    verify_migration(&f, p[0], plan);
    CHECK(live_blocks == before, "plan %s: %ld blocks leaked", plan, live_blocks - before);
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "plan %s: the writer failed", plan);
    fixture_free(&f);
}

static void migration_streams_roundtrip(void)
{
    static const char *const plans[] = {
        "PCRPHRRFHpE", /* pages, pages again, holes, an empty round, an optional record */
        "PPHpRFE",     /* gfns sent twice in one round; an empty final round */
        "FE",          /* paused at once: no live round, and nothing in the final one */
        "FPHE",        /* no live round: all of the memory in the final one */
    };
    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]) && !why[0]; i++) {
        migration_roundtrip(0, plans[i]);
        migration_roundtrip(HVSAVE_ZLIB, plans[i]);
    }
}

/* More holes than a record holds: records of 4096 and the rest, one round. */
static void holes_split_into_records_of_4096(void)
{
    static uint64_t holes[5000];
    struct fixture f;
    fixture_init(&f, 3);
    f.dh.hvd_version = HV_SAVE_HVD_1_2;
    for (uint32_t i = 0; i < 5000; i++)
        holes[i] = i;
    int fd = memfd_create("t", MFD_CLOEXEC);
    struct hvsave_writer *w;
    int rc = hvsave_writer_open(&w, fd, &f.dh, 0);
    rc = rc ? rc : hvsave_write_holes(w, holes, 5000);
    rc = rc ? rc : hvsave_write_final_round(w); /* refused: the round has begun */
    CHECK(rc == -EINVAL, "FINAL_ROUND after 5000 holes: %d", rc);
    rc = hvsave_write_round_end(w, 0, 0);
    rc = rc ? rc : hvsave_write_final_round(w);
    rc = rc ? rc : hvsave_write_round_end(w, HV_SAVE_ROUND_FINAL, 0);
    rc = rc ? rc : fixture_write_state(w, &f);
    CHECK(rc == 0, "writing: %s", hvsave_writer_error(w));
    hvsave_writer_close(w);
    struct buf b = fd_contents(fd);
    close(fd);
    size_t h0 = find_record(&b, HV_SAVE_TYPE_PAGE_HOLES, 0);
    size_t h1 = find_record(&b, HV_SAVE_TYPE_PAGE_HOLES, 1);
    size_t r0 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 0);
    uint32_t n0 = 0, n1 = 0;
    uint64_t pages = 0, last = 0;
    if (h0 && h1 && r0) {
        memcpy(&n0, b.p + h0 + 8, 4);
        memcpy(&n1, b.p + h1 + 8, 4);
        memcpy(&last, b.p + h1 + 16 + 8 * 903, 8);
        memcpy(&pages, b.p + r0 + 16, 8);
    }
    CHECK(n0 == 4096 && n1 == 904 && last == 4999 && pages == 5000,
          "holes in records of %u and %u, last gfn %" PRIu64 ", ROUND_END pages %" PRIu64, n0, n1,
          last, pages);
    CHECK(!find_record(&b, HV_SAVE_TYPE_PAGE_HOLES, 2), "more than two PAGE_HOLES records");
    struct result res = read_bytes(&b);
    CHECK(res.rc == 0, "reading: %s", res.err);
    buf_free(&b);
    fixture_free(&f);
}

/* Compressed, the pages take little room: the cuts fall mostly among the round records. */
static void reader_rejects_truncation_of_a_migration_stream(void)
{
    struct buf b = migration_bytes(2, HVSAVE_ZLIB, MIGRATION_PLAN);
    truncated_at_every_offset(&b);
    buf_free(&b);
}

/* In MIGRATION_PLAN, with 2 pages: round 0 carries 2 gfns, round 1 4, round 2 (final) 3. */
static void reader_rejects_bad_round_ends(void)
{
    struct buf b = migration_bytes(2, 0, MIGRATION_PLAN);
    size_t r0 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 0);
    size_t r1 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 1);
    size_t r2 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 2);
    CHECK(r0 && r1 && r2 && !find_record(&b, HV_SAVE_TYPE_ROUND_END, 3),
          "the stream does not have 3 ROUND_ENDs");
    corrupt32_bad(&b, r1 + 8, 5, "round 5", "(ROUND_END)", "round 5 where 1 is due");
    corrupt32_bad(&b, r0 + 8, 1, "round 1 first", "(ROUND_END)", "round 1 where 0 is due");
    corrupt32_bad(&b, r0 + 12, HV_SAVE_ROUND_FINAL, "FINAL without FINAL_ROUND", "(ROUND_END)",
                  "FINAL is set, but no FINAL_ROUND began round 0");
    corrupt32_bad(&b, r2 + 12, 0, "FINAL missing", "(ROUND_END)",
                  "FINAL is not set, but FINAL_ROUND began round 2");
    corrupt32_bad(&b, r0 + 12, 2, "reserved flag", "(ROUND_END)", "reserved flags 0x2 set");
    struct buf c = buf_copy(&b);
    put64(&c, r1 + 16, 3);
    expect_error(&c, -EBADMSG, "pages 3", "(ROUND_END)", "pages 3, but round 1 carried 4 gfns");
    put64(&c, r1 + 16, 5);
    expect_error(&c, -EBADMSG, "pages 5", "(ROUND_END)", "pages 5, but round 1 carried 4 gfns");
    buf_free(&c);
    /* populated is the restore's to check, not the reader's. */
    c = buf_copy(&b);
    put64(&c, r1 + 24, 12345);
    struct result res = read_bytes(&c);
    CHECK(res.rc == 0, "a ROUND_END with another populated count: %s", res.err);
    buf_free(&c);
    buf_free(&b);
}

static void reader_rejects_misplaced_final_rounds(void)
{
    struct buf b = migration_bytes(2, 0, MIGRATION_PLAN);
    size_t fr = find_record(&b, HV_SAVE_TYPE_FINAL_ROUND, 0);
    size_t r0 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 0);
    const struct hv_save_final_round round0 = { 0, 0 };
    struct buf c = buf_copy(&b);
    insert_record(&c, r0, HV_SAVE_TYPE_FINAL_ROUND, &round0, 8); /* after round 0's pages */
    expect_error(&c, -EBADMSG, "FINAL_ROUND mid-round", "(FINAL_ROUND)",
                 "FINAL_ROUND after 2 gfns of round 0: it must begin a round");
    buf_free(&c);
    c = buf_copy(&b);
    buf_insert(&c, fr, b.p + fr, 16);
    expect_error(&c, -EBADMSG, "two FINAL_ROUNDs", "(FINAL_ROUND)", "a second FINAL_ROUND record");
    buf_free(&c);
    corrupt32_bad(&b, fr + 8, 1, "FINAL_ROUND round 1", "(FINAL_ROUND)", "round 1 where 2 is due");
    corrupt32_bad(&b, fr + 12, 1, "FINAL_ROUND pad", "(FINAL_ROUND)", "pad is not zero");
    buf_free(&b);
}

/* A stream with rounds must have its final ROUND_END before VM_STATE. */
static void reader_rejects_rounds_without_the_final_round_end(void)
{
    struct buf b = migration_bytes(2, 0, MIGRATION_PLAN);
    size_t fr = find_record(&b, HV_SAVE_TYPE_FINAL_ROUND, 0);
    size_t r2 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 2);
    size_t vm = find_record(&b, HV_SAVE_TYPE_VM_STATE, 0);
    struct buf c = buf_copy(&b);
    buf_cut(&c, fr, vm); /* no final round */
    expect_error(&c, -EBADMSG, "no final round", "(VM_STATE)",
                 "VM_STATE in a migration stream without a FINAL_ROUND (after 2 ROUND_ENDs)");
    buf_free(&c);
    c = buf_copy(&b);
    buf_cut(&c, r2, vm); /* the final round, without its ROUND_END */
    expect_error(&c, -EBADMSG, "no final ROUND_END", "(VM_STATE)",
                 "VM_STATE before the final round's ROUND_END");
    buf_free(&c);
    c = buf_copy(&b);
    buf_cut(&c, vm, c.n - 8); /* the rounds, then END */
    expect_error(&c, -EBADMSG, "END after the rounds", "(END)", "END before VM_STATE");
    buf_free(&c);
    buf_free(&b);
    /* A saved stream of hvd 1.2 is a migration stream once it holds a hole. */
    b = small_stream(0);
    put32(&b, 24, HV_SAVE_HVD_1_2);
    struct {
        struct hv_save_page_holes h;
        uint64_t gfn;
    } hole = { { 1, 0 }, 5 };
    insert_record(&b, find_record(&b, HV_SAVE_TYPE_VM_STATE, 0), HV_SAVE_TYPE_PAGE_HOLES, &hole,
                  16);
    expect_error(&b, -EBADMSG, "a hole, no rounds", "(VM_STATE)",
                 "VM_STATE in a migration stream without a FINAL_ROUND (after 0 ROUND_ENDs)");
    buf_free(&b);
}

/* After the final ROUND_END: no page, hole or round record, before VM_STATE or after it. */
static void reader_rejects_round_records_after_the_final_one(void)
{
    struct buf b = migration_bytes(2, 0, MIGRATION_PLAN);
    size_t pd = find_record(&b, HV_SAVE_TYPE_PAGE_DATA, 0);
    size_t r0 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 0);
    size_t ph = find_record(&b, HV_SAVE_TYPE_PAGE_HOLES, 0);
    size_t r1 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 1);
    size_t vm = find_record(&b, HV_SAVE_TYPE_VM_STATE, 0);
    size_t v0 = find_record(&b, HV_SAVE_TYPE_VCPU, 0);
    const struct hv_save_round_end end3 = { 3, HV_SAVE_ROUND_FINAL, 0, 1 };
    const struct hv_save_final_round final3 = { 3, 0 };
    const struct {
        const char *name;
        const void *record; /* header and body */
        size_t len;
    } extra[] = {
        { "PAGE_DATA", b.p + pd, r0 - pd },
        { "PAGE_HOLES", b.p + ph, 8 + 24 },
        { "ROUND_END", NULL, 0 },
        { "FINAL_ROUND", NULL, 0 },
    };
    CHECK(pd && ph && r1 && vm && v0, "the stream lacks a record");
    for (size_t i = 0; i < 4; i++) {
        char words[64];
        snprintf(words, sizeof(words), "%s after the final ROUND_END", extra[i].name);
        struct buf c = buf_copy(&b);
        if (i == 2)
            insert_record(&c, vm, HV_SAVE_TYPE_ROUND_END, &end3, sizeof(end3));
        else if (i == 3)
            insert_record(&c, vm, HV_SAVE_TYPE_FINAL_ROUND, &final3, sizeof(final3));
        else
            buf_insert(&c, vm, extra[i].record, extra[i].len);
        expect_error(&c, -EBADMSG, extra[i].name, words, NULL);
        buf_free(&c);
    }
    struct buf c = buf_copy(&b);
    buf_insert(&c, v0, b.p + ph, 8 + 24);
    expect_error(&c, -EBADMSG, "PAGE_HOLES after VM_STATE", "(PAGE_HOLES)",
                 "PAGE_HOLES after VM_STATE");
    buf_free(&c);
    buf_free(&b);
}

static void reader_rejects_bad_page_holes(void)
{
    struct buf b = migration_bytes(2, 0, MIGRATION_PLAN);
    size_t ph = find_record(&b, HV_SAVE_TYPE_PAGE_HOLES, 0); /* 2 gfns: 8 + 16 octets */
    struct buf c = buf_copy(&b);
    put64(&c, ph + 16 + 8, NR_PAGES_WINDOW);
    expect_error(&c, -EBADMSG, "hole beyond nr_pages", "(PAGE_HOLES)",
                 "gfn 0x2000 (hole 1) is beyond nr_pages 0x2000");
    put64(&c, ph + 16 + 8, UINT64_MAX);
    expect_error(&c, -EBADMSG, "hole ~0", "(PAGE_HOLES)", "gfn 0xffffffffffffffff");
    buf_free(&c);
    corrupt32_bad(&b, ph + 12, 1, "holes pad", "(PAGE_HOLES)", "pad is not zero");
    corrupt32_bad(&b, ph + 8, 0, "holes count 0", "(PAGE_HOLES)", "count 0 is outside 1..4096");
    corrupt32_bad(&b, ph + 8, 4097, "holes count 4097", "(PAGE_HOLES)",
                  "count 4097 is outside 1..4096");
    corrupt32_bad(&b, ph + 8, 1, "holes count 1 of 2", "(PAGE_HOLES)",
                  "length 24 does not match count 1 (want 16)");
    corrupt32_bad(&b, ph + 8, 3, "holes count 3 of 2", "(PAGE_HOLES)",
                  "length 24 does not match count 3 (want 32)");
    buf_free(&b);
}

/* Lengths outside the type's range fail from the header alone. */
static void reader_rejects_bad_round_record_lengths(void)
{
    struct buf b = migration_bytes(2, 0, MIGRATION_PLAN);
    size_t ph = find_record(&b, HV_SAVE_TYPE_PAGE_HOLES, 0);
    size_t r0 = find_record(&b, HV_SAVE_TYPE_ROUND_END, 0);
    size_t fr = find_record(&b, HV_SAVE_TYPE_FINAL_ROUND, 0);
    corrupt32_bad(&b, ph + 4, 8, "holes length 8", "(PAGE_HOLES)", "length 8 is outside 16..32776");
    corrupt32_bad(&b, ph + 4, 20, "holes length 20", "(PAGE_HOLES)",
                  "length 20 does not match count 2");
    corrupt32_bad(&b, ph + 4, 8 + 8 * 4097, "holes length 32784", "(PAGE_HOLES)",
                  "length 32784 is outside 16..32776");
    corrupt32_bad(&b, r0 + 4, 16, "ROUND_END length 16", "(ROUND_END)",
                  "length 16 is outside 24..24");
    corrupt32_bad(&b, r0 + 4, 32, "ROUND_END length 32", "(ROUND_END)",
                  "length 32 is outside 24..24");
    corrupt32_bad(&b, fr + 4, 0, "FINAL_ROUND length 0", "(FINAL_ROUND)",
                  "length 0 is outside 8..8");
    corrupt32_bad(&b, fr + 4, 16, "FINAL_ROUND length 16", "(FINAL_ROUND)",
                  "length 16 is outside 8..8");
    buf_free(&b);
}

/* Streams of hvd 1.1 and older carry none of the three. */
static void reader_rejects_round_records_before_hvd_1_2(void)
{
    static const struct {
        const char *plan, *first; /* the first round record of the plan's stream */
    } cases[] = { { "HRFE", "(PAGE_HOLES)" }, { "RFE", "(ROUND_END)" }, { "FE", "(FINAL_ROUND)" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b = migration_bytes(2, 0, cases[i].plan);
        struct result res = read_bytes(&b);
        CHECK(res.rc == 0, "plan %s in a stream of hvd 1.2: %s", cases[i].plan, res.err);
        put32(&b, 24, HV_SAVE_HVD_1_1);
        expect_error(&b, -EBADMSG, cases[i].plan, cases[i].first,
                     "in a stream of hvd 1.1: streams carry it from hvd 1.2 on");
        put32(&b, 24, HV_SAVE_HVD_VERSION(1, 0));
        expect_error(&b, -EBADMSG, cases[i].plan, cases[i].first, "in a stream of hvd 1.0");
        buf_free(&b);
    }
}

/* A call the writer refuses: -EINVAL, a message saying why, and nothing written. */
static bool refused(struct hvsave_writer *w, int rc, uint64_t before, const char *call,
                    const char *word)
{
    if (rc != -EINVAL)
        return fail("%s: rc %d, want -EINVAL (%s)", call, rc, hvsave_writer_error(w));
    if (!strstr(hvsave_writer_error(w), word))
        return fail("%s: message '%s' does not say '%s'", call, hvsave_writer_error(w), word);
    if (hvsave_writer_offset(w) != before)
        return fail("%s: refused, yet %" PRIu64 " octets written", call,
                    hvsave_writer_offset(w) - before);
    return true;
}

#define REFUSED(w, call, word)                                                                     \
    do {                                                                                           \
        uint64_t before_ = hvsave_writer_offset(w);                                                \
        refused(w, (call), before_, #call, word);                                                  \
    } while (0)

static void writer_refuses_round_records_before_hvd_1_2(void)
{
    struct fixture f;
    fixture_init(&f, 3);
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    CHECK(hvsave_writer_open(&w, fd, &f.dh, 0) == 0, "open: %s", hvsave_writer_error(w));
    REFUSED(w, hvsave_write_holes(w, f.gfns, 1), "PAGE_HOLES in a stream of hvd 1.1");
    REFUSED(w, hvsave_write_final_round(w), "FINAL_ROUND in a stream of hvd 1.1");
    REFUSED(w, hvsave_write_round_end(w, 0, 0), "ROUND_END in a stream of hvd 1.1");
    CHECK(hvsave_write_pages(w, f.gfns, f.pages, f.nr) == 0 && fixture_write_state(w, &f) == 0,
          "the stream without them: %s", hvsave_writer_error(w));
    hvsave_writer_close(w);
    lseek(fd, 0, SEEK_SET);
    struct result res = read_fd(fd);
    CHECK(res.rc == 0, "reading it: %s", res.err);
    close(fd);
    fixture_free(&f);
}

static void writer_refuses_round_records_out_of_place(void)
{
    static uint64_t holes[5000];
    struct fixture f;
    fixture_init(&f, 3);
    f.dh.hvd_version = HV_SAVE_HVD_1_2;
    for (uint32_t i = 0; i < 5000; i++)
        holes[i] = i;
    holes[4999] = NR_PAGES_WINDOW; /* in the second record */
    struct hvsave_writer *w;
    int fd = memfd_create("t", MFD_CLOEXEC);
    CHECK(hvsave_writer_open(&w, fd, &f.dh, 0) == 0, "open: %s", hvsave_writer_error(w));
    CHECK(hvsave_write_holes(NULL, f.gfns, 1) == -EINVAL &&
              hvsave_write_holes(w, NULL, 1) == -EINVAL &&
              hvsave_write_final_round(NULL) == -EINVAL &&
              hvsave_write_round_end(NULL, 0, 0) == -EINVAL,
          "NULL arguments accepted");
    /* Round 0. */
    REFUSED(w, hvsave_write_round_end(w, HV_SAVE_ROUND_FINAL, 0),
            "FINAL is set, but no FINAL_ROUND began round 0");
    REFUSED(w, hvsave_write_round_end(w, 2, 0), "reserved flags 0x2 set");
    CHECK(hvsave_write_pages(w, f.gfns, f.pages, f.nr) == 0, "pages: %s", hvsave_writer_error(w));
    REFUSED(w, hvsave_write_final_round(w), "it must begin a round");
    REFUSED(w, hvsave_write_holes(w, holes, 5000), "gfn 0x2000 (hole 4999) is beyond nr_pages");
    struct {
        struct hv_save_page_holes h;
        uint64_t gfn;
    } hole = { { 0, 0 }, 1 };
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_PAGE_HOLES, &hole, 16), "count 0 is outside");
    hole.h = (struct hv_save_page_holes){ 1, 1 };
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_PAGE_HOLES, &hole, 16), "pad is not zero");
    struct hv_save_round_end end = { .round = 1, .pages = 3 };
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_ROUND_END, &end, sizeof(end)),
            "round 1 where 0 is due");
    end = (struct hv_save_round_end){ .round = 0, .pages = 2 };
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_ROUND_END, &end, sizeof(end)),
            "pages 2, but round 0 carried 3 gfns");
    CHECK(hvsave_write_round_end(w, 0, 3) == 0, "round 0's end: %s", hvsave_writer_error(w));
    /* Rounds without the final one, then VM_STATE. */
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm)),
            "VM_STATE in a migration stream without a FINAL_ROUND (after 1 ROUND_END)");
    struct hv_save_final_round final = { 1, 1 };
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_FINAL_ROUND, &final, sizeof(final)),
            "pad is not zero");
    final = (struct hv_save_final_round){ 0, 0 };
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_FINAL_ROUND, &final, sizeof(final)),
            "round 0 where 1 is due");
    /* Round 1, the final one. */
    CHECK(hvsave_write_final_round(w) == 0, "FINAL_ROUND: %s", hvsave_writer_error(w));
    REFUSED(w, hvsave_write_final_round(w), "a second FINAL_ROUND record");
    REFUSED(w, hvsave_write_record(w, HV_SAVE_TYPE_VM_STATE, &f.vm, sizeof(f.vm)),
            "VM_STATE before the final round's ROUND_END");
    CHECK(hvsave_write_holes(w, f.gfns, 1) == 0, "a hole: %s", hvsave_writer_error(w));
    REFUSED(w, hvsave_write_round_end(w, 0, 2), "FINAL is not set, but FINAL_ROUND began round 1");
    CHECK(hvsave_write_round_end(w, HV_SAVE_ROUND_FINAL, 2) == 0, "the final ROUND_END: %s",
          hvsave_writer_error(w));
    /* Nothing of the rounds after it. */
    REFUSED(w, hvsave_write_pages(w, f.gfns, f.pages, 1), "PAGE_DATA after the final ROUND_END");
    REFUSED(w, hvsave_write_holes(w, f.gfns, 1), "PAGE_HOLES after the final ROUND_END");
    REFUSED(w, hvsave_write_round_end(w, HV_SAVE_ROUND_FINAL, 2),
            "ROUND_END after the final ROUND_END");
    REFUSED(w, hvsave_write_final_round(w), "FINAL_ROUND after the final ROUND_END");
    CHECK(fixture_write_state(w, &f) == 0, "the state records: %s", hvsave_writer_error(w));
    hvsave_writer_close(w);
    lseek(fd, 0, SEEK_SET);
    struct result res = read_fd(fd);
    CHECK(res.rc == 0, "the stream written around the refusals: %s", res.err);
    close(fd);
    fixture_free(&f);
}

/* ---- timeouts, and fds that are O_NONBLOCK ------------------------------------------ */

#define TIMEOUT_MS 100  /* the tests' timeout: "0.1 s" in the messages */
#define SLACK_MS   2000 /* how much later than the timeout a loaded host may notice it */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The channels a stream travels through; fds[0] is read, fds[1] written. */
enum channel { PIPE, PIPE_NONBLOCK, SOCKETS, SOCKETS_NONBLOCK, NR_CHANNELS };

static const char *const channel_names[NR_CHANNELS] = { "a pipe", "an O_NONBLOCK pipe",
                                                        "a socket pair",
                                                        "an O_NONBLOCK socket pair" };

/* Open a channel; the library's end (fds[ours]) is O_NONBLOCK if the kind says so, the peer's never. */
static void channel_open(enum channel kind, int fds[2], int ours)
{
    int rc = kind >= SOCKETS ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)
                             : pipe2(fds, O_CLOEXEC);
    if (rc < 0)
        die("pipe2/socketpair");
    if ((kind == PIPE_NONBLOCK || kind == SOCKETS_NONBLOCK) &&
        fcntl(fds[ours], F_SETFL, fcntl(fds[ours], F_GETFL) | O_NONBLOCK) < 0)
        die("fcntl");
}

static void channel_close(int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

/* A failure after a wait of the timeout: -ETIMEDOUT, the words, and about TIMEOUT_MS. */
static void expect_timeout(const char *what, int rc, const char *err, const char *words,
                           int64_t elapsed)
{
    CHECK(rc == -ETIMEDOUT, "%s: rc %d (%s), want -ETIMEDOUT", what, rc, err);
    CHECK(strstr(err, words), "%s: message '%s' does not say '%s'", what, err, words);
    CHECK(elapsed >= TIMEOUT_MS && elapsed < TIMEOUT_MS + SLACK_MS,
          "%s: failed after %" PRId64 " ms, the timeout is %d ms", what, elapsed, TIMEOUT_MS);
}

/* A writer that sends the first n octets of b and then stalls: the reader gives up. */
static void reader_times_out_when_the_writer_stalls(void)
{
    struct buf b = small_stream(0);
    const size_t stall_at[] = { 0, 60, b.n / 2 }; /* before anything, in the config, in a record */
    for (int kind = 0; kind < NR_CHANNELS; kind++)
        for (size_t i = 0; i < 3 && !why[0]; i++) {
            int fds[2];
            char what[96];
            channel_open(kind, fds, 0);
            write_all(fds[1], b.p, stall_at[i]); /* at most half of 25 KiB: the channel holds it */
            snprintf(what, sizeof(what), "%s, stalled at %zu", channel_names[kind], stall_at[i]);
            int64_t start = now_ms();
            struct result res = read_fd_timeout(fds[0], TIMEOUT_MS);
            expect_timeout(what, res.rc, res.err, "no data for 0.1 s", now_ms() - start);
            channel_close(fds);
        }
    buf_free(&b);
}

/* A reader that never reads: the writer gives up once the channel is full. */
static void writer_times_out_when_nobody_reads(void)
{
    struct fixture f;
    fixture_init(&f, 128); /* 512 KiB of pages: more than a pipe or a socket pair holds */
    for (int kind = 0; kind < NR_CHANNELS && !why[0]; kind++) {
        int fds[2];
        struct hvsave_writer *w;
        channel_open(kind, fds, 1);
        int64_t start = now_ms();
        int rc = hvsave_writer_open_timeout(&w, fds[1], &f.dh, 0, TIMEOUT_MS);
        if (!rc)
            rc = hvsave_write_pages(w, f.gfns, f.pages, f.nr);
        expect_timeout(channel_names[kind], rc, hvsave_writer_error(w),
                       "the reader stopped reading for 0.1 s", now_ms() - start);
        CHECK(hvsave_write_pages(w, f.gfns, f.pages, 1) == -ETIMEDOUT,
              "%s: the failure is not sticky", channel_names[kind]);
        hvsave_writer_close(w);
        channel_close(fds);
    }
    fixture_free(&f);
}

/* In a child: read fd to its end, slowly, into the memfd out. */
static void read_slowly(int fd, int out)
{
    static uint8_t chunk[8192];
    for (ssize_t n; (n = read(fd, chunk, sizeof(chunk))) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            _exit(1);
        write_all(out, chunk, (size_t)n);
        usleep(200);
    }
    _exit(0);
}

/* In a child: write b to fd slowly, in pieces, and close it. */
static void write_slowly(int fd, const struct buf *b)
{
    for (size_t at = 0; at < b->n; at += 1000) {
        write_all(fd, b->p + at, b->n - at < 1000 ? b->n - at : 1000);
        usleep(300);
    }
    _exit(0);
}

static bool child_succeeded(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A reader slower than the writer: every channel, with and without a timeout. */
static void writer_waits_for_a_slow_reader(void)
{
    struct fixture f;
    fixture_init(&f, 128);
    struct buf want = fixture_bytes(&f, 0);
    for (int kind = 0; kind < NR_CHANNELS && !why[0]; kind++)
        for (int timeout = 0; timeout <= 5000 && !why[0]; timeout += 5000) {
            int fds[2], out = memfd_create("t", MFD_CLOEXEC);
            channel_open(kind, fds, 1);
            pid_t pid = fork();
            if (pid < 0)
                die("fork");
            if (pid == 0) {
                close(fds[1]);
                read_slowly(fds[0], out);
            }
            close(fds[0]);
            int rc = fixture_write_timeout(&f, fds[1], 0, timeout);
            close(fds[1]);
            bool child_ok = child_succeeded(pid);
            struct buf got = fd_contents(out);
            close(out);
            CHECK(rc == 0 && child_ok, "%s, timeout %d: rc %d, reader %s", channel_names[kind],
                  timeout, rc, child_ok ? "ok" : "failed");
            CHECK(got.n == want.n && memcmp(got.p, want.p, want.n) == 0,
                  "%s, timeout %d: %zu octets arrived, want the %zu of the stream",
                  channel_names[kind], timeout, got.n, want.n);
            buf_free(&got);
        }
    buf_free(&want);
    fixture_free(&f);
}

/* A writer slower than the reader: every channel, with and without a timeout. */
static void reader_waits_for_a_slow_writer(void)
{
    struct buf b = small_stream(0);
    struct result whole = read_bytes(&b);
    for (int kind = 0; kind < NR_CHANNELS && !why[0]; kind++)
        for (int timeout = 0; timeout <= 5000 && !why[0]; timeout += 5000) {
            int fds[2];
            channel_open(kind, fds, 0);
            pid_t pid = fork();
            if (pid < 0)
                die("fork");
            if (pid == 0) {
                close(fds[0]);
                write_slowly(fds[1], &b);
            }
            close(fds[1]);
            struct result res = read_fd_timeout(fds[0], timeout);
            close(fds[0]);
            bool child_ok = child_succeeded(pid);
            CHECK(res.rc == 0 && res.records == whole.records && child_ok,
                  "%s, timeout %d: rc %d (%s), %u records of %u, writer %s", channel_names[kind],
                  timeout, res.rc, res.err, res.records, whole.records, child_ok ? "ok" : "failed");
        }
    buf_free(&b);
}

static void on_signal(int sig)
{
    (void)sig;
}

/* Signals interrupt the wait (EINTR) without ending it early or making it longer. */
static void reader_timeout_holds_through_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal }, old; /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, &old);
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        for (int i = 0; i < 300; i++, usleep(10000)) /* every 10 ms for 3 s at most */
            kill(parent, SIGUSR1);
        _exit(0);
    }
    int64_t start = now_ms();
    struct result res = read_fd_timeout(p[0], 3 * TIMEOUT_MS);
    int64_t elapsed = now_ms() - start;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    sigaction(SIGUSR1, &old, NULL);
    close(p[0]);
    close(p[1]);
    CHECK(res.rc == -ETIMEDOUT && strstr(res.err, "no data for 0.3 s"), "rc %d: %s", res.rc,
          res.err);
    CHECK(elapsed >= 3 * TIMEOUT_MS && elapsed < 3 * TIMEOUT_MS + SLACK_MS,
          "the 300 ms timeout took %" PRId64 " ms", elapsed);
}

static void negative_timeouts_are_refused(void)
{
    struct fixture f;
    fixture_init(&f, 1);
    struct hvsave_writer *w = (void *)1;
    struct hvsave_reader *r = (void *)1;
    int fd = memfd_create("t", MFD_CLOEXEC);
    CHECK(hvsave_writer_open_timeout(&w, fd, &f.dh, 0, -1) == -EINVAL && !w,
          "a writer with timeout -1");
    CHECK(hvsave_reader_open_timeout(&r, fd, -1) == -EINVAL && !r, "a reader with timeout -1");
    CHECK(hvsave_writer_offset(w) == 0 && lseek(fd, 0, SEEK_END) == 0, "something was written");
    close(fd);
    fixture_free(&f);
}

/* ---- seeds for the fuzzer ---------------------------------------------------------- */

static int write_seed(const char *dir, const char *name, const struct buf *b)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "test_libsave: %s: %s\n", path, strerror(errno));
        return 1;
    }
    write_all(fd, b->p, b->n);
    close(fd);
    return 0;
}

static int write_seeds(const char *dir)
{
    struct buf plain = small_stream(0), zlib = small_stream(HVSAVE_ZLIB);
    int rc = write_seed(dir, "plain", &plain) | write_seed(dir, "zlib", &zlib);
    insert_record_before_end(&plain, 0x80001234, "optional", 8);
    rc |= write_seed(dir, "optional", &plain);
    buf_free(&plain);
    buf_free(&zlib);
    struct buf mig = migration_bytes(2, 0, MIGRATION_PLAN);
    struct buf mig_zlib = migration_bytes(2, HVSAVE_ZLIB, MIGRATION_PLAN);
    rc |= write_seed(dir, "migration", &mig) | write_seed(dir, "migration_zlib", &mig_zlib);
    buf_free(&mig);
    buf_free(&mig_zlib);
    return rc;
}

/* The reader's tests, each way of taking pages (pages_later). */
static void run_reader_tests(void)
{
    run("roundtrip_through_pipe_keeps_every_record", roundtrip_through_pipe_keeps_every_record);
    run("roundtrip_through_pipe_with_zlib_keeps_every_record",
        roundtrip_through_pipe_with_zlib_keeps_every_record);
    run("reader_stops_at_end", reader_stops_at_end);
    run("reader_rejects_truncation_at_every_offset", reader_rejects_truncation_at_every_offset);
    run("reader_rejects_truncation_at_every_offset_zlib", reader_rejects_truncation_at_every_offset_zlib);
    run("reader_rejects_each_corrupted_image_header_field",
        reader_rejects_each_corrupted_image_header_field);
    run("reader_rejects_each_corrupted_domain_header_field",
        reader_rejects_each_corrupted_domain_header_field);
    run("reader_fails_on_unknown_mandatory_record_naming_it",
        reader_fails_on_unknown_mandatory_record_naming_it);
    run("reader_skips_unknown_optional_record", reader_skips_unknown_optional_record);
    run("reader_rejects_4gib_length_without_allocating", reader_rejects_4gib_length_without_allocating);
    run("reader_rejects_length_wrong_for_type", reader_rejects_length_wrong_for_type);
    run("reader_rejects_nonzero_padding", reader_rejects_nonzero_padding);
    run("reader_rejects_gfn_beyond_domain", reader_rejects_gfn_beyond_domain);
    run("reader_rejects_count_overflowing_page_size", reader_rejects_count_overflowing_page_size);
    run("reader_rejects_bad_zlib_bodies", reader_rejects_bad_zlib_bodies);
    run("reader_rejects_records_out_of_order", reader_rejects_records_out_of_order);
    run("reader_rejects_bad_fields_in_bodies", reader_rejects_bad_fields_in_bodies);
    run("migration_streams_roundtrip", migration_streams_roundtrip);
    run("reader_rejects_bad_round_ends", reader_rejects_bad_round_ends);
    run("reader_rejects_misplaced_final_rounds", reader_rejects_misplaced_final_rounds);
    run("reader_rejects_rounds_without_the_final_round_end",
        reader_rejects_rounds_without_the_final_round_end);
    run("reader_rejects_round_records_after_the_final_one",
        reader_rejects_round_records_after_the_final_one);
    run("reader_rejects_bad_page_holes", reader_rejects_bad_page_holes);
    run("reader_rejects_bad_round_record_lengths", reader_rejects_bad_round_record_lengths);
}

/* SIGALRM: a test that waits for ever fails, instead of hanging make check. */
static void watchdog(int sig)
{
    static const char hung[] = ": still waiting after 120 s\n";
    (void)sig;
    if (write(STDOUT_FILENO, "not ok ", 7) < 0 ||
        write(STDOUT_FILENO, current_test, strlen(current_test)) < 0 ||
        write(STDOUT_FILENO, hung, sizeof(hung) - 1) < 0)
        _exit(3);
    _exit(3);
}

/* Reads and writes that wait: for a stalled peer, a slow one, and through signals. */
static void run_timeout_tests(void)
{
    signal(SIGALRM, watchdog);
    alarm(120);
    run("reader_times_out_when_the_writer_stalls", reader_times_out_when_the_writer_stalls);
    run("writer_times_out_when_nobody_reads", writer_times_out_when_nobody_reads);
    run("writer_waits_for_a_slow_reader", writer_waits_for_a_slow_reader);
    run("reader_waits_for_a_slow_writer", reader_waits_for_a_slow_writer);
    run("reader_timeout_holds_through_signals", reader_timeout_holds_through_signals);
    run("negative_timeouts_are_refused", negative_timeouts_are_refused);
    alarm(0);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
        return write_seeds(argv[2]);
    signal(SIGPIPE, SIG_IGN);
    run("zlib_writes_plain_records_for_incompressible_pages",
        zlib_writes_plain_records_for_incompressible_pages);
    run("reader_gives_pages_later_only_as_asked", reader_gives_pages_later_only_as_asked);
    for (int later = 0; later < 2; later++) {
        pages_later = later;
        run_reader_tests();
    }
    pages_later = false;
    run("xsave_len_from_576_to_65536_in_steps_of_8", xsave_len_from_576_to_65536_in_steps_of_8);
    run("reader_rejects_hvd_1_1_records_in_a_hvd_1_0_stream",
        reader_rejects_hvd_1_1_records_in_a_hvd_1_0_stream);
    run("hvd_1_0_stream_without_them_reads_as_running", hvd_1_0_stream_without_them_reads_as_running);
    run("writer_refuses_hvd_1_1_records_in_a_hvd_1_0_stream",
        writer_refuses_hvd_1_1_records_in_a_hvd_1_0_stream);
    run("run_state_roundtrips_running_paused_and_each_shutdown_reason",
        run_state_roundtrips_running_paused_and_each_shutdown_reason);
    run("reader_rejects_bad_run_state_records", reader_rejects_bad_run_state_records);
    run("writer_refuses_bad_run_states", writer_refuses_bad_run_states);
    run("reader_ignores_octets_after_end_in_a_file", reader_ignores_octets_after_end_in_a_file);
    run("writer_refuses_what_the_reader_would_reject", writer_refuses_what_the_reader_would_reject);
    run("writer_reports_write_errors", writer_reports_write_errors);
    run("reader_rejects_truncation_of_a_migration_stream",
        reader_rejects_truncation_of_a_migration_stream);
    run("holes_split_into_records_of_4096", holes_split_into_records_of_4096);
    run("reader_rejects_round_records_before_hvd_1_2", reader_rejects_round_records_before_hvd_1_2);
    run("writer_refuses_round_records_before_hvd_1_2", writer_refuses_round_records_before_hvd_1_2);
    run("writer_refuses_round_records_out_of_place", writer_refuses_round_records_out_of_place);
    run_timeout_tests();
    printf("test_libsave: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
