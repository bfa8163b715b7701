/*
 * The domain config a save image carries (hvcli(1)'s JSON config syntax),
 * written from a domain's info on save and turned back into createdomain
 * arguments on restore.  The only part of the engine that knows configs.
 */
#ifndef HVGUEST_IMAGE_CONFIG_H
#define HVGUEST_IMAGE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <hvsave.h>
#include <hv/public/domctl.h>

/* The config of a domain whose RAM window has nr_gfns gfns; *json is
 * malloc'ed and NUL-terminated. */
int image_config_write(const struct xen_domctl_getdomaininfo *info, uint64_t nr_gfns, char **json);

/* The createdomain arguments for the image whose domain header is dh: its
 * config, checked against the header, with the RAM window exactly the
 * saved one and only gfn 0 populated (the image brings the rest).
 * -EINVAL with err saying why: no config, or one that is bad or disagrees
 * with the header. */
int image_config_read(const struct hvsave_domain_header *dh, struct xen_domctl_createdomain *cd,
                      char *err, size_t errlen);

#endif
