#!/bin/bash
# Malformed configs and unloadable kernels: one-line errors, non-zero exit,
# and no domain left behind.
. "$(dirname "$0")/../lib.sh"
hv_start
good="kernel = \"$HV_GUESTS/hello.elf\""
cfg=$HV_TMP/bad.cfg

printf 'name = "b1"\nmemory = 16\nmemroy = 16\n%s\n' "$good" > "$cfg"
expect_error "bad.cfg:3: .*unknown key 'memroy'" "$HVCLI" create "$cfg"
printf 'name = "b1"\nmemory = "lots"\n%s\n' "$good" > "$cfg"
expect_error "bad.cfg:2: .*memory" "$HVCLI" create "$cfg"
printf 'name = "b1"\nmemory = 16\nvcpus = 0\n%s\n' "$good" > "$cfg"
expect_error "bad.cfg:3: .*vcpus" "$HVCLI" create "$cfg"
printf 'name = "b1"\nmemory = 16\non_crash = "explode"\n%s\n' "$good" > "$cfg"
expect_error "bad.cfg:3: .*on_crash" "$HVCLI" create "$cfg"
printf 'name = "b1"\nmemory = 16\n' > "$cfg"
expect_error "kernel" "$HVCLI" create "$cfg"
printf '{"name": "b1", "memory": 16, "kernel": 5}\n' > "$cfg"
expect_error "kernel" "$HVCLI" create "$cfg"
expect_error "nosuch.cfg" "$HVCLI" create "$HV_TMP/nosuch.cfg"

# Configs that parse but whose kernel cannot be loaded: the domain is destroyed.
printf 'name = "b2"\nmemory = 16\nkernel = "%s/none.elf"\n' "$HV_TMP" > "$cfg"
expect_error "none.elf" "$HVCLI" create "$cfg"
head -c 3000 /dev/urandom > "$HV_TMP/junk.elf"
printf 'name = "b3"\nmemory = 16\nkernel = "%s/junk.elf"\n' "$HV_TMP" > "$cfg"
expect_error "junk.elf: .*(ELF|exec)" "$HVCLI" create "$cfg"
head -c 100 "$HV_GUESTS/hello.elf" > "$HV_TMP/short.elf"
printf 'name = "b4"\nmemory = 16\nkernel = "%s/short.elf"\n' "$HV_TMP" > "$cfg"
expect_error "short.elf" "$HVCLI" create "$cfg"
printf 'name = "b5"\nmemory = 4000000\n%s\n' "$good" > "$cfg"
expect_error "memory|Cannot allocate" "$HVCLI" create "$cfg"

[ -z "$("$HVCLI" list | tail -n +2)" ] || fail "a failed create left a domain: $("$HVCLI" list)"
# hvd still serves, and the names are free.
hv_create b4 hello 'cmdline = "idle"' >/dev/null
"$HVCLI" destroy b4
hv_stop
