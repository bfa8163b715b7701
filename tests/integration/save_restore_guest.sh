#!/bin/bash
# A guest saved in the middle of its ring-3 work comes back intact, in the
# same hvd and in another one.  The savetest guest computes, has an IPI
# port, VIRQ_TIMER, VIRQ_CONSOLE and an unbound port, and a timer armed.
#  1. hvcli save -c (checkpoint) until the image holds an armed timer; the
#     domain keeps running meanwhile.
#  2. hvcli save DOM - | hvcli restore -e - moves it, running, to a second
#     hvd; the guest is told "restored count=N" on its console there.
#  3. The checkpoint image is restored in the first hvd (the original is
#     gone by then), hvcli restore following the console, input on stdin.
#  4. hvcli create takes the config the image carries as it is.
# Each restored guest checks its memory, counter, timer and channels and
# must report SUCCESS; the restored console must replay the saved history.
. "$(dirname "$0")/../lib.sh"

# The count of the last "progress count=N" line in file $1.
last_count() {
    tr -d '\r' <"$1" | grep -ao '^progress count=[0-9]*' | tail -1 | sed 's/.*=//'
}

# Number of timers in image $1's TIMERS record (0 without one).
image_timers() {
    "$SAVEDUMP" --json "$1" | python3 -c '
import json, re, sys
recs = [r for r in json.load(sys.stdin)["records"] if r["name"] == "TIMERS"]
print(re.match(r"(\d+)", recs[0]["summary"]).group(1) if recs else 0)'
}

# Check that restored console output $1 passed, and replayed the history
# up to the line "progress count=$2".
check_restored_output() {
    local out=$1 count=$2 where=$3
    tr -d '\r' <"$out" | sed "s/^/# $where: /" | grep -v '^# [^:]*: PASS'
    tr -d '\r' <"$out" | grep -aq "^progress count=$count " ||
        fail "$where: the console history before the save was not restored"
    tr -d '\r' <"$out" | grep -aq '^restored: ' || fail "$where: the guest never saw the restore"
    tr -d '\r' <"$out" | grep -aq 'Test result: SUCCESS' || fail "$where: savetest did not pass"
}

hv_start
cfg=$HV_TMP/st.cfg
hv_guest_cfg "$cfg" savetest
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
timeout 120 "$HVCLI" create -c "$cfg" </dev/null >"$HV_TMP/orig.out" 2>&1 &
cpid=$!
wait_console_line "$HV_TMP/orig.out" '^progress count=' 60 >/dev/null ||
    fail "savetest did not start computing: $(tr -d '\r' <"$HV_TMP/orig.out")"

# 1. Checkpoints until one catches the timer armed (it re-arms itself
# every 200 ms but is briefly disarmed after each expiry).
timers=0
for try in $(seq 10); do
    count1=$(last_count "$HV_TMP/orig.out")
    "$HVCLI" save -c "$name" "$HV_TMP/ckpt.img" 2>"$HV_TMP/ckpt.err" ||
        fail "save -c failed: $(cat "$HV_TMP/ckpt.err")"
    grep -q "; it keeps running$" "$HV_TMP/ckpt.err" || fail "save -c said: $(cat "$HV_TMP/ckpt.err")"
    [ "$(hv_field "$name" state.paused)" = False ] || fail "save -c left the domain paused"
    timers=$(image_timers "$HV_TMP/ckpt.img")
    [ "$timers" -ge 1 ] && break
    sleep 0.3
done
[ "$timers" -ge 1 ] || fail "no checkpoint in 10 caught the guest's timer armed"
note "checkpoint $try holds $timers timer(s); last count printed before it: $count1"
before=$(tr -d '\r' <"$HV_TMP/orig.out" | grep -c '^progress')
sleep 1.2
after=$(tr -d '\r' <"$HV_TMP/orig.out" | grep -c '^progress')
[ "$after" -gt "$before" ] || fail "the domain stopped computing after save -c"

