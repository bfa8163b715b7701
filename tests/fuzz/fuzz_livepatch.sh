#!/bin/bash
# A short libFuzzer run on the live-patch loader (tests/fuzz/fuzz_livepatch)
# from the two payload-shaped objects of the unit tests: lp_fixture.o (as
# test_livepatch_elf writes it) and lp_payload.o, which loads in the
# fuzzer.  See tests/fuzz/host_run.sh and docs/fuzzing.md.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/fuzz/host_run.sh"
seeds() {
    "$top/tests/unit/test_livepatch_elf" --write-seeds "$1" && cp "$top/tests/unit/lp_payload.o" "$1/"
}
fuzz_host_run "$top/tests/fuzz/fuzz_livepatch" 512 16384 seeds
