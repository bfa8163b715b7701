#!/bin/bash
# An event channel between the host and a guest: the evthost guest reserves
# a port for domain 0 and prints it; evtchn_host binds it through
# XEN_DOMCTL_evtchn_host, makes round trips (send, wait on the eventfd for
# the guest's answer), closes, and checks the errors; the guest sees each
# send and the close, and reports SUCCESS.
. "$(dirname "$0")/../lib.sh"
PROG=$HV_TOP/tests/integration/evtchn_host
ROUNDS=5

[ -x "$PROG" ] || fail "$PROG is missing (make check builds it)"
hv_start
cat > "$HV_TMP/evthost.cfg" <<CFG
name = "evthost"
memory = 16
kernel = "$HV_GUESTS/evthost.elf"
cmdline = "rounds=$ROUNDS"
on_poweroff = "destroy"
on_crash = "destroy"
CFG
"$HVCLI" create -p -q "$HV_TMP/evthost.cfg" || fail "cannot create the evthost guest"
domid=$(hv_domid evthost)
timeout 120 "$HVCLI" console evthost </dev/null >"$HV_TMP/console.out" 2>&1 &
cpid=$!
sleep 0.3
"$HVCLI" unpause evthost || fail "cannot unpause evthost"

line=$(wait_console_line "$HV_TMP/console.out" '^port=[0-9]+ other=[0-9]+' 60) ||
    fail "the guest printed no port: $(cat "$HV_TMP/console.out")"
port=$(echo "$line" | sed -E 's/^port=([0-9]+).*/\1/')
other=$(echo "$line" | sed -E 's/.*other=([0-9]+).*/\1/')
note "guest d$domid reserved port $port for the host (and $other for itself)"

"$PROG" "$domid" "$port" "$other" "$ROUNDS" | sed 's/^/# host: /'
host_rc=${PIPESTATUS[0]}

wait $cpid
sed 's/^/# guest: /' "$HV_TMP/console.out" | tr -d '\r'
[ "$host_rc" -eq 0 ] || fail "the host side failed (exit $host_rc)"
grep -aq 'Test result: SUCCESS' "$HV_TMP/console.out" || fail "the guest did not report SUCCESS"
hv_stop
