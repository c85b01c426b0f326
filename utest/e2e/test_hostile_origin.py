# SPDX-License-Identifier: MIT
"""Origins are input too (issue 21): a small Python HTTP "origin", registered through the system API
like an SRS origin, answers playlists with an endless response head, a huge playlist, one whose
rewrite would explode, one that never finishes, an endless chunked body and a 206. The proxy answers
each player with an SRS JSON error in bounded time, stays under a memory bound (RSS grows < 48 MiB
with 8 of these at once), keeps serving others, stores no HLS session for what the origin does not
serve, counts the refusals in /metrics and never forwards Range for a playlist."""
import json
import re
import socket
import threading
import time

import pytest

from conftest import Proxy, free_port, http_request, is_sanitized, sanitizer_report
from test_http_hardening import metric, metrics, rss_kib


class HostileOrigin:
    """A raw-socket HTTP server: each path is one misbehaviour."""

    def __init__(self):
        self.port = free_port()
        self.requests = []  # raw request heads
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", self.port))
        self.lsock.listen(128)
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def heartbeat(self):
        return {"ip": "127.0.0.1", "server": "hostile", "service": "svc", "pid": "1", "rtmp": ["19350"],
                "http": [str(self.port)], "api": ["1985"]}

    def close(self):
        self.stopped = True
        self.lsock.close()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = c.recv(4096)
                if not chunk:
                    return
                head += chunk
            self.requests.append(head.decode("latin-1"))
            path = head.split(b" ")[1].decode()
            name = path.split("?")[0].rsplit("/", 1)[-1]
            getattr(self, "_" + name.replace(".m3u8", "").replace("-", "_"), self._missing)(c)
        except (OSError, BrokenPipeError, ConnectionResetError):
            pass
        finally:
            c.close()

    def _until_closed(self, c, send, seconds=30):
        end = time.time() + seconds
        while time.time() < end and not self.stopped:
            send()

    def _missing(self, c):
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def _endless_head(self, c):
        c.sendall(b"HTTP/1.1 200 OK\r\n")
        self._until_closed(c, lambda: c.sendall(b"X-Endless: " + b"a" * 1000 + b"\r\n"))

    def _huge(self, c):
        body = b"#EXTM3U\n" + b"#EXTINF:1,\nsegment.ts\n" * 300000  # ~6.6 MiB, over the 1 MiB bound
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    def _explode(self, c):
        body = b"a\n" * (512 * 1024)  # 1 MiB: within the input bound, ~21 MiB once rewritten
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    def _never_finishes(self, c):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n#EXTM3U\n")
        self._until_closed(c, lambda: (c.sendall(b"#\n"), time.sleep(0.2)))

    def _endless_chunked(self, c):
        c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"#EXTINF:1,\nsegment.ts\n" * 400
        self._until_closed(c, lambda: c.sendall(b"%x\r\n%s\r\n" % (len(piece), piece)))

    def _partial(self, c):
        body = b"#EXTM3U\nsegment.ts\n"
        c.sendall(b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-%d/1000\r\nContent-Length: %d\r\n\r\n"
                  % (len(body) - 1, len(body)) + body)

    def _good(self, c):
        body = b"#EXTM3U\n#EXTINF:1,\nsegment.ts\n"
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@pytest.fixture
def setup():
    p = Proxy()
    o = HostileOrigin()
    status, _, body = http_request(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(o.heartbeat()))
    assert status == 200, body
    yield p, o
    o.close()
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, out


def play(p, name, headers=None, timeout=30):
    start = time.time()
    status, hdrs, body = http_request(p.port("HTTP_SERVER"), "GET", "/live/%s.m3u8" % name, headers=headers,
                                      timeout=timeout)
    return status, body, time.time() - start


def error_json(body):
    doc = json.loads(body)
    assert doc["code"] != 0 and doc["msg"], doc
    return doc


@pytest.mark.parametrize("name,statuses,seconds", [
    ("endless_head", (502,), 5),
    ("huge", (502,), 5),
    ("explode", (502,), 5),
    ("endless_chunked", (502,), 5),
    ("partial", (502,), 5),
    ("never_finishes", (504,), 14),  # the playlist's one deadline: 10 s for connect, head and body
])
def test_hostile_playlist_gets_an_error_in_bounded_time(setup, name, statuses, seconds):
    p, o = setup
    status, body, took = play(p, name)
    assert status in statuses, (status, body)
    error_json(body)
    assert took < seconds, took
    # Nothing stored for a playlist the origin did not serve.
    assert metric(metrics(p), "srs_proxy_lb_entries", table="hls_sessions") == 0
    # The proxy still serves a good playlist, with a 128-bit session.
    status, body, _ = play(p, "good")
    assert status == 200 and re.search(rb"segment\.ts\?spbhid=[0-9a-f]{32}", body), body


def test_range_is_not_forwarded_for_a_playlist(setup):
    p, o = setup
    status, body, _ = play(p, "good", headers={"Range": "bytes=0-10"})
    assert status == 200 and body.startswith(b"#EXTM3U")
    assert not any("range:" in r.lower() for r in o.requests), o.requests


def test_made_up_stream_names_store_nothing(setup):
    p, o = setup
    for i in range(300):
        status, body, _ = play(p, "missing%d" % i)
        assert status == 404, body
    text = metrics(p)
    assert metric(text, "srs_proxy_lb_entries", table="hls_sessions") == 0
    assert metric(text, "srs_proxy_lb_entries", table="hls_streams") == 0


def test_many_hostile_playlists_at_once_stay_under_a_memory_bound(setup):
    p, o = setup
    base = rss_kib(p.proc.pid)
    peak = [base]
    results = []
    names = ["endless_head", "huge", "explode", "endless_chunked"] * 2 + ["never_finishes"] * 2

    def one(name):
        results.append(play(p, name)[0])

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    # Meanwhile others are served.
    served = 0
    while any(t.is_alive() for t in threads):
        peak[0] = max(peak[0], rss_kib(p.proc.pid))
        status, _, _ = http_request(p.port("HTTP_SERVER"), "GET", "/api/v1/versions", timeout=5)
        served += status == 200
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert sorted(results) == sorted([502] * 8 + [504] * 2), results
    assert served > 5
    text = metrics(p)
    assert metric(text, "srs_proxy_http_origin_refused_total", reason="playlist_too_large") >= 4
    assert metric(text, "srs_proxy_http_origin_refused_total", reason="timeout") >= 2
    assert metric(text, "srs_proxy_http_origin_refused_total", reason="bad_reply") >= 2
    if not is_sanitized(p.proc.pid):
        assert peak[0] - base < 48 * 1024, (base, peak[0])
