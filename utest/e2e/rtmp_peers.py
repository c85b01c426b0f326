# SPDX-License-Identifier: MIT
"""A small RTMP client of the tests' own (simple handshake, chunk stream, AMF0, commands), to do what
ffmpeg will not: a chosen tcUrl, a chunk-size change mid-stream, extended timestamps, byte-exact
checks of what a player receives. Written from the RTMP specification, independent of the C code.
Also the helpers the RTMP and live HTTP tests share: mock origins, ffmpeg peers, leak counters."""
import json
import os
import re
import socket
import struct
import subprocess
import time

import pytest

from conftest import MockOrigin, Proxy, free_port, http_json, http_request, sanitizer_report
from http_peers import media

SET_CHUNK_SIZE, ACK, USER_CONTROL, WINDOW_ACK_SIZE, SET_PEER_BW = 1, 3, 4, 5, 6
AUDIO, VIDEO, DATA, COMMAND = 8, 9, 18, 20


# ---- AMF0 ----

class Undefined:
    pass


def amf0_encode(v):
    if v is None:
        return b"\x05"
    if isinstance(v, Undefined):
        return b"\x06"
    if isinstance(v, bool):
        return b"\x01" + (b"\x01" if v else b"\x00")
    if isinstance(v, (int, float)):
        return b"\x00" + struct.pack(">d", float(v))
    if isinstance(v, str):
        b = v.encode()
        return b"\x02" + struct.pack(">H", len(b)) + b
    if isinstance(v, dict):
        out = b"\x03"
        for k, x in v.items():
            kb = k.encode()
            out += struct.pack(">H", len(kb)) + kb + amf0_encode(x)
        return out + b"\x00\x00\x09"
    raise TypeError(type(v))


def amf0_decode(data, pos=0):
    """One value from data[pos:]; returns (value, new pos)."""
    marker = data[pos]
    pos += 1
    if marker == 0x00:
        return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
    if marker == 0x01:
        return data[pos] != 0, pos + 1
    if marker == 0x02:
        n = struct.unpack(">H", data[pos:pos + 2])[0]
        return data[pos + 2:pos + 2 + n].decode(errors="replace"), pos + 2 + n
    if marker in (0x03, 0x08):
        if marker == 0x08:
            pos += 4
        obj = {}
        while pos < len(data):
            n = struct.unpack(">H", data[pos:pos + 2])[0]
            if n == 0 and data[pos + 2] == 0x09:
                return obj, pos + 3
            key = data[pos + 2:pos + 2 + n].decode(errors="replace")
            obj[key], pos = amf0_decode(data, pos + 2 + n)
        return obj, pos
    if marker in (0x05, 0x06):
        return None, pos
    if marker == 0x0A:
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        pos += 4
        items = []
        for _ in range(n):
            v, pos = amf0_decode(data, pos)
            items.append(v)
        return items, pos
    raise ValueError("AMF0 marker %d" % marker)


def amf0_decode_all(data):
    values, pos = [], 0
    while pos < len(data):
        v, pos = amf0_decode(data, pos)
        values.append(v)
    return values


# ---- FLV ----

