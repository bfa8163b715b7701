#!/bin/bash
# Hostile live-patch input: broken payloads (truncated, a section past the
# end, a relocation's symbol index out of range, a relocation outside its
# section, an unsupported relocation type, no .livepatch.funcs, a funcs
# section of the wrong size, a target in the rendezvous code), each
# refused at upload with its reason; the upload protocol abused over a
# raw connection (bad sizes, names, order, padding, pieces past the end,
# an upload left half-way by a client that goes away, too many at once,
# bad list/get/action arguments); an unprivileged caller.  Afterwards
# hvd holds nothing for live patches, and its allocations, descriptors
# and threads are where they were.
. "$(dirname "$0")/../lib.sh"
lp=$HV_TOP/tests/livepatch

# A copy of hello.livepatch broken as case $1 says; prints its path.
broken() {
    python3 - "$lp/hello.livepatch" "$HV_TMP/$1.livepatch" "$1" <<'PY'
import struct, sys
src, dst, case = sys.argv[1:4]
img = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<Q", img, 0x28)
shnum, shstrndx = struct.unpack_from("<HH", img, 0x3c)
def sh(i):
    return list(struct.unpack_from("<IIQQQQIIQQ", img, shoff + 64 * i))
def put_sh(i, h):
    struct.pack_into("<IIQQQQIIQQ", img, shoff + 64 * i, *h)
names = sh(shstrndx)[4]
def index(name):
    return next(i for i in range(shnum) if img[names + sh(i)[0]:].split(b"\0")[0].decode() == name)
funcs, rela = index(".livepatch.funcs"), index(".rela.livepatch.funcs")
symtab = next(i for i in range(shnum) if sh(i)[1] == 2)
r_off, r_info = struct.unpack_from("<QQ", img, sh(rela)[4])
if case == "truncated":
    img = img[:len(img) // 2]
elif case == "section_past_end":
    h = sh(funcs); h[4] = len(img) + 4096; put_sh(funcs, h)
elif case == "symbol_index":
    nsyms = sh(symtab)[5] // 24
    struct.pack_into("<Q", img, sh(rela)[4] + 8, (nsyms + 7) << 32 | (r_info & 0xffffffff))
elif case == "relocation_outside":
    struct.pack_into("<Q", img, sh(rela)[4], sh(funcs)[5])
elif case == "relocation_type":
    struct.pack_into("<Q", img, sh(rela)[4] + 8, (r_info >> 32) << 32 | 9)  # R_X86_64_GOTPCREL
elif case == "no_funcs":
    h = sh(funcs); h[0] = sh(index(".note.GNU-stack"))[0]; put_sh(funcs, h)
elif case == "funcs_size":
    h = sh(funcs); h[5] = 79; put_sh(funcs, h)
open(dst, "wb").write(img)
PY
    echo "$HV_TMP/$1.livepatch"
}

lp_bytes() {
    "$HVCLI" info | python3 -c 'import json,sys; print(json.load(sys.stdin)["livepatch_bytes"])'
}

hv_start
hv_save_baseline

for c in "truncated:outside the|section table|shorter" "section_past_end:outside the file" \
    "symbol_index:symbol index" "relocation_outside:outside .livepatch.funcs" \
    "relocation_type:unsupported type 9" "no_funcs:no .livepatch.funcs" \
    "funcs_size:80-octet elements"; do
    expect_error "upload ${c%%:*}: .*refused: .*(${c#*:})" \
        "$PATCHTOOL" upload "${c%%:*}" "$(broken "${c%%:*}")"
done
expect_error "upload nopatch: .*livepatch_vcpu_rendezvous may not be patched" \
    "$PATCHTOOL" upload nopatch "$lp/nopatch.livepatch"
[ "$(lp_bytes)" = 0 ] || fail "hvd holds $(lp_bytes) octets after refusing every payload"

# The upload protocol and the other operations, abused on raw connections.
python3 - "$HVD_SOCKET" "$lp/hello.livepatch" <<'PY' || fail "the raw protocol checks failed"
import errno, socket, struct, sys
path, payload = sys.argv[1], open(sys.argv[2], "rb").read()
MAGIC, SYSCTL, LIVEPATCH, VERSION = 0x31637668, 2, 27, 4
UPLOAD, GET, LIST, ACTION = 0, 1, 2, 3

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s

def call(s, cmd, body, buf=b"", pad=0):
    u = struct.pack("<II", cmd, pad) + body
    op = struct.pack("<II", LIVEPATCH, VERSION) + u.ljust(128, b"\0")
    s.send(struct.pack("<IIII", MAGIC, SYSCTL, len(buf), 0) + op + buf)
    reply = s.recv(1 << 17)
    return struct.unpack_from("<q", reply, 16)[0]

def name(n):
    return n.ljust(64, b"\0")[:64]

def upload(s, n, size, offset, piece, pad=0):
    return call(s, UPLOAD, name(n) + struct.pack("<QQ", size, offset), piece, pad)

def expect(what, got, want):
    if got != want:
        sys.exit("%s: rc %d, want %d" % (what, got, want))
    print("# %s: %s" % (what, errno.errorcode.get(-got, got) if got else "0"))

s = conn()
expect("a piece before the first", upload(s, b"x", 100, 10, b"a" * 10), -errno.EINVAL)
expect("size 0", upload(s, b"x", 0, 0, b""), -errno.EINVAL)
expect("size over 2 MiB", upload(s, b"x", (2 << 20) + 1, 0, b"a"), -errno.E2BIG)
expect("an empty name", upload(s, b"", 100, 0, b"a"), -errno.EINVAL)
expect("a name with a slash", upload(s, b"a/b", 100, 0, b"a"), -errno.EINVAL)
expect("a name of 64 octets", upload(s, b"n" * 64, 100, 0, b"a"), -errno.EINVAL)
expect("padding set", upload(s, b"x", 100, 0, b"a", pad=1), -errno.EINVAL)
expect("a first piece", upload(s, b"x", 100, 0, b"a" * 10), 0)
expect("a piece out of order", upload(s, b"x", 100, 20, b"a" * 10), -errno.EINVAL)
expect("(the upload was dropped)", upload(s, b"x", 100, 10, b"a" * 10), -errno.EINVAL)
expect("a first piece again", upload(s, b"x", 100, 0, b"a" * 10), 0)
expect("another size", upload(s, b"x", 200, 10, b"a" * 10), -errno.EINVAL)
expect("a first piece, third time", upload(s, b"x", 100, 0, b"a" * 10), 0)
expect("a piece past the end", upload(s, b"x", 100, 10, b"a" * 91), -errno.EINVAL)
expect("garbage, whole", upload(s, b"x", 100, 0, b"a" * 100), -errno.EINVAL)
# Half an upload on each of four connections, then a fifth: busy.
held = [conn() for _ in range(4)]
for i, c in enumerate(held):
    expect("half an upload on connection %d" % i,
           upload(c, b"h%d" % i, len(payload), 0, payload[:1000]), 0)
expect("a fifth upload at once", upload(conn(), b"h4", len(payload), 0, payload[:1000]),
       -errno.EBUSY)
# A client that starts again keeps the others' uploads going.
expect("connection 0 starts again", upload(held[0], b"h0", len(payload), 0, payload[:1000]), 0)
expect("connection 1 goes on", upload(held[1], b"h1", len(payload), 1000, payload[1000:2000]), 0)
for c in held:
    c.close()  # the clients go away: their halves are dropped
expect("LIST of 0", call(s, LIST, struct.pack("<IIII", 0, 0, 0, 0)), -errno.EINVAL)
expect("LIST of 65", call(s, LIST, struct.pack("<IIII", 0, 65, 0, 0)), -errno.EINVAL)
expect("GET of nothing", call(s, GET, name(b"nothing") + bytes(8)), -errno.ENOENT)
expect("ACTION on nothing", call(s, ACTION, name(b"nothing") + struct.pack("<IIQ", 3, 0, 0)),
       -errno.ENOENT)
expect("an unknown op", call(s, 9, b""), -errno.EOPNOTSUPP)
# A real payload, for the action checks.
expect("hello, whole", upload(s, b"hello", len(payload), 0, payload), 0)
for what, cmd, flags, timeout in (("an unknown action", 9, 0, 0), ("unknown flags", 3, 2, 0),
                                  ("a timeout over 1 s", 3, 0, 1000000001),
                                  ("REVERT of a checked payload", 2, 0, 0)):
    expect(what, call(s, ACTION, name(b"hello") + struct.pack("<IIQ", cmd, flags, timeout)),
           -errno.EINVAL)
expect("a second upload of hello", upload(s, b"hello", len(payload), 0, payload), -errno.EEXIST)
expect("UNLOAD of hello", call(s, ACTION, name(b"hello") + struct.pack("<IIQ", 1, 0, 0)), 0)
PY

# Not root, not in hvd's group: every operation is refused.
dir=$HV_TMP/nobody-bin
# (copies nobody can read: the tree may be in root's home)
mkdir "$dir" && cp "$PATCHTOOL" "$dir/patchtool" && cp -P "$HV_TOP"/tools/libhvctl/.libs/libhvctl.so* "$dir/" &&
    cp "$lp/hello.livepatch" "$dir/" || fail "cannot copy patchtool for nobody"
chmod -R a+rX "$HV_TMP"
for args in "list" "upload x $dir/hello.livepatch" "apply x" "unload x"; do
    # shellcheck disable=SC2086
    expect_error "Operation not permitted" timeout 60 setpriv --reuid=nobody --regid=nogroup \
        --clear-groups -- env LD_LIBRARY_PATH="$dir" "$dir/patchtool" $args
done

for _ in $(seq 50); do [ "$(lp_bytes)" = 0 ] && break; sleep 0.1; done
[ "$(lp_bytes)" = 0 ] || fail "hvd holds $(lp_bytes) octets for live patches at the end"
hv_check_baseline
hv_stop
echo ok
