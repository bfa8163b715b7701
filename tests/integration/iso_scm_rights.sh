#!/bin/bash
# Issue 8, item 11: a request carrying descriptors (SCM_RIGHTS) gets
# -EPROTO, whatever it asks; hvd keeps none of them (the sender sees them
# closed), keeps the connection, and is back to its baseline.
. "$(dirname "$0")/../lib.sh"
HOSTILE=$HV_TOP/tests/integration/hostile_client
hv_start
chmod 755 "$HV_TMP"
"$HOSTILE" scm-rights || fail "wrong answer to a request carrying descriptors"
hv_stop
