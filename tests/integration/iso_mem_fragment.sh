#!/bin/bash
# Issue 8, item 5: a 320 MiB guest gives back every other page above
# 8 MiB in one decrease_reservation.  hvd must take only what the domain's
# mapping bound allows and return that count (the guest checks it is a
# clean count or -ENOMEM, and that it agrees with current_reservation);
# hvd's mappings stay bounded; another domain can still be created; and
# destroying the guest brings hvd back to its baseline.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/iso_mem_lib.sh"
BOUND=1024 # hvd's default --domain-mappings
hv_start
baseline_save
maps0=$(hvd_mappings)

attacker_start frag fragment 'memory = 320'
line=$(attacker_wait frag '^fragment: hvd took' 180)
note "$line"
attacker_wait frag '^fragment: holding' 30 >/dev/null
maps=$(hvd_mappings)
note "hvd's mappings: $maps0 before, $maps with the fragmented guest"
# The domain's window may take BOUND mappings, its vCPU and the rest a few.
[ "$maps" -le $((maps0 + BOUND + 64)) ] ||
    fail "hvd holds $((maps - maps0)) more mappings for one guest (bound $BOUND)"
took=$(echo "$line" | sed -n 's/^fragment: hvd took \(-\{0,1\}[0-9]*\) of.*/\1/p')
[ -n "$took" ] && [ "$took" -lt 39936 ] || fail "hvd took every extent: '$line'"

hv_create bystander hello 'cmdline = "idle"' >/dev/null
note "a new domain is created while the guest holds its fragments"
[ "$(hv_field frag state.shutdown)" = False ] || fail "the attacker was stopped, not refused"
refusals=$(grep -c "memory op refused" "$HV_TMP/hvd.log")
[ "$refusals" -le 20 ] || fail "hvd logged $refusals refusals for one guest (not rate-limited)"

"$HVCLI" destroy frag || fail "cannot destroy the attacker"
"$HVCLI" destroy bystander || fail "cannot destroy the bystander"
baseline_check
hv_stop
