#!/bin/bash
# Two domains run at once, each with its own domid, memory and console.
. "$(dirname "$0")/../lib.sh"
hv_start
a=$(hv_create alpha hello 'cmdline = "spin"' 'vcpus = 2')
b=$(hv_create beta hello 'cmdline = "spin"' 'memory = 32')
[ "$a" != "$b" ] || fail "both domains got domid $a"
sleep 1
[ "$(hv_field alpha state.running)" = True ] || fail "alpha is not running"
[ "$(hv_field beta state.running)" = True ] || fail "beta is not running"
[ "$(hv_field beta memory_kib)" = 32768 ] || fail "beta has the wrong memory"
[ "$(hv_field alpha max_vcpus)" = 2 ] || fail "alpha has the wrong vCPU count"
"$HVCLI" pause alpha
[ "$(hv_field beta state.running)" = True ] || fail "pausing alpha stopped beta"
expect_error "already exists|name.*taken|File exists" "$HVCLI" create "$HV_TMP/alpha.cfg"
"$HVCLI" destroy alpha
[ "$(hv_field beta state.running)" = True ] || fail "destroying alpha stopped beta"
c=$(hv_create gamma hello 'cmdline = "idle"')
[ "$c" = "$a" ] || fail "the lowest free domid $a was not reused (got $c)"
"$HVCLI" destroy beta
"$HVCLI" destroy gamma
[ -z "$("$HVCLI" list | tail -n +2)" ] || fail "domains left: $("$HVCLI" list)"
hv_stop
