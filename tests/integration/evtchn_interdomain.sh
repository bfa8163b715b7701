#!/bin/bash
# An interdomain event channel between two guests: A (evtpeer listen)
# reserves a port for B and prints it; B (evtpeer connect) is created with
# that port, fails to bind a port A reserved for someone else, binds A's,
# sends; A's upcall runs and A answers; B's upcall runs; B powers off and
# A sees its port go back to unbound.  Both must report SUCCESS.
. "$(dirname "$0")/../lib.sh"

# Write the config of evtpeer domain $1 with command line $2.
peer_cfg() {
    cat > "$HV_TMP/$1.cfg" <<CFG
name = "$1"
memory = 16
kernel = "$HV_GUESTS/evtpeer.elf"
cmdline = "$2"
on_poweroff = "destroy"
on_crash = "destroy"
CFG
}

hv_start
# A fresh hvd hands out domids from 1 upwards: A is 1, B will be 2.
peer_cfg peer-a "listen peer=2"
"$HVCLI" create -p -q "$HV_TMP/peer-a.cfg" || fail "cannot create A"
a=$(hv_domid peer-a)
[ "$a" = 1 ] || fail "A got domid $a, expected 1"
timeout 150 "$HVCLI" console peer-a </dev/null >"$HV_TMP/a.out" 2>&1 &
apid=$!
sleep 0.3
"$HVCLI" unpause peer-a || fail "cannot unpause A"

line=$(wait_console_line "$HV_TMP/a.out" '^port=[0-9]+ other=[0-9]+' 60) ||
    fail "A printed no port: $(cat "$HV_TMP/a.out")"
port=$(echo "$line" | sed -E 's/^port=([0-9]+).*/\1/')
other=$(echo "$line" | sed -E 's/.*other=([0-9]+).*/\1/')
note "A (d$a) reserved port $port for d2 and port $other for the host"

peer_cfg peer-b "connect dom=$a port=$port other=$other"
timeout 120 "$HVCLI" create -c "$HV_TMP/peer-b.cfg" </dev/null >"$HV_TMP/b.out" 2>&1
b_rc=$?
wait $apid
sed 's/^/# A: /' "$HV_TMP/a.out" | tr -d '\r'
sed 's/^/# B: /' "$HV_TMP/b.out" | tr -d '\r'
grep -aq 'I am domain 2' "$HV_TMP/b.out" || fail "B is not domain 2, A waited for the wrong peer"
grep -aq 'Test result: SUCCESS' "$HV_TMP/b.out" || fail "B did not report SUCCESS (create -c exit $b_rc)"
grep -aq 'Test result: SUCCESS' "$HV_TMP/a.out" || fail "A did not report SUCCESS"
hv_stop