def flv_tags(path):
    """(type, timestamp, data) of every tag of an FLV file."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:3] == b"FLV"
    pos = struct.unpack(">I", data[5:9])[0] + 4
    tags = []
    while pos + 11 <= len(data):
        t = data[pos] & 0x1F
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        ts = int.from_bytes(data[pos + 4:pos + 7], "big") | (data[pos + 7] << 24)
        tags.append((t, ts, data[pos + 11:pos + 11 + size]))
        pos += 11 + size + 4
    return tags


# ---- The client ----

class RtmpClient:
    def __init__(self, host, port, timeout=10):
        self.sock = socket.create_connection((host, port), timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.in_chunk = 128
        self.out_chunk = 128
        self.streams = {}   # csid → [ts, length, type, msid, delta, payload so far, extended]
        self.stream_id = 0
        self.tid = 1
        self.handshake()

    # -- bytes --
    def recv_exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("peer closed")
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def handshake(self):
        c1 = struct.pack(">II", int(time.time()) & 0xFFFFFFFF, 0) + bytes((i * 7) & 0xFF for i in range(1528))
        self.sock.sendall(b"\x03" + c1)
        s0s1s2 = self.recv_exact(1 + 1536 * 2)
        assert s0s1s2[0] == 3, s0s1s2[0]
        self.sock.sendall(s0s1s2[1:1537])

    # -- chunks --
    def send_message(self, msg_type, payload, msid=0, csid=3, timestamp=0):
        ext = timestamp >= 0xFFFFFF
        basic = bytes([csid]) if csid < 64 else bytes([0, csid - 64])
        head = basic + (0xFFFFFF if ext else timestamp).to_bytes(3, "big") + len(payload).to_bytes(3, "big") + \
            bytes([msg_type]) + struct.pack("<I", msid)
        if ext:
            head += struct.pack(">I", timestamp)
        cont = bytes([0xC0 | csid]) if csid < 64 else bytes([0xC0, csid - 64])
        if ext:
            cont += struct.pack(">I", timestamp)
        out = bytearray(head)
        for i in range(0, max(len(payload), 1), self.out_chunk):
            if i:
                out += cont
            out += payload[i:i + self.out_chunk]
        self.sock.sendall(bytes(out))

    def set_chunk_size(self, size):
        self.send_message(SET_CHUNK_SIZE, struct.pack(">I", size), csid=2)
        self.out_chunk = size

    def read_message(self):
        """(type, timestamp, msid, payload) of the next whole message; applies SetChunkSize."""
        while True:
            b0 = self.recv_exact(1)[0]
            fmt, csid = b0 >> 6, b0 & 0x3F
            if csid == 0:
                csid = 64 + self.recv_exact(1)[0]
            elif csid == 1:
                x = self.recv_exact(2)
                csid = 64 + x[0] + x[1] * 256
            st = self.streams.setdefault(csid, [0, 0, 0, 0, 0, b"", False])
            if fmt <= 2:
                h = self.recv_exact([11, 7, 3][fmt])
                ts = int.from_bytes(h[0:3], "big")
                if fmt <= 1:
                    st[1] = int.from_bytes(h[3:6], "big")
                    st[2] = h[6]
                if fmt == 0:
                    st[3] = struct.unpack("<I", h[7:11])[0]
                st[6] = ts == 0xFFFFFF
                if st[6]:
                    ts = struct.unpack(">I", self.recv_exact(4))[0]
                if fmt == 0:
                    st[0] = ts
                else:
                    st[4] = ts
                    st[0] += ts
            else:
                if st[6]:
                    self.recv_exact(4)  # our peers always repeat the extended timestamp
                if not st[5]:
                    st[0] += st[4]
            n = min(self.in_chunk, st[1] - len(st[5]))
            st[5] += self.recv_exact(n)
            if len(st[5]) < st[1]:
                continue
            payload, st[5] = st[5], b""
            if st[2] == SET_CHUNK_SIZE:
                self.in_chunk = struct.unpack(">I", payload[:4])[0]
            return st[2], st[0], st[3], payload

    # -- commands --
    def command(self, name, tid, obj, *args, msid=0, csid=3):
        payload = amf0_encode(name) + amf0_encode(tid) + amf0_encode(obj) + b"".join(amf0_encode(a) for a in args)
        self.send_message(COMMAND, payload, msid=msid, csid=csid)

    def wait_command(self, want, timeout=10):
        """Read until a command for which want(values) is true; returns its values."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            t, _, _, payload = self.read_message()
            if t == COMMAND:
                values = amf0_decode_all(payload)
                if want(values):
                    return values
        raise TimeoutError("no such command")

    def connect(self, tc_url, app, **extra):
        obj = {"app": app, "flashVer": "e2e/1.0", "tcUrl": tc_url}
        obj.update(extra)
        self.command("connect", 1, obj)
        return self.wait_command(lambda v: v[0] in ("_result", "_error") and v[1] == 1)

    def create_stream(self):
        self.tid += 1
        tid = self.tid
        self.command("createStream", tid, None)
        v = self.wait_command(lambda v: v[0] in ("_result", "_error") and v[1] == tid)
        assert v[0] == "_result", v
        self.stream_id = int(v[3])
        return self.stream_id

    def on_status(self):
        """The next onStatus info object."""
        return self.wait_command(lambda v: v[0] == "onStatus")[3]

    def publish(self, stream):
        self.tid += 1
        self.command("releaseStream", self.tid, None, stream)
        self.tid += 1
        self.command("FCPublish", self.tid, None, stream)
        self.create_stream()
        self.command("publish", 0, None, stream, "live", msid=self.stream_id, csid=5)
        return self.on_status()

    def play(self, stream):
        self.create_stream()
        self.command("play", 0, None, stream, msid=self.stream_id, csid=5)
        while True:
            info = self.on_status()
            if info.get("code") != "NetStream.Play.Reset":
                return info

    def send_media(self, msg_type, timestamp, payload):
        csid = {AUDIO: 7, VIDEO: 6}.get(msg_type, 5)
        self.send_message(msg_type, payload, msid=self.stream_id, csid=csid, timestamp=timestamp)

    def media_until_eof(self, timeout=30):
        """(type, timestamp, payload) of every audio/video message until the peer closes."""
        got = []
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                t, ts, _, payload = self.read_message()
                if t in (AUDIO, VIDEO):
                    got.append((t, ts, payload))
        except (EOFError, ConnectionError):
            return got
        raise TimeoutError("no EOF after %d messages" % len(got))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- Test helpers ----

