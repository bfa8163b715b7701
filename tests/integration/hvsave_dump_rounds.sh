#!/bin/bash
# hvsave-dump shows the rounds of a migration stream: PAGE_HOLES, ROUND_END
# and FINAL_ROUND records, as text and as JSON.  No hvd is started: the
# image is test_libsave's migration seed (rounds PRPHRFHpE of two pages).
. "$(dirname "$0")/../lib.sh"
SEEDER=$HV_TOP/tests/unit/test_libsave
[ -x "$SEEDER" ] || fail "$SEEDER is not built"
dir=$(mktemp -d /tmp/hvsave_dump_rounds.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$SEEDER" --write-seeds "$dir" || fail "cannot write the seed images"
cd "$dir" || fail "cd $dir"

"$SAVEDUMP" migration >migration.txt || fail "the migration image is bad: $(tail -1 migration.txt)"
summaries=$(grep -E 'ROUND_END|FINAL_ROUND|PAGE_HOLES' migration.txt | sed 's/.*length [0-9]* *//')
want='round 0: 2 gfns, 2 populated
2 gfns, 0x7-0x1f40
round 1: 4 gfns, 1 populated
round 2 begins
2 gfns, 0x7-0x1f40
round 2: 3 gfns, 1 populated, final'
[ "$summaries" = "$want" ] || fail "the rounds are shown as
$summaries
and not as
$want"

"$SAVEDUMP" --json migration_zlib | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert "error" not in d, d["error"]
rounds = [r for r in d["records"] if r["name"] in ("PAGE_HOLES", "ROUND_END", "FINAL_ROUND")]
want = [("ROUND_END", 0, 2, 2, False), ("PAGE_HOLES", 2, 7, 8000), ("ROUND_END", 1, 4, 1, False),
        ("FINAL_ROUND", 2), ("PAGE_HOLES", 2, 7, 8000), ("ROUND_END", 2, 3, 1, True)]
keys = {"PAGE_HOLES": ("gfns", "first_gfn", "last_gfn"), "FINAL_ROUND": ("round",),
        "ROUND_END": ("round", "pages", "populated", "final")}
got = [(r["name"],) + tuple(r[k] for k in keys[r["name"]]) for r in rounds]
assert got == want, got' || fail "the JSON of the rounds is wrong"
note "hvsave-dump shows a migration stream's holes and rounds"
exit 0
