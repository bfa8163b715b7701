#!/bin/bash
# A short libFuzzer run on the save-stream reader (tests/fuzz/fuzz_save_reader)
# from the seed corpus test_libsave writes.  The reader holds at most two
# ~16 MiB buffers, so more than 1 GiB of memory is a bug.  See
# tests/fuzz/host_run.sh and docs/fuzzing.md.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/fuzz/host_run.sh"
seeds() { "$top/tests/unit/test_libsave" --write-seeds "$1"; }
fuzz_host_run "$top/tests/fuzz/fuzz_save_reader" 1024 65536 seeds
