# SPDX-License-Identifier: MIT
"""SRT through the proxy: real callers (ffmpeg, srt-live-transmit) publish and play through the
proxy to srs-mock-origin (libsrt), plus a raw SRT client for what real callers never send."""
import json
import os
import random
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import MockOrigin, Proxy, free_port, http_json, http_request, sanitizer_report
from http_peers import count_frames, media

HS_INDUCTION = 1
HS_CONCLUSION = 0xFFFFFFFF
SRT_MAGIC = 0x4A17
# HSREQ as libsrt 1.5.1 sends it: version 1.5.1, flags 0xbf, 120 ms TSBPD delays.
HSREQ = struct.pack(">HH", 1, 3) + bytes.fromhex("00010501000000bf00780000")


def wait_for(cond, timeout=5.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def start_proxy(env=None):
    return Proxy(env or {})


def stop_proxy(p):
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, out
    return out


@pytest.fixture
def proxy():
    p = start_proxy()
    yield p
    stop_proxy(p)


def srt_sessions(proxy):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/sessions")
    assert status == 200
    return [s for s in body["sessions"] if s["type"] == "srt"]


def origins(proxy):
    return http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"]


class SrtOrigin:
    """srs-mock-origin with only its SRT server (and the rtmp port a heartbeat must carry)."""

    def __init__(self, proxy, server, passphrase=None):
        self.srt_port = free_port(socket.SOCK_DGRAM)
        args = ["-rtmp", free_port(), "-srt", self.srt_port, "-interval", "1", "-server", server]
        if passphrase:
            args += ["-srt-passphrase", passphrase]
        self.proc = MockOrigin(proxy, args, name="mock-" + server)
        assert wait_for(lambda: any(o["server"] == server for o in origins(proxy)), 10), self.proc.output()

    def stop(self):
        assert self.proc.stop() == 0, self.proc.output()


def srt_url(proxy, streamid, extra=""):
    return "srt://127.0.0.1:%d?streamid=%s%s" % (proxy.port("SRT_SERVER"), streamid, extra)


def publish(url, seconds):
    """ffmpeg publishing the test media as MPEG-TS in real time, looped, for `seconds`."""
    src = os.path.join(media(), "s.flv")
    return subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", src, "-t", str(seconds),
                             "-c", "copy", "-f", "mpegts", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def play_ffmpeg(url, path, seconds, timeout=30):
    return subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", url, "-t", str(seconds), "-c", "copy", "-f", "mpegts", path],
                          capture_output=True, text=True, timeout=timeout)


def wait_established(proxy, role, stream_url_part, timeout=10):
    def found():
        return any(s["role"] == role and s["state"] == "established" and stream_url_part in s["stream_url"]
                   for s in srt_sessions(proxy))
    return wait_for(found, timeout)


def check_played(path):
    codec, frames = count_frames(path)
    assert codec == "h264" and frames > 0, (codec, frames)
    acodec, aframes = count_frames(path, "a:0")
    assert acodec == "aac" and aframes > 0, (acodec, aframes)


def test_publish_and_play_through_the_proxy(proxy, tmp_path):
    origin = SrtOrigin(proxy, "vid-srt1")
    pub = publish(srt_url(proxy, "#!::r=live/livestream,m=publish"), 12)
    try:
        assert wait_established(proxy, "publish", "live/livestream"), proxy.output()
        out = str(tmp_path / "play.ts")
        r = play_ffmpeg(srt_url(proxy, "#!::r=live/livestream,m=request"), out, 4)
        assert r.returncode == 0, r.stderr
        check_played(out)

        # Both went to the one origin; the publisher's session moved bytes to it.
        [s] = [s for s in srt_sessions(proxy) if s["role"] == "publish"]
        assert s["origin"] == "127.0.0.1:%d" % origin.srt_port
        assert s["stream_url"] == "__defaultVhost__/live/livestream"
        assert s["to_origin_bytes"] > 100000 and s["to_client_packets"] > 0   # media in, ACKs back
        assert s["client_socket_id"] and s["origin_socket_id"]
    finally:
        pub.kill()
        pub.wait()
        origin.stop()
    # The player said SHUTDOWN when it finished: its session ended at once, not at the idle timeout.
    assert wait_for(lambda: "reason=client shutdown" in proxy.output(), 2), proxy.output()


