#!/bin/bash
# Issue 8, item 4: an unprivileged client that opens connections until it
# is refused (or hvd runs out of descriptors) must not lock root out or make
# hvd spin.  Three hvds: default limits; explicit --max-clients and
# --max-clients-per-user (the client keeps exactly its quota, the rest are
# refused with -EUSERS); and an hvd started with only 48 descriptors, which
# refuses with -EMFILE without spinning.  Each time root's `hvcli list`
# answers within 1 s during the flood, hvd uses under a quarter of a CPU,
# and its resources are back to baseline after.
. "$(dirname "$0")/../lib.sh"
HOSTILE=$HV_TOP/tests/integration/hostile_client

# Run hostile_client $@ against an hvd started with the options in $HVD_OPTS.
flood() {
    hv_start $HVD_OPTS
    chmod 755 "$HV_TMP"
    "$HOSTILE" "$@" connections || fail "hvd did not stand up to a connection flood"
    "$HVCLI" list >/dev/null || fail "hvd does not answer after the flood"
    hv_stop
}

note "default limits, with a bystander guest"
(
    hv_client_attack connections
    note "while nobody holds its connections: one more is refused, SIGTERM works"
    hv_hostile_hold connections
    holder=$HV_HOLDER_PID
    expect_error "Too many users" hv_as_nobody_hvcli list
    hv_stop
    kill "$holder"; wait "$holder" 2>/dev/null || true
) || exit 1

note "--max-clients 40 --max-clients-per-user 5"
(HVD_OPTS="--max-clients 40 --max-clients-per-user 5" flood --expect-held 5) || exit 1

note "hvd with 48 descriptors and limits above that"
(ulimit -n 48; HVD_OPTS="--max-clients 1000 --max-clients-per-user 1000" flood --fd-starved) || exit 1
exit 0
