#!/bin/bash
# on_poweroff / on_reboot / on_crash: destroy, restart and preserve, each
# carried out by hvd; a triple fault is a crash.
. "$(dirname "$0")/../lib.sh"
hv_start

hv_create off hello 'on_poweroff = "destroy"' >/dev/null
hv_wait_field off name 20 gone

hv_create keep hello 'on_poweroff = "preserve"' >/dev/null
hv_wait_field keep shutdown_reason 20 poweroff
"$HVCLI" list | grep -Eq '^keep .* -*s-* ' || fail "preserved domain not shown as shut down: $("$HVCLI" list)"
"$HVCLI" destroy keep

hv_create crashy hello 'cmdline = "triple-fault"' 'on_crash = "preserve"' >/dev/null
hv_wait_field crashy shutdown_reason 20 crash
"$HVCLI" list | grep -Eq '^crashy .* -*c-* ' || fail "crashed domain not shown as crashed"
"$HVCLI" dmesg | grep -q 'crashed: triple fault' || fail "hvd's log does not name the triple fault"
"$HVCLI" destroy crashy

hv_create gone hello 'cmdline = "crash"' 'on_crash = "destroy"' >/dev/null
hv_wait_field gone name 20 gone

# on_reboot = restart: the guest reboots; hvd runs its image again.  It
# reboots at once, so it is let restart 64 times a second (restart_limit),
# and a restart loop it is caught in keeps it, with its console.
hv_create again hello 'cmdline = "reboot"' 'on_reboot = "restart"' 'restart_limit = 64' \
    'restart_interval = 1' 'on_crash = "preserve"' >/dev/null
timeout 20 "$HVCLI" console again < /dev/null > "$HV_TMP/again.out" 2>&1 &
cpid=$!
for _ in $(seq 200); do
    [ "$(grep -c 'Hello from hv!' "$HV_TMP/again.out")" -ge 3 ] && break
    sleep 0.1
done
n=$(grep -c 'Hello from hv!' "$HV_TMP/again.out")
[ "$n" -ge 3 ] || fail "restart: saw $n boots, expected at least 3"
"$HVCLI" destroy again
wait $cpid
# hvcli shutdown: the toolstack shuts a domain down with a reason.
hv_create sd hello 'cmdline = "idle"' 'on_poweroff = "preserve"' 'on_crash = "preserve"' >/dev/null
"$HVCLI" shutdown -w --timeout 20 sd || fail "shutdown -w failed"
[ "$(hv_field sd shutdown_reason)" = poweroff ] || fail "shutdown -w returned before the shutdown"
"$HVCLI" destroy sd
hv_create sc hello 'cmdline = "idle"' 'on_crash = "preserve"' >/dev/null
"$HVCLI" shutdown -C -w --timeout 20 sc || fail "shutdown -C failed"
[ "$(hv_field sc state.crashed)" = True ] || fail "shutdown -C did not crash the domain"
"$HVCLI" destroy sc
hv_stop
