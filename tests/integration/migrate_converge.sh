#!/bin/bash
# Convergence: a guest that dirties its memory faster than a link limited
# with --max-bandwidth sends still migrates, because the sender throttles
# its vCPUs in steps (auto-converge); the progress lines, the summary and
# the JSON report show the throttling, and the guest checks itself after
# the move.  Within one hvd (hvcli migrate DOM localhost).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/migrate_lib.sh"

hv_start
# 2 MiB dirtied at 20 MB/s: the whole region is dirty again in 0.1 s, and
# every round at 8 MiB/s would send it all, without throttling.
mig_guest_create "migrate dirty=20 region=2"
mig_guest_run '^progress count=.*dirtied='

timeout "$(hv_scaled 60)" "$HVCLI" migrate --json --max-bandwidth 8M "$name" localhost \
    >"$HV_TMP/report.json" 2>"$HV_TMP/migrate.err" ||
    fail "the migration did not converge: $(cat "$HV_TMP/migrate.err")"
grep -q "^Migrated domain $name .*guest throttled (auto-converge)$" "$HV_TMP/migrate.err" ||
    fail "the summary does not say the guest was throttled: $(cat "$HV_TMP/migrate.err")"
python3 - "$HV_TMP/report.json" <<'PY' || fail "the report: $(cat "$HV_TMP/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
rounds = r["round_list"]
assert r["max_throttle_percent"] >= 20, r["max_throttle_percent"]
assert any(x["throttle_percent"] > 0 for x in rounds), "no round ran throttled"
assert rounds[-1]["final"] == 1 and len(rounds) == r["rounds"], rounds[-1]
assert r["pages_sent"] > r["guest_pages"], "the dirtied pages were not sent again"
# The bandwidth limit held: no round sent much faster than 8 MiB/s.
for x in rounds:
    if x["octets"] > 1 << 20:
        assert x["octets"] / (x["ns"] / 1e9) < 1.3 * 8 * 2**20, x
print("# %d rounds, throttled up to %d%%, downtime %.1f ms, %d pages sent for %d"
      % (r["rounds"], r["max_throttle_percent"], r["downtime_ns"] / 1e6, r["pages_sent"],
         r["guest_pages"]))
PY
mig_console_gone
mig_verify A "$name" "$(mig_last_count "$MIG_CON_OUT")" 1
printf 'finish\n' >&8
mig_wait_line "$MIG_CON_OUT" '^Test result:' "$(hv_scaled 30)" | grep -q SUCCESS ||
    fail "savetest did not pass: $(tr -d '\r' <"$MIG_CON_OUT" | tail -5)"
hv_stop
