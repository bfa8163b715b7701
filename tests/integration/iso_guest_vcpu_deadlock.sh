#!/bin/bash
# Issue 8.2: three vCPUs; vCPUs 1 and 2 VCPUOP_initialise each other in a
# loop while vCPU 0 takes them down and up, so each is often taken down in
# the middle of its own initialise of the other.  No vCPU ever waits for
# another: the guest finishes, powers off and is destroyed at once; hvd
# answers and stops on SIGTERM (before the fix both vCPUs waited for each
# other forever, destroy blocked hvd's main thread and SIGTERM was ignored).
. "$(dirname "$0")/../lib.sh"
SECONDS_OF_ATTACK=${ISO_SECONDS:-15}

hv_start
hv_save_baseline
cat > "$HV_TMP/attacker.cfg" <<CFG
name = "attacker"
memory = 16
vcpus = 3
kernel = "$HV_GUESTS/attacker.elf"
cmdline = "initialise-cross seconds=$SECONDS_OF_ATTACK"
on_poweroff = "destroy"
on_crash = "preserve"
CFG
timeout $((SECONDS_OF_ATTACK + 60)) "$HVCLI" create -c "$HV_TMP/attacker.cfg" </dev/null \
    >"$HV_TMP/attacker.out" 2>&1 &
console=$!
# Throughout the attack the control plane answers at once.
end=$(( $(date +%s) + SECONDS_OF_ATTACK ))
worst=0
while [ "$(date +%s)" -lt "$end" ]; do
    ms=$(hv_within 1 "$HVCLI" list) || exit 1
    [ "$ms" -gt "$worst" ] && worst=$ms
    sleep 0.5
done
note "hvcli list answered within $worst ms at worst during the attack"
wait "$console"
tr -d '\r' <"$HV_TMP/attacker.out" | sed 's/^/# /'
grep -aq 'Test result: SUCCESS' "$HV_TMP/attacker.out" ||
    fail "the attacker did not report SUCCESS"
hv_wait_field attacker name 10 gone
ms=$(hv_within 1 "$HVCLI" list) || exit 1
hv_check_baseline
hv_stop
