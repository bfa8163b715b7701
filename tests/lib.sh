# Shared helpers for test scripts: start a private hvd, run hvcli, fail loudly.
# Source it from a bash script:  . "$(dirname "$0")/../lib.sh"
set -u
HV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HVD=${HVD:-$HV_TOP/xen/hvd}
# tools/hvcli/hvcli is libtool's wrapper script: a shell and several
# programs per call, seconds on emulated CPUs (scripts/kvm-vm).  Tests run
# the program it wraps, with the build's libraries.
if [ -z "${HVCLI:-}" ] && [ -x "$HV_TOP/tools/hvcli/.libs/hvcli" ]; then
    HVCLI=$HV_TOP/tools/hvcli/.libs/hvcli
    HV_LIBDIRS=$HV_TOP/tools/libhvctl/.libs:$HV_TOP/tools/libsave/.libs
    HV_LIBDIRS=$HV_LIBDIRS:$HV_TOP/tools/libhvcfg/.libs:$HV_TOP/tools/libhvguest/.libs
    export LD_LIBRARY_PATH=$HV_LIBDIRS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
HVCLI=${HVCLI:-$HV_TOP/tools/hvcli/hvcli}
if [ -z "${PATCHTOOL:-}" ] && [ -x "$HV_TOP/tools/patchtool/.libs/patchtool" ]; then
    PATCHTOOL=$HV_TOP/tools/patchtool/.libs/patchtool
fi
PATCHTOOL=${PATCHTOOL:-$HV_TOP/tools/patchtool/patchtool}
HV_GUESTS=$HV_TOP/tests/guests
SAVEDUMP=${SAVEDUMP:-$HV_TOP/tools/libsave/hvsave-dump}
HV_TMP=""
HVD_PID=""

# Debian's python3 (scripts/install-deps installs it), not a version
# manager's shim earlier in PATH, which runs several shells a call.
if [ -x /usr/bin/python3 ]; then python3() { /usr/bin/python3 "$@"; }; fi

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

# Start hvd on a socket in a fresh temp dir; sets HV_TMP, HVD_PID, HVD_SOCKET.
# With HV_NETNS set, hvd runs in that network namespace (ip netns exec).
hv_start() {
    [ -e /dev/kvm ] || fail "/dev/kvm is missing: this test needs KVM"
    HV_TMP=$(mktemp -d /tmp/hvtest.XXXXXX)
    export HVD_SOCKET=$HV_TMP/hvd.sock
    ${HV_NETNS:+ip netns exec "$HV_NETNS"} "$HVD" --socket "$HVD_SOCKET" --foreground \
        --log "$HV_TMP/hvd.log" "$@" &
    HVD_PID=$!
    export HVD_PID
    trap hv_cleanup EXIT
    local i
    for i in $(seq 100); do
        [ -S "$HVD_SOCKET" ] && "$HVCLI" list >/dev/null 2>&1 && return 0
        kill -0 "$HVD_PID" 2>/dev/null || fail "hvd exited at start: $(tail -3 "$HV_TMP/hvd.log" 2>/dev/null)"
        sleep 0.1
    done
    fail "hvd did not start serving $HVD_SOCKET within 10 s"
}

# Stop hvd with SIGTERM and check that it exits and removes its socket.
hv_stop() {
    [ -n "$HVD_PID" ] || return 0
    kill -TERM "$HVD_PID" 2>/dev/null
    local i
    for i in $(seq 100); do
        kill -0 "$HVD_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$HVD_PID" 2>/dev/null; then
        kill -KILL "$HVD_PID"; HVD_PID=""
        fail "hvd did not exit within 10 s of SIGTERM"
    fi
    wait "$HVD_PID" 2>/dev/null
    HVD_PID=""
    [ -e "$HVD_SOCKET" ] && fail "hvd left its socket behind"
    ! grep -q "BUG" "$HV_TMP/hvd.log" || fail "hvd reported a bug: $(grep BUG "$HV_TMP/hvd.log" | head -3)"
    return 0
}

