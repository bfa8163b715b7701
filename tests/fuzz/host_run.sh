# The run shared by the fuzzers that need no hvd (fuzz_save_reader.sh,
# fuzz_livepatch.sh): source it, then
#   fuzz_host_run FUZZER RSS_MB MAX_LEN SEED_FUNCTION
# SEED_FUNCTION is called with the corpus directory and fills it.  The
# fuzzer runs FUZZ_SECONDS (default 20); any crash, sanitizer report or
# leak fails the test with the reproducer's octets.
fuzz_host_run() {
    local fuzzer=$1 rss=$2 max_len=$3 seed=$4 name work rc
    name=$(basename "$fuzzer")
    [ -x "$fuzzer" ] || { echo "FAIL: $fuzzer is not built (make check builds it)" >&2; exit 1; }
    work=$(mktemp -d "/tmp/$name.XXXXXX")
    # shellcheck disable=SC2064 # $work is fixed now
    trap "rm -rf '$work'" EXIT
    mkdir "$work/corpus" "$work/artifacts"
    "$seed" "$work/corpus" || { echo "FAIL: writing the seed corpus" >&2; exit 1; }
    [ -n "$(ls -A "$work/corpus")" ] || { echo "FAIL: no seed was written" >&2; exit 1; }
    "$fuzzer" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb="$rss" -max_len="$max_len" \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" 2>&1 | tail -25
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
        echo "FAIL: the fuzzer found a problem (exit $rc); reproducer:" >&2
        ls "$work/artifacts" >&2
        for a in "$work"/artifacts/*; do [ -f "$a" ] && od -A d -t x1 "$a" | head -20 >&2; done
        exit 1
    fi
    echo "PASS: $name ran ${FUZZ_SECONDS:-20} s without a finding"
}
