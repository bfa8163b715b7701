#!/bin/bash
# restart_limit and restart_interval (issue 8, item 7) are part of a
# domain's configuration: given in JSON or XML, hvcli list -l shows them,
# a save image's config carries them and a restored domain keeps them.
# An image from before the keys existed restores with the defaults (10 in
# 60 s).  Out-of-range values are refused in one line naming file and line.
. "$(dirname "$0")/../lib.sh"

# hvcli list -l shows domain $1's restart limit $2 in $3 s.
check_listed_limits() {
    local got
    got=$("$HVCLI" list -l "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print(d["restart_limit"], d["restart_interval_s"])')
    [ "$got" = "$2 $3" ] || fail "$1: list -l shows restart limit/interval '$got', want '$2 $3'"
}

# The restart keys of the config in save image $1: "LIMIT INTERVAL".
image_limits() {
    "$SAVEDUMP" --json "$1" | python3 -c '
import json, sys
c = json.loads(json.load(sys.stdin)["domain"]["config"])
print(c.get("restart_limit", "none"), c.get("restart_interval", "none"))'
}

# Copy image $1 to $2 with the restart keys taken out of its config, as an
# hvcli from before them wrote it (domain header: config_len at 48, the
# config at 56, padded to 8 octets).
strip_limits() {
    python3 - "$1" "$2" <<'PY'
import json, struct, sys
img = open(sys.argv[1], "rb").read()
pad = lambda n: (8 - (n & 7)) & 7
length = struct.unpack_from("<I", img, 48)[0]
config = json.loads(img[56:56 + length])
del config["restart_limit"], config["restart_interval"]
text = json.dumps(config, separators=(",", ":")).encode()
rest = img[56 + length + pad(length):]
open(sys.argv[2], "wb").write(img[:48] + struct.pack("<I", len(text)) + img[52:56] + text +
                              b"\0" * pad(len(text)) + rest)
PY
}

hv_start
cat > "$HV_TMP/keep.json" <<CFG
{ "name": "keep", "memory": 16, "kernel": "$HV_GUESTS/hello.elf", "cmdline": "idle",
  "restart_limit": 7, "restart_interval": 30 }
CFG
"$HVCLI" create -q "$HV_TMP/keep.json" || fail "cannot create keep from JSON"
check_listed_limits keep 7 30

cat > "$HV_TMP/wide.xml" <<CFG
<domain type="hv">
  <name>wide</name>
  <memory unit="MiB">16</memory>
  <os><kernel>$HV_GUESTS/hello.elf</kernel><cmdline>idle</cmdline></os>
  <restart_limit>64</restart_limit>
  <restart_interval>86400</restart_interval>
</domain>
CFG
"$HVCLI" create -q "$HV_TMP/wide.xml" || fail "cannot create wide from XML"
check_listed_limits wide 64 86400
"$HVCLI" destroy wide

hv_guest_cfg "$HV_TMP/bad.cfg" hello 'restart_limit = 65'
expect_error "bad.cfg:7: restart_limit: '65' is out of range 1\.\.64" "$HVCLI" create "$HV_TMP/bad.cfg"
hv_guest_cfg "$HV_TMP/bad.cfg" hello 'restart_interval = 0'
expect_error "bad.cfg:7: restart_interval: '0' is out of range 1\.\.86400" "$HVCLI" create "$HV_TMP/bad.cfg"

hv_wait_field keep state.blocked 20 True
note "saving at ${SECONDS}s"
"$HVCLI" save keep "$HV_TMP/keep.img" 2>/dev/null || fail "cannot save keep"
[ "$(image_limits "$HV_TMP/keep.img")" = "7 30" ] ||
    fail "the image's config has restart limit/interval '$(image_limits "$HV_TMP/keep.img")'"
"$HVCLI" restore -e "$HV_TMP/keep.img" 2>/dev/null || fail "cannot restore keep"
check_listed_limits keep 7 30

note "saving the restored domain at ${SECONDS}s"
"$HVCLI" save keep "$HV_TMP/again.img" 2>/dev/null || fail "cannot save the restored keep"
strip_limits "$HV_TMP/again.img" "$HV_TMP/old.img"
[ "$(image_limits "$HV_TMP/old.img")" = "none none" ] || fail "the restart keys are still in old.img"
"$HVCLI" restore -e "$HV_TMP/old.img" 2>/dev/null || fail "cannot restore an image without the keys"
check_listed_limits keep 10 60
hv_wait_field keep state.blocked 20 True
"$HVCLI" destroy keep
hv_stop
