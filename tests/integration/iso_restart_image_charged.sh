#!/bin/bash
# The copy of a domain's image that on_* = restart keeps (taken at its
# first unpause) is guest memory hvd holds for the domain: it is charged
# to the host's limit (hvd --max-memory), refused with -ENOMEM past it,
# and given back on destroy.  A restored domain's copy is every page of
# its image, as large as its RAM, so before this rule a guest saved and
# restored with on_reboot = "restart" made hvd hold twice what was charged.
. "$(dirname "$0")/../lib.sh"
hv_start --max-memory 40
hv_save_baseline

# Destroy finishes in slices after hvcli returns: wait up to 10 s for $1 free pages.
wait_free_pages() {
    local i
    for i in $(seq 100); do [ "$(hv_free_pages)" -eq "$1" ] && return 0; sleep 0.1; done
    return 1
}
total=$(hv_free_pages)
[ "$total" -eq $((40 * 256)) ] || fail "hvd --max-memory 40 gives $total free pages"

hv_create r hello 'cmdline = "idle"' 'on_reboot = "restart"' >/dev/null
"$HVCLI" save r "$HV_TMP/r.img" || fail "cannot save the domain"
wait_free_pages "$total" || fail "saving (and so destroying) the domain left pages charged"

# Room for both: 16 MiB of RAM and its 16 MiB copy.
"$HVCLI" restore -e "$HV_TMP/r.img" || fail "cannot restore the domain"
used=$((total - $(hv_free_pages)))
[ "$used" -eq $((2 * 16 * 256)) ] ||
    fail "a restored 16 MiB domain that restarts holds $used pages charged, want $((2 * 16 * 256))"
"$HVCLI" destroy r
wait_free_pages "$total" || fail "destroy did not give the copy's pages back"

# Room for the RAM, not for the copy: the restore fails in one line, no
# domain is left behind and nothing stays charged.
hv_create filler hello 'cmdline = "idle"' >/dev/null
before=$(hv_free_pages) # its RAM, and its image for on_reboot's default, restart
expect_error "[Mm]emory" "$HVCLI" restore -e "$HV_TMP/r.img"
[ "$("$HVCLI" list -l | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ] ||
    fail "the failed restore left a domain: $("$HVCLI" list)"
wait_free_pages "$before" || fail "the failed restore left pages charged: $(hv_free_pages) free"
"$HVCLI" destroy filler
hv_check_baseline
hv_stop
