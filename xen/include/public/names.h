/*
 * hv public ABI: the names hvd and the toolstack must spell alike.
 *
 *   hv_name_check()   the domain-name rule: 1..HV_NAME_MAX-1 bytes of
 *                     [A-Za-z0-9_.-], not all digits
 *   hv_action_name()  "destroy", "restart", "preserve" for HV_ACTION_*
 *
 * These are static inline functions in a header, not a library call:
 * hvd links no toolstack library and the toolstack links nothing of hvd,
 * so a header both compile is the one place the rules can live without a
 * shared object file or an exported symbol.
 */
#ifndef HV_PUBLIC_NAMES_H
#define HV_PUBLIC_NAMES_H

#include <stddef.h>
#include "domctl.h"

/* What hv_name_check() found wrong with a name, if anything. */
enum hv_name_verdict {
    HV_NAME_OK,
    HV_NAME_EMPTY,
    HV_NAME_TOO_LONG,  /* HV_NAME_MAX bytes or more: no room for the NUL */
    HV_NAME_BAD_CHAR,  /* a byte outside [A-Za-z0-9_.-] */
    HV_NAME_ALL_DIGITS /* would read as a domid */
};

/* Check the len bytes at name against the domain-name rule. */
static inline enum hv_name_verdict hv_name_check(const char *name, size_t len)
{
    if (len == 0)
        return HV_NAME_EMPTY;
    if (len >= HV_NAME_MAX)
        return HV_NAME_TOO_LONG;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        int digit = c >= '0' && c <= '9';
        if (!(digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
              c == '-'))
            return HV_NAME_BAD_CHAR;
        digits += (size_t)digit;
    }
    return digits == len ? HV_NAME_ALL_DIGITS : HV_NAME_OK;
}

/* The name of an HV_ACTION_* value, or NULL for a value that is none. */
static inline const char *hv_action_name(unsigned action)
{
    switch (action) {
    case HV_ACTION_destroy:
        return "destroy";
    case HV_ACTION_restart:
        return "restart";
    case HV_ACTION_preserve:
        return "preserve";
    default:
        return NULL;
    }
}

#endif
