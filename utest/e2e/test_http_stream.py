# SPDX-License-Identifier: MIT
"""HTTP-FLV, HLS and static files through the proxy, played by ffprobe/ffmpeg (real peers)."""
import json
import os
import re
import select
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Proxy, http_json, http_request, sanitizer_report
from http_peers import FakeHttpOrigin, count_frames, media


def register(proxy, origin):
    status, _ = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(origin.heartbeat()))
    assert status == 200


@pytest.fixture
def origin():
    o = FakeHttpOrigin()
    yield o
    o.close()


def url(proxy, path):
    return "http://127.0.0.1:%d%s" % (proxy.port("HTTP_SERVER"), path)


def test_flv_plays_through_the_proxy_with_every_frame(proxy, origin):
    register(proxy, origin)
    expected = count_frames(os.path.join(media(), "s.flv"))
    assert count_frames(url(proxy, "/live/s.flv")) == expected
    assert count_frames(url(proxy, "/live/s.flv"), "a:0")[0] == "aac"


def test_flv_request_keeps_query_and_forwards_headers(proxy, origin):
    register(proxy, origin)
    status, headers, body = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s.flv?token=abc&x=1",
                                         headers={"User-Agent": "e2e-player", "Referer": "http://page/",
                                                  "X-Forwarded-For": "198.51.100.1"}, timeout=10)
    assert status == 200 and body[:3] == b"FLV"
    assert headers["content-type"] == "video/x-flv" and headers["access-control-allow-origin"] == "*"
    assert "transfer-encoding" in headers or "content-length" not in headers
    path, fwd = origin.requests[-1]
    assert path == "/live/s.flv?token=abc&x=1"
    assert fwd["User-Agent"] == "e2e-player" and fwd["Referer"] == "http://page/"
    assert fwd["X-Forwarded-For"] == "198.51.100.1, 127.0.0.1"


def test_hls_plays_through_the_proxy_and_keeps_one_session(proxy, origin):
    register(proxy, origin)
    # The master playlist (SRS style, with hls_ctx) comes back pointing at the proxy with spbhid.
    status, headers, body = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s.m3u8")
    assert status == 200, body
    master = body.decode()
    m = re.search(r"^/live/s\.m3u8\?hls_ctx=ctxorigin&spbhid=(\w+)$", master, re.M)
    assert m, master
    spbhid = m.group(1)
    assert int(headers["content-length"]) == len(body)
    # A second player of the same stream reuses the session: no entry per request (Go's leak).
    again = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s.m3u8")[2].decode()
    assert "spbhid=%s" % spbhid in again
    # The media playlist: every segment carries hls_ctx and spbhid.
    media_pl = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s.m3u8?hls_ctx=ctxorigin&spbhid=%s" % spbhid)[2].decode()
    segs = re.findall(r"^(s\d+\.ts\S*)$", media_pl, re.M)
    assert segs and all(s.endswith("&spbhid=%s" % spbhid) and "hls_ctx=ctxorigin" in s for s in segs), media_pl
    # ffmpeg plays it all through the proxy.
    expected = count_frames(os.path.join(media(), "s.flv"))[1]
    codec, frames = count_frames(url(proxy, "/live/s.m3u8"))
    assert codec == "h264" and abs(frames - expected) <= 1, (frames, expected)
    assert any(p.startswith("/live/s0.ts?hls_ctx=ctxorigin&spbhid=") for p, _ in origin.requests)


def test_segments_follow_their_spbhid_to_the_origin_of_the_playlist(proxy):
    a, b = FakeHttpOrigin("a"), FakeHttpOrigin("b")
    try:
        register(proxy, a)
        register(proxy, b)
        body = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s.m3u8")[2].decode()
        served_by = "a" if "ctxa" in body else "b"
        first, other = (a, b) if served_by == "a" else (b, a)
        codec, frames = count_frames(url(proxy, "/live/s.m3u8"))
        assert frames > 0
        assert any(".ts" in p for p, _ in first.requests)
        assert not other.requests
    finally:
        a.close()
        b.close()


def test_unknown_spbhid_segment_is_404(proxy, origin):
    register(proxy, origin)
    status, _, body = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s0.ts?spbhid=nosuch")
    assert status == 404 and json.loads(body)["code"] != 0
    assert not origin.requests


