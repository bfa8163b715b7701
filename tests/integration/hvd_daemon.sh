#!/bin/bash
# hvd without --foreground daemonizes, writes its pidfile, serves, and on
# SIGTERM removes the socket and the pidfile.  hvcli info shows its build-id.
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HVD_SOCKET=$tmp/sub/hvd.sock
"$HVD" --socket "$HVD_SOCKET" --pidfile "$tmp/hvd.pid" --log "$tmp/hvd.log" ||
    fail "hvd did not start"
pid=$(cat "$tmp/hvd.pid") || fail "no pidfile"
kill -0 "$pid" || fail "pid $pid from the pidfile is not running"
[ -S "$HVD_SOCKET" ] || fail "no socket (its directory should have been made)"
"$HVCLI" list >/dev/null || fail "the daemon does not serve"
"$HVCLI" dmesg | grep -q "hvd 1.2 started" || fail "dmesg lacks the start message"
grep -q "hvd 1.2 started" "$tmp/hvd.log" || fail "--log file lacks the start message"
# hvcli info names the build-id the binary carries (what live patches are built for).
want=$(readelf -n "$HVD" | sed -n 's/^ *Build ID: //p')
got=$("$HVCLI" info | python3 -c 'import json,sys; print(json.load(sys.stdin)["build_id"])')
[ ${#want} -eq 40 ] && [ "$got" = "$want" ] ||
    fail "hvcli info says build_id '$got', the binary carries '$want'"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "hvd ignored SIGTERM"
[ ! -e "$HVD_SOCKET" ] || fail "socket left behind"
[ ! -e "$tmp/hvd.pid" ] || fail "pidfile left behind"
echo ok
