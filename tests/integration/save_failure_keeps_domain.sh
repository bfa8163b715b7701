#!/bin/bash
# A save that fails leaves the domain running as before: a path that
# cannot be created, a full device (/dev/full), a file over the size limit
# (ulimit -f: the partial file is removed), a reader that closes the pipe,
# and SIGTERM in the middle of a save.  Each time: one line of error, the
# domain still there and not paused, and it keeps running (its console
# keeps printing); no image file left behind.  Also: save needs DOM and
# FILE, refuses a terminal as standard output, and an unknown domain.
. "$(dirname "$0")/../lib.sh"

# The domain exists, is not paused, and prints more progress lines.
still_running() {
    local what=$1 before
    [ "$(hv_field "$name" state.paused)" = False ] || fail "$what: the domain is $(hv_field "$name" state.paused) paused / gone"
    before=$(tr -d '\r' <"$HV_TMP/console.out" | grep -c '^progress')
    wait_console_line "$HV_TMP/console.out" "^progress" 1 >/dev/null
    for i in $(seq 50); do
        [ "$(tr -d '\r' <"$HV_TMP/console.out" | grep -c '^progress')" -gt "$before" ] && return 0
        sleep 0.1
    done
    fail "$what: the domain stopped running"
}

hv_start
cfg=$HV_TMP/st.cfg
hv_guest_cfg "$cfg" savetest
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
timeout 120 "$HVCLI" create -c "$cfg" </dev/null >"$HV_TMP/console.out" 2>&1 &
cpid=$!
wait_console_line "$HV_TMP/console.out" '^progress count=' 60 >/dev/null ||
    fail "savetest did not start computing: $(tr -d '\r' <"$HV_TMP/console.out")"

expect_error "missing operand" "$HVCLI" save "$name"
expect_error "unknown domain 'no-such'" "$HVCLI" save no-such "$HV_TMP/x.img"
[ -e "$HV_TMP/x.img" ] && fail "save of an unknown domain created the file"

expect_error "cannot create $HV_TMP/no/dir/x.img: No such file" \
    "$HVCLI" save "$name" "$HV_TMP/no/dir/x.img"
still_running "uncreatable path"

expect_error "No space left on device" "$HVCLI" save "$name" /dev/full
still_running "/dev/full"

expect_error "File too large; partial image .*big.img removed" \
    bash -c 'ulimit -f 2048; exec "$@"' save "$HVCLI" save "$name" "$HV_TMP/big.img"
[ -e "$HV_TMP/big.img" ] && fail "the partial image was not removed"
still_running "file size limit"

"$HVCLI" save "$name" - 2>"$HV_TMP/pipe.err" | head -c 1000 >/dev/null || true
grep -q "Broken pipe" "$HV_TMP/pipe.err" || fail "closed pipe: $(cat "$HV_TMP/pipe.err")"
[ "$(wc -l <"$HV_TMP/pipe.err")" -eq 1 ] || fail "closed pipe: more than one line: $(cat "$HV_TMP/pipe.err")"
note "as expected: $(cat "$HV_TMP/pipe.err")"
still_running "closed pipe"

# SIGTERM while save is blocked writing to a pipe that is read only once
# the signal is sent (or after 60 s, should the test go wrong).
{ "$HVCLI" save "$name" - 2>"$HV_TMP/term.err"; echo $? >"$HV_TMP/term.rc"; } |
    { for _ in $(seq 600); do [ -e "$HV_TMP/term.sent" ] && break; sleep 0.1; done; cat >/dev/null; } &
hv_wait_field "$name" state.paused 10 True
spid=$(pgrep -f -- "save $name -\$") || fail "cannot find the hvcli save process"
kill -TERM $spid
touch "$HV_TMP/term.sent"
wait $!
[ "$(cat "$HV_TMP/term.rc")" = 1 ] || fail "save after SIGTERM exited with $(cat "$HV_TMP/term.rc")"
grep -q "interrupted by signal 15" "$HV_TMP/term.err" || fail "SIGTERM: $(cat "$HV_TMP/term.err")"
note "as expected: $(cat "$HV_TMP/term.err")"
still_running "SIGTERM"

if [ -t 1 ] || script -qc true /dev/null >/dev/null 2>&1; then
    script -qc "$HVCLI save $name -" /dev/null >"$HV_TMP/tty.out" 2>&1 || true
    grep -q "standard output is a terminal" "$HV_TMP/tty.out" ||
        fail "save to a terminal: $(cat "$HV_TMP/tty.out")"
    still_running "terminal"
fi

"$HVCLI" destroy "$name" || fail "cannot destroy the domain"
wait $cpid
hv_stop
