#!/bin/bash
# Hostile peers of a live migration (tests/integration/mig_fake_peer.py).
# Against the receiver: octets that are no message, a HELLO claiming
# 4 GiB, and a sender that stalls mid-stream; each time one line, exit 1,
# and nothing left in hvd.  Against the sender: a receiver that answers
# nonsense, one that stops reading (the domain runs on, unpaused), and
# one that goes silent after GO: the sender keeps its copy paused as
# NAME--migratedaway and says so, and the documented recovery (rename it
# back, unpause) brings it back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/migrate_lib.sh"

PEER=$HV_TOP/tests/integration/mig_fake_peer.py
T=$(hv_scaled 1)
hv_start
hv_save_baseline
mig_guest_create "migrate dirty=4"

# One line of error in file $1 matching $2; hvd holds no other domain.
one_line() {
    local err
    err=$(<"$1")
    [[ $err != *$'\n'* && $err =~ $2 ]] || fail "expected one line matching /$2/: $err"
    note "as expected: $err"
}

# --- against the receiver ---------------------------------------------------
receive_attack() { # MODE PATTERN
    local out=$HV_TMP/recv-$1.out err=$HV_TMP/recv-$1.err
    timeout "$(hv_scaled 30)" "$HVCLI" migrate-receive --listen 127.0.0.1:0 --timeout "$T" \
        >"$out" 2>"$err" &
    local recv=$! line
    line=$(mig_wait_line "$out" '^listening on ' 30) || fail "no receiver"
    [[ $line =~ :([0-9]+)\ token\ ([0-9a-f]+)$ ]] || fail "receiver: $line"
    python3 "$PEER" sender "$1" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$HV_TMP/img" \
        >"$HV_TMP/peer.out" 2>&1 &
    local peer=$!
    local rc=0
    wait $recv || rc=$?
    [ $rc = 1 ] || fail "$1: the receiver exited with $rc, not 1: $(cat "$err")"
    kill $peer 2>/dev/null; wait $peer 2>/dev/null
    one_line "$err" "$2"
    [[ $("$HVCLI" list) != *--incoming* ]] || fail "$1: the incoming domain was left"
}
"$HVCLI" save -c "$name" "$HV_TMP/img" 2>/dev/null || fail "cannot save an image to send"
receive_attack garbage 'no hello from the sender: a message that breaks the protocol'
receive_attack huge 'no hello from the sender: a message that breaks the protocol'
receive_attack stall 'no data for'

# --- against the sender -----------------------------------------------------
send_attack() { # MODE
    PEER_OUT=$HV_TMP/peer-$1.out
    python3 "$PEER" receiver "$1" >"$PEER_OUT" 2>&1 &
    FAKE=$!
    local line
    line=$(mig_wait_line "$PEER_OUT" '^port ' 30) || fail "no fake receiver"
    "$HVCLI" migrate --tcp "127.0.0.1:${line#port }" --token x --timeout "$T" "$name" \
        2>"$HV_TMP/migrate.err" && fail "$1: the migration succeeded"
    kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null
}
"$HVCLI" unpause "$name" || fail "cannot start the guest"
send_attack garbage
one_line "$HV_TMP/migrate.err" 'the receiver did not answer: a message that breaks the protocol'
send_attack no-read
one_line "$HV_TMP/migrate.err" 'the reader stopped reading'
mig_domain A "$name"
[ "$DOM_UUID" = "$uuid" ] && [ "$DOM_PAUSED" = false ] ||
    fail "after a hostile receiver the domain is not running as before ($DOM_UUID, paused $DOM_PAUSED)"

# Silent after GO: the one case the sender cannot decide.
send_attack no-done
one_line "$HV_TMP/migrate.err" "no word from the receiver after go .*kept here as '$name--migratedaway'"
grep -q "^stream: [0-9]* octets to END" "$PEER_OUT" || fail "the fake never got the stream"
mig_domain A "$name--migratedaway"
[ "$DOM_PAUSED" = true ] || fail "the copy kept after GO is not paused"
[ "$DOM_UUID" != "$uuid" ] || fail "the copy kept after GO kept the UUID the destination may use"
"$HVCLI" rename "$name--migratedaway" "$name" || fail "cannot rename the kept copy back"
"$HVCLI" unpause "$name" || fail "cannot unpause the kept copy"
mig_console_attach A "$name"
mig_verify A "$name" 0 1
mig_console_detach
"$HVCLI" destroy "$name" || fail "cannot destroy the guest"
hv_check_baseline
hv_stop
