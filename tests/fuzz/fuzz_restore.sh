#!/bin/bash
# A short libFuzzer run of the restore engine (tests/fuzz/fuzz_restore.c)
# against a real hvd: FUZZ_SECONDS (default 20) over a corpus of a real
# save image (a hello guest saved with -z) and the seeds test_libsave
# writes.  Fails on any crash, sanitizer report, leak, broken invariant
# (a domain left behind, a failure that does not say why), or if hvd
# dies.  docs/fuzzing.md says more.
. "$(dirname "$0")/../lib.sh"
fuzzer=$HV_TOP/tests/fuzz/fuzz_restore
seeder=$HV_TOP/tests/unit/test_libsave
for f in "$fuzzer" "$seeder"; do
    [ -x "$f" ] || fail "$f is not built (make check builds it)"
done
hv_start
mkdir "$HV_TMP/corpus" "$HV_TMP/artifacts"
"$seeder" --write-seeds "$HV_TMP/corpus" >/dev/null || fail "writing the seed corpus"
hv_create seed hello 'cmdline = "idle"' >/dev/null
"$HVCLI" save -z seed "$HV_TMP/corpus/hello.img" || fail "cannot save the seed domain"
note "seed image: $(stat -c %s "$HV_TMP/corpus/hello.img") octets"
# -rss_limit_mb: a restore holds a record or two and the page bitmap.
"$fuzzer" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 -max_len=262144 \
    -timeout=30 -print_final_stats=1 -artifact_prefix="$HV_TMP/artifacts/" \
    "$HV_TMP/corpus" >"$HV_TMP/fuzz.log" 2>&1
rc=$?
tail -25 "$HV_TMP/fuzz.log"
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$HV_TMP/artifacts")" ]; then
    for a in "$HV_TMP"/artifacts/*; do [ -f "$a" ] && od -A d -t x1 "$a" | head -20 >&2; done
    fail "the fuzzer found a problem (exit $rc)"
fi
kill -0 "$HVD_PID" || fail "hvd died"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$HV_TMP/fuzz.log")
[ "${runs:-0}" -gt 0 ] || fail "the fuzzer ran no input"
left=$("$HVCLI" list | tail -n +2)
[ -z "$left" ] || fail "domains left behind: $left"
hv_stop
echo "PASS: fuzz_restore ran $runs inputs in ${FUZZ_SECONDS:-20} s without a finding"
