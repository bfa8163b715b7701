/* libhvcfg: the names of the HV_ACTION_* values (the table is public/names.h's, shared with hvd). */
#include <errno.h>
#include <string.h>
#include <hv/public/names.h>
#include "private.h"

HVCFG_EXPORT const char *hvcfg_action_name(unsigned action)
{
    return hv_action_name(action);
}

HVCFG_EXPORT int hvcfg_action_parse(const char *name, uint8_t *action)
{
    for (unsigned a = 0; a <= HV_ACTION_MAX; a++)
        if (strcmp(name, hv_action_name(a)) == 0) {
            *action = (uint8_t)a;
            return 0;
        }
    return -EINVAL;
}
