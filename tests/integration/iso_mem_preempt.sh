#!/bin/bash
# Issue 8, item 8: a 1 GiB guest gives back and takes again its highest
# 128 MiB in single pages, one call each way, in a loop.  A pause must take
# effect within PAUSE_BOUND seconds however long the call (hvd stops it
# between extents and leaves a continuation); after the unpauses the guest
# still gets exact results (it checks every count and the pages); destroy
# returns within DESTROY_BOUND.  Both are timed on the domctl alone
# (iso_mem_probe), without hvcli.  Then a 64 MiB storm is saved mid-call
# and restored: it must finish the call with the exact result.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/iso_mem_lib.sh"
PAUSE_BOUND=0.5
DESTROY_BOUND=3 # also frees 1 GiB of guest memory
hv_start
baseline_save

within() { # seconds bound what
    [ -n "$1" ] || fail "$3 failed"
    awk "BEGIN { exit !($1 <= $2) }" || fail "$3 took ${1}s (bound ${2}s)"
    note "$3: ${1}s"
}
rounds_done() { # domain
    tr -d '\r' <"$HV_TMP/$1.out" | grep -ac '^memop-storm: round'
}

attacker_start storm "memop-storm pages=32768" 'memory = 1024'
note "$(attacker_wait storm '^memop-storm: [0-9]+ pages' 120)"
for i in 1 2 3; do
    sleep 2 # inside a call: the guest spends nearly all its time in them
    within "$("$PROBE" pause storm)" $PAUSE_BOUND "pause $i"
    [ "$(hv_field storm state.paused)" = True ] || fail "storm is not paused"
    "$HVCLI" unpause storm || fail "cannot unpause"
done
before=$(rounds_done storm)
wait_console_line "$HV_TMP/storm.out" "^memop-storm: round $((before + 1)):" 300 >/dev/null ||
    fail "no exact round after the unpauses: $(tr -d '\r' <"$HV_TMP/storm.out" | tail -2)"
note "round $((before + 1)) exact after the pauses"

sleep 1
within "$("$PROBE" destroy storm)" $DESTROY_BOUND "destroy"

# The continuation lives in the vCPU's registers: a save taken mid-call
# (a smaller guest, for a quick save) restores into a guest that finishes
# the call with the exact result.
attacker_start small "memop-storm pages=8192" 'memory = 64'
attacker_wait small '^memop-storm: [0-9]+ pages' 120 >/dev/null
sleep 1
"$HVCLI" save small "$HV_TMP/small.img" >/dev/null 2>&1 || fail "cannot save mid-call"
before=$(rounds_done small)
"$HVCLI" restore -p -e "$HV_TMP/small.img" >/dev/null 2>&1 || fail "cannot restore"
"$HVCLI" console small </dev/null >"$HV_TMP/small.out" 2>&1 &
"$HVCLI" unpause small || fail "cannot unpause the restored guest"
wait_console_line "$HV_TMP/small.out" "^memop-storm: round $((before + 1)):" 300 >/dev/null ||
    fail "no exact round after the restore: $(tr -d '\r' <"$HV_TMP/small.out" | tail -2)"
note "round $((before + 1)) exact after a save and restore mid-call"
"$HVCLI" destroy small || fail "cannot destroy the restored guest"
baseline_check
hv_stop
