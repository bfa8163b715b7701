#!/bin/bash
# Issue 8, item 8: a 1 GiB guest gives back and takes again all its RAM in
# single pages, one call each way, in a loop.  hvcli pause must take effect
# within PAUSE_BOUND seconds however long the call (hvd stops it between
# extents and leaves a continuation); after each unpause, and after a save
# and restore taken mid-call, the guest still gets exact results (it checks
# every count and the pages); destroy returns within DESTROY_BOUND.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/iso_mem_lib.sh"
PAUSE_BOUND=0.5
DESTROY_BOUND=3 # also frees 1 GiB of guest memory
hv_start
baseline_save

# Seconds command $@ takes, on stdout; fails if the command does.
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null || fail "'$*' failed"
    t1=$(date +%s.%N)
    awk "BEGIN { printf \"%.3f\", $t1 - $t0 }"
}
within() { # seconds bound what
    awk "BEGIN { exit !($1 <= $2) }" || fail "$3 took ${1}s (bound ${2}s)"
    note "$3: ${1}s"
}
rounds_done() {
    tr -d '\r' <"$HV_TMP/storm.out" | grep -ac '^memop-storm: round'
}

attacker_start storm memop-storm 'memory = 1024'
note "$(attacker_wait storm '^memop-storm: [0-9]+ pages' 120)"
note "$(attacker_wait storm '^memop-storm: round 1:' 300)"
for i in 1 2 3; do
    sleep 1 # well inside the next call
    within "$(timed "$HVCLI" pause storm)" $PAUSE_BOUND "pause $i"
    [ "$(hv_field storm state.paused)" = True ] || fail "storm is not paused"
    "$HVCLI" unpause storm || fail "cannot unpause"
done
before=$(rounds_done)
wait_console_line "$HV_TMP/storm.out" "^memop-storm: round $((before + 1)):" 300 >/dev/null ||
    fail "no exact round after the unpauses: $(tr -d '\r' <"$HV_TMP/storm.out" | tail -2)"
note "round $((before + 1)) exact after the pauses"

sleep 1
"$HVCLI" save storm "$HV_TMP/storm.img" >/dev/null || fail "cannot save mid-call"
before=$(rounds_done)
"$HVCLI" restore -p "$HV_TMP/storm.img" >/dev/null || fail "cannot restore"
"$HVCLI" console storm </dev/null >"$HV_TMP/storm.out" 2>&1 &
"$HVCLI" unpause storm || fail "cannot unpause the restored guest"
wait_console_line "$HV_TMP/storm.out" "^memop-storm: round $((before + 1)):" 300 >/dev/null ||
    fail "no exact round after the restore: $(tr -d '\r' <"$HV_TMP/storm.out" | tail -2)"
note "round $((before + 1)) exact after a save and restore mid-call"

sleep 1
within "$(timed "$HVCLI" destroy storm)" $DESTROY_BOUND "destroy"
baseline_check
hv_stop
