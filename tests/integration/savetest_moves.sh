#!/bin/bash
# The savetest guest in its migrate mode (cmdline "migrate dirty=20
# region=14": it dirties a 14 MiB region, nearly all its free RAM, at
# 20 MB/s) moved back and forth between two hvds with `hvcli save DOM - |
# hvcli restore -e -`, as a live migration will move it:
#  1. Three moves, each followed by "restored count=N" on the console of
#     the hvd it went to; the guest answers "verified K ok" each time and
#     computes on.  Before them, the dirty rate it prints is at most the
#     rate asked for.
#  2. Two checkpoints (save -c) of the running guest, a verification
#     where it is ("verified 4 ok") between them.  A move that leaves one
#     page behind: the later checkpoint with one page as the earlier holds
#     it (a later copy of a page in a stream replaces the earlier, spec
#     6.1), restored in the other hvd beside the original.  The guest
#     finds that page, and nothing else, wrong: "verified 5 FAILED:
#     memory_region_intact (1 of 3584 pages wrong, first at PAGE: ...)";
#     "finish" makes it report FAILURE.
#  3. The earlier checkpoint itself, told the later count: its memory is
#     consistent, its counter is behind: "verified 4 FAILED:
#     counter_went_on_from_where_it_was (...)".
#  4. The original moves once more ("verified 5 ok"); "finish" makes it
#     report SUCCESS.
. "$(dirname "$0")/../lib.sh"

DIRTY_MBPS=20
REGION_MIB=14
CONSOLE_SECS=300 # the longest a console client may stay attached

# Console output is scanned with bash's own commands: a process costs a
# fifth of a second in scripts/kvm-vm, and waits with wait_console_line
# (two processes a look) took half of this test's time there.

# The lines of console output $1, line ends stripped, into LINES.
read_lines() {
    mapfile -t LINES <"$1"
    LINES=("${LINES[@]%$'\r'}")
}

# Print the $4th (default first) line of console output $1 that matches
# regex $2, waiting up to $3 seconds for it; false if none came.  The
# pauses between looks read a fifo nobody writes (fd 9): sleep is a process.
wait_match() {
    local file=$1 re=$2 looks=$(($3 * 10)) nth=${4:-1} l n
    while ((looks-- > 0)); do
        read_lines "$file"
        n=0
        for l in "${LINES[@]}"; do
            [[ $l =~ $re ]] && ((++n == nth)) && { printf '%s\n' "$l"; return 0; }
        done
        read -r -t 0.1 -u 9 || true
    done
    return 1
}

# True if console output $1 has the line $2.
has_line() {
    local l
    read_lines "$1"
    for l in "${LINES[@]}"; do [ "$l" = "$2" ] && return 0; done
    return 1
}

# The last lines (up to 3) of console output $1, for messages.
tail_lines() {
    read_lines "$1"
    printf '%s | ' "${LINES[@]: -3}"
}

# The count of the last "progress count=N" line in console output $1.
last_count() {
    local l count=""
    read_lines "$1"
    for l in "${LINES[@]}"; do
        [[ $l =~ ^progress\ count=([0-9]+) ]] && count=${BASH_REMATCH[1]}
    done
    echo "$count"
}

# The count of the $3th progress line after the line $2 in console output
# $1, waiting up to 30 s for it.
count_after() {
    local looks=300 l n
    while ((looks-- > 0)); do
        read_lines "$1"
        n=-1
        for l in "${LINES[@]}"; do
            [ "$l" = "$2" ] && n=0
            ((n >= 0)) && [[ $l =~ ^progress\ count=([0-9]+) ]] && ((++n == $3)) &&
                { echo "${BASH_REMATCH[1]}"; return 0; }
        done
        read -r -t 0.1 -u 9 || true
    done
    return 1
}

