#!/bin/bash
# docs/hypercall-abi.md and the code agree: every constant in the first two
# columns of its call tables is #defined in a public header and used in
# hvd's sources; every hypercall hvd dispatches, and every hypercall and
# sub-op the public headers define, is in the table.  No hvd is started.
. "$(dirname "$0")/../lib.sh"
DOC=$HV_TOP/docs/hypercall-abi.md
PUBLIC=$HV_TOP/xen/include/public
DISPATCH=$HV_TOP/xen/common/hypercall.c
[ -f "$DOC" ] || fail "$DOC is missing"

problems=0
problem() { echo "FAIL: $*" >&2; problems=$((problems + 1)); }

# Print "CALL SUBOP" for each row of the tables whose header starts with
# "| hypercall | sub-op |" or "| interface | command |".  SUBOP is "-" for
# a call without sub-ops and "*" for the "every other value" row; a row
# that is neither prints "BAD <line>".
table_rows() {
    awk '
    /^\| *(hypercall|interface) *\| *(sub-op|command) *\|/ { in_table = 1; next }
    in_table && /^\|[-| ]*$/ { next }
    in_table && !/^\|/ { in_table = 0; next }
    in_table {
        split($0, cell, "|")
        call = cell[2]; sub_op = cell[3]
        gsub(/^ +| +$/, "", call); gsub(/^ +| +$/, "", sub_op)
        if (call !~ /^`[A-Za-z_][A-Za-z0-9_]*`$/) { print "BAD " $0; next }
        gsub(/`/, "", call)
        if (sub_op == "—") sub_op = "-"
        else if (sub_op == "*other*") sub_op = "*"
        else if (sub_op ~ /^`[A-Za-z_][A-Za-z0-9_]*`$/) gsub(/`/, "", sub_op)
        else { print "BAD " $0; next }
        print call, sub_op
    }' "$DOC"
}

defined_in_public() { grep -Ewq "#define[[:space:]]+$1" "$PUBLIC"/*.h; }
used_by_hvd() { grep -wq -- "$1" "$HV_TOP"/xen/common/*.c "$HV_TOP"/xen/arch/x86/*.c; }

rows=$(table_rows)
[ -n "$rows" ] || fail "no call table found in $DOC"
while read -r call sub_op rest; do
    [ "$call" = BAD ] && { problem "$DOC: cannot parse the row '$sub_op $rest'"; continue; }
    for c in "$call" "$sub_op"; do
        case "$c" in -|\*) continue ;; esac
        defined_in_public "$c" || problem "$DOC lists $c, which no header in xen/include/public defines"
        used_by_hvd "$c" || problem "$DOC lists $c, which hvd does not handle (not used in xen/common/*.c or xen/arch/x86/*.c)"
    done
done <<< "$rows"
listed=$(printf '%s\n' "$rows" | awk '{ print $1; print $2 }' | sort -u)
is_listed() { printf '%s\n' "$listed" | grep -qx -- "$1"; }

# Every hypercall in hvd's dispatch table is documented.
dispatched=$(grep -o '\[__HYPERVISOR_[a-z_0-9]*\][[:space:]]*=' "$DISPATCH" | grep -o '__HYPERVISOR_[a-z_0-9]*')
[ -n "$dispatched" ] || problem "found no dispatch table entries ([__HYPERVISOR_x] = ...) in $DISPATCH"
for c in $dispatched; do
    is_listed "$c" || problem "hvd dispatches $c (xen/common/hypercall.c) but $DOC does not list it"
done

# Every hypercall, guest sub-op, HVM parameter, VIRQ and map space the
# public headers define is documented (limits and encodings such as
# XENMEM_MAX_EXTENT_ORDER or HVM_PARAM_NR are not: they are left out).
declared=$(grep -ohE '#define[[:space:]]+(__HYPERVISOR_|XENMEM_|XENVER_|CONSOLEIO_|SCHEDOP_|VCPUOP_|EVTCHNOP_|HVMOP_|HVM_PARAM_|VIRQ_|XENMAPSPACE_)[A-Za-z0-9_]+' \
    "$PUBLIC"/*.h | awk '{ print $2 }' |
    grep -vE '^(XENMEM|CONSOLEIO|HVM_PARAM)_(MAX|NR|CALLBACK_TYPE)|_NR$|^NR_' | sort -u)
for c in $declared; do
    is_listed "$c" || problem "xen/include/public defines $c but $DOC does not list it"
done

[ $problems -eq 0 ] || fail "$problems mismatch(es) between $DOC and the code"
note "$(printf '%s\n' "$rows" | wc -l) table rows agree with the headers and hvd"
