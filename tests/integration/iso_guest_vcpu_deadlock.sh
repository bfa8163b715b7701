#!/bin/bash
# Issue 8.2: three vCPUs; vCPUs 1 and 2 VCPUOP_initialise each other in a
# loop while vCPU 0 takes them down and up, so each is often taken down in
# the middle of its own initialise of the other.  No vCPU ever waits for
# another: the guest finishes, powers off and is destroyed at once; hvd
# answers and stops on SIGTERM (before the fix both vCPUs waited for each
# other forever, destroy blocked hvd's main thread and SIGTERM was ignored).
. "$(dirname "$0")/../lib.sh"

hv_start
hv_save_baseline
cat > "$HV_TMP/attacker.cfg" <<CFG
name = "attacker"
memory = 16
vcpus = 3
kernel = "$HV_GUESTS/attacker.elf"
cmdline = "initialise-cross seconds=3600"
on_poweroff = "destroy"
on_crash = "preserve"
CFG
hv_create_console "$HV_TMP/attacker.cfg" "$HV_TMP/attacker.out"
hv_wait_field attacker state.running 60 True
# Throughout the attack the control plane answers at once.
"$HVD_BASELINE" latency "${ISO_SECONDS:-10}" 1000 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "hvd did not always answer within 1 s during the attack"
hv_console_type q
# The guest powers off: hvd destroys it without ever blocking its main loop.
"$HVD_BASELINE" latency 3 1000 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "hvd did not always answer within 1 s after the power-off"
wait "$HV_CONSOLE_PID"
tr -d '\r' <"$HV_TMP/attacker.out" | sed 's/^/# /'
grep -aq 'Test result: SUCCESS' "$HV_TMP/attacker.out" ||
    fail "the attacker did not report SUCCESS"
hv_wait_field attacker name 30 gone
hv_check_baseline
hv_stop
