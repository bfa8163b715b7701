#!/bin/bash
# Issue 8.1: a guest binds event channels to the next domids in a loop
# while the administrator creates and destroys domains there.  A domain is
# visible to other domains only once it is fully created, so every bind
# fails cleanly (-ESRCH or -EINVAL) and hvd never looks at a half-built
# domain (before the fix: hvd segfaulted within a few creates).
. "$(dirname "$0")/../lib.sh"
CYCLES=${ISO_CYCLES:-40}

hv_start
hv_save_baseline
cat > "$HV_TMP/attacker.cfg" <<CFG
name = "attacker"
memory = 16
kernel = "$HV_GUESTS/attacker.elf"
cmdline = "bind-next first=2 count=2 seconds=3600"
on_poweroff = "destroy"
on_crash = "preserve"
CFG
hv_create_console "$HV_TMP/attacker.cfg" "$HV_TMP/attacker.out"
hv_wait_field attacker state.running 60 True
[ "$(hv_domid attacker)" = 1 ] || fail "the attacker is not domid 1"

hv_guest_cfg "$HV_TMP/victim.cfg" hello 'cmdline = "idle"'
sed -i 's/^name = .*/name = "victim"/' "$HV_TMP/victim.cfg"
for cycle in $(seq "$CYCLES"); do
    if ! "$HVCLI" create -q "$HV_TMP/victim.cfg" >/dev/null 2>&1; then
        kill -0 "$HVD_PID" 2>/dev/null || fail "hvd died after $((cycle - 1)) create/destroy cycles"
        fail "creating the victim failed: $("$HVCLI" create -q "$HV_TMP/victim.cfg" 2>&1)"
    fi
    "$HVCLI" destroy victim || fail "destroying the victim failed"
done
note "$CYCLES create/destroy cycles of domid 2 while the attacker bound to it"
[ "$(hv_field attacker state.running)" = True ] || fail "the attacker stopped: $("$HVCLI" list)"

hv_console_type q
wait "$HV_CONSOLE_PID"
tr -d '\r' <"$HV_TMP/attacker.out" | sed 's/^/# /'
grep -aq 'Test result: SUCCESS' "$HV_TMP/attacker.out" ||
    fail "the attacker saw results other than -ESRCH/-EINVAL (or did not finish)"
hv_wait_field attacker name 20 gone
hv_check_baseline
hv_stop
