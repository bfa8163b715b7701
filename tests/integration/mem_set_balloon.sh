#!/bin/bash
# hvcli mem-set: the guest (hello's balloon driver) follows the target the
# toolstack sets, down and back up; -w waits until it is reached.
. "$(dirname "$0")/../lib.sh"
hv_start
# (on_reboot is not restart, so hvd keeps no copy of its image: docs/hvd.md)
hv_create bal hello 'cmdline = "balloon"' 'memory = 64' 'on_reboot = "destroy"' >/dev/null
[ "$(hv_field bal memory_kib)" = 65536 ] || fail "the domain did not start with 64 MiB"
"$HVCLI" mem-set -w --timeout 60 bal 32 || fail "mem-set -w to 32 MiB failed"
[ "$(hv_field bal memory_kib)" = 32768 ] || fail "the guest holds $(hv_field bal memory_kib) KiB, not 32768"
"$HVCLI" mem-set -w --timeout 60 bal 48 || fail "mem-set -w back up to 48 MiB failed"
[ "$(hv_field bal memory_kib)" = 49152 ] || fail "the guest holds $(hv_field bal memory_kib) KiB, not 49152"
expect_error "maxmem|max" "$HVCLI" mem-set bal 128
"$HVCLI" info | python3 -c '
import json, sys
i = json.load(sys.stdin)
assert i["free_pages"] == i["total_pages"] - 48 * 256, i' || fail "host free memory does not reflect the balloon"
"$HVCLI" destroy bal
hv_stop
