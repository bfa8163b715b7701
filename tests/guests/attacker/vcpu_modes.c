/* Attacker modes against vCPUs, event channels and the domain lifecycle. */
#include "modes.h"
#include "xtf.h"

const struct attacker_mode vcpu_modes[] = {
    { NULL, NULL },
};
