/* For the test payloads: answer XENVER_extraversion with `text`. */
#ifndef LIVEPATCH_TEST_EXTRAVERSION_H
#define LIVEPATCH_TEST_EXTRAVERSION_H

#include <stdint.h>
#include <string.h>
#include <hv/public/version.h>
#include <xen/guest_access.h>

static inline long put_extraversion(struct vcpu *v, uint64_t arg, const char *text)
{
    struct xen_extraversion e;
    memset(&e, 0, sizeof(e));
    strncpy(e.extraversion, text, sizeof(e.extraversion) - 1);
    return copy_to_guest(v, arg, &e, sizeof(e));
}

#endif
