/*
 * libFuzzer target: the save-stream reader on arbitrary input.  The input
 * is put in a memfd that the reader reads front to back like any stream;
 * every record is read until END or an error.  An input of odd length is
 * read with HVSAVE_READ_PAGES_LATER, each record's pages taken in two
 * calls.  A crash, a sanitizer report or a leak is a bug in libhvsave.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined over the library's
 * sources; see docs/fuzzing.md.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvsave.h"

static int input_fd(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0)
        fd = memfd_create("fuzz_save_reader", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
        lseek(fd, 0, SEEK_SET) != 0)
        abort(); /* the harness itself is broken */
    return fd;
}

/* A page record's last page: the reader's, or taken into ours (later). */
static int last_page_octet(struct hvsave_reader *r, const struct hvsave_record *rec, bool later)
{
    static uint8_t pages[HV_SAVE_PAGES_PER_RECORD * 4096];
    uint32_t count = rec->u.pages.count, first = count / 2;
    if (!later)
        return rec->u.pages.data[(size_t)count * 4096 - 1];
    int rc = hvsave_read_pages(r, pages, first);
    if (!rc)
        rc = hvsave_read_pages(r, pages + (size_t)first * 4096, count - first);
    return rc ? rc : pages[(size_t)count * 4096 - 1];
}

/* Every gfn of a PAGE_HOLES record the reader returns is in the domain. */
static bool holes_checked(const struct hvsave_reader *r, const struct hvsave_record *rec)
{
    for (uint32_t i = 0; i < rec->u.holes.count; i++)
        if (rec->u.holes.gfns[i] >= hvsave_reader_domain(r)->nr_pages)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hvsave_reader *r;
    struct hvsave_record rec;
    bool later = size % 2;
    int rc = hvsave_reader_open(&r, input_fd(data, size));
    if (!rc && later && hvsave_reader_set_flags(r, HVSAVE_READ_PAGES_LATER))
        abort();
    while (!rc && !(rc = hvsave_read_record(r, &rec)) && rec.type != HV_SAVE_TYPE_END) {
        /* Touch what the reader hands out, so a bad view is caught. */
        if (rec.type == HV_SAVE_TYPE_PAGE_DATA || rec.type == HV_SAVE_TYPE_PAGE_DATA_ZLIB) {
            int octet = last_page_octet(r, &rec, later);
            rc = octet < 0 ? octet : 0;
        }
        if (rec.type == HV_SAVE_TYPE_PAGE_HOLES && !holes_checked(r, &rec))
            abort(); /* the reader let a gfn beyond the domain through */
        if (rec.type == HV_SAVE_TYPE_ROUND_END && (rec.u.round_end->flags & ~HV_SAVE_ROUND_FINAL))
            abort(); /* or a reserved flag */
    }
    if (rc && hvsave_reader_error(r)[0] == '\0')
        abort(); /* every failure must say why */
    struct hvsave_run_state rs;
    if (!rc && (hvsave_reader_run_state(r, &rs) != 0 || rs.state > HVSAVE_RUN_SHUTDOWN))
        abort(); /* a complete stream knows its run state, and it is a valid one */
    hvsave_reader_close(r);
    return 0;
}