def test_passphrase_stream_and_a_wrong_passphrase(proxy, tmp_path):
    origin = SrtOrigin(proxy, "vid-srt-enc", passphrase="srs-proxy-secret")
    key = "&passphrase=srs-proxy-secret&pbkeylen=16"
    pub = publish(srt_url(proxy, "#!::r=live/secret,m=publish", key), 12)
    try:
        assert wait_established(proxy, "publish", "live/secret"), proxy.output()
        # srt-live-transmit plays, with SRS's plain stream id form: KMREQ/KMRSP went through untouched.
        out = tmp_path / "play.ts"
        with open(out, "wb") as f:
            r = subprocess.run(["srt-live-transmit", "-q", "-t:4", srt_url(proxy, "live/secret", key), "file://con"],
                               stdout=f, stderr=subprocess.PIPE, timeout=20)
        assert out.stat().st_size > 10000, r.stderr
        check_played(str(out))

        # A wrong passphrase: the origin's rejection reaches the caller at once (no 3 s timeout).
        start = time.time()
        r = play_ffmpeg(srt_url(proxy, "#!::r=live/secret,m=request", "&passphrase=wrong-passphrase&pbkeylen=16"),
                        str(tmp_path / "bad.ts"), 2, timeout=20)
        assert r.returncode != 0
        assert time.time() - start < 2.5, r.stderr
        assert wait_for(lambda: "rejected by origin" in proxy.output(), 2), proxy.output()
    finally:
        pub.kill()
        pub.wait()
        origin.stop()


class RawSrt:
    """A hand-made SRT caller: one UDP socket, handshakes built by hand."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(2)
        self.socket_id = random.randint(1, 0x3FFFFFFF)
        self.isn = random.randint(0, 0x7FFFFFFF)

    def handshake(self, version, enc, ext, hs_type, cookie, extensions=b"", dest=0):
        head = struct.pack(">IIII", 0x80000000, 0, 0, dest)
        body = struct.pack(">IHHIIIIII", version, enc, ext, self.isn, 1500, 8192, hs_type, self.socket_id, cookie)
        return head + body + bytes([1, 0, 0, 127]) + bytes(12) + extensions

    def send(self, proxy, data):
        self.sock.sendto(data, ("127.0.0.1", proxy.port("SRT_SERVER")))

    def recv(self, timeout=2):
        self.sock.settimeout(timeout)
        return self.sock.recv(65536)

    def induction(self, proxy):
        self.send(proxy, self.handshake(4, 0, 2, HS_INDUCTION, 0))
        return parse_handshake(self.recv())

    def conclusion(self, proxy, cookie, streamid):
        return self.handshake(5, 0, 5, HS_CONCLUSION, cookie, HSREQ + sid_extension(streamid))

    def connect(self, proxy, streamid):
        """Induction + conclusion; the conclusion response (or rejection) parsed."""
        cookie = self.induction(proxy)["cookie"]
        self.send(proxy, self.conclusion(proxy, cookie, streamid))
        return parse_handshake(self.recv(5))


def sid_extension(text):
    data = text.encode()
    data += bytes(-len(data) % 4)
    swapped = b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))
    return struct.pack(">HH", 5, len(swapped) // 4) + swapped


def parse_handshake(data):
    assert len(data) >= 64 and data[0] & 0x80 and data[1] == 0, data.hex()
    dest, = struct.unpack(">I", data[12:16])
    version, enc, ext, isn, mtu, flow, hs_type, sock_id, cookie = struct.unpack(">IHHIIIIII", data[16:48])
    return {"dest": dest, "version": version, "ext": ext, "type": hs_type, "socket_id": sock_id, "cookie": cookie,
            "peer_ip": data[48:64], "len": len(data)}


class SilentOrigin:
    """An origin whose SRT port reads every datagram and never answers."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self.stop_flag = False
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        self.sock.settimeout(0.2)
        while not self.stop_flag:
            try:
                self.sock.recv(65536)
                self.received += 1
            except OSError:
                continue

    def register(self, proxy):
        body = {"ip": "127.0.0.1", "server": "vid-silent", "service": "svc", "pid": "1", "rtmp": ["19350"],
                "srt": ["udp://0.0.0.0:%d" % self.port]}
        status, res = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(body),
                                {"Content-Type": "application/json"})
        assert status == 200, res

    def close(self):
        self.stop_flag = True
        self.sock.close()


