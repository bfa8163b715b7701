/*
 * The domain config a save image carries (hvcli(1)'s JSON config syntax),
 * written from a domain's info (and the config the toolstack kept with it)
 * on save, turned back into createdomain arguments and kept with the new
 * domain on restore.  The only part of the engine that knows configs.
 */
#ifndef HVGUEST_IMAGE_CONFIG_H
#define HVGUEST_IMAGE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <hvctl.h>
#include <hvsave.h>
#include <hv/public/domctl.h>

/* The config of domain domid (info: its info; nr_gfns: its RAM window):
 * what hvd says of it, and its kernel and cmdline from the config the
 * toolstack kept with it, if any.  *json is malloc'ed and NUL-terminated. */
int image_config_write(hvctl_t *h, uint32_t domid, const struct xen_domctl_getdomaininfo *info,
                       uint64_t nr_gfns, char **json);

/* Keep the image's config with the restored domain, so that a save of it
 * carries its kernel again.  A config too long to keep is not kept. */
int image_config_keep(hvctl_t *h, uint32_t domid, const struct hvsave_domain_header *dh);

/* The createdomain arguments for the image whose domain header is dh: its
 * config, checked against the header, with the RAM window exactly the
 * saved one and only gfn 0 populated (the image brings the rest).
 * -EINVAL with err saying why: no config, or one that is bad or disagrees
 * with the header. */
int image_config_read(const struct hvsave_domain_header *dh, struct xen_domctl_createdomain *cd,
                      char *err, size_t errlen);

#endif
