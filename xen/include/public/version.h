/* hv public ABI: xen_version(cmd, arg). */
#ifndef HV_PUBLIC_VERSION_H
#define HV_PUBLIC_VERSION_H

#include <stdint.h>

#define XENVER_version      0 /* arg ignored; returns major << 16 | minor */
#define XENVER_extraversion 1 /* arg: struct xen_extraversion * */
#define XENVER_capabilities 3 /* arg: struct xen_capabilities_info * */
#define XENVER_changeset    4 /* arg: struct xen_changeset_info * */
#define XENVER_pagesize     7 /* arg ignored; returns 4096 */

struct xen_extraversion {
    char extraversion[16]; /* NUL-terminated, e.g. "-dev" */
};
_Static_assert(sizeof(struct xen_extraversion) == 16, "xen_extraversion");

struct xen_capabilities_info {
    char info[1024]; /* NUL-terminated, space-separated, e.g. "hvm-3.0-x86_64" */
};
_Static_assert(sizeof(struct xen_capabilities_info) == 1024, "xen_capabilities_info");

struct xen_changeset_info {
    char info[64]; /* NUL-terminated source revision hvd was built from */
};
_Static_assert(sizeof(struct xen_changeset_info) == 64, "xen_changeset_info");

#endif
