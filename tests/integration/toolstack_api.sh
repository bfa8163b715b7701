#!/bin/bash
# The issue-4 control operations: libhvctl's wrappers (toolstack_api.c),
# then `hvcli vcpu-list` and `hvcli mem-set`, happy paths and errors.
. "$(dirname "$0")/../lib.sh"
hv_start
"$HV_TOP/tests/integration/toolstack_api" "$HV_GUESTS/hello.elf" || fail "toolstack API checks failed"

d=ts$$
hv_create "$d" hello 'cmdline = "idle"' 'vcpus = 2' 'maxmem = 32' >/dev/null

# vcpu-list: one row per vCPU; the idle guest's vCPU 0 blocks, vCPU 1 is down.
state_of() { "$HVCLI" vcpu-list "$d" | awk -v v="$1" 'NR > 1 && $3 == v { print $4 }'; }
for i in $(seq 100); do [ "$(state_of 0)" = b ] && break; sleep 0.1; done
[ "$(state_of 0)" = b ] || fail "vCPU 0 of the idle guest is '$(state_of 0)', expected b"
[ "$(state_of 1)" = - ] || fail "vCPU 1 is '$(state_of 1)', expected - (down)"
out=$("$HVCLI" vcpu-list "$d")
[ "$(printf '%s\n' "$out" | head -1 | awk '{print $1,$2,$3,$4,$5}')" = "Name ID VCPU State Time(s)" ] ||
    fail "vcpu-list header: $(printf '%s\n' "$out" | head -1)"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] || fail "vcpu-list $d: expected 2 rows: $out"
"$HVCLI" vcpu-list | grep -q "^$d " || fail "vcpu-list without operands misses $d"
"$HVCLI" pause "$d"
[ "$(state_of 0)" = p ] || fail "vCPU 0 of a paused domain is '$(state_of 0)', expected p"
"$HVCLI" unpause "$d"
"$HVCLI" vcpu-list -l "$d" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [x["vcpu"] for x in v] == [0, 1], v
assert v[0]["online"] is True and v[1]["online"] is False, v
assert v[0]["cpu_time_ns"] > 0 and v[0]["name"] == sys.argv[1], v
' "$d" || fail "vcpu-list -l: unexpected JSON"
expect_error "vcpu-list: unknown domain 'no-such-dom'" "$HVCLI" vcpu-list "$d" no-such-dom
expect_error "unknown option" "$HVCLI" vcpu-list -x

# mem-set: sets the target only; hello does not balloon, so tot_pages stays.
"$HVCLI" mem-set "$d" 24 || fail "mem-set $d 24"
[ "$(hv_field "$d" memory_kib)" = 16384 ] || fail "mem-set changed the memory: $(hv_field "$d" memory_kib) KiB"
"$HVCLI" mem-set -w --timeout 5 "$d" 16 || fail "mem-set -w to the memory held did not return at once"
expect_error "did not reach 24 MiB within 0.5 s \(it holds 16 MiB\)" "$HVCLI" mem-set -t 0.5 "$d" 24
expect_error "64 MiB is above the maximum of domain '$d' \(32 MiB\)" "$HVCLI" mem-set "$d" 64
expect_error "mem-set: unknown domain 'no-such-dom'" "$HVCLI" mem-set no-such-dom 8
expect_error "invalid memory size '0'" "$HVCLI" mem-set "$d" 0
expect_error "invalid memory size '1x'" "$HVCLI" mem-set "$d" 1x
expect_error "missing operand" "$HVCLI" mem-set "$d"
rc=0; "$HVCLI" mem-set "$d" -5 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "mem-set with a bad size exited $rc, expected 2"
"$HVCLI" destroy "$d"
hv_stop
