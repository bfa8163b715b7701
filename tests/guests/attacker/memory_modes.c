/* Attacker modes against guest memory and the host's memory limits. */
#include "modes.h"
#include "xtf.h"

const struct attacker_mode memory_modes[] = {
    { NULL, NULL },
};
