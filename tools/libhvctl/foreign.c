/*
 * Foreign memory: map a domain's guest frames into this process through
 * its memory file, which hvd hands over with SCM_RIGHTS.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "private.h"

/* The frames backing [gfn, gfn + nr); -ENXIO if one is not populated. */
static int query_frames(hvctl_t *h, uint32_t domid, uint64_t gfn, uint64_t nr, uint64_t *frames)
{
    int rc = hvctl_p2m_query(h, domid, gfn, nr, frames);
    for (uint64_t i = 0; rc == 0 && i < nr; i++) {
        if (frames[i] == HV_INVALID_FRAME)
            rc = -ENXIO;
    }
    return rc;
}

/* Reserve the range, then map each run of consecutive frames over it. */
static int map_runs(int memfd, const uint64_t *frames, uint64_t nr, int prot, void **addr)
{
    uint8_t *base = mmap(NULL, nr * XEN_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return -errno;
    for (uint64_t i = 0; i < nr;) {
        uint64_t run = 1;
        while (i + run < nr && frames[i + run] == frames[i] + run)
            run++;
        if (mmap(base + i * XEN_PAGE_SIZE, run * XEN_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED, memfd,
                 (off_t)(frames[i] * XEN_PAGE_SIZE)) == MAP_FAILED) {
            int err = errno;
            munmap(base, nr * XEN_PAGE_SIZE);
            return -err;
        }
        i += run;
    }
    *addr = base;
    return 0;
}

HVCTL_API int hvctl_map_foreign(hvctl_t *h, uint32_t domid, uint64_t gfn, uint64_t nr, int prot,
                                void **addr)
{
    if (domid > UINT16_MAX)
        return -ESRCH;
    if (nr == 0 || nr > (1ull << 35) / XEN_PAGE_SIZE || gfn + nr < gfn)
        return -EINVAL;
    uint64_t *frames = malloc(nr * sizeof(*frames));
    if (!frames)
        return -ENOMEM;
    int memfd = -1;
    int rc = query_frames(h, domid, gfn, nr, frames);
    if (rc == 0)
        rc = hvctl_memory_fd(h, domid, &memfd, NULL);
    if (rc == 0)
        rc = map_runs(memfd, frames, nr, prot, addr);
    if (memfd >= 0)
        close(memfd); /* the mapping keeps the file alive */
    free(frames);
    return rc;
}

HVCTL_API int hvctl_unmap_foreign(void *addr, uint64_t nr)
{
    return munmap(addr, nr * XEN_PAGE_SIZE) < 0 ? -errno : 0;
}
