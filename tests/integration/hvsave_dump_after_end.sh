#!/bin/bash
# hvsave-dump and what follows END (spec section 6.10): octets after END
# are not part of the image.  In a file they are counted, never read, and
# the image is still good (exit 0, the same records as the image alone);
# from a pipe nothing after END is read.  Also the run state it prints
# after END.  No hvd is started: the images are test_libsave's seeds.
. "$(dirname "$0")/../lib.sh"
SEEDER=$HV_TOP/tests/unit/test_libsave
[ -x "$SEEDER" ] || fail "$SEEDER is not built"
dir=$(mktemp -d /tmp/hvsave_dump_after_end.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$SEEDER" --write-seeds "$dir" || fail "cannot write the seed images"
cd "$dir" || fail "cd $dir"

"$SAVEDUMP" plain >plain.txt || fail "the plain image is bad: $(tail -1 plain.txt)"
tail -1 plain.txt | grep -qx 'run state: shut down (crash)' ||
    fail "no run state line after END: $(tail -1 plain.txt)"
grep -q 'after END' plain.txt && fail "octets after END reported for an image without any"

# Two images in one file: the first image's records, then a count.
cat plain zlib >both
"$SAVEDUMP" both >both.txt || fail "two images in one file are bad: $(tail -1 both.txt)"
[ "$(head -n -1 both.txt)" = "$(cat plain.txt)" ] || fail "the records differ from the first image's"
tail -1 both.txt | grep -qx "after END: $(stat -c %s zlib) octets, not part of the stream (ignored)" ||
    fail "wrong count of octets after END: $(tail -1 both.txt)"

# Garbage after END: the same.
{ cat plain; printf 'x'; } >garbage
"$SAVEDUMP" garbage | tail -1 | grep -qx 'after END: 1 octets, not part of the stream (ignored)' ||
    fail "one octet of garbage after END is not reported as such"

# From a pipe: nothing after END is read or reported.
cat both | "$SAVEDUMP" >pipe.txt || fail "two images through a pipe are bad"
[ "$(cat pipe.txt)" = "$(cat plain.txt)" ] || fail "through a pipe the output differs from the image's"

# JSON: run_state, and trailing_octets for a file only.
"$SAVEDUMP" --json both | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["run_state"] == {"state": "shutdown", "shutdown_reason": "crash"}, d["run_state"]
assert d["trailing_octets"] == int(sys.argv[1]), d["trailing_octets"]
assert "error" not in d' "$(stat -c %s zlib)" || fail "the JSON of two images is wrong"
cat both | "$SAVEDUMP" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert "trailing_octets" not in d and d["run_state"]["state"] == "shutdown", d' ||
    fail "the JSON from a pipe is wrong"

# What comes before END still counts: one octet short is bad.
head -c -1 plain >short
"$SAVEDUMP" short >/dev/null 2>&1 && fail "a truncated image is good"
note "octets after END: counted in a file, unread from a pipe, never an error"
exit 0