# The dirty rates (MB/s) of the progress lines of console output $1.
dirty_rates() {
    local l found=()
    read_lines "$1"
    for l in "${LINES[@]}"; do
        [[ $l =~ ^progress\ .*\ dirtied=([0-9.]+)MB/s$ ]] && found+=("${BASH_REMATCH[1]}")
    done
    echo "${found[*]}"
}

# Attach a console client to the domain in the hvd at socket $1, its
# output in file $2; its input is a fresh fifo on fd 7 (hv_console_type
# writes to it); sets CONSOLE_PID.
attach() {
    local fifo=$2.in
    exec 7>&-
    mkfifo "$fifo"
    HVD_SOCKET=$1 timeout "$CONSOLE_SECS" "$HVCLI" console "$name" <"$fifo" >"$2" 2>&1 &
    CONSOLE_PID=$!
    exec 7>"$fifo"
}

# Tell the guest attached with console output $1 it was restored after
# printing count $2; print its verification line number $3.
tell_restored() {
    hv_console_type "restored count=$2"$'\n'
    wait_match "$1" "^verified $3 " 60 || fail "no verification $3 came: $(tail_lines "$1")"
}

# Move the guest from the hvd at socket $1 to the one at $2, whose
# console output goes to file $3; the guest must say "verified $4 ok".
move() {
    local from=$1 to=$2 out=$3 k=$4 count line
    count=$(last_count "$cur_out")
    HVD_SOCKET=$from "$HVCLI" save "$name" - 2>"$HV_TMP/save.err" |
        HVD_SOCKET=$to "$HVCLI" restore -e - 2>"$HV_TMP/restore.err" ||
        fail "move $k: save | restore failed: $(cat "$HV_TMP/save.err" "$HV_TMP/restore.err")"
    wait "$CONSOLE_PID" # the console of the domain left behind ends
    attach "$to" "$out"
    line=$(tell_restored "$out" "$count" "$k")
    [ "$line" = "verified $k ok" ] || fail "move $k: $line"
    note "move $k (count $count): $line"
    cur_out=$out
}

# Checkpoint the domain in the hvd at socket $1 to file $2.  (A timer
# caught expired is no matter: its pending VIRQ, or the handler re-arming
# it, is saved as well.)
checkpoint() {
    HVD_SOCKET=$1 "$HVCLI" save -c "$name" "$2" 2>"$HV_TMP/ckpt.err" ||
        fail "save -c failed: $(cat "$HV_TMP/ckpt.err")"
}

# Write image $3: image $2 (from `hvcli save`, uncompressed) with the
# contents image $1 has for the first page of [$4, $4 + $5) (octets) where
# the two differ, in a page record of its own after the others.  Prints
# the page's guest-physical address.
stale_page_image() {
    python3 -S - "$@" <<'PY'
import struct, sys

old_path, new_path, out_path = sys.argv[1:4]
lo, hi = int(sys.argv[4], 0) // 4096, (int(sys.argv[4], 0) + int(sys.argv[5])) // 4096
PAGE_DATA, PAGE_DATA_ZLIB, VM_STATE = 2, 3, 4

def records(data):
    """(type, offset, body) of each record (spec 4), after the headers."""
    config_len = struct.unpack_from("<I", data, 24 + 24)[0]
    off = 24 + 32 + (config_len + 7) // 8 * 8
    while off < len(data):
        rtype, length = struct.unpack_from("<II", data, off)
        yield rtype, off, data[off + 8:off + 8 + length]
        off += 8 + (length + 7) // 8 * 8

def pages(data):
    """gfn -> contents, of the pages in [lo, hi)."""
    out = {}
    for rtype, _, body in records(data):
        assert rtype != PAGE_DATA_ZLIB, "compressed image"
        if rtype != PAGE_DATA:
            continue
        count = struct.unpack_from("<I", body)[0]
        for i, gfn in enumerate(struct.unpack_from("<%dQ" % count, body, 8)):
            if lo <= gfn < hi:
                start = 8 + 8 * count + 4096 * i
                out[gfn] = body[start:start + 4096]
    return out

old_data, new_data = open(old_path, "rb").read(), open(new_path, "rb").read()
old, new = pages(old_data), pages(new_data)
gfn = next(g for g in sorted(new) if g in old and old[g] != new[g])
# Memory comes first in a stream, VM_STATE first after it (spec 7).
cut = next(off for rtype, off, _ in records(new_data) if rtype == VM_STATE)
body = struct.pack("<IIQ", 1, 0, gfn) + old[gfn]
record = struct.pack("<II", PAGE_DATA, len(body)) + body
open(out_path, "wb").write(new_data[:cut] + record + new_data[cut:])
print(hex(gfn * 4096))
PY
}

