#!/bin/bash
# save -> restore -p -> save gives a byte-identical stream: a paused
# domain's state goes through hvd and back unchanged, every record in a
# fixed order, its run state included (the first image, of a running
# guest, has none; the others say paused).  The domain is a savetest guest saved mid-run (shared info,
# event channels, a timer, console history), plainly and with -z.  On a
# difference the test names the records that differ (hvsave-dump --json).
. "$(dirname "$0")/../lib.sh"

# Where images $1 and $2 differ, by record: for each record with different
# octets, its name and the offsets inside its body (PAGE_DATA: the gfn
# and the offsets inside that page).
describe_difference() {
    "$SAVEDUMP" --json "$1" >"$1.json" || return
    python3 - "$1" "$2" "$1.json" <<'PY'
import json, struct, sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
recs = json.load(open(sys.argv[3]))["records"]
if len(a) != len(b):
    print("lengths differ: %d and %d octets" % (len(a), len(b)))
for r in recs:
    start, body = r["offset"], r["offset"] + 8
    end = body + r["length"]
    offs = [i - body for i in range(start, min(end, len(b))) if a[i] != b[i]]
    if not offs:
        continue
    where = "record %d %s" % (r["index"], r["name"])
    if r["name"] == "PAGE_DATA":
        count = struct.unpack_from("<I", a, body)[0]
        pages = {}
        for o in offs:
            if o >= 8 + 8 * count:
                i, k = divmod(o - 8 - 8 * count, 4096)
                pages.setdefault(struct.unpack_from("<Q", a, body + 8 + 8 * i)[0], []).append(k)
        for gfn, ks in sorted(pages.items()):
            print("%s: gfn %#x, octets %s" % (where, gfn, ks[:16]))
    else:
        print("%s: body octets %s" % (where, offs[:16]))
    if a[start:body] != b[start:body]:
        break  # the records after a different header do not line up
PY
}

# Fail unless images $1 and $2 are the same octets; say where they differ.
same_image() {
    cmp -s "$1" "$2" && return 0
    describe_difference "$1" "$2" | sed 's/^/# /'
    fail "$(basename "$2") differs from $(basename "$1"): $(cmp "$1" "$2" 2>&1 | head -1)"
}

# Restore image $1 paused, then save it again to $2 with options $3.
resave() {
    "$HVCLI" restore -p -e "$1" 2>/dev/null || fail "cannot restore $(basename "$1")"
    [ "$(hv_field "$name" state.paused)" = True ] || fail "restore -p did not leave it paused"
    "$HVCLI" save $3 "$name" "$2" 2>/dev/null || fail "cannot save the restored domain"
}

hv_start
cfg=$HV_TMP/st.cfg
hv_guest_cfg "$cfg" savetest
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
timeout 60 "$HVCLI" create -c "$cfg" </dev/null >"$HV_TMP/console.out" 2>&1 &
cpid=$!
wait_console_line "$HV_TMP/console.out" '^progress count=' 60 >/dev/null ||
    fail "savetest did not start computing: $(tr -d '\r' <"$HV_TMP/console.out")"
"$HVCLI" save "$name" "$HV_TMP/a.img" 2>/dev/null || fail "cannot save the running guest"
wait $cpid
"$SAVEDUMP" "$HV_TMP/a.img" | grep -q 'EVENT_CHANNELS' || fail "the image has no EVENT_CHANNELS"

# The running guest's image has no RUN_STATE; the one of the domain that
# restore -p left paused says paused (spec 6.8), and so do its re-saves.
run_state() { "$SAVEDUMP" "$1" | sed -n 's/^run state: //p'; }
resave "$HV_TMP/a.img" "$HV_TMP/b.img" ""
[ "$(run_state "$HV_TMP/a.img")" = running ] || fail "a.img: run state $(run_state "$HV_TMP/a.img")"
[ "$(run_state "$HV_TMP/b.img")" = paused ] || fail "b.img: run state $(run_state "$HV_TMP/b.img")"
resave "$HV_TMP/b.img" "$HV_TMP/b2.img" ""
same_image "$HV_TMP/b.img" "$HV_TMP/b2.img"
note "save, restore -p, save: identical ($(stat -c %s "$HV_TMP/b.img") octets)"

resave "$HV_TMP/b2.img" "$HV_TMP/c.img" "-z"
resave "$HV_TMP/c.img" "$HV_TMP/d.img" "-z"
same_image "$HV_TMP/c.img" "$HV_TMP/d.img"
"$SAVEDUMP" "$HV_TMP/c.img" | grep -q 'PAGE_DATA_ZLIB' || fail "save -z wrote no PAGE_DATA_ZLIB"
note "with -z: identical ($(stat -c %s "$HV_TMP/c.img") octets)"

# The compressed image holds the same domain: restoring it and saving
# without -z gives the paused image back.
resave "$HV_TMP/d.img" "$HV_TMP/e.img" ""
same_image "$HV_TMP/b.img" "$HV_TMP/e.img"

# Restored without -p, a paused domain's image stays paused; unpausing
# it once starts it.
"$HVCLI" restore -e "$HV_TMP/e.img" 2>"$HV_TMP/r.err" || fail "restore e.img: $(cat "$HV_TMP/r.err")"
grep -q "paused as it was when saved" "$HV_TMP/r.err" || fail "restore said: $(cat "$HV_TMP/r.err")"
[ "$(hv_field "$name" state.paused)" = True ] || fail "the paused image's domain runs"
"$HVCLI" unpause "$name" || fail "cannot unpause the restored domain"
[ "$(hv_field "$name" state.paused)" = False ] || fail "one unpause did not start it"
"$HVCLI" destroy "$name" || fail "cannot destroy the restored domain"
"$HVCLI" list | grep -q "$name" && fail "save left the domain behind"

# A domain kept after it shut down is saved as shut down and restored shut
# down for the same reason, not running.
hv_create keep hello 'on_poweroff = "preserve"' >/dev/null
hv_wait_field keep shutdown_reason 20 poweroff
"$HVCLI" save keep "$HV_TMP/keep.img" 2>/dev/null || fail "cannot save the shut-down domain"
[ "$(run_state "$HV_TMP/keep.img")" = "shut down (poweroff)" ] ||
    fail "keep.img: run state $(run_state "$HV_TMP/keep.img")"
"$HVCLI" restore "$HV_TMP/keep.img" 2>"$HV_TMP/r.err" </dev/null ||
    fail "restore keep.img: $(cat "$HV_TMP/r.err")"
grep -q "shut down as it was when saved" "$HV_TMP/r.err" || fail "restore said: $(cat "$HV_TMP/r.err")"
[ "$(hv_field keep shutdown_reason)" = poweroff ] || fail "restored: $("$HVCLI" list keep)"
"$HVCLI" destroy keep
hv_stop
