#!/bin/bash
# A hostile guest makes random hypercalls (random numbers, sub-ops,
# pointers, sizes, ports) for about two minutes next to a well-behaved guest.
# Afterwards hvd must still serve (and boot a new guest), the hostile guest
# must have survived and seen only proper results (SUCCESS), the other
# domain must be as it was, and hvd's log must have stayed bounded by the
# guest-message rate limit.  HOSTILE_SEED, HOSTILE_COUNT and
# HOSTILE_SECONDS override the run (the seed is printed for replays).
#
# Guest ring 0 is interpreted here (~1 us an instruction): one random call
# costs ~350 us, so 300 000 calls take about two minutes; the budget stops
# a slower run (a loaded machine) early, and says so.
# The bystander idles in SCHEDOP_block: a spinning one would take half of
# this machine's two CPUs and halve the number of calls.
. "$(dirname "$0")/../lib.sh"
SEED=${HOSTILE_SEED:-$(( (RANDOM << 15) | RANDOM ))}
COUNT=${HOSTILE_COUNT:-300000}
BUDGET=${HOSTILE_SECONDS:-150}  # the guest stops after COUNT calls or BUDGET seconds
MIN_CALLS=${HOSTILE_MIN_CALLS:-10000} # fewer means the run did not really happen
LOG_LINES_PER_SECOND=11         # 10 guest messages + 1 "suppressed" line per second
LOG_BASE_LINES=40               # start, create, destroy, stop...

hv_start
hv_create bystander hello 'cmdline = "idle"' >/dev/null
hv_wait_field bystander state.blocked 20 True

cat > "$HV_TMP/hostile.cfg" <<CFG
name = "hostile"
memory = 16
kernel = "$HV_GUESTS/hostile.elf"
cmdline = "seed=$SEED count=$COUNT seconds=$BUDGET"
on_poweroff = "destroy"
on_crash = "preserve"
CFG
note "hostile guest: seed=$SEED count=$COUNT seconds=$BUDGET"
start=$(date +%s)
timeout $((BUDGET + 90)) "$HVCLI" create -c "$HV_TMP/hostile.cfg" </dev/null >"$HV_TMP/hostile.out" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
tr -d '\r' <"$HV_TMP/hostile.out" | grep -av '^progress:' | sed 's/^/# /'
tr -d '\r' <"$HV_TMP/hostile.out" | grep -a '^progress:' | tail -1 | sed 's/^/# last /'

kill -0 "$HVD_PID" 2>/dev/null || fail "hvd died"
"$HVCLI" list >/dev/null || fail "hvd no longer serves"
for f in shutdown crashed dying paused; do
    [ "$(hv_field bystander state.$f)" = False ] ||
        fail "the bystander domain is $f: $("$HVCLI" list)"
done
[ "$(hv_field bystander state.blocked)" = True ] ||
    fail "the bystander domain no longer idles: $("$HVCLI" list)"
[ "$(hv_field hostile name)" = gone ] || fail "the hostile guest crashed or stayed: $("$HVCLI" list)"
grep -aq 'Test result: SUCCESS' "$HV_TMP/hostile.out" ||
    fail "the hostile guest did not report SUCCESS (create -c exit $rc)"
calls=$(tr -d '\r' <"$HV_TMP/hostile.out" | sed -nE 's/^made ([0-9]+) hypercalls.*/\1/p')
[ -n "$calls" ] && [ "$calls" -ge "$MIN_CALLS" ] || fail "only '${calls:-no}' hypercalls were made"
[ "$calls" -ge "$COUNT" ] || note "the ${BUDGET}s budget ran out after $calls of $COUNT calls"

lines=$(wc -l <"$HV_TMP/hvd.log")
hv_guest_cfg "$HV_TMP/after.cfg" hello
out=$(timeout 60 "$HVCLI" create -c "$HV_TMP/after.cfg" </dev/null 2>&1)
echo "$out" | grep -aq 'Test result: SUCCESS' || fail "a new guest does not boot afterwards: $out"

max_lines=$(( LOG_LINES_PER_SECOND * (elapsed + 2) + LOG_BASE_LINES ))
note "hvd's log: $lines lines in ${elapsed}s (bound $max_lines)"
[ "$lines" -le "$max_lines" ] || fail "hvd's log grew to $lines lines: not rate-limited"
grep -q 'suppressed' "$HV_TMP/hvd.log" ||
    fail "the guest's unhandled-port writes left no 'suppressed' line in hvd's log"
"$HVCLI" destroy bystander
hv_stop
