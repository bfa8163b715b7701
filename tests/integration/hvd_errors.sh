#!/bin/bash
# hvd's start-up errors are one clear line and a non-zero exit.
. "$(dirname "$0")/../lib.sh"
[ -e /dev/kvm ] || fail "/dev/kvm is missing: this test needs KVM"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
expect_error "unexpected argument" "$HVD" --foreground bogus
expect_error "--max-memory" "$HVD" --foreground --max-memory lots
expect_error "no group named" "$HVD" --foreground --group no-such-group-xyz
expect_error "--halt-poll-us" "$HVD" --foreground --halt-poll-us 10001
expect_error "--halt-poll-us" "$HVD" --foreground --halt-poll-us -1
# Without /dev/kvm (hidden in a private mount namespace) hvd names it.
# The namespace's mounts are made private by hand: unshare's own way needs
# / to be a mount point, which it is not in a chroot.
hide_dev="mount --make-rprivate / 2>/dev/null || mount --make-rprivate /dev || exit 99
mount -t tmpfs none /dev && exec '$HVD' --foreground --socket '$tmp/s'"
out=$(unshare -m --propagation unchanged sh -c "$hide_dev" 2>&1)
case $? in
0) fail "hvd started without /dev/kvm" ;;
99) fail "cannot hide /dev/kvm in a mount namespace: $out" ;;
esac
echo "$out" | grep -q "/dev/kvm does not exist" || fail "unclear error without /dev/kvm: $out"
[ ! -e "$tmp/s" ] || fail "hvd created its socket without KVM"
# hvcli --help and man pages
"$HVCLI" --help | grep -q create || fail "hvcli --help does not list create"
"$HVD" --help | grep -q -- --max-memory || fail "hvd --help does not list --max-memory"
# One version: hvd's, hvcli's, libhvctl's and libhvcfg's (their .pc) and the one hvd
# reports to guests and the toolstack (xen_version: cli_lifecycle.sh).
v=$("$HVD" --version | sed -n 's/^hvd \([0-9.]*\) (changeset .*)$/\1/p')
[ -n "$v" ] || fail "hvd --version: $("$HVD" --version)"
[ "$("$HVCLI" --version)" = "hvcli $v" ] || fail "hvcli --version is not hvd's $v: $("$HVCLI" --version)"
grep -qx "Version: $v" "$HV_TOP/tools/libhvctl/hvctl.pc" || fail "hvctl.pc does not say version $v"
grep -qx "Version: $v" "$HV_TOP/tools/libhvcfg/hvcfg.pc" || fail "hvcfg.pc does not say version $v"
man -l "$HV_TOP/docs/man/hvcli.1" 2>/dev/null | grep -q console || fail "hvcli.1 does not render"
echo "ok"
