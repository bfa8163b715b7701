#!/bin/bash
# A short run of the createdomain fuzzer (tests/fuzz/fuzz_createdomain.c):
# FUZZ_SECONDS (default 20) of libFuzzer over a corpus seeded with valid
# requests, in a temporary directory or in FUZZ_CORPUS (kept, for long
# runs).  Fails on any crash, broken invariant, leak or timeout, and prints
# how many inputs ran.  docs/fuzzing.md says more.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzer=${FUZZ_CREATEDOMAIN:-$top/tests/fuzz/fuzz_createdomain}
seconds=${FUZZ_SECONDS:-20}

fail() { echo "FAIL: $*" >&2; exit 1; }

[ -e /dev/kvm ] || fail "/dev/kvm is missing: the createdomain fuzzer needs KVM"
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    fail "/dev/kvm: permission denied (run as root or join the kvm group)"
fi
command -v clang >/dev/null || fail "clang is not installed (scripts/install-deps installs it)"
rtdir=$(clang --print-runtime-dir)
compgen -G "$rtdir/libclang_rt.fuzzer-*.a" >/dev/null ||
    fail "libFuzzer is not installed: no libclang_rt.fuzzer in $rtdir (install libclang-rt-14-dev)"
[ -x "$fuzzer" ] || fail "$fuzzer is not built: run 'make tests/fuzz/fuzz_createdomain'"

work=$(mktemp -d /tmp/fuzz-createdomain.XXXXXX)
keep_work=""
trap '[ -n "$keep_work" ] || rm -rf "$work"' EXIT

# Write an integer as little-endian bytes: le VALUE BYTES.
le() {
    local v=$1 n=$2 i
    for ((i = 0; i < n; i++)); do
        printf '%b' "$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff)))"
    done
}

# One seed input (layout in fuzz_createdomain.c): a createdomain request
# with no UUID, actions destroy/restart/preserve, then the shape byte.
# seed FILE NAME VCPUS MAX_PAGES INIT_PAGES FAULT_TTL SHAPE
seed() {
    local file=$1 name=$2 vcpus=$3 max=$4 init=$5 ttl=$6 shape=$7
    {
        head -c 16 /dev/zero                      # handle: hvd makes one
        printf '%s' "$name"
        head -c $((64 - ${#name})) /dev/zero      # name, NUL-padded
        le "$vcpus" 4; le 0 4; le "$max" 8; le "$init" 8  # max_vcpus, flags, pages
        printf '\x00\x01\x02\x00'                 # on_poweroff, on_reboot, on_crash, pad
        le "$ttl" 4; le "$shape" 1
    } >"$file"
}

corpus=${FUZZ_CORPUS:-$work/corpus}
mkdir -p "$corpus" "$work/artifacts" || fail "cannot make the corpus directory $corpus"
seed "$corpus/seed-small" small 1 4096 4096 0 0
seed "$corpus/seed-four" four 4 65536 65536 0 0
seed "$corpus/seed-unnamed" "" 2 8192 256 0 8
seed "$corpus/seed-fault" fault 1 4096 4096 7 3
seed "$corpus/seed-fault-vcpus" "" 3 4096 1024 30 11
seed "$corpus/seed-host-limit" big 1 262144 262144 0 0

# libFuzzer's -timeout cannot see a hang inside createdomain (the harness
# blocks its SIGALRM there), so the overall limit ends the run with
# SIGSEGV: the sanitizer then prints where it hung and saves the input.
log=$work/fuzz.log
limit=$((seconds + 120))
ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
timeout -s SEGV -k 10 $limit "$fuzzer" -max_total_time="$seconds" -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$corpus" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")

if [ $rc -ne 0 ] || [ -z "$runs" ]; then
    keep_work=1
    tail -60 "$log"
    echo "what failed:"
    grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error' "$log" | head -5 | sed 's/^/    /'
    [ $rc -eq 124 ] && echo "the fuzzer hung: stopped with SIGSEGV after $limit s (see the stack)"
    for a in "$work"/artifacts/*; do
        [ -e "$a" ] || continue
        echo "input that failed: $a (reproduce: $fuzzer $a); its bytes:"
        od -An -tx1 -v "$a"
    done
    fail "the createdomain fuzzer failed (exit $rc); its files are kept in $work"
fi
grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+DONE)' "$log"
echo "createdomain fuzzer: $runs executions in ${seconds}s, no crash, no leak"