hv_cleanup() {
    local rc=$?
    [ -n "$HVD_PID" ] && { kill -KILL "$HVD_PID" 2>/dev/null; wait "$HVD_PID" 2>/dev/null; }
    if [ $rc -ne 0 ] && [ -f "$HV_TMP/hvd.log" ]; then
        echo "# last lines of hvd's log:"; tail -20 "$HV_TMP/hvd.log" | sed 's/^/#   /'
    fi
    [ -n "$HV_TMP" ] && rm -rf "$HV_TMP"
    exit $rc
}

# Write a domain config for guest $2 to file $1; extra "key = value" lines follow.
hv_guest_cfg() {
    local cfg=$1 guest=$2; shift 2
    {
        echo "name = \"$guest-$$-$RANDOM\""
        echo "memory = 16"
        echo "vcpus = 1"
        echo "kernel = \"$HV_GUESTS/$guest.elf\""
        echo "on_poweroff = \"destroy\""
        echo "on_crash = \"destroy\""
        for l in "$@"; do echo "$l"; done
    } > "$cfg"
}

# Create a domain from guest $2 named $1 (hello by default), with extra
# config lines; prints its domid.  Example: hv_create d1 hello 'cmdline = "idle"'
hv_create() {
    local name=$1 guest=$2; shift 2
    local cfg=$HV_TMP/$name.cfg
    {
        echo "name = \"$name\""
        printf '%s\n' "$@" | grep -q '^memory' || echo "memory = 16"
        echo "kernel = \"$HV_GUESTS/$guest.elf\""
        for l in "$@"; do echo "$l"; done
    } > "$cfg"
    local out
    out=$("$HVCLI" create "$cfg" 2>&1 >/dev/null) || fail "hvcli create $name failed: $out"
    [[ $out =~ \(domid\ ([0-9]+)\) ]] || fail "hvcli create $name printed no domid: $out"
    echo "${BASH_REMATCH[1]}"
}

# Print the domid of domain $1 (from `hvcli list -l`).
hv_domid() {
    "$HVCLI" list -l "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["domid"])'
}

# Print field $2 (a dotted path, e.g. state.paused) of domain $1's
# `hvcli list -l` object, or "gone" if the domain does not exist.
hv_field() {
    python3 "$HV_TOP/tests/domain_field.py" "$HVCLI" "$1" "$2"
}

# Wait up to $3 seconds (default 20) until field $2 of domain $1 reads $4.
hv_wait_field() {
    python3 "$HV_TOP/tests/domain_field.py" "$HVCLI" "$1" "$2" "${3:-20}" "$4" ||
        fail "domain $1: $2 did not read '$4' within ${3:-20}s"
}

# The host's free guest pages (hvcli info's free_pages).
hv_free_pages() {
    "$HVCLI" info | python3 -c 'import json,sys; print(json.load(sys.stdin)["free_pages"])'
}

# Expect command to fail with a one-line message matching $1 (grep -E).
expect_error() {
    local pattern=$1; shift
    local out rc=0
    out=$("$@" 2>&1) && rc=0 || rc=$?
    [ $rc -ne 0 ] || fail "'$*' succeeded; expected an error matching /$pattern/"
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "'$*': expected one line of error, got: $out"
    printf '%s\n' "$out" | grep -Eq -- "$pattern" || fail "'$*': error '$out' does not match /$pattern/"
    note "as expected: $out"
}

# Wait up to $3 seconds for a line matching $2 (grep -E) in file $1 (a
# console capture); print the first such line.  Fails if none comes.
wait_console_line() {
    local file=$1 pattern=$2 secs=$3 i line
    for i in $(seq $((secs * 10))); do
        line=$(tr -d '\r' <"$file" | grep -aEm1 -- "$pattern") && { echo "$line"; return 0; }
        sleep 0.1
    done
    return 1
}

HVD_BASELINE=${HVD_BASELINE:-$HV_TOP/tests/integration/hvd_baseline}

# Remember what hvd holds now; hv_check_baseline compares against it.
hv_save_baseline() {
    "$HVD_BASELINE" save "$HV_TMP/baseline" || fail "cannot take hvd's baseline"
}

