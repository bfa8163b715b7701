# Helpers for the live-migration tests: two hvds in two network namespaces
# joined by a veth pair (A: 10.77.0.1, B: 10.77.0.2), a receiver listening
# on TCP on one side, hvcli migrate on the other, and the savetest guest's
# console (tests/guests/savetest: "restored count=N" -> "verified K ok").
# Source it after lib.sh.

MIG_IP_A=10.77.0.1
MIG_IP_B=10.77.0.2
MIG_RELAY=$HV_TOP/tests/integration/mig_relay
MIG_CON=0

# Network namespaces NS_A and NS_B and the veth pair between them.
mig_netns_up() {
    command -v ip >/dev/null || fail "ip (iproute2) is missing: scripts/install-deps installs it"
    # /run/netns may be shared with other machines (scripts/kvm-vm's VMs
    # see the host's): a pid alone is not unique there.
    local tag=$$r$RANDOM
    NS_A=hva$tag NS_B=hvb$tag
    ip netns add "$NS_A" && ip netns add "$NS_B" || fail "cannot make network namespaces"
    trap mig_cleanup EXIT
    ip -n "$NS_A" link add va type veth peer name vb netns "$NS_B" &&
        ip -n "$NS_A" addr add "$MIG_IP_A/24" dev va && ip -n "$NS_B" addr add "$MIG_IP_B/24" dev vb &&
        ip -n "$NS_A" link set va up && ip -n "$NS_B" link set vb up &&
        ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up ||
        fail "cannot join the network namespaces with a veth pair"
}

mig_cleanup() {
    local rc=$?
    [ -n "${B_PID:-}" ] && { kill -KILL "$B_PID" 2>/dev/null; wait "$B_PID" 2>/dev/null; }
    if [ $rc -ne 0 ] && [ -f "${HV_TMP:-/nonexistent}/hvd-b.log" ]; then
        echo "# last lines of hvd B's log:"; tail -20 "$HV_TMP/hvd-b.log" | sed 's/^/#   /'
    fi
    ip netns del "$NS_A" 2>/dev/null
    ip netns del "$NS_B" 2>/dev/null
    (exit $rc)
    hv_cleanup
}

# hvd A (HVD_SOCKET) in NS_A, hvd B (B_SOCK, B_PID) in NS_B.
mig_start_both() {
    HV_NETNS=$NS_A hv_start
    trap mig_cleanup EXIT # hv_start set its own
    B_SOCK=$HV_TMP/b.sock
    ip netns exec "$NS_B" "$HVD" --socket "$B_SOCK" --foreground --log "$HV_TMP/hvd-b.log" "$@" &
    B_PID=$!
    local i
    for i in $(seq 100); do
        [ -S "$B_SOCK" ] && HVD_SOCKET=$B_SOCK "$HVCLI" list >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "hvd B did not start serving $B_SOCK"
}

# The socket, namespace and address of side $1 (A or B).
mig_sock() { [ "$1" = A ] && echo "$HVD_SOCKET" || echo "$B_SOCK"; }
mig_ns() { [ "$1" = A ] && echo "$NS_A" || echo "$NS_B"; }
mig_ip() { [ "$1" = A ] && echo "$MIG_IP_A" || echo "$MIG_IP_B"; }

# hvcli on side $1.
mig_hvcli() {
    local side=$1; shift
    HVD_SOCKET=$(mig_sock "$side") ip netns exec "$(mig_ns "$side")" "$HVCLI" "$@"
}

# The helpers below start no process where a bash builtin does: a process
# start costs about 0.2 s in scripts/kvm-vm, and a move makes many looks.

# Sleep $1 seconds (fractions allowed) in bash: a read that times out on a
# fifo nobody writes.
mig_nap() {
    [ -p "$HV_TMP/nap" ] || mkfifo "$HV_TMP/nap" || fail "cannot make the nap fifo"
    [ -e /dev/fd/9 ] || exec 9<>"$HV_TMP/nap"
    read -r -t "$1" -u 9 || :
}

# Wait up to $3 seconds for a line of file $1 matching bash regex $2 (a
# console capture: a final \r is dropped); print it.
mig_wait_line() {
    local file=$1 re=$2 i line lines
    for ((i = 0; i < $3 * 10; i++)); do
        lines=()
        [ -f "$file" ] && mapfile -t lines <"$file"
        for line in "${lines[@]}"; do
            line=${line%$'\r'}
            [[ $line =~ $re ]] && { printf '%s\n' "$line"; return 0; }
        done
        mig_nap 0.1
    done
    return 1
}

# The count of the last "progress count=N" line in file $1.
mig_last_count() {
    local lines i
    mapfile -t lines <"$1"
    for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
        [[ ${lines[i]} =~ ^progress\ count=([0-9]+) ]] && { echo "${BASH_REMATCH[1]}"; return; }
    done
}