def test_a_silent_origin_delays_no_other_session(proxy):
    silent = SilentOrigin()
    silent.register(proxy)
    good = SrtOrigin(proxy, "vid-good")
    try:
        # Picks are sticky: find one stream on each origin, as the SRT sessions will see them.
        on = {}
        for i in range(64):
            name = "s%d" % i
            status, body = http_json(proxy.port("SYSTEM_API"), "GET",
                                     "/api/v1/origins?pick=srt://127.0.0.1/live/%s" % name)
            assert status == 200, body
            on.setdefault(body["origin"]["server"], name)
            if len(on) == 2:
                break
        assert set(on) == {"vid-silent", "vid-good"}, on

        # A caller whose origin never answers...
        stuck = RawSrt()
        cookie = stuck.induction(proxy)["cookie"]
        stuck.send(proxy, stuck.conclusion(proxy, cookie, "#!::r=live/%s,m=publish" % on["vid-silent"]))
        assert wait_for(lambda: any(s["state"] == "handshake" for s in srt_sessions(proxy)), 2)

        # ...while another one connects to the good origin at once.
        pub = publish(srt_url(proxy, "#!::r=live/%s,m=publish" % on["vid-good"]), 3)
        assert wait_established(proxy, "publish", on["vid-good"], 1.5), proxy.output()
        assert [s["state"] for s in srt_sessions(proxy) if on["vid-silent"] in s["stream_url"]] == ["handshake"]
        pub.wait(20)
        assert pub.returncode == 0, pub.stderr.read()

        # The stuck caller gets a rejection (1000 + 1504, gateway timeout) after the retransmissions.
        res = parse_handshake(stuck.recv(6))
        assert res["type"] == 1000 + 1504 and res["dest"] == stuck.socket_id, res
        assert silent.received >= 6, silent.received   # the induction, every 250 ms
        assert wait_for(lambda: not srt_sessions(proxy), 3), srt_sessions(proxy)
        assert "origin handshake timeout" in proxy.output()
    finally:
        good.stop()
        silent.close()


def test_unreachable_or_missing_origin_rejects_at_once(proxy):
    # Nothing listens on the origin's SRT port: ICMP port unreachable, a rejection right away.
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    body = {"ip": "127.0.0.1", "server": "vid-gone", "service": "svc", "pid": "1", "rtmp": ["19350"],
            "srt": ["udp://0.0.0.0:%d" % port]}
    status, res = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(body),
                            {"Content-Type": "application/json"})
    assert status == 200, res
    c = RawSrt()
    start = time.time()
    res = c.connect(proxy, "#!::r=live/gone,m=publish")
    assert res["type"] == 1000 + 1502 and time.time() - start < 1.5, res
    assert wait_for(lambda: not srt_sessions(proxy), 2)
    assert "reason=origin unreachable" in proxy.output()

    # An origin without an SRT server: 1000 + 1503 (service unavailable).
    body.update({"server": "vid-nosrt", "srt": []})
    http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(body),
              {"Content-Type": "application/json"})
    for i in range(64):
        st, picked = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=srt://127.0.0.1/live/n%d" % i)
        if picked["origin"]["server"] == "vid-nosrt":
            res = RawSrt().connect(proxy, "#!::r=live/n%d" % i)
            assert res["type"] == 1000 + 1503, res
            break
    else:
        pytest.fail("no stream was picked for vid-nosrt")


