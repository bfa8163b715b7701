/* libhvctl internals shared between its files. */
#ifndef HVCTL_PRIVATE_H
#define HVCTL_PRIVATE_H

#include "hvctl.h"

/* Exported symbols; everything else in the library stays hidden. */
#define HVCTL_API __attribute__((visibility("default")))

struct hvctl {
    int fd;          /* the SOCK_SEQPACKET connection to hvd */
};

#endif
