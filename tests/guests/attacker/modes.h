/*
 * The attacker guest's modes: one per way a guest could hurt hvd or
 * another domain (tests/integration/iso_*.sh).  Each mode lives in the
 * file of its subsystem and ends the test with an xtf_* result.
 */
#ifndef ATTACKER_MODES_H
#define ATTACKER_MODES_H

#include <hv/public/xen.h>

struct attacker_mode {
    const char *name;
    void (*run)(const struct hv_start_info *si);
};

/* Each file's modes, ended by an entry with name NULL. */
extern const struct attacker_mode vcpu_modes[];   /* vcpu_modes.c */
extern const struct attacker_mode memory_modes[]; /* memory_modes.c */

#endif
