#!/bin/bash
# hvcli restore refuses bad images and leaves nothing behind.  From one
# good image of a savetest guest (every record type), make broken copies:
# truncated at every record boundary and inside every record, each header
# field corrupted, an unknown mandatory record inserted, a record length
# of 4 GiB - 1, a gfn outside the domain, a state record hvd refuses, an
# XSAVE area with state past the 4096 octets KVM loads; and ones that must
# restore: an unknown optional record, an XSAVE area of 576 octets (as a
# host without XSAVE writes it: its x87 and SSE state is what the restored
# vCPU then holds) and one longer than 4096 octets that is zero past them.  After each:
# exactly one line of error naming the problem (the record, for record
# problems), no domain left, hvd still serving, and hvd's allocations,
# descriptors and threads back where they were.
. "$(dirname "$0")/../lib.sh"

# What must not grow: hvd's allocations for domains, its descriptors and
# threads, and the number of domains.  One hvcli call and bash builtins:
# a process start is 0.2 s in scripts/kvm-vm, and this runs per case.
hvd_footprint() {
    local info fds tasks
    info=$("$HVCLI" info) || fail "hvd stopped serving"
    fds=(/proc/"$HVD_PID"/fd/*)
    tasks=(/proc/"$HVD_PID"/task/*)
    [[ $info =~ \"overhead_bytes\":\ *([0-9]+) ]] || fail "hvcli info has no overhead_bytes"
    printf 'bytes=%s ' "${BASH_REMATCH[1]}"
    [[ $info =~ \"overhead_allocs\":\ *([0-9]+) ]] || fail "hvcli info has no overhead_allocs"
    printf 'allocs=%s ' "${BASH_REMATCH[1]}"
    [[ $info =~ \"nr_domains\":\ *([0-9]+) ]] || fail "hvcli info has no nr_domains"
    printf 'domains=%s fds=%s tasks=%s\n' "${BASH_REMATCH[1]}" "${#fds[@]}" "${#tasks[@]}"
}

# Whether domain $name exists (one hvcli call).
domain_exists() {
    local list
    list=$("$HVCLI" list) || fail "hvd stopped serving"
    [[ $'\n'$list == *$'\n'"$name "* ]]
}

# expect_error for a restore of $2, in bash: exactly one line matching $1.
# Bounded address space: a 4 GiB allocation would fail loudly.
expect_restore_error() {
    local out rc=0
    out=$(ulimit -v 1000000; exec "$HVCLI" restore -p -e "$2" 2>&1) || rc=$?
    [ $rc -ne 0 ] || fail "restoring $2 succeeded; expected an error matching /$1/"
    [[ $out != *$'\n'* ]] || fail "restoring $2: expected one line of error, got: $out"
    [[ $out =~ $1 ]] || fail "restoring $2: error '$out' does not match /$1/"
    note "as expected: $out"
}

# Make the broken images in directory $2 from image $1 and its
# hvsave-dump --json $3; write one line per case to $4, tab-separated:
# name, file, pages, error pattern (an empty pattern: the restore must
# succeed, and the domain then holds that many pages).
make_cases() {
    python3 - "$1" "$2" "$3" "$4" <<'PY'
import json, struct, sys
src, out, dump, listing = sys.argv[1:5]
img = open(src, "rb").read()
d = json.load(open(dump))
recs = d["records"]
nr_pages = d["domain"]["nr_pages"]
cases = []

pages_in_image = sum(r.get("pages", 0) for r in recs)

def case(name, data, pattern, pages=pages_in_image):
    path = "%s/%s.img" % (out, name)
    open(path, "wb").write(data)
    cases.append("%s\t%s\t%d\t%s" % (name, path, pages, pattern))

def put(data, off, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)

def rec_label(r):
    return r"record %d \(%s\) at offset %d" % (r["index"], r["name"], r["offset"])

def by_name(name):
    return next(r for r in recs if r["name"] == name)

def record(rtype, body):
    return struct.pack("<II", rtype, len(body)) + body + bytes((8 - len(body) % 8) % 8)

# Truncated at every record boundary, inside every record header and body.
config_end = 24 + 32 + len(d["domain"]["config"].encode())
case("trunc_in_image_header", img[:12], "truncat|ends|short")
case("trunc_after_image_header", img[:24], "truncat|ends|short")
case("trunc_in_config", img[:config_end - 3], "truncat|ends|short")
for r in recs:
    i, off, n = r["index"], r["offset"], r["length"]
    case("trunc_before_record_%d" % i, img[:off], "truncat")
    case("trunc_in_header_of_record_%d" % i, img[:off + 5],
         r"record %d at offset %d: header: truncated" % (i, off))
    if n:
        case("trunc_in_body_of_record_%d" % i, img[:off + 8 + n // 2], rec_label(r))
        case("trunc_in_padding_or_end_of_record_%d" % i, img[:off + 8 + n - 1 + (8 - n % 8) % 8],
             rec_label(r))
# Image header (big-endian) fields.
case("bad_magic", put(img, 0, ">B", img[0] ^ 0x80), "magic|not a save image")
case("bad_version", put(img, 8, ">I", 2), "version")
case("big_endian_option", put(img, 12, ">I", 1), "endian|byte order")
case("reserved_option", put(img, 12, ">I", 4), "option")
case("bad_page_size", put(img, 16, ">I", 8192), "page")
case("image_header_pad", put(img, 20, ">I", 1), "pad")
# Domain header (little-endian) fields and the config.
case("zero_vcpus", put(img, 28, "<I", 0), "nr_vcpus")
case("vcpus_differ_from_config", put(img, 28, "<I", 2), "vCPU")
case("zero_pages", put(img, 32, "<Q", 0), "nr_pages")
case("pages_over_limit", put(img, 32, "<Q", (1 << 40) + 1), "nr_pages")
case("window_over_maxmem", put(img, 32, "<Q", nr_pages * 2), "maxmem")
case("tot_pages_over_nr_pages", put(img, 40, "<Q", nr_pages + 1), "tot_pages")
case("config_len_over_limit", put(img, 48, "<I", (1 << 20) + 1), "config")
case("config_len_short", put(img, 48, "<I", len(d["domain"]["config"]) - 1), "config|pad|JSON|pars")
case("domain_header_pad", put(img, 52, "<I", 1), "pad")
cfg = img.index(b'"vcpus":')
case("config_vcpus_zero", img[:cfg] + b'"vcpus":0' + img[cfg + 9:], "vcpus")
case("config_not_json", img[:56] + b"[" + img[57:], "config")
# Records.
vm = by_name("VM_STATE")
vmo = vm["offset"]
case("unknown_mandatory_record", img[:vmo] + record(0x7e, b"12345678") + img[vmo:],
     r"record %d .*0x0*7e" % vm["index"])
case("unknown_optional_record_is_skipped",
     img[:vmo] + record(0x8000007e, b"optional") + img[vmo:], "")
# Optional records may come anywhere, even before the pages.
first = recs[0]
cr = by_name("CONSOLE_RING")
console = img[cr["offset"]:cr["offset"] + 8 + cr["length"] + (8 - cr["length"] % 8) % 8]
case("console_ring_before_the_pages_is_fine",
     img[:first["offset"]] + console + img[first["offset"]:cr["offset"]] +
     img[cr["offset"] + len(console):], "")
case("unknown_optional_record_before_the_pages_is_skipped",
     img[:first["offset"]] + record(0x8000007f, b"x" * 13) + img[first["offset"]:], "")
# Without gfn 0 (a guest may give it back): the restored domain lacks it too.
count = struct.unpack_from("<I", img, first["offset"] + 8)[0]
assert first["name"] == "PAGE_DATA" and first["first_gfn"] == 0
body = img[first["offset"] + 8:first["offset"] + 8 + first["length"]]
gfns, data = body[8:8 + 8 * count], body[8 + 8 * count:]
case("image_without_gfn_0_restores_without_it",
     img[:first["offset"]] + record(2, struct.pack("<II", count - 1, 0) + gfns[8:] + data[4096:]) +
     img[first["offset"] + 8 + first["length"]:], "", pages_in_image - 1)
case("record_length_4gib_minus_1", put(img, vmo + 4, "<I", 0xffffffff),
     r"record %d \(VM_STATE\) at offset %d.*(large|big|exceed|limit|length)" % (vm["index"], vmo))
case("second_vm_state", img[:vmo + 8 + 368] + img[vmo:vmo + 8 + 368] + img[vmo + 8 + 368:],
     r"VM_STATE")
case("gfn_outside_the_domain", put(img, first["offset"] + 16, "<Q", nr_pages),
     rec_label(first) + ".*gfn")
if cr["length"] % 8:
    case("nonzero_record_padding", put(img, cr["offset"] + 8 + cr["length"], "<B", 1),
         rec_label(cr) + ".*pad")
# A VCPU record that is well-formed but names an MSR hvd does not restore.
v = by_name("VCPU")
body = v["offset"] + 8
xsave_len, nr_msrs = struct.unpack_from("<II", img, body + 16)
last_msr = body + 1816 + xsave_len + 16 * (nr_msrs - 1)
case("vcpu_msr_hvd_refuses", put(img, last_msr, "<I", 0xcfffffff),
     rec_label(v) + ": hvd refused it.*hvd's log says why")

# VCPU 0 with another XSAVE area (the spec allows 576..65536 octets).
def with_xsave(xs):
    old = img[body:body + v["length"]]
    new = old[:16] + struct.pack("<I", len(xs)) + old[20:1816] + xs + old[1816 + xsave_len:]
    return img[:v["offset"]] + record(5, new) + img[body + v["length"]:]

area = img[body + 1816:body + 1816 + xsave_len]
legacy_576 = area[:512] + struct.pack("<QQ", 3, 0) + bytes(48)  # XSTATE_BV: x87, SSE
case("vcpu_xsave_576_restores", with_xsave(legacy_576), "")
open("%s/xsave576.img" % out, "wb").write(with_xsave(legacy_576))
case("vcpu_xsave_4104_zero_past_4096_restores", with_xsave(area + bytes(8)), "")
case("vcpu_xsave_state_past_4096_refused", with_xsave(area + b"\x01" + bytes(7)),
     rec_label(v) + ": hvd refused it.*hvd's log says why")
open(listing, "w").write("\n".join(cases) + "\n")
PY
}

hv_start
cfg=$HV_TMP/st.cfg
hv_guest_cfg "$cfg" savetest
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
timeout 60 "$HVCLI" create -c "$cfg" </dev/null >"$HV_TMP/console.out" 2>&1 &
cpid=$!
wait_console_line "$HV_TMP/console.out" '^progress count=' 60 >/dev/null ||
    fail "savetest did not start computing: $(tr -d '\r' <"$HV_TMP/console.out")"
"$HVCLI" save "$name" "$HV_TMP/good.img" 2>/dev/null || fail "cannot save the savetest domain"
wait $cpid
"$SAVEDUMP" --json "$HV_TMP/good.img" >"$HV_TMP/good.json" || fail "hvsave-dump cannot read the image"

# One good restore first: what hvd sets up once is not a leak.
"$HVCLI" restore -p -e "$HV_TMP/good.img" 2>/dev/null || fail "the good image does not restore"
"$HVCLI" destroy "$name" || fail "cannot destroy the restored domain"
before=$(hvd_footprint)
note "hvd before: $before"

mkdir "$HV_TMP/cases"
make_cases "$HV_TMP/good.img" "$HV_TMP/cases" "$HV_TMP/good.json" "$HV_TMP/cases.list"
n=0
while IFS=$'\t' read -r -u 3 case file pages pattern; do
    n=$((n + 1))
    if [ -z "$pattern" ]; then
        "$HVCLI" restore -p -e "$file" 2>/dev/null || fail "$case: restore failed"
        [ "$(hv_field "$name" state.paused)" = True ] || fail "$case: restored domain not paused"
        [ "$(hv_field "$name" tot_pages)" = "$pages" ] ||
            fail "$case: the domain holds $(hv_field "$name" tot_pages) pages, not $pages"
        "$HVCLI" destroy "$name" || fail "$case: cannot destroy the restored domain"
        note "$case: restored"
    else
        # Bounded address space: a 4 GiB allocation would fail loudly.
        expect_restore_error "$pattern" "$file"
    fi
    ! domain_exists || fail "$case: a domain was left behind"
    after=$(hvd_footprint)
    [ "$after" = "$before" ] || fail "$case: hvd went from '$before' to '$after'"
    rm -f "$file"
done 3<"$HV_TMP/cases.list"
note "$n cases"
[ $n -gt 40 ] || fail "only $n cases were made"

# The 576-octet XSAVE area is what the restored vCPU holds: saved again
# (hvd writes KVM's 4096 octets), its x87 and SSE registers (octets
# 0..415 of the area) are the same.
"$HVCLI" restore -p -e "$HV_TMP/cases/xsave576.img" 2>/dev/null || fail "xsave576 does not restore"
"$HVCLI" save "$name" "$HV_TMP/resaved.img" 2>/dev/null || fail "cannot save the xsave576 domain"
"$SAVEDUMP" --json "$HV_TMP/resaved.img" >"$HV_TMP/resaved.json" || fail "hvsave-dump: resaved.img"
python3 - "$HV_TMP/cases/xsave576.img" "$HV_TMP/resaved.img" "$HV_TMP/good.json" \
    "$HV_TMP/resaved.json" <<'PY' || fail "the restored vCPU does not hold the 576-octet XSAVE state"
import json, struct, sys
def legacy(img_path, offset):
    img = open(img_path, "rb").read()
    xsave_len = struct.unpack_from("<I", img, offset + 8 + 16)[0]
    return xsave_len, img[offset + 8 + 1816:offset + 8 + 1816 + 416]
def vcpu0(dump):
    return next(r for r in json.load(open(dump))["records"] if r["name"] == "VCPU")["offset"]
# xsave576.img is good.img with VCPU 0 (the first VCPU record) 3520 octets shorter: same offset.
n576, a = legacy(sys.argv[1], vcpu0(sys.argv[3]))
n, b = legacy(sys.argv[2], vcpu0(sys.argv[4]))
assert n576 == 576 and n == 4096, (n576, n)
sys.exit(0 if a == b else "legacy XSAVE octets differ: %s" % [i for i in range(416) if a[i] != b[i]][:16])
PY
note "xsave576: the restored vCPU holds its x87 and SSE state"
hv_stop
