#!/bin/bash
# Destroy in every state, twice, concurrently (see destroy_states.c).
. "$(dirname "$0")/../lib.sh"
hv_start
hv_create warm hello 'cmdline = "idle"' 'vcpus = 2' >/dev/null
"$HVCLI" destroy warm
"$HV_TOP/tests/integration/destroy_states" "$HV_GUESTS/hello.elf" || fail "destroy checks failed"
hv_stop
