#!/bin/bash
# Issue 8, item 3: an unprivileged client that sends requests and never
# reads a reply must not stall hvd.  While it holds its socket root's
# `hvcli list` answers within 1 s and a bystander guest runs on; hvd
# disconnects it after 5 s; SIGTERM works while such a client holds on;
# afterwards hvd's fds, threads, mappings and dalloc are back to baseline.
. "$(dirname "$0")/../lib.sh"
hv_client_attack noread

note "SIGTERM while a client that never reads holds its socket"
hv_hostile_hold noread
holder=$HV_HOLDER_PID
hv_stop
kill "$holder"; wait "$holder" 2>/dev/null || true
exit 0
