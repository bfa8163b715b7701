#!/bin/bash
# libhvctl's wrappers against a live hvd (see libhvctl_api.c).
. "$(dirname "$0")/../lib.sh"
hv_start
"$HV_TOP/tests/integration/libhvctl_api" "$HV_GUESTS/hello.elf" || fail "libhvctl API checks failed"
hv_stop
