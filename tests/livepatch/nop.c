/*
 * A NOP patch: the first 5 octets of xen_version_extraversion, which are
 * NOPs already (every hvd function starts with 5), so the guest sees no
 * change while hvd writes and restores them.
 */
#include <hvpatch.h>

HVPATCH_NOP(xen_version_extraversion, 5);
