#!/bin/bash
# Live migration there and back: the savetest guest, dirtying memory in
# ring 3 with a counter, event channels bound and a timer armed, moves
# between two hvds in two network namespaces (TCP over a veth pair) ten
# times each way, and checks its memory, counter, channels and timer after
# every move.  Then it moves within one hvd (hvcli migrate DOM localhost)
# and through a receiver command (-s ""), and each hvd holds what it held
# before the guest came once the guest has left it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/migrate_lib.sh"

MOVES=${MIG_MOVES:-20}
mig_netns_up
mig_start_both
hv_save_baseline
HVD_PID=$B_PID HVD_SOCKET=$B_SOCK "$HVD_BASELINE" save "$HV_TMP/baseline-b" ||
    fail "cannot take hvd B's baseline"
mig_guest_create "migrate dirty=4"
mig_guest_run

side=A to=B
for k in $(seq "$MOVES"); do
    mig_receiver_start $to
    mig_send $side "$name" || fail "move $k ($side to $to) failed: $(cat "$HV_TMP/migrate.err")"
    mig_receiver_wait || fail "move $k: the receiver failed: $(cat "$HV_TMP/recv.err")"
    summary=$(<"$HV_TMP/migrate.err")
    [[ $summary =~ ^Migrated\ domain\ $name\ to\ [^\ ]+\ (.*downtime\ [0-9.]+\ ms,\ [0-9]+\ rounds.*) ]] ||
        fail "move $k: no summary: $summary"
    note "move $k: $side -> $to: ${BASH_REMATCH[1]}"
    mig_console_gone
    mig_domain $side "$name"
    [ "$DOM_UUID" = gone ] || fail "move $k: the domain is still on $side"
    mig_domain $to "$name"
    [ "$DOM_UUID" = "$uuid" ] || fail "move $k: the domain on $to has UUID $DOM_UUID, not $uuid"
    [ "$DOM_PAUSED" = false ] || fail "move $k: the domain is not running on $to"
    mig_verify $to "$name" "$(mig_last_count "$MIG_CON_OUT")" "$k"
    side=$to to=$([ $to = A ] && echo B || echo A)
done
[ $side = A ] || fail "the moves did not end where they began"

# Within one hvd: the domain arrives as NAME--incoming beside itself.
k=$((MOVES + 1))
"$HVCLI" migrate "$name" localhost 2>"$HV_TMP/local.err" ||
    fail "migrate to localhost failed: $(cat "$HV_TMP/local.err")"
mig_console_gone
mig_domain A "$name"
[ "$DOM_UUID" = "$uuid" ] || fail "after the local move the UUID is $DOM_UUID, not $uuid"
list=$("$HVCLI" list)
[[ $list == *--incoming* || $list == *--migratedaway* ]] && fail "a temporary domain was left: $list"
mig_verify A "$name" "$(mig_last_count "$MIG_CON_OUT")" "$k"

# Through a receiver command: -s "" runs HOST as the whole command.
k=$((k + 1))
"$HVCLI" migrate -s '' "$name" "HVD_SOCKET=$B_SOCK $HVCLI migrate-receive" 2>"$HV_TMP/cmd.err" ||
    fail "migrate through a command failed: $(cat "$HV_TMP/cmd.err")"
mig_console_gone
mig_verify B "$name" "$(mig_last_count "$MIG_CON_OUT")" "$k"
# Each hvd holds what it held before the guest came, once it has left (A)
# or powered off (B): every arrival and departure was undone in full.
hv_check_baseline
printf 'finish\n' >&8
mig_wait_line "$MIG_CON_OUT" '^Test result:' "$(hv_scaled 30)" | grep -q SUCCESS ||
    fail "savetest did not pass: $(tr -d '\r' <"$MIG_CON_OUT" | tail -5)"
HVD_SOCKET=$B_SOCK hv_wait_field "$name" name 30 gone
HVD_PID=$B_PID HVD_SOCKET=$B_SOCK "$HVD_BASELINE" check "$HV_TMP/baseline-b" | sed 's/^/# B: /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "hvd B did not get back to its baseline"
hv_stop