# hvd alive, answering, and holding what it held at hv_save_baseline.
hv_check_baseline() {
    kill -0 "$HVD_PID" 2>/dev/null || fail "hvd died"
    "$HVD_BASELINE" latency 1 1000 >/dev/null || fail "hvd no longer answers within 1 s"
    "$HVD_BASELINE" check "$HV_TMP/baseline" | sed 's/^/# /'
    [ "${PIPESTATUS[0]}" -eq 0 ] || fail "hvd did not get back to its baseline"
}

# Time bounds in tests are multiplied by HV_TIME_SCALE: 1 on a host with
# KVM; scripts/kvm-vm sets more, as its emulated CPUs are several times
# slower.  Prints $1 seconds scaled.
hv_scaled() {
    awk -v s="$1" -v k="${HV_TIME_SCALE:-1}" 'BEGIN { printf "%g\n", s * k }'
}

# Run command with a time limit of $1 seconds (fractions allowed; scaled
# by HV_TIME_SCALE); fail unless it succeeds within it.  Prints how long it
# took, in ms.
hv_within() {
    local secs; secs=$(hv_scaled "$1"); shift
    local t0=$(date +%s%N) rc=0
    timeout "$secs" "$@" >/dev/null 2>&1 || rc=$?
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ $rc -eq 0 ] || fail "'$*' did not succeed within ${secs}s (exit $rc after ${ms} ms)"
    echo "$ms"
}

# Start `hvcli create -c` of config $1 in the background, its console
# output in $2, its input a fifo kept open on fd 7 (hv_console_type writes
# to it); sets HV_CONSOLE_PID.  $3: a time limit in seconds (default 600).
hv_create_console() {
    mkfifo "$HV_TMP/console.in"
    timeout "${3:-600}" "$HVCLI" create -c "$1" <"$HV_TMP/console.in" >"$2" 2>&1 &
    HV_CONSOLE_PID=$!
    exec 7>"$HV_TMP/console.in"
}

# Type $1 on the console hv_create_console attached.
hv_console_type() {
    printf '%s' "$1" >&7
}

# Run hvcli as user nobody, for at most 60 s: a copy of it and of the
# build's libraries in HV_TMP, since nobody may not reach the build tree
# (under /root, say).
hv_as_nobody_hvcli() {
    local dir=$HV_TMP/nobody-bin
    if [ ! -d "$dir" ]; then
        mkdir "$dir" || fail "cannot make $dir"
        cp "$HVCLI" "$dir/hvcli" && cp -P "$HV_TOP"/tools/libhvctl/.libs/libhvctl.so* \
            "$HV_TOP"/tools/libsave/.libs/libhvsave.so* "$HV_TOP"/tools/libhvcfg/.libs/libhvcfg.so* \
            "$HV_TOP"/tools/libhvguest/.libs/libhvguest.so* "$dir/" || fail "cannot copy hvcli for nobody"
        chmod -R a+rX "$HV_TMP"
    fi
    timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        env LD_LIBRARY_PATH="$dir" "$dir/hvcli" "$@"
}

# Start tests/integration/hostile_client --hold MODE (an unprivileged
# client's attack, held until killed) in the background and wait until it
# holds; sets HV_HOLDER_PID, its output in $HV_TMP/hold-MODE.out.
hv_hostile_hold() {
    local out=$HV_TMP/hold-$1.out i
    "$HV_TOP/tests/integration/hostile_client" --hold "$1" >"$out" 2>&1 &
    HV_HOLDER_PID=$!
    for i in $(seq 300); do grep -q holding "$out" && return 0; sleep 0.1; done
    fail "the $1 attacker did not get going: $(cat "$out")"
}

# Start hvd with an idle bystander guest, let tests/integration/
# hostile_client MODE attack it (an unprivileged client, checked from
# root's side: see hostile_client.c) and check the bystander lives on.
hv_client_attack() {
    hv_start
    chmod 755 "$HV_TMP" # nobody must reach the socket
    hv_create bystander hello 'cmdline = "idle"' >/dev/null
    "$HV_TOP/tests/integration/hostile_client" "$1" || fail "hvd did not stand up to the $1 attack"
    [ "$(hv_field bystander name)" = bystander ] || fail "the bystander guest is gone"
}
