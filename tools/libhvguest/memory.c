/* The save/restore engine's view of a domain's memory file. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "memory.h"

int guest_memory_map(hvctl_t *h, uint32_t domid, int prot, struct guest_memory *m)
{
    uint64_t size = 0;
    int fd = -1, rc;

    memset(m, 0, sizeof(*m));
    rc = hvctl_memory_fd(h, domid, &fd, &size);
    if (rc < 0)
        return rc;
    if (size == 0 || size % XEN_PAGE_SIZE) {
        close(fd);
        return -EPROTO;
    }
    void *base = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
    rc = base == MAP_FAILED ? -errno : 0;
    close(fd); /* the mapping keeps the file */
    if (rc < 0)
        return rc;
    m->base = base;
    m->nr_gfns = size / XEN_PAGE_SIZE;
    return 0;
}

void guest_memory_unmap(struct guest_memory *m)
{
    if (m->base)
        munmap(m->base, m->nr_gfns * XEN_PAGE_SIZE);
    m->base = NULL;
}

uint8_t *guest_memory_frame(const struct guest_memory *m, uint64_t frame)
{
    return frame < m->nr_gfns ? m->base + frame * XEN_PAGE_SIZE : NULL;
}

void guest_memory_prefault(const struct guest_memory *m, uint64_t frame, uint64_t nr, bool write)
{
    if (frame >= m->nr_gfns)
        return;
    if (nr > m->nr_gfns - frame)
        nr = m->nr_gfns - frame;
    madvise(m->base + frame * XEN_PAGE_SIZE, nr * XEN_PAGE_SIZE,
            write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}
