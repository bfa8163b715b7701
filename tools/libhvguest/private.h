/* libhvguest internals shared between its files. */
#ifndef HVGUEST_PRIVATE_H
#define HVGUEST_PRIVATE_H

#include "hvguest.h"

/* Exported symbols; everything else in the library stays hidden. */
#define HVGUEST_API __attribute__((visibility("default")))

#endif