def wait_for(cond, timeout=10, step=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timeout waiting for " + what)


class Origins:
    """n srs-mock-origins (RTMP and HTTP on), registered with the proxy."""

    def __init__(self, proxy, n=1, extra=()):
        self.mocks = []
        for i in range(n):
            m = MockOrigin(proxy, ["-rtmp", free_port(), "-http", free_port(), "-interval", 1,
                                   "-server", "mock%d" % i] + list(extra), name="mock%d" % i)
            m.server = "mock%d" % i
            self.mocks.append(m)
        wait_for(lambda: len(http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"]) == n,
                 what="%d origins registered" % n)

    def by_server(self, server):
        return next(m for m in self.mocks if m.server == server)

    def stop(self):
        for m in self.mocks:
            m.stop()
            assert not sanitizer_report(m.output()), m.output()


@pytest.fixture
def rtmp_proxy():
    """The proxy with its debug listener on, so coroutines can be counted."""
    pprof_port = free_port()
    p = Proxy({"PROXY_PPROF": "127.0.0.1:%d" % pprof_port})
    p.pprof_port = pprof_port
    yield p
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, "srs-proxy exit status %s:\n%s" % (rc, out)


def rtmp_url(proxy, path):
    return "rtmp://127.0.0.1:%d%s" % (proxy.port("RTMP_SERVER"), path)


def ffmpeg_publish(url, loop=False, realtime=True):
    argv = ["ffmpeg", "-v", "error"] + (["-re"] if realtime else []) + (["-stream_loop", "-1"] if loop else []) + \
        ["-i", os.path.join(media(), "s.flv"), "-c", "copy", "-f", "flv", url]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ffmpeg_record(url, path):
    return subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-i", url, "-c", "copy", "-f", "flv", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stream_info(path):
    """Codec parameters and decoded frame counts of the first video and audio streams."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=codec_type,codec_name,profile,width,height,sample_rate,channels,nb_read_frames",
                          "-of", "json", path], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    streams = {s["codec_type"]: s for s in json.loads(out.stdout)["streams"]}
    return streams["video"], streams["audio"]


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def coroutine_count(proxy):
    status, _, body = http_request(proxy.pprof_port, "GET", "/debug/pprof/goroutine?debug=1")
    if status != 200:
        return None
    return int(re.search(rb"total (\d+)", body).group(1))
