#!/bin/bash
# hvcli console shows the guest's output from boot, follows it, and ends
# when the domain is destroyed; create -c does the same from creation.
. "$(dirname "$0")/../lib.sh"
hv_start

cat > "$HV_TMP/c.cfg" <<CFG
name = "con"
memory = 16
kernel = "$HV_GUESTS/hello.elf"
cmdline = "idle"
CFG
"$HVCLI" create -p -q "$HV_TMP/c.cfg" || fail "create -p failed"
[ "$(hv_field con state.paused)" = True ] || fail "create -p did not leave the domain paused"
"$HVCLI" console con < /dev/null > "$HV_TMP/console.out" 2>&1 &
cpid=$!
sleep 0.5
"$HVCLI" unpause con
hv_wait_field con state.blocked 20 True
sleep 0.3
"$HVCLI" destroy con
wait $cpid || fail "console exited with an error: $(cat "$HV_TMP/console.out")"
grep -q 'Hello from hv! domain 1' "$HV_TMP/console.out" || fail "no greeting on the console: $(cat "$HV_TMP/console.out")"

# A late attach still gets what the ring holds.
"$HVCLI" create -q "$HV_TMP/c.cfg"
hv_wait_field con state.blocked 20 True
timeout 10 "$HVCLI" console con < /dev/null > "$HV_TMP/late.out" 2>&1 &
cpid=$!
sleep 0.5
"$HVCLI" destroy con
wait $cpid || fail "late console failed"
grep -q 'Hello from hv!' "$HV_TMP/late.out" || fail "late attach lost the backlog"

# create -c with a guest that powers off and is destroyed at once.
sed -i 's/cmdline = "idle"/cmdline = "bye"/' "$HV_TMP/c.cfg"
out=$(timeout 60 "$HVCLI" create -c -q "$HV_TMP/c.cfg" < /dev/null) || fail "create -c failed"
echo "$out" | grep -q 'Hello from hv!' || fail "create -c lost the output: $out"
echo "$out" | grep -q 'Test result: SUCCESS' || fail "create -c lost the end of the output: $out"
[ "$(hv_field con name)" = gone ] || fail "powered-off domain with on_poweroff=destroy still exists"
hv_stop
