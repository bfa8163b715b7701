#!/bin/bash
# Issue 8, the noisy neighbour: a bystander guest measures its own timer
# accuracy (200 ms sleeps) and hypercall latency while hostile guests (one
# storming memory ops, one binding event channels to domids being created,
# one making random hypercalls) and an unprivileged client (one connection
# that never reads its replies, and a flood of connections) attack at once.
# Every sleep must end within 250 ms and root's domain list must answer
# within 1 s throughout (bounds scaled by HV_TIME_SCALE on emulated CPUs);
# afterwards hvd is back to its baseline.
. "$(dirname "$0")/../lib.sh"
ATTACK_SECONDS=${ISO_SECONDS:-40}
late_ms=$(hv_scaled 50 | cut -d. -f1)

hv_start
hv_save_baseline
run_guest() { # NAME IMAGE CMDLINE [CONFIG LINES...]: console to $HV_TMP/NAME.out
    local name=$1 image=$2 cmdline=$3; shift 3
    {
        echo "name = \"$name\""
        printf '%s\n' "$@" | grep -q '^memory' || echo "memory = 32"
        echo "kernel = \"$HV_GUESTS/$image.elf\""; echo "cmdline = \"$cmdline\""
        echo 'on_poweroff = "destroy"'; echo 'on_crash = "preserve"'
        printf '%s\n' "$@"
    } >"$HV_TMP/$name.cfg"
    timeout $((ATTACK_SECONDS * 4 + 300)) "$HVCLI" create -c "$HV_TMP/$name.cfg" </dev/null \
        >"$HV_TMP/$name.out" 2>&1 &
}

run_guest bystander bystander "seconds=$ATTACK_SECONDS sleep_ms=200 max_ms=$((200 + late_ms))"
wait_console_line "$HV_TMP/bystander.out" 'bystander: ready' "$(hv_scaled 60 | cut -d. -f1)" \
    >/dev/null || fail "the bystander did not start"
run_guest storm attacker "memop-storm rounds=0" 'memory = 64'
run_guest binder attacker "bind-next first=5 count=3 seconds=3600"
run_guest random hostile "seed=$RANDOM count=100000000 seconds=3600"
chmod 755 "$HV_TMP" # nobody must reach the socket
hv_hostile_hold noread
noread=$HV_HOLDER_PID
hv_hostile_hold connections
connections=$HV_HOLDER_PID

# Root's list, ten times a second, for the whole attack.
"$HVD_BASELINE" latency "$ATTACK_SECONDS" 1000 >"$HV_TMP/latency.out" 2>&1 &
latency=$!
wait_console_line "$HV_TMP/bystander.out" 'Test result' $((ATTACK_SECONDS * 4 + 120)) \
    >/dev/null || fail "the bystander did not finish"
wait "$latency"; latency_rc=$?
sed 's/^/# /' "$HV_TMP/latency.out"
tr -d '\r' <"$HV_TMP/bystander.out" | grep -a -E 'bystander:|sleep|PASS|FAIL|result' | sed 's/^/# /'
for g in storm binder random; do
    st=$(hv_field "$g" state.crashed)
    [ "$st" = False ] || fail "the $g guest $([ "$st" = gone ] && echo "is gone" || echo crashed):" \
        "$(tr -d '\r' <"$HV_TMP/$g.out" | grep -av '^progress' | tail -5)" \
        "$(grep -aE "d$(hv_domid "$g" 2>/dev/null)( v[0-9]+)?: " "$HV_TMP/hvd.log" |
            grep -v unhandled | tail -3)"
done
kill "$noread" "$connections" 2>/dev/null
wait "$noread" "$connections" 2>/dev/null
for g in storm binder random; do "$HVCLI" destroy "$g" || fail "cannot destroy $g"; done
[ "$latency_rc" -eq 0 ] || fail "root's domain list did not always answer within 1 s"
grep -aq 'Test result: SUCCESS' "$HV_TMP/bystander.out" ||
    fail "the bystander's sleeps or hypercalls suffered"
hv_check_baseline
hv_stop
