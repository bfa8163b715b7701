/*
 * The toolstack's octets kept with a domain (XEN_DOMCTL_toolstack_data):
 * at most HV_TOOLSTACK_DATA_MAX, charged to the domain through dalloc,
 * replaced whole, freed at teardown.  Only the control thread touches
 * them, so they need no lock.
 */
#include <errno.h>
#include <string.h>
#include <hv/public/privcmd.h>
#include <xen/privcmd.h>
#include <xen/sched.h>
#include <xen/toolstack_data.h>

static long toolstack_data_set(struct domain *d, const void *buf, uint32_t len)
{
    void *copy = NULL;

    if (len > HV_TOOLSTACK_DATA_MAX)
        return -E2BIG;
    if (len) {
        copy = dalloc_nozero(d, len);
        if (!copy)
            return -ENOMEM;
        memcpy(copy, buf, len);
    }
    toolstack_data_free(d);
    d->toolstack_data = copy;
    d->toolstack_data_len = len;
    return 0;
}

long toolstack_data_op(struct domain *d, struct xen_domctl_toolstack_data *op, const void *buf,
                       uint32_t buf_len, struct privcmd_reply_extra *out)
{
    _Static_assert(HV_TOOLSTACK_DATA_MAX <= HV_PRIVCMD_MAX_BUF, "the data fits one reply");
    switch (op->cmd) {
    case HV_TOOLSTACK_DATA_set:
        return toolstack_data_set(d, buf, buf_len);
    case HV_TOOLSTACK_DATA_get:
        if (buf_len)
            return -EINVAL; /* nothing goes in with a get */
        if (d->toolstack_data_len)
            memcpy(out->buf, d->toolstack_data, d->toolstack_data_len);
        op->length = out->buf_len = d->toolstack_data_len;
        return 0;
    default:
        return -EINVAL;
    }
}

void toolstack_data_free(struct domain *d)
{
    if (d->toolstack_data)
        dfree(d, d->toolstack_data);
    d->toolstack_data = NULL;
    d->toolstack_data_len = 0;
}
