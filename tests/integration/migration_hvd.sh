#!/bin/bash
# The hvd side of live migration (issue 12) through libhvctl: log-dirty
# mode, its owner connection, the vCPU throttle, renaming and re-UUIDing
# a domain (migration_hvd.c); then hvd holds what it held before.
. "$(dirname "$0")/../lib.sh"
hv_start
chmod 755 "$HV_TMP" # the unprivileged part connects as nobody
hv_save_baseline
# The hypercall page: a text page the guest executes and never writes, so
# only hvd's own write of it can make it dirty.
page=$(nm "$HV_GUESTS/hello.elf" | awk '$3 == "hypercall_page" { print $1 }')
[ -n "$page" ] || fail "no hypercall_page symbol in hello.elf"
"$HV_TOP/tests/integration/migration_hvd" "$HV_GUESTS/hello.elf" "$((16#$page >> 12))" ||
    fail "migration control checks failed"
hv_check_baseline
for line in "log-dirty on" "log-dirty off" "log-dirty off: the connection that turned it on closed" \
    "vCPUs throttled by 90%" "throttle off: the connection that set it closed" "renamed from" \
    "UUID changed from" "destroying it: the connection holding it (transient) closed"; do
    grep -q "$line" "$HV_TMP/hvd.log" || fail "hvd's log has no line '$line'"
done
hv_stop
