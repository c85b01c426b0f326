#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Latency the proxy adds, per protocol: the same request straight to srs-mock-origin and through
srs-proxy, in one run, on 127.0.0.1.

    /usr/bin/python3 trunk/scripts/bench-latency.py [-n 30] [--nagle] [--write]

Control round trips (median and p90 of -n tries, in ms): RTMP TCP connect → connect _result, →
publish onStatus, → first media message of a play; HTTP-FLV request → first byte and first video
tag; HLS playlist and segment; WHEP offer → answer; SRT caller start → first data (srt-live-transmit,
whose process start is in both columns). Steady state: the age of each relayed RTMP and HTTP-FLV
message when a player reads it (the publisher stamps it), direct and through the proxy, and for the
proxy's player socket the syscalls (strace -c) and TCP segments (ss segs_out) per message.

--nagle runs the proxy with TCP_NODELAY turned off (an LD_PRELOAD shim drops the setsockopt), to
show what the proxy did before it set it. --write puts the tables into trunk/doc/performance.md
between the "bench-latency" markers. Benchmarks only: nothing here is a test assertion.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "utest", "e2e"))

from conftest import MockOrigin, Proxy, free_port, http_json  # noqa: E402
from http_peers import media  # noqa: E402
from rtmp_peers import RtmpClient, wait_for  # noqa: E402

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
int setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
    static int (*real)(int, int, int, const void *, socklen_t);
    if (!real) real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
    if (level == IPPROTO_TCP && name == TCP_NODELAY) return 0;
    return real(fd, level, name, v, len);
}
"""

MARK_BEGIN = "<!-- bench-latency: begin -->"
MARK_END = "<!-- bench-latency: end -->"


def build_shim():
    d = tempfile.mkdtemp(prefix="srs-nagle-")
    src = os.path.join(d, "nagle.c")
    with open(src, "w") as f:
        f.write(SHIM)
    so = os.path.join(d, "nagle.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", so, src, "-ldl"], check=True)
    return so


def ms(samples):
    s = sorted(samples)
    return statistics.median(s) * 1000, s[min(len(s) - 1, int(len(s) * 0.9))] * 1000


def nodelay(sock):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


# ---- RTMP ----

def rtmp_connect(port):
    """TCP connect → connect _result; returns (client, seconds)."""
    t0 = time.perf_counter()
    c = RtmpClient("127.0.0.1", port)
    nodelay(c.sock)
    c.connect("rtmp://127.0.0.1:%d/live" % port, "live")
    return c, time.perf_counter() - t0


def rtmp_publish_once(port, stream):
    t0 = time.perf_counter()
    c = RtmpClient("127.0.0.1", port)
    nodelay(c.sock)
    c.connect("rtmp://127.0.0.1:%d/live" % port, "live")
    code = c.publish(stream)["code"]
    took = time.perf_counter() - t0
    c.close()
    assert code == "NetStream.Publish.Start", code
    return took


def rtmp_play_first_media(port, stream):
    t0 = time.perf_counter()
    c = RtmpClient("127.0.0.1", port)
    nodelay(c.sock)
    c.connect("rtmp://127.0.0.1:%d/live" % port, "live")
    c.play(stream)
    while True:
        t, _, _, _ = c.read_message()
        if t in (8, 9):
            took = time.perf_counter() - t0
            c.close()
            return took


class StampingPublisher:
    """Publishes live/<stream> to an origin: a video keyframe every `period` s, its payload
    stamped with time.perf_counter() at the send."""

    def __init__(self, port, stream, period=0.02, size=1200):
        self.c = RtmpClient("127.0.0.1", port)
        nodelay(self.c.sock)
        self.c.connect("rtmp://127.0.0.1:%d/live" % port, "live")
        assert self.c.publish(stream)["code"] == "NetStream.Publish.Start"
        self.c.set_chunk_size(60000)
        self.period, self.size, self.stop_flag, self.sent = period, size, False, 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        ts = 0
        while not self.stop_flag:
            payload = b"\x17\x01\x00\x00\x00" + struct.pack(">d", time.perf_counter())
            payload += b"\x00" * (self.size - len(payload))
            try:
                self.c.send_message(9, payload, msid=self.c.stream_id, csid=6, timestamp=ts)
            except OSError:
                return
            self.sent += 1
            ts += int(self.period * 1000)
            time.sleep(self.period)

    def stop(self):
        self.stop_flag = True
        self.thread.join()
        self.c.close()


def stamp_of(payload):
    if len(payload) >= 13 and payload[0] == 0x17 and payload[1] == 0x01:
        return struct.unpack(">d", payload[5:13])[0]
    return None


def rtmp_steady(port, stream, seconds):
    """Ages (s) of the stamped messages a player of live/<stream> reads for `seconds`."""
    c = RtmpClient("127.0.0.1", port)
    nodelay(c.sock)
    c.connect("rtmp://127.0.0.1:%d/live" % port, "live")
    c.play(stream)
    ages, end, skip = [], time.perf_counter() + seconds, 5  # the GOP cache first
    local_port = c.sock.getsockname()[1]
    while time.perf_counter() < end:
        t, _, _, payload = c.read_message()
        stamp = stamp_of(payload) if t == 9 else None
        if stamp is None:
            continue
        if skip:
            skip -= 1
            continue
        ages.append(time.perf_counter() - stamp)
    return c, ages, local_port


# ---- HTTP ----

def http_get_first(port, path, want_video=False):
    """GET → (first byte, first video tag) seconds; the connection is closed after."""
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port), 10)
    nodelay(s)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
    buf = s.recv(65536)
    first = time.perf_counter() - t0
    video = None
    if want_video:
        while b"\x09" not in buf[buf.find(b"\r\n\r\n") + 4 + 13:] or len(buf) < 400:
            more = s.recv(65536)
            if not more:
                break
            buf += more
        video = time.perf_counter() - t0
    s.close()
    return first, video


def http_get_all(port, path):
    """A whole response (Content-Length) on a new connection: seconds and body."""
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port), 10)
    nodelay(s)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path).encode())
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Length: (\d+)", head, re.I)
        if m and len(body) >= int(m.group(1)):
            break
    took = time.perf_counter() - t0
    s.close()
    return took, buf.partition(b"\r\n\r\n")[2].decode(errors="replace")


def flv_steady(port, path, seconds):
    """Ages of stamped video tags an HTTP-FLV player reads (chunked body parsed)."""
    s = socket.create_connection(("127.0.0.1", port), 10)
    nodelay(s)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
    raw = b""
    while b"\r\n\r\n" not in raw:
        raw += s.recv(65536)
    raw = raw.partition(b"\r\n\r\n")[2]
    body, ages, end, skip = b"", [], time.perf_counter() + seconds, 5
    pos = 13
    while time.perf_counter() < end:
        # de-chunk what we have
        while True:
            m = re.match(rb"([0-9a-fA-F]+)\r\n", raw)
            if not m:
                break
            n = int(m.group(1), 16)
            if len(raw) < m.end() + n + 2:
                break
            body += raw[m.end():m.end() + n]
            raw = raw[m.end() + n + 2:]
        while len(body) >= pos + 11:
            size = int.from_bytes(body[pos + 1:pos + 4], "big")
            if len(body) < pos + 11 + size + 4:
                break
            if body[pos] == 9:
                stamp = stamp_of(body[pos + 11:pos + 11 + size])
                if stamp is not None:
                    if skip:
                        skip -= 1
                    else:
                        ages.append(time.perf_counter() - stamp)
            pos += 11 + size + 4
        more = s.recv(65536)
        if not more:
            break
        raw += more
    s.close()
    return ages


# ---- WHEP, SRT ----

def make_offer(ufrag):
    """A browser-like offer (Opus, H.264) as srs-mock-origin answers it."""
    common = ("c=IN IP4 0.0.0.0\r\na=ice-ufrag:%s\r\na=ice-pwd:benchpassword0123456789\r\n"
              "a=fingerprint:sha-256 %s\r\na=setup:actpass\r\na=rtcp-mux\r\na=recvonly\r\n" % (ufrag, ":".join(["AB"] * 32)))
    return ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + common + "a=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
            "m=video 9 UDP/TLS/RTP/SAVPF 106\r\n" + common + "a=mid:1\r\na=rtpmap:106 H264/90000\r\n"
            "a=fmtp:106 packetization-mode=1;profile-level-id=42e01f\r\n")


def whep_once(port, i):
    offer = make_offer("bench%06d" % i)
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port), 10)
    nodelay(s)
    req = ("POST /rtc/v1/whep/?app=live&stream=w HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sdp\r\n"
           "Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(offer), offer))
    s.sendall(req.encode())
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Length: (\d+)", head, re.I)
        if m and len(body) >= int(m.group(1)):
            break
    took = time.perf_counter() - t0
    s.close()
    assert buf.startswith(b"HTTP/1.1 201"), buf[:200]
    return took


def srt_first_data(port, stream):
    t0 = time.perf_counter()
    p = subprocess.Popen(["srt-live-transmit", "-q", "srt://127.0.0.1:%d?streamid=#!::r=live/%s,m=request" % (port, stream),
                          "file://con"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = p.stdout.read(1)
    took = time.perf_counter() - t0
    p.kill()
    p.wait()
    assert first, "no SRT data"
    return took


# ---- syscalls and segments on the proxy's side ----

def segs_out(local_port):
    """TCP segments the proxy sent on its socket to the player at local_port."""
    out = subprocess.run(["ss", "-tinH", "state", "established", "( dport = :%d )" % local_port],
                         capture_output=True, text=True).stdout
    m = re.search(r"segs_out:(\d+)", out)
    return int(m.group(1)) if m else None


def run(args, nagle):
    env = {"PROXY_LOG_LEVEL": "warn"}
    if nagle:
        env["LD_PRELOAD"] = build_shim()
    proxy = Proxy(env)
    d = media()
    ports = {k: free_port() for k in ("rtmp", "http", "api")}
    ports["rtc"] = free_port(socket.SOCK_DGRAM)
    ports["srt"] = free_port(socket.SOCK_DGRAM)
    mock = MockOrigin(proxy, ["-log", "warn", "-rtmp", ports["rtmp"], "-http", ports["http"], "-api", ports["api"],
                              "-rtc", ports["rtc"], "-srt", ports["srt"], "-flv", os.path.join(d, "s.flv"),
                              "-hls", d, "-interval", 1])
    rows, steady = [], []
    try:
        wait_for(lambda: http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"],
                 what="origin registered")
        direct = {"rtmp": ports["rtmp"], "http": ports["http"], "api": ports["api"], "srt": ports["srt"]}
        via = {"rtmp": proxy.port("RTMP_SERVER"), "http": proxy.port("HTTP_SERVER"), "api": proxy.port("HTTP_API"),
               "srt": proxy.port("SRT_SERVER")}
        n = args.n

        def row(name, fn):
            dd, pp = [], []
            for i in range(n):
                dd.append(fn(direct, i))
                pp.append(fn(via, i))
            rows.append((name, ms(dd), ms(pp)))

        def connect_only(t, i):
            c, took = rtmp_connect(t["rtmp"])
            c.close()
            return took
        row("RTMP TCP connect → connect _result", connect_only)
        row("RTMP TCP connect → publish onStatus", lambda t, i: rtmp_publish_once(t["rtmp"], "p%d" % i))

        pub = StampingPublisher(ports["rtmp"], "steady")
        try:
            time.sleep(0.3)
            row("RTMP TCP connect → first media message of a play", lambda t, i: rtmp_play_first_media(t["rtmp"], "steady"))
            flv = {}

            def flv_first(t, i):
                first, video = http_get_first(t["http"], "/live/steady.flv", want_video=True)
                flv.setdefault(t["http"], []).append(video)
                return first
            row("HTTP-FLV request → first byte", flv_first)
            rows.append(("HTTP-FLV request → first video tag", ms(flv[direct["http"]]), ms(flv[via["http"]])))

            # Steady state: RTMP and FLV players, direct and through the proxy.
            seconds = args.steady
            c, a_direct, _ = rtmp_steady(direct["rtmp"], "steady", seconds)
            c.close()
            before = pub.sent
            strace = None
            if shutil.which("strace"):
                strace = subprocess.Popen(["strace", "-c", "-f", "-p", str(proxy.proc.pid), "-e",
                                           "trace=writev,write,sendmsg,read,readv,recvfrom"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                time.sleep(0.5)
            c, a_proxy, player_port = rtmp_steady(via["rtmp"], "steady", seconds)
            relayed = pub.sent - before
            segs = segs_out(player_port)
            c.close()
            calls = None
            if strace:
                strace.send_signal(signal.SIGINT)
                report = strace.communicate(timeout=10)[1]
                calls = {m.group(2): int(m.group(1)) for m in re.finditer(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", report, re.M) if m.group(2) != "total"}
            steady.append(("RTMP play", ms(a_direct), ms(a_proxy), relayed, calls, segs))
            f_direct = flv_steady(direct["http"], "/live/steady.flv", seconds)
            f_proxy = flv_steady(via["http"], "/live/steady.flv", seconds)
            steady.append(("HTTP-FLV play", ms(f_direct), ms(f_proxy), None, None, None))
        finally:
            pub.stop()

        # HLS: the master playlist (the proxy fetches and rewrites it), then a segment.
        def hls_playlist(t, i):
            took, _ = http_get_all(t["http"], "/hls/s.m3u8")
            return took
        row("HLS playlist (first request)", hls_playlist)
        seg = {}
        for name, t in (("direct", direct), ("proxy", via)):
            _, master = http_get_all(t["http"], "/hls/s.m3u8")
            media_uri = next(line for line in master.splitlines() if line and not line.startswith("#"))
            _, playlist = http_get_all(t["http"], media_uri if media_uri.startswith("/") else "/hls/" + media_uri)
            s = next(line for line in playlist.splitlines() if line and not line.startswith("#"))
            seg[t["http"]] = s if s.startswith("/") else "/hls/" + s
        row("HLS segment (whole, %d KiB)" % (os.path.getsize(os.path.join(d, "hls", "s0.ts")) // 1024),
            lambda t, i: http_get_all(t["http"], seg[t["http"]])[0])
        row("WHEP offer → answer", lambda t, i: whep_once(t["api"], i))

        srt_pub = subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", os.path.join(d, "s.flv"),
                                    "-c", "copy", "-f", "mpegts",
                                    "srt://127.0.0.1:%d?streamid=#!::r=live/srt,m=publish" % ports["srt"]],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)
            rows_n, args.n = args.n, min(args.n, 10)
            n = args.n
            row("SRT caller start → first data (incl. process start)", lambda t, i: srt_first_data(t["srt"], "srt"))
            args.n = rows_n
        finally:
            srt_pub.kill()
            srt_pub.wait()
    finally:
        mock.stop()
        proxy.stop()
    return rows, steady


def markdown(rows, steady, args, nagle):
    out = []
    out.append("Proxy %s. `%s`, %s, %d tries each (SRT %d), loopback, ms (median / p90):" % (
        "with TCP_NODELAY off (`--nagle`: what it did before)" if nagle else "as built",
        " ".join(["/usr/bin/python3", "trunk/scripts/bench-latency.py"] + sys.argv[1:]),
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), args.n, min(args.n, 10)))
    out.append("")
    out.append("| Round trip | direct | through the proxy | added (median) |")
    out.append("|---|---|---|---|")
    for name, (dm, dp), (pm, pp) in rows:
        out.append("| %s | %.2f / %.2f | %.2f / %.2f | %+.2f |" % (name, dm, dp, pm, pp, pm - dm))
    out.append("")
    out.append("Steady state, age of a relayed message when the player reads it (publisher straight at the "
               "origin; the player direct or through the proxy), ms (median / p90):")
    out.append("")
    out.append("| Player | direct | through the proxy | added (median) | proxy syscalls per message | segments per message to the player |")
    out.append("|---|---|---|---|---|---|")
    for name, (dm, dp), (pm, pp), relayed, calls, segs in steady:
        per = "-"
        if calls and relayed:
            per = ", ".join("%s %.2f" % (k, v / relayed) for k, v in sorted(calls.items()))
        seg = "%.2f" % (segs / relayed) if segs and relayed else "-"
        out.append("| %s | %.2f / %.2f | %.2f / %.2f | %+.2f | %s | %s |" % (name, dm, dp, pm, pp, pm - dm, per, seg))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=30, help="tries per round trip (default 30)")
    ap.add_argument("--steady", type=float, default=5, help="seconds of steady-state play per player (default 5)")
    ap.add_argument("--nagle", action="store_true", help="also run with TCP_NODELAY off in the proxy (before)")
    ap.add_argument("--write", action="store_true", help="write the tables into trunk/doc/performance.md")
    args = ap.parse_args()
    parts = []
    rows, steady = run(args, False)
    parts.append(markdown(rows, steady, args, False))
    if args.nagle:
        rows, steady = run(args, True)
        parts.append(markdown(rows, steady, args, True))
    text = "\n\n".join(parts)
    print(text)
    if args.write:
        path = os.path.join(ROOT, "trunk", "doc", "performance.md")
        with open(path) as f:
            doc = f.read()
        begin, end = doc.find(MARK_BEGIN), doc.find(MARK_END)
        if begin < 0 or end < 0:
            raise SystemExit("markers %s / %s not found in %s" % (MARK_BEGIN, MARK_END, path))
        doc = doc[:begin + len(MARK_BEGIN)] + "\n" + text + "\n" + doc[end:]
        with open(path, "w") as f:
            f.write(doc)


if __name__ == "__main__":
    main()