hv_start
mkfifo "$HV_TMP/tick"
exec 9<>"$HV_TMP/tick"
A_SOCK=$HVD_SOCKET
B_SOCK=$HV_TMP/b.sock
"$HVD" --socket "$B_SOCK" --foreground --log "$HV_TMP/hvd-b.log" &
bpid=$!
# On the way out, the second hvd too; hv_cleanup reads the exit status.
cleanup_both() {
    local rc=$?
    kill -KILL "$bpid" 2>/dev/null
    (exit $rc)
    hv_cleanup
}
trap cleanup_both EXIT
for _ in {1..100}; do
    HVD_SOCKET=$B_SOCK "$HVCLI" list >/dev/null 2>&1 && break
    read -r -t 0.1 -u 9 || true
done

cfg=$HV_TMP/st.cfg
hv_guest_cfg "$cfg" savetest "cmdline = \"migrate dirty=$DIRTY_MBPS region=$REGION_MIB\""
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
cur_out=$HV_TMP/con0.out
hv_create_console "$cfg" "$cur_out" "$CONSOLE_SECS"
CONSOLE_PID=$HV_CONSOLE_PID
ready=$(wait_match "$cur_out" '^migtest ready ' 60) ||
    fail "savetest did not get ready: $(tail_lines "$cur_out")"
[[ $ready =~ ^migtest\ ready\ region=${REGION_MIB}MiB\ dirty=${DIRTY_MBPS}MB/s\ migrate\ setup=[0-9]+ms$ ]] ||
    fail "unexpected ready line: $ready"
line=$(wait_match "$cur_out" '^region 0x' 1)
[[ $line =~ ^region\ (0x[0-9a-f]+), ]] || fail "no region line: $(tail_lines "$cur_out")"
region=${BASH_REMATCH[1]}
note "$line"
note "$ready"

# 1. The pace over the first 2 s: at most the rate asked for, but for
# catching up after the guest did not get the CPU (up to 100 ms of work
# in a half-second window: 20%) and the clock's grain; and half of it at
# least once (the host is not idle in make check).  Then three moves: A,
# B, A, B.
wait_match "$cur_out" '^progress .* dirtied=' 30 4 >/dev/null ||
    fail "no 4 progress lines with a dirty rate: $(tail_lines "$cur_out")"
rates=$(dirty_rates "$cur_out")
note "dirty rates (MB/s): $rates"
fastest=0
for r in $rates; do
    [ "${r%.*}" -lt $((DIRTY_MBPS * 13 / 10)) ] || fail "dirtied faster than $DIRTY_MBPS MB/s: $rates"
    [ "${r%.*}" -gt "$fastest" ] && fastest=${r%.*}
done
[ "$fastest" -ge $((DIRTY_MBPS / 2)) ] || fail "never dirtied at half the rate: $rates"
move "$A_SOCK" "$B_SOCK" "$HV_TMP/con1.out" 1
move "$B_SOCK" "$A_SOCK" "$HV_TMP/con2.out" 2
move "$A_SOCK" "$B_SOCK" "$HV_TMP/con3.out" 3

