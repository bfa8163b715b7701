#!/bin/bash
# create, list, list -l, pause, unpause, info and destroy of a running domain.
. "$(dirname "$0")/../lib.sh"
hv_start

id=$(hv_create life hello 'cmdline = "idle"')
note "created domid $id"
[ "$id" = 1 ] || fail "first domain got domid $id, expected 1"
hv_wait_field life state.blocked 20 True
"$HVCLI" list | grep -Eq "^life +$id +16 +1 " || fail "list does not show life: $("$HVCLI" list)"

"$HVCLI" list -l life | python3 -c '
import json, sys, uuid
d = json.load(sys.stdin)[0]
assert d["name"] == "life", d
assert d["max_vcpus"] == 1 and d["vcpus_online"] == 1, d
assert d["memory_kib"] == 16384 and d["maxmem_kib"] == 16384, d
assert d["on_poweroff"] == "destroy" and d["on_reboot"] == "restart" and d["on_crash"] == "destroy", d
uuid.UUID(d["uuid"])' || fail "list -l JSON is wrong"

"$HVCLI" pause life || fail "pause failed"
[ "$(hv_field life state.paused)" = True ] || fail "not paused after pause"
"$HVCLI" list | grep -Eq "^life .* [-rbscd]*p[-rbscd]* " || fail "list state lacks p: $("$HVCLI" list)"
"$HVCLI" unpause "$id" || fail "unpause by domid failed"
[ "$(hv_field life state.paused)" = False ] || fail "still paused after unpause"
expect_error "unpause.*(not paused|Invalid argument)" "$HVCLI" unpause life

uuid=$("$HVCLI" list -l life | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["uuid"])')
"$HVCLI" pause "$uuid" || fail "pause by UUID failed"
"$HVCLI" unpause life

# hvd's version as it reports it (xen_version) is the one --version prints.
v=$("$HVD" --version | cut -d' ' -f2)
"$HVCLI" info | python3 -c '
import json, sys
i = json.load(sys.stdin)
assert i["nr_domains"] == 1, i
assert i["nr_cpus"] >= 1, i
assert i["hv_version"] == i["hvcli_version"] == sys.argv[1], i' "$v" || fail "info JSON is wrong"

"$HVCLI" destroy life || fail "destroy failed"
[ "$(hv_field life name)" = gone ] || fail "domain still listed after destroy"
expect_error "unknown domain 'life'" "$HVCLI" destroy life
hv_stop
