/*
 * Issue 8, item 9: the name hvd gives a domain created without one is
 * checked like any other, so no two domains ever share a name.  hvcli
 * always sends a name, so this talks to hvd (HVD_SOCKET, no other
 * domains) through libhvctl.  Domids are the lowest free ones, so the
 * test knows which "domain-<domid>" an unnamed domain will want and takes
 * that name first.  An unnamed domain whose "domain-<domid>" is taken is
 * called "domain-<domid>-<n>", n the lowest free from 2 (docs/abi.md).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "hvctl.h"

int failures;

#define MAX_DOMAINS 16

/* A small domain, never run; name NULL: let hvd name it. */
static int create(hvctl_t *h, const char *name, uint32_t *domid)
{
    struct xen_domctl_createdomain cd = { .max_vcpus = 1, .max_pages = 256, .init_pages = 256 };
    if (name)
        snprintf(cd.name, sizeof(cd.name), "%s", name);
    *domid = 0;
    return hvctl_domain_create(h, &cd, domid);
}

static void create_named(hvctl_t *h, const char *name, uint32_t want_domid)
{
    uint32_t domid;
    int rc = create(h, name, &domid);
    CHECK(rc == 0 && domid == want_domid, "creating '%s' gave %d (%s), domid %u; want domid %u",
          name, rc, strerror(-rc), domid, want_domid);
}

/* Create an unnamed domain; it must get want_domid and be called want_name. */
static void create_unnamed(hvctl_t *h, uint32_t want_domid, const char *want_name)
{
    uint32_t domid, found = 0;
    int rc = create(h, NULL, &domid);
    CHECK(rc == 0 && domid == want_domid, "creating an unnamed domain gave %d (%s), domid %u; "
          "want domid %u", rc, strerror(-rc), domid, want_domid);
    if (rc)
        return;
    struct xen_domctl_getdomaininfo info;
    rc = hvctl_domain_getinfo(h, domid, &info);
    CHECK(rc == 0 && !strncmp(info.name, want_name, sizeof(info.name)),
          "unnamed domain %u is called '%.*s' (getinfo %d), want '%s'", domid,
          (int)sizeof(info.name), info.name, rc, want_name);
    rc = hvctl_domain_lookup(h, want_name, &found);
    CHECK(rc == 0 && found == domid, "looking up '%s' gave %d, domid %u, want %u", want_name, rc,
          found, domid);
}

/* Every domain's name is different from every other's. */
static void check_names_unique(hvctl_t *h, const char *when)
{
    struct xen_domctl_getdomaininfo info[MAX_DOMAINS];
    int n = hvctl_domain_list(h, 0, info, MAX_DOMAINS);
    CHECK(n > 0, "%s: listing domains gave %d", when, n);
    int same = 0;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (strncmp(info[i].name, info[j].name, sizeof(info[i].name)))
                continue;
            printf("# %s: domains %u and %u are both called '%.*s'\n", when, info[i].domain,
                   info[j].domain, (int)sizeof(info[i].name), info[i].name);
            same++;
        }
    }
    CHECK(same == 0, "%s: %d pair(s) of domains share a name", when, same);
}

static void destroy(hvctl_t *h, uint32_t domid)
{
    int rc = hvctl_domain_destroy(h, domid);
    CHECK(rc == 0, "destroying domain %u gave %d", domid, rc);
}

int main(void)
{
    hvctl_t *h;
    if (hvctl_open(&h, NULL)) {
        fprintf(stderr, "iso_default_names: needs a running hvd at HVD_SOCKET\n");
        return 2;
    }
    struct xen_domctl_getdomaininfo none[1];
    if (hvctl_domain_list(h, 0, none, 1) != 0) {
        fprintf(stderr, "iso_default_names: hvd must run no domain yet\n");
        return 2;
    }
    /* The case: "domain-2" is domid 1's name when domid 2 comes unnamed. */
    create_named(h, "domain-2", 1);
    create_unnamed(h, 2, "domain-2-2");
    check_names_unique(h, "domain-2 taken");

    /* An unnamed domain's name is taken like any other. */
    create_unnamed(h, 3, "domain-3");
    uint32_t domid;
    int rc = create(h, "domain-3", &domid);
    CHECK(rc == -EEXIST, "creating a second 'domain-3' gave %d (%s), want -EEXIST", rc,
          strerror(-rc));

    /* Both "domain-6" and "domain-6-2" taken: the next free suffix. */
    create_named(h, "domain-6", 4);
    create_named(h, "domain-6-2", 5);
    create_unnamed(h, 6, "domain-6-3");
    check_names_unique(h, "domain-6 and domain-6-2 taken");

    /* A destroyed domain's default name is free again, for anyone. */
    destroy(h, 2);
    create_named(h, "domain-2-2", 2);
    destroy(h, 1);
    create_unnamed(h, 1, "domain-1");
    check_names_unique(h, "after destroys and re-creates");

    for (uint32_t id = 1; id <= 6; id++)
        destroy(h, id);
    rc = hvctl_domain_list(h, 0, none, 1);
    CHECK(rc == 0, "%d domain(s) left after the test", rc);
    hvctl_close(h);
    printf("%s\n", failures ? "FAILED" : "default names stay unique");
    return failures ? 1 : 0;
}
