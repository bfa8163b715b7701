#!/bin/bash
# hvd killed with domains running leaves a stale socket; a new hvd replaces
# it and serves.  A second hvd on a live socket refuses to start.  SIGTERM
# destroys the domains and removes the socket.
. "$(dirname "$0")/../lib.sh"
hv_start
hv_create k1 hello 'cmdline = "spin"' >/dev/null
hv_create k2 hello 'cmdline = "idle"' >/dev/null
expect_error "another hvd is serving" "$HVD" --foreground --socket "$HVD_SOCKET"

kill -KILL "$HVD_PID"; wait "$HVD_PID" 2>/dev/null; HVD_PID=""
[ -S "$HVD_SOCKET" ] || fail "expected the killed hvd's socket to remain"
expect_error "hvd is not running" "$HVCLI" list

"$HVD" --socket "$HVD_SOCKET" --foreground --log "$HV_TMP/hvd2.log" &
HVD_PID=$!
for _ in $(seq 100); do "$HVCLI" list >/dev/null 2>&1 && break; sleep 0.1; done
[ -z "$("$HVCLI" list | tail -n +2)" ] || fail "the new hvd lists domains it never had"
hv_create k1 hello 'cmdline = "spin"' >/dev/null
hv_wait_field k1 state.running 20 True

# SIGTERM with a domain running: clean exit, socket gone, domain destroyed in the log.
hv_stop
grep -q 'd1: destroyed' "$HV_TMP/hvd2.log" || fail "SIGTERM did not destroy the running domain"
