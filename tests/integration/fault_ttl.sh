#!/bin/bash
# The fault_ttl sweep (see fault_ttl.c).  hvd is warmed up first with one
# create/destroy so that lazily made process state (e.g. the C library's
# first allocations) is part of the baseline.
. "$(dirname "$0")/../lib.sh"
hv_start
hv_create warm hello 'cmdline = "idle"' 'vcpus = 4' >/dev/null
"$HVCLI" destroy warm
"$HV_TOP/tests/integration/fault_ttl" || fail "fault_ttl sweep failed"
hv_stop
