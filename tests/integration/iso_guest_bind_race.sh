#!/bin/bash
# Issue 8.1: a guest binds event channels to the next domids in a loop
# while the administrator creates and destroys domains there.  A domain is
# visible to other domains only once it is fully created, so every bind
# fails cleanly (-ESRCH or -EINVAL) and hvd never looks at a half-built
# domain (before the fix: hvd segfaulted within a few creates).
. "$(dirname "$0")/../lib.sh"
SECONDS_OF_ATTACK=${ISO_SECONDS:-25}
MIN_CYCLES=10

hv_start
hv_save_baseline
cat > "$HV_TMP/attacker.cfg" <<CFG
name = "attacker"
memory = 16
kernel = "$HV_GUESTS/attacker.elf"
cmdline = "bind-next first=2 count=2 seconds=$SECONDS_OF_ATTACK"
on_poweroff = "destroy"
on_crash = "preserve"
CFG
timeout $((SECONDS_OF_ATTACK + 60)) "$HVCLI" create -c "$HV_TMP/attacker.cfg" </dev/null \
    >"$HV_TMP/attacker.out" 2>&1 &
console=$!
hv_wait_field attacker state.running 20 True

hv_guest_cfg "$HV_TMP/victim.cfg" hello 'cmdline = "idle"'
sed -i 's/^name = .*/name = "victim"/' "$HV_TMP/victim.cfg"
cycles=0
end=$(( $(date +%s) + SECONDS_OF_ATTACK - 5 ))
while [ "$(date +%s)" -lt "$end" ]; do
    "$HVCLI" create -q "$HV_TMP/victim.cfg" >/dev/null 2>&1 ||
        { kill -0 "$HVD_PID" 2>/dev/null || fail "hvd died after $cycles create/destroy cycles"
          fail "creating the victim failed: $("$HVCLI" create -q "$HV_TMP/victim.cfg" 2>&1)"; }
    "$HVCLI" destroy victim || fail "destroying the victim failed"
    cycles=$((cycles + 1))
done
note "$cycles create/destroy cycles of domid 2 while the attacker bound to it"
[ "$cycles" -ge "$MIN_CYCLES" ] || fail "only $cycles cycles: the attack did not really happen"

wait "$console"
tr -d '\r' <"$HV_TMP/attacker.out" | sed 's/^/# /'
grep -aq 'Test result: SUCCESS' "$HV_TMP/attacker.out" ||
    fail "the attacker saw results other than -ESRCH/-EINVAL (or did not finish)"
hv_wait_field attacker name 20 gone
hv_check_baseline
hv_stop
