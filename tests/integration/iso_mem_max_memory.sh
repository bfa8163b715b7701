#!/bin/bash
# Issue 8, item 6: hvd --max-memory 64 is a limit on the pages all domains
# hold, charged as they are populated.  Two guests (memory 12, maxmem 64)
# balloon up as far as hvd lets them: together they never hold more than
# 64 MiB, and each sees a clean partial count or -ENOMEM.  A third 64 MiB
# domain is refused with one line; hvcli info's free memory does not wrap;
# a restore is charged too (refused while another domain holds the room,
# accepted once it is free).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/iso_mem_lib.sh"
LIMIT_PAGES=$((64 * 256))
hv_start --max-memory 64
baseline_save

total_pages() {
    "$HVCLI" list -l | python3 -c 'import json,sys; print(sum(d["tot_pages"] for d in json.load(sys.stdin)))'
}
check_total() { # $1: when
    local t; t=$(total_pages)
    [ "$t" -le $LIMIT_PAGES ] || fail "$1: domains hold $t pages, over the limit of $LIMIT_PAGES"
    local free; free=$(hv_free_pages)
    [ "$free" -eq $((LIMIT_PAGES - t)) ] || fail "$1: hvcli info says $free pages free, domains hold $t"
    note "$1: domains hold $t of $LIMIT_PAGES pages"
}

# Both are created before either balloons, then race each other up.  (No
# domain here restarts, so hvd keeps no copies of images: free pages are
# the limit less what the domains hold.)
for d in a b; do
    ATTACKER_OPTS=-p attacker_start $d balloon-up 'memory = 12' 'maxmem = 64' 'on_reboot = "destroy"'
done
for d in a b; do hv_wait_field $d state.paused 30 True; done
"$HVCLI" unpause a && "$HVCLI" unpause b || fail "cannot unpause the guests"
for d in a b; do note "$d: $(attacker_wait $d '^balloon-up: populated' 180)"; done
for d in a b; do attacker_wait $d '^balloon-up: holding' 30 >/dev/null; done
check_total "after ballooning up"

cfg=$HV_TMP/third.cfg
printf 'name = "third"\nmemory = 64\nkernel = "%s"\n' "$HV_GUESTS/hello.elf" >"$cfg"
expect_error "cannot create domain .*Cannot allocate memory" "$HVCLI" create -q "$cfg"
check_total "after the refused creation"

# A restore populates what was saved: charged like any populate.
held_a=$(hv_field a tot_pages)
"$HVCLI" save a "$HV_TMP/a.img" >/dev/null 2>&1 || fail "cannot save a"
hv_create filler hello 'memory = 8' 'cmdline = "idle"' 'on_reboot = "destroy"' >/dev/null
expect_error "cannot restore" "$HVCLI" restore -e "$HV_TMP/a.img"
check_total "after the refused restore of $held_a pages"
"$HVCLI" destroy filler || fail "cannot destroy filler"
"$HVCLI" restore -e "$HV_TMP/a.img" >/dev/null 2>&1 || fail "the restore was refused with the room free"
[ "$(hv_field a tot_pages)" -eq "$held_a" ] || fail "a restored with $(hv_field a tot_pages) pages, saved with $held_a"
check_total "after the restore"

"$HVCLI" destroy a && "$HVCLI" destroy b || fail "cannot destroy the guests"
baseline_check
hv_stop
