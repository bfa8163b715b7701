#!/bin/bash
# A result that does not fit a 32-bit guest's int32 is -ERANGE, never a
# truncated number, while a 64-bit guest gets it whole; every other
# hypercall result is the same for both.  hvd runs with a host limit of
# 9 TiB: XENMEM_maximum_ram_page = 9 * 2^28 - 1 pages, above INT32_MAX.
# compat32 (cmdline expect-erange) must get exactly -ERANGE from it, maxram64
# (cmdline maxram) the whole value, and their "probe:" lines must match.
. "$(dirname "$0")/../lib.sh"

MAX_MEMORY_MIB=9437184 # 9 TiB
GUEST_TIMEOUT=120

# Boot guest $1 with cmdline $2 and wait for it to power off; its console
# goes to $HV_TMP/$1.console.  Fails unless it printed exactly one result
# line, SUCCESS.
run_guest() {
    local guest=$1 cmdline=$2 cfg=$HV_TMP/$1.cfg out=$HV_TMP/$1.console rc=0 results
    [ -f "$HV_GUESTS/$guest.elf" ] || fail "$HV_GUESTS/$guest.elf is missing (run 'make guests')"
    hv_guest_cfg "$cfg" "$guest" "cmdline = \"$cmdline\""
    timeout -k 10 "$GUEST_TIMEOUT" "$HVCLI" create "$cfg" -c >"$out" 2>&1 || rc=$?
    tr -d '\r' <"$out" | sed "s/^/# $guest: /"
    results=$(tr -d '\r' <"$out" | grep -ao 'Test result: [A-Z]*' | sed 's/^Test result: //' | paste -sd' ')
    [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "$guest: timed out after $GUEST_TIMEOUT s"
    [ "$results" = SUCCESS ] || fail "$guest: result '${results:-none}' (hvcli exited with $rc)"
    [ "$rc" -eq 0 ] || fail "$guest: reported SUCCESS but hvcli create exited with $rc"
}

# The "probe:" lines of guest $1's console.
probes() {
    tr -d '\r' <"$HV_TMP/$1.console" | grep -a '^probe: '
}

hv_start --max-memory "$MAX_MEMORY_MIB"
run_guest compat32 expect-erange
run_guest maxram64 maxram

max_ram_page=$(tr -d '\r' <"$HV_TMP/maxram64.console" | sed -n 's/^maximum_ram_page: //p')
[ "$max_ram_page" = $((MAX_MEMORY_MIB * 256 - 1)) ] ||
    fail "64-bit maximum_ram_page is '$max_ram_page', expected $((MAX_MEMORY_MIB * 256 - 1))"
compat=$(tr -d '\r' <"$HV_TMP/compat32.console" | sed -n 's/^maximum_ram_page: //p')
[ "$compat" = -34 ] || fail "32-bit maximum_ram_page is '$compat', expected -34 (-ERANGE)"

n=$(probes compat32 | wc -l)
[ "$n" -ge 20 ] || fail "compat32 printed $n probe lines, expected at least 20"
if ! diff <(probes maxram64) <(probes compat32) >"$HV_TMP/probes.diff"; then
    sed 's/^/# /' "$HV_TMP/probes.diff"
    fail "32-bit and 64-bit guests got different hypercall results (< 64-bit, > 32-bit)"
fi
note "$n hypercall results identical from 32-bit and 64-bit guests"
hv_stop
echo "PASS: compat32_erange"
