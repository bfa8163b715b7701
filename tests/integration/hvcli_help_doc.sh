#!/bin/bash
# hvcli(1) and `hvcli VERB --help` agree: for every verb `hvcli --help`
# lists, the man page has a section titled with the synopsis --help prints
# (made from the verb's table), and names each of its long options.  No
# hvd is started.
. "$(dirname "$0")/../lib.sh"
MAN=$HV_TOP/docs/man/hvcli.1
[ -f "$MAN" ] || fail "$MAN is missing"

problems=0
problem() { echo "FAIL: $*" >&2; problems=$((problems + 1)); }

# The man page's text with roff's "\-" as "-".
man_text=$(sed 's/\\-/-/g' "$MAN")
verbs=$("$HVCLI" --help | sed -n '/^Verbs:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
[ -n "$verbs" ] || fail "hvcli --help lists no verbs"
for verb in $verbs; do
    help=$("$HVCLI" "$verb" --help) || problem "hvcli $verb --help failed"
    synopsis=$(printf '%s\n' "$help" | sed -n '1s/^usage: hvcli //p')
    grep -qxF ".SS \"$synopsis\"" <<<"$man_text" ||
        problem "hvcli(1) has no section \"$synopsis\" (from hvcli $verb --help)"
    for opt in $(printf '%s\n' "$help" | grep -o -- '--[a-z-]*' | sort -u); do
        [ "$opt" = --help ] && continue
        grep -qF -- "$opt" <<<"$man_text" || problem "hvcli(1) does not name $verb's $opt"
    done
done
[ "$problems" = 0 ] || fail "$problems disagreement(s) between hvcli(1) and hvcli --help"
echo "hvcli(1) agrees with --help for: $(echo $verbs)"
