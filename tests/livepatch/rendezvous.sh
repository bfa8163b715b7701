#!/bin/bash
# The rendezvous (docs/livepatch.md).
# 1. A vCPU thread held away from its safe point (stopped with ptrace, as
#    a debugger stops one thread) makes APPLY time out: patchtool exits 2
#    (busy), the payload stays checked with rc -EBUSY, and hvd's code is
#    the same octet for octet.
# 2. 100 apply/revert cycles while five guests run: two loop in ring 3,
#    one loops on a hypercall, one reads XENVER_extraversion in a loop
#    (and must see each change), one is blocked in SCHEDOP_block.  Every
#    guest is still running at the end, none crashed.
. "$(dirname "$0")/../lib.sh"
payload=$HV_TOP/tests/livepatch/hello.livepatch
CYCLES=${LIVEPATCH_CYCLES:-100}

# sha256 of hvd's executable mappings, read from its memory.
text_hash() {
    python3 - "$HVD_PID" <<'PY'
import hashlib, sys
pid = sys.argv[1]
h = hashlib.sha256()
exe = open("/proc/%s/maps" % pid).read().splitlines()
with open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in exe:
        f = line.split()
        if len(f) >= 6 and f[1].startswith("r-x") and f[5].endswith("/hvd"):
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            mem.seek(lo)
            h.update(mem.read(hi - lo))
print(h.hexdigest())
PY
}

# Stop thread $1 of hvd with ptrace until $HV_TMP/release exists (at most
# $2 seconds), then let it go.
hold_thread() {
    python3 - "$1" "$2" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_DETACH, WALL = 0x4206, 0x4207, 17, 0x40000000
tid, secs = int(sys.argv[1]), float(sys.argv[2])
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
if libc.ptrace(PTRACE_SEIZE, tid, None, None) or libc.ptrace(PTRACE_INTERRUPT, tid, None, None):
    sys.exit("ptrace: %s" % os.strerror(ctypes.get_errno()))
os.waitpid(tid, WALL)
open(os.environ["HV_TMP"] + "/held", "w").close()
end = time.monotonic() + secs
while time.monotonic() < end and not os.path.exists(os.environ["HV_TMP"] + "/release"):
    time.sleep(0.05)
libc.ptrace(PTRACE_DETACH, tid, None, None)
PY
}

state_rc() { # hello's state and rc in patchtool's table
    "$PATCHTOOL" list | awk '$1 == "hello" { print $2, $3 }'
}

hv_start
export HV_TMP
cfg=$HV_TMP/watch.cfg
hv_guest_cfg "$cfg" hello 'cmdline = "extraversion"'
hv_create_console "$cfg" "$HV_TMP/console.out"
wait_console_line "$HV_TMP/console.out" 'extraversion "-hv"' 60 >/dev/null ||
    fail "the watching guest did not start"
for g in spin1:spin spin2:spin calls:hypercalls idle:idle; do
    hv_create "${g%%:*}" hello "cmdline = \"${g#*:}\"" >/dev/null
done

# 1. A held vCPU thread: the action times out and changes nothing.
"$PATCHTOOL" upload hello "$payload" || fail "upload failed"
before=$(text_hash)
tid=$(ls /proc/"$HVD_PID"/task | grep -v "^$HVD_PID\$" | head -1)
[ -n "$tid" ] || fail "hvd has no vCPU thread"
hold_thread "$tid" "$(hv_scaled 10)"
holder=$!
for _ in $(seq 100); do [ -e "$HV_TMP/held" ] && break; sleep 0.1; done
[ -e "$HV_TMP/held" ] || fail "could not stop thread $tid"
rc=0; "$PATCHTOOL" apply -t 30 hello 2>"$HV_TMP/apply.err" || rc=$?
[ $rc -eq 2 ] || fail "apply with a held thread exited $rc, not 2: $(cat "$HV_TMP/apply.err")"
grep -q "reached the rendezvous" "$HV_TMP/apply.err" || fail "apply said: $(cat "$HV_TMP/apply.err")"
[ "$(state_rc)" = "checked -16" ] || fail "after the timeout: $(state_rc), not checked -16"
[ "$(text_hash)" = "$before" ] || fail "hvd's code changed although the action timed out"
touch "$HV_TMP/release"
wait $holder
note "held thread: $(cat "$HV_TMP/apply.err")"

# 2. Cycles under load; each change reaches the watching guest.  The
# cycles talk to hvd directly (the raw control protocol, as hostile.sh):
# a process per action is seconds on emulated CPUs.
ms=$(awk -v s="$(hv_scaled 100)" 'BEGIN { m = int(s); print (m > 1000 ? 1000 : m) }')
python3 - "$HVD_SOCKET" "$HV_TMP/console.out" "$CYCLES" "$ms" <<'PY' || fail "the cycles failed"
import errno, socket, struct, sys, time
path, console, cycles, ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(path)
name = b"hello".ljust(64, b"\0")

def call(cmd, body):
    op = struct.pack("<II", 27, 4) + (struct.pack("<II", cmd, 0) + body).ljust(128, b"\0")
    s.send(struct.pack("<IIII", 0x31637668, 2, 0, 0) + op)
    r = s.recv(1 << 16)
    return struct.unpack_from("<q", r, 16)[0], r[24:]

def act(action):
    rc, _ = call(3, name + struct.pack("<IIQ", action, 0, ms * 1000000))
    if rc:
        sys.exit("action %d refused: %d" % (action, rc))
    while True:
        rc, op = call(1, name + bytes(8))
        state, result = struct.unpack_from("<Ii", op, 8 + 8 + 64)
        if rc == 0 and result != -errno.EAGAIN:
            return result

def seen():
    return open(console, "rb").read().count(b"extraversion ")

t0 = time.monotonic()
for i in range(1, cycles + 1):
    for action, want in ((3, b'"-hello"'), (2, b'"-hv"')):
        before = seen()
        rc = act(action)
        if rc:
            sys.exit("cycle %d: action %d failed: %d" % (i, action, rc))
        deadline = time.monotonic() + 60
        while seen() == before and time.monotonic() < deadline:
            time.sleep(0.005)
        last = open(console, "rb").read().split(b"extraversion ")[-1].split(b"\n")[0].strip()
        if seen() == before or last != want:
            sys.exit("cycle %d: the guest reads %s, not %s" % (i, last, want))
    if i % 10 == 0:
        print("# cycle %d: %.1f s" % (i, time.monotonic() - t0), flush=True)
PY
# Every guest is alive: none shut down, the busy ones running.
"$HVCLI" list -l | python3 -c '
import json, sys
doms = {d["name"]: d["state"] for d in json.load(sys.stdin)}
for name in ("spin1", "spin2", "calls", "idle"):
    if name not in doms or doms[name]["shutdown"]:
        sys.exit("%s is gone or shut down: %s" % (name, doms.get(name)))
    if name != "idle" and not doms[name]["running"]:
        sys.exit("%s is not running" % name)' || fail "a guest did not survive the cycles"
"$PATCHTOOL" unload hello || fail "unload failed"
for d in spin1 spin2 calls idle "$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")"; do
    "$HVCLI" destroy "$d" || fail "cannot destroy $d"
done
hv_stop
echo ok