# A paused domain checkpointed stays paused, and save -c says so.
"$HVCLI" pause "$name" || fail "cannot pause $name"
"$HVCLI" save -c "$name" "$HV_TMP/paused.img" 2>"$HV_TMP/paused.err" ||
    fail "save -c of a paused domain failed: $(cat "$HV_TMP/paused.err")"
grep -q "; it stays paused, as it was$" "$HV_TMP/paused.err" ||
    fail "save -c of a paused domain said: $(cat "$HV_TMP/paused.err")"
[ "$(hv_field "$name" state.paused)" = True ] || fail "save -c unpaused a paused domain"
"$HVCLI" unpause "$name" || fail "cannot unpause $name"
"$HVCLI" dmesg | grep -q ": state read for a save$" || fail "hvcli dmesg does not show the saves"

# 2. Move the running domain to a second hvd through a pipe.
B_SOCK=$HV_TMP/b.sock
"$HVD" --socket "$B_SOCK" --foreground --log "$HV_TMP/hvd-b.log" &
bpid=$!
for i in $(seq 100); do
    HVD_SOCKET=$B_SOCK "$HVCLI" list >/dev/null 2>&1 && break
    sleep 0.1
done
count2=$(last_count "$HV_TMP/orig.out")
"$HVCLI" save "$name" - 2>"$HV_TMP/save.err" |
    HVD_SOCKET=$B_SOCK "$HVCLI" restore -e - 2>"$HV_TMP/restore.err" ||
    fail "save | restore to the second hvd failed: $(cat "$HV_TMP/save.err" "$HV_TMP/restore.err")"
wait $cpid
[ "$(hv_field "$name" name)" = gone ] || fail "the saved domain is still in the first hvd"
echo "restored count=$count2" |
    HVD_SOCKET=$B_SOCK timeout 60 "$HVCLI" console "$name" >"$HV_TMP/b.out" 2>&1
check_restored_output "$HV_TMP/b.out" "$count2" "second hvd"
HVD_SOCKET=$B_SOCK "$HVCLI" dmesg | grep -q ": state restored from a save image$" ||
    fail "the second hvd's dmesg does not show the restore"
HVD_SOCKET=$B_SOCK "$HVCLI" dmesg | grep -q "created '$name', 1 vCPU(s), up to 16384 KiB of RAM$" ||
    fail "the restored domain's creation does not give its RAM size: $(HVD_SOCKET=$B_SOCK "$HVCLI" dmesg | grep created)"
kill -TERM $bpid
wait $bpid || fail "the second hvd did not exit cleanly"

# 3. The checkpoint, restored in the first hvd, console followed by restore.
echo "restored count=$count1" | timeout 60 "$HVCLI" restore "$HV_TMP/ckpt.img" \
    >"$HV_TMP/a.out" 2>&1 || fail "restore in the first hvd failed: $(cat "$HV_TMP/a.out")"
check_restored_output "$HV_TMP/a.out" "$count1" "first hvd"
[ "$(hv_field "$name" name)" = gone ] || fail "the restored guest did not power off"

# 4. The config an image carries is one `hvcli create` takes as is: it
# has the kernel and cmdline the domain was created with (kept with the
# domain in hvd, and kept again by each restore).
"$SAVEDUMP" --json "$HV_TMP/ckpt.img" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["domain"]["config"])' \
    >"$HV_TMP/from-image.json" || fail "cannot read the image's config"
grep -Eq "\"kernel\": ?\"$HV_GUESTS/savetest.elf\"" "$HV_TMP/from-image.json" ||
    fail "the image's config has no kernel: $(cat "$HV_TMP/from-image.json")"
"$HVCLI" create -p "$HV_TMP/from-image.json" 2>"$HV_TMP/create.err" ||
    fail "hvcli create refused the image's config: $(cat "$HV_TMP/create.err")"
"$HVCLI" destroy "$name" || fail "cannot destroy the domain made from the image's config"
hv_stop
