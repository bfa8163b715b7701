#!/bin/bash
# A short libFuzzer run on the live-patch loader (tests/fuzz/fuzz_livepatch)
# from the two payload-shaped objects of the unit tests: lp_fixture.o (as
# test_livepatch_elf writes it) and lp_payload.o, which loads in the
# fuzzer.  Fails on any crash, sanitizer report or leak.  FUZZ_SECONDS (default 20) sets the run time; see
# docs/fuzzing.md for long runs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzer=$top/tests/fuzz/fuzz_livepatch
seeder=$top/tests/unit/test_livepatch_elf
for f in "$fuzzer" "$seeder"; do
    [ -x "$f" ] || { echo "FAIL: $f is not built (make check builds it)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/fuzz_livepatch.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
"$seeder" --write-seeds "$work/corpus" || { echo "FAIL: writing the seed corpus" >&2; exit 1; }
[ -s "$work/corpus/fixture.o" ] || { echo "FAIL: no seed was written" >&2; exit 1; }
cp "$top/tests/unit/lp_payload.o" "$work/corpus/" || { echo "FAIL: no lp_payload.o" >&2; exit 1; }
"$fuzzer" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=512 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" 2>&1 | tail -25
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
    echo "FAIL: the fuzzer found a problem (exit $rc); reproducer:" >&2
    ls "$work/artifacts" >&2
    for a in "$work"/artifacts/*; do [ -f "$a" ] && od -A d -t x1 "$a" | head -20 >&2; done
    exit 1
fi
echo "PASS: fuzz_livepatch ran ${FUZZ_SECONDS:-20} s without a finding"
