#!/bin/bash
# The test harness itself: tests/driver's verdicts and files, and
# scripts/kvm-pool's queue with a worker that runs here on the host in
# place of a VM (its pid file names it, so the pool boots no VM): output
# and status carried back, first come first served, a worker that dies
# mid-job, a queue nobody serves and VMs that do not boot all end in a
# clear error, bounded.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/harness.XXXXXX)
worker_pid=""
trap '[ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null; rm -rf "$work"' EXIT

# --- tests/driver ---------------------------------------------------------
printf 'echo out-line\nexit 0\n' >"$work/good.sh"
printf 'echo why-it-failed\nexit 3\n' >"$work/bad.sh"
drive() { # NAME [DRIVER-OPTION...]
    local name=$1
    shift
    HV_HOST_TESTS="$work/good.sh $work/bad.sh" "$top/tests/driver" --test-name "$work/$name.sh" \
        --log-file "$work/$name.log" --trs-file "$work/$name.trs" --color-tests no "$@" \
        -- "$work/$name.sh"
}
out=$(drive good) || fail "the driver failed on a passing test"
[[ $out =~ ^PASS:\ $work/good.sh\ \([0-9]+s\)$ ]] || fail "passing test printed '$out'"
grep -qx ':test-result: PASS' "$work/good.trs" || fail "good.trs: $(cat "$work/good.trs")"
grep -qx ':recheck: no' "$work/good.trs" || fail "a pass is to be rechecked"
grep -qx 'out-line' "$work/good.log" || fail "the test's output is not in its log"

out=$(drive bad) || fail "the driver itself failed on a failing test"
[[ $out == "FAIL: $work/bad.sh ("* ]] || fail "failing test printed '$out'"
grep -q 'exit status 3' <<<"$out" || fail "the failure does not give the exit status: $out"
grep -q '    why-it-failed' <<<"$out" || fail "the failure does not show the log's end: $out"
grep -qx ':test-result: FAIL' "$work/bad.trs" || fail "bad.trs: $(cat "$work/bad.trs")"
grep -qx ':copy-in-global-log: yes' "$work/bad.trs" || fail "a failure's log is not copied"

out=$(drive bad --expect-failure yes)
grep -qx ':test-result: XFAIL' "$work/bad.trs" || fail "an expected failure is $(head -1 "$work/bad.trs")"
"$top/tests/driver" --test-name x --bogus 1 -- true 2>/dev/null && fail "an unknown option was accepted"

# --- scripts/kvm-pool -----------------------------------------------------
pool=$work/pool
"$top/scripts/kvm-pool" start "$pool" || fail "kvm-pool start"
export KVM_POOL_VMS=1 KVM_POOL_IDLE=30
start_worker() { # not a child: a zombie would be alive to kill -0
    ("$top/scripts/kvm-pool" worker "$pool" 0 & echo $! >"$pool/vm0.pid")
    worker_pid=$(cat "$pool/vm0.pid")
}
start_worker
out=$("$top/scripts/kvm-pool" run "$pool" --seconds "$work/secs" sh -c 'echo "in $PWD"; exit 5')
rc=$?
[ $rc = 5 ] || fail "kvm-pool run gave status $rc, the command's was 5"
[ "$out" = "in $PWD" ] || fail "kvm-pool run printed '$out'"
grep -qx '[0-9]*' "$work/secs" || fail "--seconds wrote '$(cat "$work/secs")'"
left=$(find "$pool/queue" "$pool/run" -mindepth 1)
[ -z "$left" ] || fail "a finished job left $left"

# Two jobs at once are both served, one after the other.
"$top/scripts/kvm-pool" run "$pool" sh -c 'sleep 1; echo one' >"$work/one" &
one=$!
"$top/scripts/kvm-pool" run "$pool" echo two >"$work/two" || fail "the second job failed"
wait $one || fail "the first job failed"
[ "$(cat "$work/one")$(cat "$work/two")" = onetwo ] || fail "jobs printed $(cat "$work/one" "$work/two")"

# A worker that dies mid-job: the waiting run says so at once.
"$top/scripts/kvm-pool" run "$pool" sleep 30 >"$work/died" 2>&1 &
victim=$!
for _ in $(seq 50); do
    [ -n "$(ls "$pool/run")" ] && break
    sleep 0.1
done
[ -n "$(ls "$pool/run")" ] || fail "the worker did not take the job"
kids=$(pgrep -P "$worker_pid")
kill -KILL "$worker_pid"
kill $kids
wait "$victim" && fail "a job whose worker died passed"
grep -q "VM 0 stopped while it ran 'sleep 30'" "$work/died" || fail "worker death: $(cat "$work/died")"

# Nobody serves the queue (the pid file names a live process that is no
# worker): the job gives up after KVM_POOL_JOB_LIMIT and leaves no job.
(sleep 60 & echo $! >"$pool/vm0.pid")
KVM_POOL_JOB_LIMIT=1 "$top/scripts/kvm-pool" run "$pool" true >"$work/unserved" 2>&1 &&
    fail "a job nobody ran passed"
grep -q "no VM took 'true' within 1 s" "$work/unserved" || fail "unserved: $(cat "$work/unserved")"
[ -z "$(ls "$pool/queue")" ] || fail "the abandoned job stayed queued"
kill "$(cat "$pool/vm0.pid")"
"$top/scripts/kvm-pool" run "$work/nowhere" true 2>/dev/null && fail "a run without a pool passed"

# VMs that do not boot: the job fails within seconds, saying why.
broken=$work/broken-pool
"$top/scripts/kvm-pool" start "$broken"
printf '#!/bin/sh\necho "qemu: cannot boot"\nexit 1\n' >"$work/no-vm"
chmod +x "$work/no-vm"
SECONDS=0
KVM_POOL_VM=$work/no-vm "$top/scripts/kvm-pool" run "$broken" true >"$work/broken" 2>&1 &&
    fail "a job in a pool whose VMs cannot boot passed"
[ $SECONDS -le 10 ] || fail "a broken pool took $SECONDS s to fail a job"
grep -q "qemu: cannot boot" "$work/broken" || fail "a broken pool does not say why: $(cat "$work/broken")"
grep -q "the pool's VMs do not start" "$work/broken" || fail "broken pool: $(cat "$work/broken")"
"$top/scripts/kvm-pool" stop "$broken"

# stop powers the pool off and removes it.
start_worker
"$top/scripts/kvm-pool" stop "$pool"
kill -0 "$worker_pid" 2>/dev/null && fail "the worker outlived kvm-pool stop"
worker_pid=""
[ -e "$pool" ] && fail "kvm-pool stop left $pool"
echo "PASS: driver and kvm-pool"
