#!/bin/bash
# A client that is not root gets EPERM from hvd for every request.
. "$(dirname "$0")/../lib.sh"
hv_start
hv_create priv hello 'cmdline = "idle"' >/dev/null
chmod 755 "$HV_TMP"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
expect_error "[Pp]ermission|not permitted" as_nobody "$HVCLI" list
expect_error "[Pp]ermission|not permitted" as_nobody "$HVCLI" info
expect_error "[Pp]ermission|not permitted" as_nobody "$HVCLI" destroy 1
expect_error "[Pp]ermission|not permitted" as_nobody "$HVCLI" dmesg
[ "$(hv_field priv name)" = priv ] || fail "a refused client changed something"
"$HVCLI" destroy priv
hv_stop
