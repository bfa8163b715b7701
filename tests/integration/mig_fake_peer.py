"""A hostile peer for hvcli migrate and migrate-receive (the handshake of
docs/specs/save-stream.md, section 14).

    mig_fake_peer.py receiver MODE    listen on 127.0.0.1 (prints the port),
                                      take one sender and misbehave:
        garbage     answer HELLO with 16 octets that are not a message
        no-read     answer WELCOME, then never read again
        no-done     answer WELCOME, read the stream to END, say READY,
                    read GO, then go silent (never DONE)
    mig_fake_peer.py sender MODE PORT TOKEN [IMAGE]   connect to a receiver:
        garbage     send 16 octets that are not a message
        huge        send a HELLO header claiming 4 GiB of payload
        stall       send HELLO, then the first MiB of save image IMAGE
                    (a valid start), then stall with the connection open
Prints what happened; exits 0 when the peer behaved as the mode expects
to have been able to test (the checks of the outcome are the script's).
"""
import socket
import struct
import sys
import time

MAGIC = b"HVMG"


def msg(mtype, payload=b""):
    pad = (8 - len(payload) % 8) % 8
    return MAGIC + struct.pack("<III", mtype, len(payload), 0) + payload + bytes(pad)


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("the peer closed after %d of %d octets" % (len(data), n))
        data += chunk
    return data


def read_msg(s):
    hdr = read_exact(s, 16)
    mtype, length = struct.unpack_from("<II", hdr, 4)
    read_exact(s, length + (8 - length % 8) % 8)
    return mtype


def read_stream(s):
    """Read a save stream up to and including END; return its octets."""
    total = 24
    read_exact(s, 24)
    dom = read_exact(s, 32)
    config_len = struct.unpack_from("<I", dom, 24)[0]
    read_exact(s, config_len + (8 - config_len % 8) % 8)
    total += 32 + config_len
    while True:
        rtype, length = struct.unpack("<II", read_exact(s, 8))
        body = length + (8 - length % 8) % 8
        while body:
            body -= len(read_exact(s, min(body, 1 << 20)))
        total += 8 + length
        if rtype == 1:
            return total


def receiver(mode):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    print("port %d" % lst.getsockname()[1], flush=True)
    s, _ = lst.accept()
    print("HELLO: type %d" % read_msg(s), flush=True)
    if mode == "garbage":
        s.sendall(b"not a message!!!")
        time.sleep(2)
        return 0
    s.sendall(msg(2, struct.pack("<II", 1, 0x10002)))
    if mode == "no-read":
        time.sleep(600)  # the sender must give up first
        return 1
    print("stream: %d octets to END" % read_stream(s), flush=True)
    s.sendall(msg(3, struct.pack("<II", 99, 0)))
    print("after READY: type %d" % read_msg(s), flush=True)
    time.sleep(600)  # never DONE: the sender must give up first
    return 1


def sender(mode, port, token, image=None):
    s = socket.create_connection(("127.0.0.1", int(port)))
    if mode == "garbage":
        s.sendall(b"not a message!!!")
    elif mode == "huge":
        s.sendall(MAGIC + struct.pack("<III", 1, 0xFFFFFFFF, 0))
    else:
        tok = token.encode().ljust(40, b"\0")
        s.sendall(msg(1, struct.pack("<IIQQ", 1, 0, 4096, 4096) + tok))
        print("answer: type %d" % read_msg(s), flush=True)
        s.sendall(open(image, "rb").read(1 << 20))
    try:
        s.settimeout(600)
        print("the receiver said: %r" % s.recv(4096)[:64], flush=True)
    except OSError as e:
        print("the receiver: %s" % e, flush=True)
    return 0


if __name__ == "__main__":
    role = sys.argv[1]
    sys.exit(receiver(sys.argv[2]) if role == "receiver" else sender(*sys.argv[2:]))
