#!/bin/bash
# Issue 8, item 7: a guest that reboots in a loop under on_reboot =
# "restart" must not flood hvd's log.  A domain restarted more than
# restart_limit times within restart_interval seconds is treated as
# crashed (its on_crash action; restart there counts as preserve), with
# one log line saying so, and the lines each restart writes go through the
# domain's log rate limit (10 a second, then "dN: K messages suppressed").
# The guest is hello with cmdline "reboot": it shuts down with
# SHUTDOWN_reboot as soon as it runs, hundreds of times a second.
#   1. no restart keys (10 in 60 s), on_crash preserve: caught, and stays so
#   2. restart_limit 5 in 60 s, on_crash preserve: the same, exactly 6 boots
#   3. the same with on_crash destroy: the domain goes away
#   4. restart_limit 64 in 1 s: at most ~11 lines a second for the domain
#   5. createdomain's limits through libhvctl (iso_reboot_loop limits)
# Afterwards hvd answers and holds what it held before cases 2-5 (fds,
# threads, mappings, dalloc).
. "$(dirname "$0")/../lib.sh"
HELPER=$HV_TOP/tests/integration/iso_reboot_loop
CAUGHT_WITHIN=20    # seconds a loop may run before it is caught: a generous bound
RATE_LIMIT=10       # lines a second a domain may cause (hvd's GUEST_LOG_BURST)
WATCH_SECONDS=5     # how long case 4 watches the log

log_size() { wc -l < "$HV_TMP/hvd.log"; }

# Fields $2... of domain $1's hvcli list -l object on one line ("gone"
# when there is no such domain): one hvcli and one python, as this runs
# in a loop on a slow machine.
dom_fields() {
    "$HVCLI" list -l 2>/dev/null | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"] == sys.argv[1]:
        values = []
        for field in sys.argv[2:]:
            v = d
            for part in field.split("."):
                v = v[part]
            values.append(str(v))
        print(" ".join(values)); break
else:
    print("gone")' "$@"
}

# The lines of hvd's log after line $2 that domain $1 caused, i.e. all its
# lines but the toolstack's (created, destroying, destroyed).
guest_lines() {
    tail -n +"$(($2 + 1))" "$HV_TMP/hvd.log" | grep -aE "^\[ *[0-9.]+\] d$1[: ]" |
        grep -avE "^\[ *[0-9.]+\] d$1: (created|destroy)"
}

# Create domain $1, hello rebooting at once under on_reboot = "restart",
# with extra config lines; set LOOP_ID to its domid.
start_loop() {
    local name=$1 out; shift
    {
        echo "name = \"$name\""
        echo "memory = 16"
        echo "kernel = \"$HV_GUESTS/hello.elf\""
        echo 'cmdline = "reboot"'
        echo 'on_reboot = "restart"'
        printf '%s\n' "$@"
    } > "$HV_TMP/$name.cfg"
    out=$("$HVCLI" create "$HV_TMP/$name.cfg" 2>&1) || fail "hvcli create $name: $out"
    LOOP_ID=$(sed -n 's/^Created domain .* (domid \([0-9]*\))$/\1/p' <<< "$out")
    [ -n "$LOOP_ID" ] || fail "hvcli create $name did not say the domid: $out"
}

# Wait until domain $1 (started at log line $2) shows the crashed state.
# If it does not, say how fast it made hvd's log grow meanwhile.
wait_caught() {
    local name=$1 from=$2 start=$SECONDS grown
    while [ $((SECONDS - start)) -lt "$CAUGHT_WITHIN" ]; do
        [ "$(dom_fields "$name" state.crashed)" = True ] && return 0
        sleep 0.2
    done
    grown=$(($(log_size) - from))
    fail "$name: still not treated as crashed after $((SECONDS - start))s; hvd's log grew by" \
        "$grown lines meanwhile ($((grown / (SECONDS - start))) a second)"
}

# Domain $2 (started at log line $3) was caught after restarting $4 times
# within $5 s, with action $6: exactly one line says so, it shut down at
# most $4 + 1 times (each shutdown a line, up to the rate limit).
check_caught_line() {
    local name=$1 id=$2 from=$3 limit=$4 interval=$5 action=$6 n caught shutdowns
    caught=$(tail -n +"$((from + 1))" "$HV_TMP/hvd.log" | grep -a "treated as crashed")
    n=$(printf '%s' "$caught" | grep -c .)
    [ "$n" -eq 1 ] || fail "$name: $n 'treated as crashed' lines, expected one: $caught"
    grep -q "\] d$id: restarted $limit times within $interval s: treated as crashed, action $action$" \
        <<< "$caught" || fail "$name: unexpected line: $caught"
    shutdowns=$(guest_lines "$id" "$from" | grep -c "shut down (reboot), action restart")
    [ "$shutdowns" -le $((limit + 1)) ] && [ "$shutdowns" -ge $((limit < RATE_LIMIT ? limit + 1 : RATE_LIMIT)) ] ||
        fail "$name: $shutdowns 'shut down' lines for a limit of $limit restarts"
    note "$name: caught after $shutdowns logged shutdowns: $(sed 's/^\[ *[0-9.]*\] //' <<< "$caught")"
}