# Domain $2 on side $1 in one hvcli call: sets DOM_UUID and DOM_PAUSED
# (true/false), or DOM_UUID=gone.
mig_domain() {
    local out
    out=$(HVD_SOCKET=$(mig_sock "$1") "$HVCLI" list -l "$2" 2>/dev/null)
    DOM_UUID=gone DOM_PAUSED=
    [[ $out =~ \"uuid\":\ *\"([^\"]+)\" ]] && DOM_UUID=${BASH_REMATCH[1]}
    [[ $out =~ \"paused\":\ *([a-z]+) ]] && DOM_PAUSED=${BASH_REMATCH[1]}
    return 0
}

# Start a receiver listening on side $1 (output in $HV_TMP/recv.out and
# .err), giving up on a silent sender after 6 s (scaled); sets RECV_PID,
# RECV_PORT, RECV_TOKEN.
mig_receiver_start() {
    local side=$1 line
    : >"$HV_TMP/recv.out"
    # A simple command, so that RECV_PID is hvcli's own (ip netns exec execs it).
    HVD_SOCKET=$(mig_sock "$side") ip netns exec "$(mig_ns "$side")" "$HVCLI" migrate-receive \
        --listen "$(mig_ip "$side"):0" --timeout "$(hv_scaled 6)" \
        >"$HV_TMP/recv.out" 2>"$HV_TMP/recv.err" &
    RECV_PID=$!
    line=$(mig_wait_line "$HV_TMP/recv.out" '^listening on ' 30) ||
        fail "the receiver did not listen: $(cat "$HV_TMP/recv.err")"
    [[ $line =~ ^listening\ on\ [0-9.]+:([0-9]+)\ token\ ([0-9a-f]+)$ ]] ||
        fail "the receiver printed no address and token: $line"
    RECV_PORT=${BASH_REMATCH[1]}
    RECV_TOKEN=${BASH_REMATCH[2]}
}

# Migrate domain $2 from side $1 to the receiver on the other side;
# extra hvcli migrate options follow.  Output in $HV_TMP/migrate.out/.err.
mig_send() {
    local from=$1 dom=$2 to; shift 2
    to=$([ "$from" = A ] && echo B || echo A)
    mig_hvcli "$from" migrate --tcp "$(mig_ip "$to"):$RECV_PORT" --token "$RECV_TOKEN" "$@" \
        "$dom" >"$HV_TMP/migrate.out" 2>"$HV_TMP/migrate.err"
}

# Wait for the receiver to exit (it gives up on a silent sender itself);
# its status.
mig_receiver_wait() {
    wait "$RECV_PID"
}

# Attach to domain $2's console on side $1: its output goes to
# $HV_TMP/con$MIG_CON.out (MIG_CON_OUT), input through fd 8.
mig_console_attach() {
    MIG_CON=$((MIG_CON + 1))
    MIG_CON_OUT=$HV_TMP/con$MIG_CON.out
    mkfifo "$HV_TMP/con$MIG_CON.in"
    HVD_SOCKET=$(mig_sock "$1") "$HVCLI" console "$2" <"$HV_TMP/con$MIG_CON.in" \
        >"$MIG_CON_OUT" 2>&1 &
    MIG_CON_PID=$!
    exec 8>"$HV_TMP/con$MIG_CON.in"
}

# The console ends when its domain leaves that hvd; wait for it.
mig_console_gone() {
    exec 8>&-
    wait "$MIG_CON_PID" 2>/dev/null
}

# Detach from a console whose domain stays.
mig_console_detach() {
    exec 8>&-
    kill "$MIG_CON_PID" 2>/dev/null
    wait "$MIG_CON_PID" 2>/dev/null
}

# After a move (or none): tell the guest on side $1 "restored count=$3"
# and wait for "verified $4 ok"; the console stays attached.
mig_verify() {
    local side=$1 dom=$2 count=$3 k=$4 line
    mig_console_attach "$side" "$dom"
    printf 'restored count=%s\n' "$count" >&8
    line=$(mig_wait_line "$MIG_CON_OUT" "^verified $k " "$(hv_scaled 30)") ||
        fail "move $k: the guest did not verify itself: $(tr -d '\r' <"$MIG_CON_OUT" | tail -5)"
    [[ $line == "verified $k ok"* ]] || fail "move $k: $line"
}

# Create the savetest guest on hvd A with command line $1, paused; sets
# name and uuid.  mig_guest_run then attaches its console and starts it.
mig_guest_create() {
    local cfg=$HV_TMP/mig.cfg
    hv_guest_cfg "$cfg" savetest "cmdline = \"$1\""
    name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$cfg")
    "$HVCLI" create -p "$cfg" 2>/dev/null || fail "cannot create the guest"
    mig_domain A "$name"
    uuid=$DOM_UUID
}

# Attach to the guest's console and start it; wait for a progress line
# (matching $1, default any).
mig_guest_run() {
    mig_console_attach A "$name"
    "$HVCLI" unpause "$name" || fail "cannot start the guest"
    mig_wait_line "$MIG_CON_OUT" "${1:-^progress count=}" "$(hv_scaled 60)" >/dev/null ||
        fail "savetest did not start: $(tr -d '\r' <"$MIG_CON_OUT" | tail -3)"
}
