# Shared by the iso_mem_*.sh tests (attacks on guest memory); source it
# after tests/lib.sh.  ATTACKER names the attacker guest's image (default
# this tree's), so the tests can run against another hvd's build:
#   HVD=.../xen/hvd HVCLI=.../hvcli bash tests/integration/iso_mem_fragment.sh
ATTACKER=${ATTACKER:-$HV_GUESTS/attacker.elf}
PROBE=$HV_TOP/tests/integration/iso_mem_probe

# Start attacker domain $1 with mode $2 and extra config lines, following
# its console into $HV_TMP/$1.out in the background.  ATTACKER_OPTS: more
# hvcli create options (-p: leave it paused).
attacker_start() {
    local name=$1 mode=$2; shift 2
    local cfg=$HV_TMP/$name.cfg
    {
        echo "name = \"$name\""
        echo "vcpus = 1"
        echo "kernel = \"$ATTACKER\""
        echo "cmdline = \"$mode\""
        echo "on_poweroff = \"destroy\""
        echo "on_crash = \"preserve\""
        printf '%s\n' "$@"
    } >"$cfg"
    timeout 600 "$HVCLI" create ${ATTACKER_OPTS:-} -c "$cfg" </dev/null >"$HV_TMP/$name.out" 2>&1 &
}

# Wait up to $3 s for domain $1's console line matching $2; print it.
# Fails on a FAILURE or error result, or if the line does not come.
attacker_wait() {
    local name=$1 pattern=$2 secs=$3 line
    line=$(wait_console_line "$HV_TMP/$name.out" "$pattern|Test result: (FAILURE|ERROR)" "$secs") ||
        fail "$name: no line matching /$pattern/ within ${secs}s: $(tr -d '\r' <"$HV_TMP/$name.out" | tail -3)"
    case $line in *"Test result"*) fail "$name: $(tr -d '\r' <"$HV_TMP/$name.out" | grep -a -B2 'Test result' | head -3)" ;; esac
    echo "$line"
}

# Warm hvd up (a domain created, run and destroyed, as fault_ttl.sh does),
# then record the baseline the attack must leave behind.
baseline_save() {
    hv_create warm hello 'cmdline = "idle"' >/dev/null
    "$HVCLI" destroy warm || fail "cannot destroy the warm-up domain"
    "$PROBE" save "$HV_TMP/baseline" || fail "cannot record the baseline"
}

# hvd alive and answering, holding what it held at baseline_save.
baseline_check() {
    kill -0 "$HVD_PID" 2>/dev/null || fail "hvd died"
    timeout 30 "$HVCLI" list >/dev/null || fail "hvd does not answer"
    "$PROBE" check "$HV_TMP/baseline" || fail "hvd did not return to its baseline"
}

hvd_mappings() {
    wc -l <"/proc/$HVD_PID/maps"
}
