/*
 * libhvctl: the domain's physical memory as the toolstack sees it — its
 * memory file (XEN_DOMCTL_get_memory_fd) and which frame of that file
 * backs each gfn (XEN_DOMCTL_p2m_query, XEN_DOMCTL_p2m_set).
 */
#include <errno.h>
#include <unistd.h>
#include "private.h"

HVCTL_API int hvctl_memory_fd(hvctl_t *h, uint32_t domid, int *fd, uint64_t *size)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_get_memory_fd };
    int got = -1;
    int rc = hvctl_domctl_on(h, domid, &op, NULL, 0, NULL, 0, NULL, &got);

    if (rc < 0)
        return rc;
    if (got < 0)
        return -EPROTO;
    *fd = got;
    if (size)
        *size = op.u.memory_fd.size;
    return 0;
}

/* One XEN_DOMCTL_p2m_query of nr <= HV_P2M_QUERY_MAX gfns. */
static int p2m_query_chunk(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, uint64_t *frames)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_p2m_query,
                             .u.p2m_query = { .first_gfn = gfn, .nr = nr } };
    size_t want = (size_t)nr * sizeof(*frames), got = 0;
    int rc = hvctl_domctl_on(h, domid, &op, NULL, 0, frames, want, &got, NULL);

    return rc < 0 ? rc : got == want ? 0 : -EPROTO;
}

HVCTL_API int hvctl_p2m_query(hvctl_t *h, uint32_t domid, uint64_t gfn, uint64_t nr,
                              uint64_t *frames)
{
    if (nr == 0 || gfn + nr < gfn)
        return -EINVAL;
    for (uint64_t done = 0; done < nr;) {
        uint64_t left = nr - done;
        uint32_t chunk = left > HV_P2M_QUERY_MAX ? HV_P2M_QUERY_MAX : (uint32_t)left;
        int rc = p2m_query_chunk(h, domid, gfn + done, chunk, frames + done);
        if (rc < 0)
            return rc;
        done += chunk;
    }
    return 0;
}

HVCTL_API int hvctl_p2m_set(hvctl_t *h, uint32_t domid, uint64_t gfn, uint32_t nr, int populate)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_p2m_set,
                             .u.p2m_set = {
                                 .first_gfn = gfn, .nr = nr, .populate = populate ? 1 : 0 } };

    return hvctl_domctl_on(h, domid, &op, NULL, 0, NULL, 0, NULL, NULL);
}
