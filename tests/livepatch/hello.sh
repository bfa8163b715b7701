#!/bin/bash
# A live patch changes what a running guest reads, and reverting it
# changes it back: hello.livepatch (tests/livepatch/hello.c, built by
# patchtool build) replaces XENVER_extraversion's handler ("-hv" ->
# "-hello") while a guest reads it in a loop; the guest is saved and
# restored while patched.  Then the patch is unloaded, and hvd holds
# nothing for live patches any more.
. "$(dirname "$0")/../lib.sh"
payload=$HV_TOP/tests/livepatch/hello.livepatch
[ -s "$payload" ] || fail "$payload is not built (make check builds it)"
# The rendezvous timeout, scaled for emulated CPUs, at most 1 s.
ms=$(awk -v s="$(hv_scaled 100)" 'BEGIN { m = int(s); print (m > 1000 ? 1000 : m) }')

lp_state() { # payload $1's state in patchtool's table, or "gone"
    "$PATCHTOOL" list | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "gone" }'
}
count_lines() { tr -d '\r' <"$HV_TMP/restored.out" | grep -c -- "$1"; }

hv_start
cfg=$HV_TMP/watch.cfg
hv_guest_cfg "$cfg" hello 'cmdline = "extraversion"'
hv_create_console "$cfg" "$HV_TMP/console.out"
wait_console_line "$HV_TMP/console.out" 'extraversion "-hv"' 60 >/dev/null ||
    fail "the guest did not read -hv: $(tr -d '\r' <"$HV_TMP/console.out")"

"$PATCHTOOL" load -t "$ms" "$payload" || fail "patchtool load failed"
[ "$(lp_state hello)" = applied ] || fail "hello is $(lp_state hello), not applied"
wait_console_line "$HV_TMP/console.out" 'extraversion "-hello"' 60 >/dev/null ||
    fail "the guest did not read -hello after the patch"
note "applied: the guest reads -hello"

# Saved and restored while the patch is applied: the guest goes on, its
# console history comes back, and it sees the revert.
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
"$HVCLI" save "$name" "$HV_TMP/patched.img" || fail "cannot save the guest while patched"
wait "$HV_CONSOLE_PID"
timeout 600 "$HVCLI" restore "$HV_TMP/patched.img" >"$HV_TMP/restored.out" 2>&1 &
hv_wait_field "$name" state.running 60 True
wait_console_line "$HV_TMP/restored.out" 'extraversion "-hello"' 60 >/dev/null ||
    fail "the restored console lacks the history: $(tr -d '\r' <"$HV_TMP/restored.out")"

"$PATCHTOOL" revert -t "$ms" hello || fail "patchtool revert failed"
[ "$(lp_state hello)" = checked ] || fail "hello is $(lp_state hello) after revert"
for _ in $(seq 600); do [ "$(count_lines 'extraversion "-hv"')" -ge 2 ] && break; sleep 0.1; done
[ "$(count_lines 'extraversion "-hv"')" -ge 2 ] || fail "the restored guest did not read -hv after revert"
note "saved and restored while patched; reverted: the guest reads -hv again"

"$PATCHTOOL" unload hello || fail "patchtool unload failed"
[ "$(lp_state hello)" = gone ] || fail "hello is still listed after unload"
bytes=$("$HVCLI" info | python3 -c 'import json,sys; print(json.load(sys.stdin)["livepatch_bytes"])')
[ "$bytes" = 0 ] || fail "hvd still holds $bytes octets for live patches"
"$HVCLI" dmesg | grep -q "livepatch: 'hello' revert done: " || fail "hvd's log lacks the revert"
"$HVCLI" destroy "$name" || fail "cannot destroy the guest"
hv_stop
echo ok
