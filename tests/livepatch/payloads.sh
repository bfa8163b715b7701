#!/bin/bash
# Each kind of payload against a running hvd, under a guest that prints
# XENVER_extraversion whenever it changes (tests/livepatch/*.c, built by
# patchtool build):
#   stack on hello, revert to hello; REPLACE the stack of two with bye;
#   a NOP patch; every main-loop hook in order; apply/revert hooks that
#   replace the default action; a failing pre-apply hook (nothing
#   applied); UNLOAD of an applied payload (refused, busy); a revert
#   that is not of the newest (refused); an expectation hvd's code does
#   not meet and a payload for another hvd (both refused at upload).
# Afterwards hvd holds nothing for live patches.
. "$(dirname "$0")/../lib.sh"
lp=$HV_TOP/tests/livepatch
ms=$(awk -v s="$(hv_scaled 100)" 'BEGIN { m = int(s); print (m > 1000 ? 1000 : m) }')

state() { # payload $1's state in patchtool's table, or "gone"
    "$PATCHTOOL" list | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "gone" }'
}
# Wait until the guest's newest extraversion line says $1.
reads() {
    local line
    for _ in $(seq 600); do
        line=$(tr -d '\r' <"$HV_TMP/console.out" | grep -a '^extraversion' | tail -1)
        [ "$line" = "extraversion \"$1\"" ] && return 0
        sleep 0.1
    done
    fail "the guest reads ${line:-nothing}, not $1"
}
pt() { "$PATCHTOOL" "$@" || fail "patchtool $* failed"; }
# A copy of payload $1 with octet $3 of section $2 flipped.
flipped() {
    python3 - "$lp/$1.livepatch" "$HV_TMP/$1-$2.livepatch" "$2" "$3" <<'PY'
import struct, sys
src, dst, name, at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
img = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<Q", img, 0x28)
shnum, shstrndx = struct.unpack_from("<HH", img, 0x3c)
sh = lambda i: struct.unpack_from("<IIQQQQIIQQ", img, shoff + 64 * i)
names = sh(shstrndx)[4]
for i in range(shnum):
    h = sh(i)
    if img[names + h[0]:].split(b"\0")[0].decode() == name:
        img[h[4] + at] ^= 0xff
        open(dst, "wb").write(img)
        sys.exit(0)
sys.exit("no section " + name)
PY
    echo "$HV_TMP/$1-$2.livepatch"
}

hv_start
cfg=$HV_TMP/watch.cfg
hv_guest_cfg "$cfg" hello 'cmdline = "extraversion"'
hv_create_console "$cfg" "$HV_TMP/console.out"
reads -hv

# A stack of two, reverted to one; then REPLACE of the stack with bye.
pt upload hello "$lp/hello.livepatch"
pt upload stack "$lp/stack.livepatch"
expect_error "apply stack: Invalid argument.*stacks on another payload" \
    "$PATCHTOOL" apply -t "$ms" stack
pt apply -t "$ms" hello; reads -hello
pt apply -t "$ms" stack; reads -stack
expect_error "revert hello: Device or resource busy.*applied after it" \
    "$PATCHTOOL" revert -t "$ms" hello
expect_error "unload hello: Device or resource busy.*applied" "$PATCHTOOL" unload hello
pt revert -t "$ms" stack; reads -hello
pt apply -t "$ms" stack; reads -stack
pt upload bye "$lp/bye.livepatch"
pt replace -t "$ms" bye; reads -bye
[ "$(state hello)/$(state stack)/$(state bye)" = checked/checked/applied ] ||
    fail "after replace: hello $(state hello), stack $(state stack), bye $(state bye)"
pt revert -t "$ms" bye; reads -hv
expect_error "unload hello: Device or resource busy.*uses it" "$PATCHTOOL" unload hello
for p in stack hello bye; do pt unload "$p"; done
note "stack of two, revert to one, replace: done"

# A NOP patch changes nothing a guest sees.
pt load -t "$ms" "$lp/nop.livepatch"
[ "$(state nop)" = applied ] || fail "nop is $(state nop)"
pt revert -t "$ms" nop; pt unload nop
tr -d '\r' <"$HV_TMP/console.out" | tail -1 | grep -q '^extraversion "-hv"' ||
    fail "the guest saw a change under the NOP patch"

# Every main-loop hook, in order.
pt load -t "$ms" "$lp/hooks.livepatch"; reads -hooks
pt revert -t "$ms" hooks; reads -hv
pt unload hooks
got=$("$HVCLI" dmesg | sed -n 's/.*livepatch-test: \([a-z]*\) hook.*/\1/p' | tr '\n' ' ')
[ "$got" = "load preapply postapply prerevert postrevert unload " ] ||
    fail "the hooks ran as: $got"

# Apply and revert hooks replace hvd's own jumps: applied, but nothing written.
pt load -t "$ms" "$lp/action.livepatch"
[ "$(state action)" = applied ] || fail "action is $(state action)"
pt revert -t "$ms" action; pt unload action
"$HVCLI" dmesg | grep -q "livepatch-test: apply hook" || fail "the apply hook did not run"
"$HVCLI" dmesg | grep -q "livepatch-test: revert hook" || fail "the revert hook did not run"
tr -d '\r' <"$HV_TMP/console.out" | tail -1 | grep -q '^extraversion "-hv"' ||
    fail "the default action ran despite the apply hook"
note "hooks: done"

# A failing pre-apply hook: nothing applied, the payload stays checked.
expect_error "apply failhook: Input/output error" "$PATCHTOOL" load -t "$ms" "$lp/failhook.livepatch"
[ "$(state failhook)" = gone ] || fail "failhook was not unloaded after its failed load"
tr -d '\r' <"$HV_TMP/console.out" | tail -1 | grep -q '^extraversion "-hv"' ||
    fail "a payload whose pre-apply hook failed changed what the guest reads"

# Refused at upload: an expectation hvd's code does not meet (the sixth
# octet: the first after the NOPs), and a payload built for another hvd.
expect_error "does not start with the octets" \
    "$PATCHTOOL" upload expect "$(flipped hello .livepatch.funcs $((40 + 2 + 5)))"
expect_error "built for another hvd" \
    "$PATCHTOOL" upload other "$(flipped hello .livepatch.hvd_depends 16)"
bytes=$("$HVCLI" info | python3 -c 'import json,sys; print(json.load(sys.stdin)["livepatch_bytes"])')
[ "$bytes" = 0 ] || fail "hvd still holds $bytes octets for live patches"
[ "$("$PATCHTOOL" list --json | tr -d ' \n')" = "[]" ] || fail "payloads are left"
"$HVCLI" destroy "$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")" || fail "cannot destroy the guest"
hv_stop
echo ok
