#!/bin/bash
# Live migration that fails before the receiver is told to go leaves the
# domain running where it was, as it was, and nothing at the destination:
# the connection cut during round 0, during a later round, during the
# final round and right before GO (tests/integration/mig_relay), the
# receiver killed mid-stream, a wrong token, a stream of an unknown
# version, and a receiver without room for the domain.  Each time the
# guest checks its memory, counter, channels and timer, and at the end
# neither hvd holds more than before (fds, threads, mappings, dalloc).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/migrate_lib.sh"

mig_netns_up
mig_start_both
mig_guest_create "migrate dirty=4"
domid=$(hv_domid "$name")
mig_guest_run
hv_save_baseline
HVD_PID=$B_PID HVD_SOCKET=$B_SOCK "$HVD_BASELINE" save "$HV_TMP/baseline-b" ||
    fail "cannot take hvd B's baseline"
checks=0

# After a failed migration: one line of error, the domain on A as it was
# and running, nothing on B, and the guest's own check passes.
check_unmoved() {
    local what=$1 err
    err=$(<"$2")
    [[ $err != *$'\n'* ]] || fail "$what: expected one line of error: $err"
    [[ $err == "hvcli: migrate: cannot migrate domain '$name'"* ]] || fail "$what: unexpected error: $err"
    mig_domain A "$name"
    [ "$DOM_UUID" = "$uuid" ] || fail "$what: the domain has UUID $DOM_UUID, not $uuid"
    [ "$DOM_PAUSED" = false ] || fail "$what: the domain was left paused"
    local a b
    a=$("$HVCLI" list -l "$domid" 2>/dev/null)
    [[ $a == *"\"name\": \"$name\""* ]] || fail "$what: domain $domid is not '$name': $a"
    b=$(HVD_SOCKET=$B_SOCK "$HVCLI" list -l)
    [[ $b != *'"name"'* ]] || fail "$what: hvd B holds a domain: $b"
    checks=$((checks + 1))
    mig_console_detach
    mig_verify A "$name" "$(mig_last_count "$MIG_CON_OUT")" "$checks"
    note "$what: $err"
}

# Migrate through a relay in NS_A that breaks the stream as $1 says.
through_relay() {
    local mode=$1 port=$((7600 + checks)) i
    mig_receiver_start B
    ip netns exec "$NS_A" "$MIG_RELAY" "$port" "$MIG_IP_B:$RECV_PORT" "$mode" \
        >"$HV_TMP/relay.out" 2>&1 &
    local relay=$!
    mig_wait_line "$HV_TMP/relay.out" '^listening' 10 >/dev/null || fail "the relay did not start"
    mig_hvcli A migrate --tcp "127.0.0.1:$port" --token "$RECV_TOKEN" --downtime-ms 1 \
        --max-rounds 8 --timeout "$(hv_scaled 10)" "$name" 2>"$HV_TMP/migrate.err" &&
        fail "$mode: the migration succeeded through a broken connection"
    wait $relay || fail "$mode: the relay did not cut: $(cat "$HV_TMP/relay.out")"
    mig_receiver_wait && fail "$mode: the receiver reported success"
    grep -q "^cut $mode" "$HV_TMP/relay.out" || [ "$mode" = version ] ||
        fail "$mode: the relay says: $(cat "$HV_TMP/relay.out")"
    check_unmoved "cut $mode" "$HV_TMP/migrate.err"
}

for mode in round0 round1 final ready; do
    through_relay $mode
done
through_relay version
grep -qi "version" "$HV_TMP/migrate.err" || fail "an unknown version was not named"

# The receiver killed mid-stream: hvd B destroys its transient domain.
mig_receiver_start B
mig_send A "$name" --max-bandwidth 2M --timeout "$(hv_scaled 10)" &
sender=$!
for i in $(seq 300); do
    [[ $(HVD_SOCKET=$B_SOCK "$HVCLI" list) == *"$name--incoming"* ]] && break
    mig_nap 0.1
done
[[ $(HVD_SOCKET=$B_SOCK "$HVCLI" list) == *"$name--incoming"* ]] ||
    fail "the receiver never built the incoming domain"
kill -KILL "$RECV_PID"
wait "$sender" && fail "the migration succeeded without its receiver"
wait "$RECV_PID" 2>/dev/null
check_unmoved "receiver killed" "$HV_TMP/migrate.err"

# A wrong token: the receiver turns the sender away and keeps listening.
mig_receiver_start B
RECV_TOKEN=0123456789abcdef0123456789abcdef mig_send A "$name" &&
    fail "a wrong token was accepted"
grep -q "wrong token" "$HV_TMP/migrate.err" || fail "wrong token: $(cat "$HV_TMP/migrate.err")"
kill -0 "$RECV_PID" || fail "the receiver stopped listening after a wrong token"
kill "$RECV_PID"; wait "$RECV_PID" 2>/dev/null
check_unmoved "wrong token" "$HV_TMP/migrate.err"

HVD_PID=$B_PID HVD_SOCKET=$B_SOCK "$HVD_BASELINE" check "$HV_TMP/baseline-b" | sed 's/^/# B: /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "hvd B did not get back to its baseline"
hv_check_baseline

# No room at the destination.  hvd B again with --max-memory MiB.
restart_b() {
    kill -TERM "$B_PID"; wait "$B_PID"
    ip netns exec "$NS_B" "$HVD" --socket "$B_SOCK" --foreground --log "$HV_TMP/hvd-b.log" \
        --max-memory "$1" &
    B_PID=$!
    for i in $(seq 100); do HVD_SOCKET=$B_SOCK "$HVCLI" list >/dev/null 2>&1 && return; sleep 0.1; done
    fail "hvd B did not come back"
}
# 8 MiB for the 16 MiB domain: refused at the handshake.
restart_b 8
mig_receiver_start B
mig_send A "$name" && fail "a receiver without room took the domain"
grep -q "MiB free" "$HV_TMP/migrate.err" || fail "no room: $(cat "$HV_TMP/migrate.err")"
mig_receiver_wait && fail "the receiver without room reported success"
check_unmoved "no room" "$HV_TMP/migrate.err"
# 24 MiB: room for the pages, not for the copy hvd keeps of a restored
# domain to restart it (docs/hvd.md), which it takes as the domain first
# runs: the receiver fails after GO, and the domain runs on here.
restart_b 24
mig_receiver_start B
mig_send A "$name" && fail "a receiver that cannot run the domain took it"
grep -q "could not start it.*it runs on here" "$HV_TMP/migrate.err" ||
    fail "no room to run: $(cat "$HV_TMP/migrate.err")"
mig_receiver_wait && fail "the receiver that could not run it reported success"
check_unmoved "no room to run it" "$HV_TMP/migrate.err"

printf 'finish\n' >&8
mig_wait_line "$MIG_CON_OUT" '^Test result:' "$(hv_scaled 30)" | grep -q SUCCESS ||
    fail "savetest did not pass: $(tr -d '\r' <"$MIG_CON_OUT" | tail -5)"
hv_stop
