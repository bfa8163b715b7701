/* hv public ABI: xen_version(cmd, arg). */
#ifndef HV_PUBLIC_VERSION_H
#define HV_PUBLIC_VERSION_H

#include <stdint.h>

#define XENVER_version             0  /* arg ignored; returns major << 16 | minor */
#define XENVER_extraversion        1  /* arg: struct xen_extraversion * */
#define XENVER_capabilities        3  /* arg: struct xen_capabilities_info * */
#define XENVER_changeset           4  /* arg: struct xen_changeset_info * */
#define XENVER_compile_info        2  /* arg: struct xen_compile_info * */
#define XENVER_platform_parameters 5  /* arg: struct xen_platform_parameters * */
#define XENVER_get_features        6  /* arg: struct xen_feature_info * */
#define XENVER_pagesize            7  /* arg ignored; returns XEN_PAGE_SIZE */
#define XENVER_guest_handle        8  /* arg: uint8_t[16], the domain's UUID */
#define XENVER_commandline         9  /* arg: struct xen_commandline * (hvd's own command line) */
#define XENVER_build_id            10 /* arg: struct xen_build_id *; returns the id's length */

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

struct xen_compile_info {
    char compiler[64]; /* NUL-terminated */
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info");

struct xen_platform_parameters {
    uint64_t virt_start; /* lowest virtual address hvd reserves in the guest: none, 2^64-1 */
};
_Static_assert(sizeof(struct xen_platform_parameters) == 8, "xen_platform_parameters");

struct xen_feature_info {
    uint32_t submap_idx; /* in: 32-feature block */
    uint32_t submap;     /* out: feature bits (none defined yet: 0) */
};
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info");

struct xen_commandline {
    char buf[1024]; /* NUL-terminated, cut at 1023 bytes */
};
_Static_assert(sizeof(struct xen_commandline) == 1024, "xen_commandline");

struct xen_build_id {
    uint32_t len;    /* out: bytes of id */
    uint8_t buf[64]; /* out: hvd's GNU build-id */
    uint8_t pad[4];
};
_Static_assert(sizeof(struct xen_build_id) == 72, "xen_build_id");

#endif
