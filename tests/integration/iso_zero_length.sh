#!/bin/bash
# Issue 8, item 10: a zero-length control message gets -EINVAL, as does one
# shorter than the request header; one larger than the largest request gets
# -EMSGSIZE.  hvd keeps the connection and serves its next request, and is
# back to its baseline after each.
. "$(dirname "$0")/../lib.sh"
HOSTILE=$HV_TOP/tests/integration/hostile_client
hv_start
chmod 755 "$HV_TMP"
for mode in zero-length short oversized; do
    note "$mode"
    "$HOSTILE" "$mode" || fail "wrong answer to a $mode message"
done
hv_stop