# 2. Two checkpoints.  The progress lines after the verification between
# them were printed after the first: their counts were not reached in it;
# the third of them, a second of work later, is far ahead of it.
# 20 MB/s rewrites the region every 0.7 s: the checkpoints, seconds apart,
# differ in most pages.  Then a stale page.
count_old=$(last_count "$cur_out")
checkpoint "$B_SOCK" "$HV_TMP/old.img"
line=$(tell_restored "$cur_out" "$count_old" 4)
[ "$line" = "verified 4 ok" ] || fail "verification 4, without a move: $line"
count_new=$(count_after "$cur_out" "$line" 3) || fail "no progress after verification 4"
checkpoint "$B_SOCK" "$HV_TMP/new.img"
page=$(stale_page_image "$HV_TMP/old.img" "$HV_TMP/new.img" "$HV_TMP/stale.img" "$region" \
    $((REGION_MIB << 20))) || fail "cannot make the image with a stale page"
note "checkpoints at counts $count_old and $count_new; the page at $page left stale"
keep_pid=$CONSOLE_PID
HVD_SOCKET=$A_SOCK "$HVCLI" restore -e "$HV_TMP/stale.img" 2>"$HV_TMP/restore.err" ||
    fail "restore of the stale-page image failed: $(cat "$HV_TMP/restore.err")"
attach "$A_SOCK" "$HV_TMP/stale.out"
line=$(tell_restored "$HV_TMP/stale.out" "$count_new" 5)
note "stale page: $line"
[[ $line == "verified 5 FAILED: memory_region_intact (1 of $((REGION_MIB * 256)) pages wrong, first at $page: "* &&
    $line != *";"* ]] || fail "the stale page was not caught, or not alone: $line"
hv_console_type $'finish\n'
wait "$CONSOLE_PID"
has_line "$HV_TMP/stale.out" "Test result: FAILURE" ||
    fail "finish after a failed verification: $(tail_lines "$HV_TMP/stale.out")"
note "then finish: $(wait_match "$HV_TMP/stale.out" '^Failure: ' 1)"

# 3. The earlier checkpoint told the later count, before it runs: it must
# not catch up with the count before it reads the line.
HVD_SOCKET=$A_SOCK "$HVCLI" restore -p -e "$HV_TMP/old.img" 2>"$HV_TMP/restore.err" ||
    fail "restore of the earlier checkpoint failed: $(cat "$HV_TMP/restore.err")"
attach "$A_SOCK" "$HV_TMP/old.out"
hv_console_type "restored count=$count_new"$'\n'
HVD_SOCKET=$A_SOCK "$HVCLI" unpause "$name" || fail "cannot unpause the earlier checkpoint"
line=$(wait_match "$HV_TMP/old.out" '^verified 4 ' 60) ||
    fail "no verification 4 came: $(tail_lines "$HV_TMP/old.out")"
note "earlier checkpoint: $line"
[[ $line == "verified 4 FAILED: counter_went_on_from_where_it_was ("* && $line != *";"* ]] ||
    fail "the earlier checkpoint was not caught by its counter alone: $line"
HVD_SOCKET=$A_SOCK "$HVCLI" destroy "$name" || fail "cannot destroy the earlier checkpoint's domain"
wait "$CONSOLE_PID"

# 4. The original, running in B all along, moves once more and finishes.
CONSOLE_PID=$keep_pid
move "$B_SOCK" "$A_SOCK" "$HV_TMP/con4.out" 5
hv_console_type $'finish\n'
wait "$CONSOLE_PID"
has_line "$cur_out" "finish: 5 verifications, 0 failed" ||
    fail "the original's finish: $(tail_lines "$cur_out")"
has_line "$cur_out" "Test result: SUCCESS" ||
    fail "the original did not report SUCCESS: $(tail_lines "$cur_out")"
note "then finish: Test result: SUCCESS"

kill -TERM $bpid
wait $bpid || fail "the second hvd did not exit cleanly"
! grep -q BUG "$HV_TMP/hvd-b.log" || fail "the second hvd reported a bug"
hv_stop