def test_malformed_and_random_datagrams_leave_no_state(proxy):
    origin = SrtOrigin(proxy, "vid-srt-drop")
    try:
        c = RawSrt()
        # The induction answer: an HSv5 listener's, with a cookie, to our socket id.
        res = c.induction(proxy)
        assert (res["version"], res["ext"], res["type"], res["dest"], res["socket_id"]) == (
            5, SRT_MAGIC, HS_INDUCTION, c.socket_id, c.socket_id)
        assert res["cookie"] and res["peer_ip"] == bytes([1, 0, 0, 127]) + bytes(12)
        # Cookies are per client address: another port gets another one and cannot use ours.
        other = RawSrt()
        assert other.induction(proxy)["cookie"] != res["cookie"]
        other.send(proxy, other.conclusion(proxy, res["cookie"], "#!::r=live/s,m=publish"))

        rnd = random.Random(8)
        junk = [bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 200))) for _ in range(200)]
        junk += [b"", b"\x80", bytes(15)]
        junk.append(c.handshake(4, 0, 2, HS_INDUCTION, 0)[:63])                      # truncated
        junk.append(c.conclusion(proxy, res["cookie"], "#!::r=live/s")[:-3])           # inside an extension
        junk.append(c.conclusion(proxy, 12345, "#!::r=live/s,m=publish"))              # wrong cookie
        junk.append(c.handshake(5, 0, 5, 0, res["cookie"], HSREQ))                    # waveahand
        junk.append(struct.pack(">IIII", 0x12345678, 0, 0, 0x1234567))                # data, unknown socket
        junk.append(struct.pack(">IIII", 0x80010000, 0, 0, 0x7654321))                # keepalive, unknown socket
        for data in junk:
            c.send(proxy, data)

        # A valid cookie but no usable stream id: a rejection (1000 + 1400), still no session.
        for sid_ext in (b"", sid_extension("#!::m=publish"), sid_extension("#!::r=live/a b")):
            c.send(proxy, c.handshake(5, 0, 5, HS_CONCLUSION, res["cookie"], HSREQ + sid_ext))
            rej = parse_handshake(c.recv())
            assert rej["type"] == 1000 + 1400 and rej["dest"] == c.socket_id, rej

        time.sleep(0.5)
        assert srt_sessions(proxy) == []
        out = proxy.output()
        assert "SRT drop conclusion with a wrong SYN cookie" in out or "similar lines suppressed" in out
        # Counted, but logged at most a few times per interval.
        assert 1 <= out.count("SRT drop") <= 5, out
        status, _, body = http_request(proxy.port("HTTP_API"), "GET", "/metrics")
        assert status == 200
        metrics = body.decode()
        drops = {}
        for reason in ("malformed", "bad_cookie", "bad_stream_id", "unknown_socket"):
            line = 'srs_proxy_srt_dropped_packets_total{reason="%s"} ' % reason
            assert line in metrics, metrics
            drops[reason] = int(metrics.split(line)[1].split()[0])
        # Random bytes are mostly "for an unknown socket id" (bytes 12..15 are not 0), or short.
        assert drops["malformed"] >= 6 and drops["unknown_socket"] >= 100, drops
        assert drops["malformed"] + drops["unknown_socket"] >= len(junk) - 1, drops
        assert drops["bad_cookie"] == 2 and drops["bad_stream_id"] == 3, drops
        assert "SRT session [" not in out

        # And the port still serves a real caller.
        res = RawSrt().connect(proxy, "#!::r=live/after,m=publish")
        assert res["type"] == HS_CONCLUSION and res["socket_id"], res
    finally:
        origin.stop()


def test_idle_session_expires_and_frees_everything():
    p = start_proxy({"PROXY_SRT_SESSION_TIMEOUT": "1s"})
    origin = SrtOrigin(p, "vid-srt-idle")
    try:
        c = RawSrt()
        res = c.connect(p, "#!::r=live/idle,m=publish")
        # The origin's conclusion response, passed on: its socket id, our cookie, our address.
        assert res["type"] == HS_CONCLUSION and res["dest"] == c.socket_id and res["socket_id"], res
        [s] = srt_sessions(p)
        assert s["state"] == "established" and s["origin_socket_id"] == res["socket_id"]
        # The client goes silent: gone after the timeout (and the sweep), with every entry.
        assert wait_for(lambda: not srt_sessions(p), 4), srt_sessions(p)
        assert "reason=idle timeout" in p.output()
        # Packets for its socket id are now unknown: dropped, nothing comes back.
        c.send(p, struct.pack(">IIII", 0x80010000, 0, 0, res["socket_id"]))
        time.sleep(0.3)
        assert srt_sessions(p) == []
    finally:
        origin.stop()
        stop_proxy(p)


def test_client_address_change_is_not_followed(proxy):
    origin = SrtOrigin(proxy, "vid-srt-move")
    try:
        c = RawSrt()
        res = c.connect(proxy, "#!::r=live/move,m=publish")
        assert res["type"] == HS_CONCLUSION, res
        client = "127.0.0.1:%d" % c.sock.getsockname()[1]
        # The session's socket id from another port (a NAT rebinding, or anyone who learnt the id):
        # libsrt ignores such packets, and so does the proxy. The session stays where it was made.
        moved = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        moved.bind(("127.0.0.1", 0))
        moved.settimeout(1.5)
        keepalive = struct.pack(">IIII", 0x80010000, 0, 0, res["socket_id"])
        moved.sendto(keepalive, ("127.0.0.1", proxy.port("SRT_SERVER")))
        with pytest.raises(socket.timeout):
            moved.recv(65536)   # libsrt keepalives (at least every second) still go to the caller
        moved.close()
        [s] = srt_sessions(proxy)
        assert s["client"] == client and s["address_changes"] == 0 and s["to_origin_packets"] == 0, s
        assert "client moved" not in proxy.output()
        status, _, body = http_request(proxy.port("HTTP_API"), "GET", "/metrics")
        assert 'srs_proxy_srt_dropped_packets_total{reason="foreign_address"} 1' in body.decode()
        # The caller itself still gets the origin's packets.
        data = c.recv(3)
        assert struct.unpack(">I", data[12:16])[0] == c.socket_id
    finally:
        origin.stop()
