#!/bin/bash
# hvd's start-up errors are one clear line and a non-zero exit.
. "$(dirname "$0")/../lib.sh"
[ -e /dev/kvm ] || fail "/dev/kvm is missing: this test needs KVM"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
expect_error "unexpected argument" "$HVD" --foreground bogus
expect_error "--max-memory" "$HVD" --foreground --max-memory lots
expect_error "no group named" "$HVD" --foreground --group no-such-group-xyz
# Without /dev/kvm (hidden in a private mount namespace) hvd names it.
out=$(unshare -m sh -c "mount -t tmpfs none /dev && '$HVD' --foreground --socket '$tmp/s'" 2>&1) &&
    fail "hvd started without /dev/kvm"
echo "$out" | grep -q "/dev/kvm does not exist" || fail "unclear error without /dev/kvm: $out"
[ ! -e "$tmp/s" ] || fail "hvd created its socket without KVM"
# hvcli --help and man pages
"$HVCLI" --help | grep -q create || fail "hvcli --help does not list create"
"$HVD" --help | grep -q -- --max-memory || fail "hvd --help does not list --max-memory"
man -l "$HV_TOP/docs/man/hvcli.1" 2>/dev/null | grep -q console || fail "hvcli.1 does not render"
echo "ok"