# Domain $1 (domid $2, started at log line $3) stays crashed and quiet.
check_stays_caught() {
    local name=$1 id=$2 from=$3 before
    before=$(guest_lines "$id" "$from" | wc -l)
    sleep 2
    [ "$(dom_fields "$name" state.crashed state.dying)" = "True False" ] ||
        fail "$name: no longer shown crashed, or dying: $("$HVCLI" list)"
    [ "$(guest_lines "$id" "$from" | wc -l)" -eq "$before" ] ||
        fail "$name: the log still grows: $(guest_lines "$id" "$from" | tail -3)"
}

# hvcli list -l shows domain $1's restart limit $2 in $3 s.
check_listed_limits() {
    local got
    got=$(dom_fields "$1" restart_limit restart_interval_s)
    [ "$got" = "$2 $3" ] || fail "$1: list -l shows restart limit/interval '$got', want '$2 $3'"
}

# Lines per second, by the log's own timestamps, of the lines on stdin:
# prints "LINES SPAN_S MAX_PER_S".
rate_of_lines() {
    python3 -c '
import re, sys
ts = [float(m.group(1)) for m in (re.match(r"\[ *([0-9.]+)\]", l) for l in sys.stdin) if m]
if not ts:
    print(0, 0, 0); sys.exit()
buckets = {}
for t in ts:
    buckets[int(t - ts[0])] = buckets.get(int(t - ts[0]), 0) + 1
print(len(ts), "%.2f" % (ts[-1] - ts[0]), max(buckets.values()))'
}

hv_start

# 1. The defaults: also what shows the flood on an hvd without the fix.
from=$(log_size)
start_loop dflt 'on_crash = "preserve"'
id=$LOOP_ID
wait_caught dflt "$from"
check_caught_line dflt "$id" "$from" 10 60 preserve
check_stays_caught dflt "$id" "$from"
check_listed_limits dflt 10 60
"$HVCLI" destroy dflt || fail "destroy dflt failed"
hv_wait_field dflt name 20 gone

# What hvd holds with no domain, the restart path now warm.
hv_save_baseline

# 2. restart_limit 5 in 60 s, preserve.
note "case 2 at ${SECONDS}s"
from=$(log_size)
start_loop five 'on_crash = "preserve"' 'restart_limit = 5' 'restart_interval = 60'
id=$LOOP_ID
wait_caught five "$from"
check_caught_line five "$id" "$from" 5 60 preserve
[ "$(guest_lines "$id" "$from" | grep -c "shut down (reboot)")" -eq 6 ] ||
    fail "five: expected exactly 6 shutdowns (5 restarts allowed): $(guest_lines "$id" "$from")"
check_stays_caught five "$id" "$from"
check_listed_limits five 5 60
[ $(($(log_size) - from)) -le 12 ] || fail "five: hvd's log grew by $(($(log_size) - from)) lines"

# 3. The same, on_crash destroy: the domain goes away.
note "case 3 at ${SECONDS}s"
from=$(log_size)
start_loop gone 'on_crash = "destroy"' 'restart_limit = 5' 'restart_interval = 60'
id=$LOOP_ID
hv_wait_field gone name "$CAUGHT_WITHIN" gone
check_caught_line gone "$id" "$from" 5 60 destroy

# 4. 64 restarts a second allowed: whatever the loop does (caught at once
# on a fast host, or restarting on and on), the domain's lines stay within
# the rate limit, and restarts that were not logged are accounted for.
# hvd's one-second windows start with a line, not on the second, so one
# second of the log may hold the end of one window and most of the next.
note "case 4 at ${SECONDS}s"
from=$(log_size)
start_loop fast 'on_crash = "preserve"' 'restart_limit = 64' 'restart_interval = 1'
id=$LOOP_ID
sleep "$WATCH_SECONDS"
read -r lines span max_per_s <<< "$(guest_lines "$id" "$from" | rate_of_lines)"
note "fast: $lines lines in ${span}s, at most $max_per_s in one second"
[ "$max_per_s" -le $((2 * (RATE_LIMIT + 1) + 1)) ] ||
    fail "fast: $max_per_s lines in one second: $(guest_lines "$id" "$from" | head -30)"
windows=$((${span%.*} + 2))
[ "$lines" -le $((windows * (RATE_LIMIT + 1) + 1)) ] ||
    fail "fast: $lines lines in ${span}s, more than $((RATE_LIMIT + 1)) a second"
shutdowns=$(guest_lines "$id" "$from" | grep -c "shut down (reboot)")
suppressed=$(guest_lines "$id" "$from" | grep -c "d$id: [0-9]* messages suppressed")
if guest_lines "$id" "$from" | grep -q "d$id: restarted 64 times within 1 s: treated as crashed"; then
    # 65 shutdowns: the ones not logged were suppressed.
    [ "$shutdowns" -lt 65 ] || fail "fast: all $shutdowns shutdowns logged, none suppressed"
    note "fast: caught after 65 shutdowns, $shutdowns of them logged"
else
    [ "$suppressed" -ge 1 ] || fail "fast: neither caught nor any 'messages suppressed' line"
    note "fast: still restarting; $suppressed 'messages suppressed' lines"
fi

# 5. createdomain's restart limits, straight through libhvctl.
note "case 5 at ${SECONDS}s"
out=$("$HELPER" limits) || fail "createdomain's restart limits: $(grep -v '^ok' <<< "$out")"

# hvd answers and is back to what it held before.
note "cleaning up at ${SECONDS}s"
for d in five fast; do
    "$HVCLI" destroy "$d" || fail "destroy $d failed"
    hv_wait_field "$d" name 20 gone
done
"$HVCLI" list >/dev/null || fail "hvd no longer answers"
hv_check_baseline
hv_stop
