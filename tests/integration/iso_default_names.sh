#!/bin/bash
# Issue 8, item 9: a domain created without a name gets "domain-<domid>",
# or "domain-<domid>-<n>" when an administrator took that name: never a
# name another domain has.  The cases are in iso_default_names.c: through
# libhvctl, as hvcli always sends a name.
. "$(dirname "$0")/../lib.sh"
hv_start
"$HV_TOP/tests/integration/iso_default_names" > "$HV_TMP/names.out"
rc=$?
grep -v '^ok' "$HV_TMP/names.out" | sed 's/^/# /'
[ $rc -eq 0 ] || fail "default names are not unique (iso_default_names exited with $rc)"
"$HVCLI" list >/dev/null || fail "hvd no longer answers"
[ "$("$HVCLI" list -l | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
    fail "domains left behind: $("$HVCLI" list)"
hv_stop