def test_no_origin_and_missing_stream_are_clean_errors(proxy, origin):
    status, _, body = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/s.flv")
    assert status == 503 and json.loads(body)["code"] != 0
    register(proxy, origin)
    status, _, _ = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/missing.ts?spbhid=x")
    assert status == 404
    status, _, body = http_request(proxy.port("HTTP_SERVER"), "GET", "/live/none.m4s")
    assert status == 404


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def test_origin_dies_mid_flv_ends_the_player_and_frees_everything(proxy, origin):
    register(proxy, origin)
    time.sleep(0.2)
    base = fd_count(proxy.proc.pid)
    origin.die_after = 60000
    with socket.create_connection(("127.0.0.1", proxy.port("HTTP_SERVER")), 5) as s:
        s.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        total = 0
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            total += len(chunk)
    assert 0 < total < 200000
    deadline = time.time() + 5
    while time.time() < deadline and fd_count(proxy.proc.pid) != base:
        time.sleep(0.05)
    assert fd_count(proxy.proc.pid) == base


def test_player_leaving_closes_the_origin_connection(proxy, origin):
    register(proxy, origin)
    origin.flv_pace = 0.05
    time.sleep(0.2)
    base = fd_count(proxy.proc.pid)
    s = socket.create_connection(("127.0.0.1", proxy.port("HTTP_SERVER")), 5)
    s.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(4096)
    assert fd_count(proxy.proc.pid) == base + 2
    s.close()
    deadline = time.time() + 5
    while time.time() < deadline and fd_count(proxy.proc.pid) != base:
        time.sleep(0.05)
    assert fd_count(proxy.proc.pid) == base


def test_many_players_and_one_slow_reader(proxy, origin):
    """200 concurrent FLV players read everything while one player reads nothing."""
    register(proxy, origin)
    size = os.path.getsize(os.path.join(media(), "s.flv"))
    slow = socket.create_connection(("127.0.0.1", proxy.port("HTTP_SERVER")), 5)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: x\r\n\r\n")
    players = []
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", proxy.port("HTTP_SERVER")), 5)
        s.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.setblocking(False)
        players.append(s)
    got = {s: 0 for s in players}
    heads = {s: b"" for s in players}
    open_ = set(players)
    deadline = time.time() + 60
    while open_ and time.time() < deadline:
        ready, _, _ = select.select(list(open_), [], [], 1)
        for s in ready:
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                open_.discard(s)
            else:
                got[s] += len(data)
                if len(heads[s]) < 12:
                    heads[s] += data[:12]
    assert not open_, "%d players did not finish" % len(open_)
    assert all(h.startswith(b"HTTP/1.1 200") for h in heads.values()), set(h[:12] for h in heads.values())
    assert all(n >= size for n in got.values()), min(got.values())
    for s in players:
        s.close()
    slow.close()


@pytest.fixture
def static_proxy():
    root = tempfile.mkdtemp(prefix="srs-e2e-static-")
    os.makedirs(os.path.join(root, "players"))
    with open(os.path.join(root, "players", "index.html"), "w") as f:
        f.write("<html>players</html>")
    with open(os.path.join(root, "app.js"), "w") as f:
        f.write("console.log(1);")
    outside = tempfile.mkdtemp(prefix="srs-e2e-outside-")
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write("secret")
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(root, "link.txt"))
    p = Proxy({"PROXY_STATIC_FILES": root})
    yield p
    assert p.stop() == 0
    assert not sanitizer_report(p.output())


def test_static_files_types_head_and_conditional_get(static_proxy):
    port = static_proxy.port("HTTP_SERVER")
    status, h, body = http_request(port, "GET", "/players/")
    assert status == 200 and body == b"<html>players</html>" and h["content-type"].startswith("text/html")
    assert h["access-control-allow-origin"] == "*"
    status, h, body = http_request(port, "GET", "/app.js")
    assert status == 200 and h["content-type"] == "application/javascript"
    status, h, body = http_request(port, "HEAD", "/app.js")
    assert status == 200 and body == b"" and h["content-length"] == "15"
    status, _, _ = http_request(port, "GET", "/app.js", headers={"If-Modified-Since": h["last-modified"]})
    assert status == 304
    status, _, _ = http_request(port, "GET", "/nothing.html")
    assert status == 404


def raw_get(port, target):
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def test_path_traversal_is_refused(static_proxy):
    port = static_proxy.port("HTTP_SERVER")
    for target in [b"/../etc/passwd", b"/%2e%2e/etc/passwd", b"/players/../../etc/passwd",
                   b"/players/%2E%2E/%2E%2E/etc/hostname", b"/..%2fetc/passwd", b"/link.txt", b"/./app.js"]:
        reply = raw_get(port, target)
        status = int(reply.split(b" ", 2)[1])
        assert status in (400, 404), (target, reply[:200])
        assert b"secret" not in reply and b"root:" not in reply
