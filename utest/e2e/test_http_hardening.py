# SPDX-License-Identifier: MIT
"""HTTP hardening (issues 15 and 21): every attack as a real client sends it, against the real
srs-proxy. Total deadlines on request heads and bodies, fair shares of connections (per listener and
per source address; the attacker uses 127.0.0.66), HLS sessions that a flood cannot grow, half-closed
HTTP-FLV players, unguessable spbhid, and the static server refusing a FIFO."""
import json
import os
import re
import socket
import tempfile
import time

import pytest

from conftest import Proxy, http_json, http_request, is_sanitized, sanitizer_report
from http_peers import FakeHttpOrigin, media

ATTACKER = "127.0.0.66"


def stop_clean(p):
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, "srs-proxy exit status %s:\n%s" % (rc, out)


@pytest.fixture
def origin():
    o = FakeHttpOrigin()
    yield o
    o.close()


def register(proxy, origin, timeout=5):
    status, _, body = http_request(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register",
                                   json.dumps(origin.heartbeat()), timeout=timeout)
    assert status == 200, body


def connect_from(port, source=ATTACKER, timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_within(s, seconds):
    """Reads until the proxy closes the socket; returns (seconds it took, bytes read)."""
    start = time.time()
    data = b""
    s.settimeout(seconds)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return time.time() - start, data


def refused(s):
    """True when the proxy closed (or answered) a held connection that it should be idling on."""
    s.setblocking(False)
    try:
        return True if s.recv(4096) is not None else False
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


def hold(opener, n):
    """n connections the proxy keeps open. The Proxy's readiness probe may still count for a moment,
    so a connection refused meanwhile is opened again."""
    held = [opener(i) for i in range(n)]
    deadline = time.time() + 10
    while time.time() < deadline:
        time.sleep(0.3)
        gone = [i for i, s in enumerate(held) if refused(s)]
        if not gone:
            return held
        for i in gone:
            held[i].close()
            held[i] = opener(i)
    raise AssertionError("the proxy did not keep %d connections" % n)


def metrics(proxy):
    status, _, body = http_request(proxy.port("HTTP_API"), "GET", "/metrics")
    assert status == 200
    return body.decode()


def metric(text, name, **labels):
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.match(r"^%s(\{[^}]*\})? (\S+)$" % re.escape(name), line)
        if not m:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(m.group(2))
    return None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_dripping_request_head_is_cut_at_the_total_deadline():
    """Slowloris on the HTTP stream and system API listeners: a header line every 0.3 s (each read
    is quick) is closed at PROXY_HTTP_HEAD_TIMEOUT counted from the first byte, with a 408."""
    p = Proxy({"PROXY_HTTP_HEAD_TIMEOUT": "2s"})
    try:
        for listener in ("HTTP_SERVER", "SYSTEM_API"):
            s = connect_from(p.port(listener))
            s.sendall(b"GET /api/v1/versions HTTP/1.1\r\nHost: x\r\n")
            start = time.time()
            got = b""
            try:
                while time.time() - start < 8:
                    s.sendall(b"X-Drip: a\r\n")
                    s.settimeout(0.3)
                    try:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        got += chunk
                    except socket.timeout:
                        pass
            except (BrokenPipeError, ConnectionResetError):
                pass
            took = time.time() - start
            s.close()
            assert took < 4, (listener, took)
            assert got.startswith(b"HTTP/1.1 408"), got
        # Others are served all along.
        assert http_json(p.port("HTTP_SERVER"), "GET", "/api/v1/versions")[0] == 200
    finally:
        stop_clean(p)


def test_dripping_register_body_is_cut_at_the_total_deadline():
    """POST /api/v1/srs/register with a 1 KiB body sent a byte every 0.2 s: each read is quick, the
    whole body would take 200 s; the proxy ends it at PROXY_HTTP_BODY_TIMEOUT (3 s)."""
    p = Proxy({"PROXY_HTTP_BODY_TIMEOUT": "3s"})
    try:
        s = connect_from(p.port("SYSTEM_API"))
        s.sendall(b"POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{")
        start = time.time()
        ended = False
        try:
            while time.time() - start < 15:
                s.sendall(b" ")
                s.settimeout(0.2)
                try:
                    if not s.recv(4096):
                        ended = True
                        break
                except socket.timeout:
                    pass
        except (BrokenPipeError, ConnectionResetError):
            ended = True
        took = time.time() - start
        s.close()
        assert ended and took < 6, took
        # A real origin registers meanwhile and after.
        status, body = http_json(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register",
                                 json.dumps({"ip": "127.0.0.1", "server": "o", "service": "s", "pid": "1",
                                             "rtmp": ["19350"], "http": ["8080"], "api": ["1985"]}))
        assert status == 200 and body["code"] == 0
    finally:
        stop_clean(p)


def test_register_answers_while_media_listeners_are_full():
    """PROXY_MAX_CONNECTIONS=50 held by 50 dripping sockets on the RTMP and HTTP listeners: new media
    connections are refused (HTTP 503 + JSON, RTMP closed), origins still register (200), and the
    refusals are counted by listener and reason."""
    p = Proxy({"PROXY_MAX_CONNECTIONS": "50"})
    held = []

    def opener(i):
        name = "RTMP_SERVER" if i % 2 else "HTTP_SERVER"
        s = socket.create_connection(("127.0.0.1", p.port(name)), 5)
        s.sendall(b"\x03" if name == "RTMP_SERVER" else b"GET / HTTP/1.1\r\n")
        return s

    try:
        held = hold(opener, 50)
        # The media listeners are at their cap (once the proxy accepted all 50: a loaded machine lags).
        deadline = time.time() + 10
        while True:
            status, _, body = http_request(p.port("HTTP_SERVER"), "GET", "/api/v1/versions")
            if status == 503 or time.time() > deadline:
                break
            time.sleep(0.2)
        assert status == 503 and json.loads(body)["code"] != 0
        r = socket.create_connection(("127.0.0.1", p.port("RTMP_SERVER")), 5)
        took, data = closed_within(r, 5)
        assert data == b"" and took < 2
        r.close()
        # Origins heartbeat regardless, several times.
        for _ in range(3):
            status, body = http_json(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register",
                                     json.dumps({"ip": "127.0.0.1", "server": "o", "service": "s", "pid": "1",
                                                 "rtmp": ["19350"], "http": ["8080"], "api": ["1985"]}))
            assert status == 200 and body["code"] == 0
        for s in held[:5]:
            s.close()
        time.sleep(0.3)
        text = metrics(p)  # through the HTTP API, a media listener: room again
        assert metric(text, "srs_proxy_tcp_refused_by_reason_total", listener="HTTP Stream", reason="total") >= 1
        assert metric(text, "srs_proxy_tcp_refused_by_reason_total", listener="RTMP", reason="total") >= 1
        assert metric(text, "srs_proxy_tcp_refused_by_reason_total", listener="System API", reason="total") == 0
    finally:
        for s in held:
            s.close()
        stop_clean(p)


def test_one_source_address_gets_only_its_share():
    """PROXY_MAX_CONNECTIONS_PER_IP=10: the attacker at 127.0.0.66 holds 10 connections and its 11th is
    refused (503 + JSON), while clients from 127.0.0.1 are served."""
    p = Proxy({"PROXY_MAX_CONNECTIONS_PER_IP": "10"})
    held = []

    def opener(i):
        s = connect_from(p.port("HTTP_SERVER"))
        s.sendall(b"GET / HTTP/1.1\r\n")
        return s

    try:
        held = hold(opener, 10)
        deadline = time.time() + 10
        while True:
            s = connect_from(p.port("HTTP_SERVER"))
            s.sendall(b"GET /api/v1/versions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            took, data = closed_within(s, 5)
            s.close()
            # Until the proxy accepted all 10 (a loaded machine lags), the probe is served.
            if data.startswith(b"HTTP/1.1 503") or time.time() > deadline:
                break
            time.sleep(0.2)
        assert data.startswith(b"HTTP/1.1 503"), data
        assert json.loads(data.split(b"\r\n\r\n", 1)[1])["code"] != 0
        # RTMP from the attacker: shares the same pool, closed at once.
        r = connect_from(p.port("RTMP_SERVER"))
        took, data = closed_within(r, 5)
        r.close()
        assert data == b"" and took < 2
        # Everyone else is served.
        for _ in range(5):
            assert http_json(p.port("HTTP_SERVER"), "GET", "/api/v1/versions")[0] == 200
        text = metrics(p)
        assert metric(text, "srs_proxy_tcp_refused_by_reason_total", listener="HTTP Stream", reason="per_ip") >= 1
        assert metric(text, "srs_proxy_tcp_refused_by_reason_total", listener="RTMP", reason="per_ip") >= 1
        # The attacker's connections leave: its count goes with them.
        for s in held:
            s.close()
        held = []
        time.sleep(0.5)
        s = connect_from(p.port("HTTP_SERVER"))
        s.sendall(b"GET /api/v1/versions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        took, data = closed_within(s, 5)
        s.close()
        assert data.startswith(b"HTTP/1.1 200"), data
    finally:
        for s in held:
            s.close()
        stop_clean(p)


def test_hls_playlist_flood_on_one_connection_stores_nothing(origin):
    """3000 playlist requests on one keep-alive connection, each with a made-up spbhid and an 8 KiB
    query: the HLS tables keep one session (the real stream's), and RSS grows less than 8 MiB (each
    made-up id used to store a session with the whole 8 KiB target: ~25 MiB). Made-up stream names
    are in test_hostile_origin.py (an origin that answers 404 stores nothing)."""
    p = Proxy()
    try:
        register(p, origin)
        sock = socket.create_connection(("127.0.0.1", p.port("HTTP_SERVER")), 10)
        f = sock.makefile("rb")

        def get(path):
            sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
            status = int(f.readline().split()[1])
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                k, v = line.decode().split(":", 1)
                if k.lower() == "content-length":
                    length = int(v)
            return status, f.read(length)

        status, body = get("/live/s.m3u8")
        assert status == 200
        base = rss_kib(p.proc.pid)
        pad = "x" * 8000
        for i in range(3000):
            status, body = get("/live/s.m3u8?spbhid=%032x&pad=%s" % (i, pad))
            assert status == 200
        grown = rss_kib(p.proc.pid) - base
        sock.close()
        text = metrics(p)
        assert metric(text, "srs_proxy_lb_entries", table="hls_sessions") == 1
        assert metric(text, "srs_proxy_lb_entries", table="hls_streams") == 1
        if not is_sanitized(p.proc.pid):
            assert grown < 8 * 1024, grown
    finally:
        stop_clean(p)


def test_half_closed_flv_player_gets_the_whole_stream(origin):
    """A player that sends its GET and then shutdown(SHUT_WR) is still there: it gets every chunk of
    the origin's FLV (the old watcher read EOF and cut it: 0 chunks)."""
    p = Proxy()
    try:
        register(p, origin)
        origin.flv_chunk = 4096
        origin.flv_pace = 0.005
        size = os.path.getsize(os.path.join(media(), "s.flv"))
        s = socket.create_connection(("127.0.0.1", p.port("HTTP_SERVER")), 30)
        s.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.shutdown(socket.SHUT_WR)
        took, data = closed_within(s, 60)
        s.close()
        head, body = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200"), head
        # Chunked framing: decode it.
        out, rest, chunks = b"", body, 0
        while rest:
            line, rest = rest.split(b"\r\n", 1)
            n = int(line, 16)
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2:]
            chunks += 1
        assert len(out) == size and out[:3] == b"FLV"
        assert chunks >= 30, chunks
    finally:
        stop_clean(p)


def test_spbhid_is_128_bits_and_distinct(origin):
    """Each stream's HLS session id is 32 hex characters (srs_random_token) and no two are alike."""
    p = Proxy()
    try:
        register(p, origin)
        ids = set()
        for i in range(200):
            status, _, body = http_request(p.port("HTTP_SERVER"), "GET", "/live/s%d.m3u8" % i)
            assert status == 200, body
            found = set(re.findall(r"spbhid=([^&\s\"]+)", body.decode()))
            assert len(found) == 1, body
            sid = found.pop()
            assert re.fullmatch(r"[0-9a-f]{32}", sid), sid
            ids.add(sid)
        assert len(ids) == 200
        # The same stream keeps its session.
        status, _, body = http_request(p.port("HTTP_SERVER"), "GET", "/live/s0.m3u8")
        assert len(set(re.findall(r"spbhid=([0-9a-f]{32})", body.decode())) & ids) == 1
    finally:
        stop_clean(p)


def test_static_server_refuses_a_fifo_without_blocking():
    """A FIFO under the static root: opening it used to block the whole process in open(); now it is
    a 404 JSON at once and everyone else is served."""
    root = tempfile.mkdtemp(prefix="srs-e2e-static-")
    with open(os.path.join(root, "ok.txt"), "w") as f:
        f.write("ok")
    os.mkfifo(os.path.join(root, "pipe.txt"))
    p = Proxy({"PROXY_STATIC_FILES": root})
    try:
        start = time.time()
        status, _, body = http_request(p.port("HTTP_SERVER"), "GET", "/pipe.txt", timeout=5)
        assert status == 404 and json.loads(body)["code"] != 0
        assert time.time() - start < 2
        status, _, body = http_request(p.port("HTTP_SERVER"), "GET", "/ok.txt", timeout=5)
        assert status == 200 and body == b"ok"
    finally:
        stop_clean(p)
