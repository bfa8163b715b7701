#!/bin/bash
# A client that is not root gets EPERM from hvd for every request.
. "$(dirname "$0")/../lib.sh"
hv_start
hv_create priv hello 'cmdline = "idle"' >/dev/null
chmod 755 "$HV_TMP"
for cmd in list info "destroy 1" dmesg; do
    # shellcheck disable=SC2086
    expect_error "^hvcli: .*not permitted" hv_as_nobody_hvcli $cmd
done
[ "$(hv_field priv name)" = priv ] || fail "a refused client changed something"
"$HVCLI" destroy priv
hv_stop
