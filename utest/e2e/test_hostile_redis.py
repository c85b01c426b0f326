# SPDX-License-Identifier: MIT
"""Issue 21: Redis is input too. The proxy (PROXY_LOAD_BALANCER_TYPE=redis) talks to a hostile
Redis: a small man-in-the-middle in Python in front of a real redis-server that, when told, answers
the next command with a reply bomb (`*1048576` arrays of `*1048576` arrays of `:1`, without end),
an endless array of integers, an oversized bulk string, deep nesting, or never answers at all.

Throughout, the proxy stays under a memory bound, keeps serving the RTMP and HTTP-FLV streams that
were flowing, and answers /debug/pprof/cmdline and /metrics within 1 s. Values in Redis that fail
validation (garbage origin JSON, sessions) are refused and counted."""
import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import Proxy, free_port, http_json, http_request, is_sanitized, sanitizer_report
from rtmp_peers import AUDIO, VIDEO, Origins, RtmpClient, ffmpeg_publish, rtmp_url, wait_for

pytestmark = pytest.mark.skipif(not shutil.which("redis-server") or not shutil.which("redis-cli"),
                                reason="redis-server/redis-tools not installed (./configure --with-test-tools)")

# Over its start, RSS may grow by no more than this while under attack: a reply's budget (16 MiB)
# plus the reader's pending bytes (16 MiB) plus slack. ASan keeps freed memory in quarantine.
RSS_GROWTH_BOUND = 64 * 1024 * 1024
RSS_GROWTH_BOUND_SANITIZED = 512 * 1024 * 1024


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.cli("PING") == "PONG", what="redis-server")

    def cli(self, *args):
        res = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port)] + [str(a) for a in args],
                             capture_output=True, timeout=5)
        return res.stdout.decode().strip()

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def _bomb(c):
    c.sendall(b"*1048576\r\n*1048576\r\n")
    chunk = b":1\r\n" * 16384
    while True:
        c.sendall(chunk)


def _ints(c):
    c.sendall(b"*1048576\r\n")
    chunk = b":1\r\n" * 16384
    while True:
        c.sendall(chunk)


def _bulk(c):
    c.sendall(b"$1000000000\r\n")
    chunk = b"x" * 65536
    while True:
        c.sendall(chunk)


def _deep(c):
    c.sendall(b"*1\r\n" * 64 + b":1\r\n")
    while c.recv(65536):
        pass


def _silent(c):
    while c.recv(65536):
        pass


ATTACKS = {"bomb": _bomb, "ints": _ints, "bulk": _bulk, "deep": _deep, "silent": _silent}


class HostileRedis:
    """Forwards to the real Redis while mode is "pass"; otherwise the next command on any
    connection (new ones too: the proxy's reconnects) gets the attack instead of an answer."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.attacked = {}
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        up = socket.create_connection(("127.0.0.1", self.upstream_port))
        self.conns.append(up)

        def back():
            try:
                while True:
                    data = up.recv(65536)
                    if not data:
                        break
                    c.sendall(data)
            except OSError:
                pass
        threading.Thread(target=back, daemon=True).start()
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    break
                mode = self.mode
                if mode == "pass":
                    up.sendall(data)
                    continue
                up.close()
                self.attacked[mode] = self.attacked.get(mode, 0) + 1
                ATTACKS[mode](c)
                break
        except OSError:
            pass  # the proxy closed the connection: what it should do
        finally:
            for s in (c, up):
                try:
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.lsock.close()
        for s in self.conns:
            try:
                s.close()
            except OSError:
                pass


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) * 1024


class FlvReader:
    """An HTTP-FLV player through the proxy that counts the bytes it gets."""

    def __init__(self, port, path):
        self.bytes = 0
        self.sock = socket.create_connection(("127.0.0.1", port), 10)
        self.sock.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path.encode())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                self.bytes += len(data)
        except OSError:
            return

    def close(self):
        self.sock.close()


class RtmpReader:
    """An RTMP player through the proxy that counts the media bytes it gets."""

    def __init__(self, proxy, stream):
        self.bytes = 0
        self.client = RtmpClient("127.0.0.1", proxy.port("RTMP_SERVER"))
        self.client.connect(rtmp_url(proxy, "/live"), "live")
        self.client.play(stream)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                t, _, _, payload = self.client.read_message()
                if t in (AUDIO, VIDEO):
                    self.bytes += len(payload)
        except (OSError, EOFError):
            return

    def close(self):
        self.client.close()


def timed_get(port, path):
    start = time.time()
    status, _, body = http_request(port, "GET", path, timeout=1)
    return status, body, time.time() - start


def metric(p, name, labels=""):
    _, _, body = http_request(p.port("HTTP_API"), "GET", "/metrics")
    m = re.search(r"^%s%s (\d+)$" % (re.escape(name), re.escape(labels)), body.decode(), re.M)
    return int(m.group(1)) if m else None


@pytest.fixture
def hostile():
    redis = RedisServer()
    mitm = HostileRedis(redis.port)
    pprof = free_port()
    p = Proxy({"PROXY_LOAD_BALANCER_TYPE": "redis", "PROXY_REDIS_HOST": "127.0.0.1", "PROXY_REDIS_PORT": str(mitm.port),
               "PROXY_PPROF": "127.0.0.1:%d" % pprof, "PROXY_LOG_LEVEL": "info"})
    p.pprof_port = pprof
    yield redis, mitm, p
    mitm.mode = "pass"
    rc = p.stop()
    out = p.output()
    mitm.close()
    redis.stop()
    assert not sanitizer_report(out), out
    assert rc == 0, "srs-proxy exit status %s:\n%s" % (rc, out)


def test_hostile_redis_does_not_hurt_flowing_streams_or_the_debug_listener(hostile):
    redis, mitm, p = hostile
    origins = Origins(p, 1)
    origin = origins.mocks[0]
    publisher = ffmpeg_publish(rtmp_url(p, "/live/s"), loop=True)
    rtmp_player = None
    flv = None
    try:
        wait_for(lambda: "RTMP publish key=live/s" in origin.output(), what="the publish at the origin")
        rtmp_player = RtmpReader(p, "s")
        flv = FlvReader(p.port("HTTP_SERVER"), "/live/s.flv")
        wait_for(lambda: flv.bytes > 10000 and rtmp_player.bytes > 10000, timeout=20, what="both players receiving")
        base_rss = rss(p.proc.pid)
        bound = RSS_GROWTH_BOUND_SANITIZED if is_sanitized(p.proc.pid) else RSS_GROWTH_BOUND

        for mode in ("bomb", "ints", "bulk", "deep", "silent"):
            mitm.mode = mode
            flv_before, rtmp_before = flv.bytes, rtmp_player.bytes
            end = time.time() + 4
            while time.time() < end:
                # New plays make the balancer ask Redis (picks) and the origin's heartbeat writes
                # to it: the attack is met on every path, while the debug listener must answer.
                try:
                    http_request(p.port("HTTP_SERVER"), "GET", "/live/other%d.flv" % int(time.time() * 10), timeout=0.2)
                except OSError:
                    pass  # the play waits at the origin for a publisher: the pick is what matters
                status, body, took = timed_get(p.pprof_port, "/debug/pprof/cmdline")
                assert status == 200 and b"srs-proxy" in body and took < 1, (mode, status, took)
                status, body, took = timed_get(p.port("HTTP_API"), "/metrics")
                assert status == 200 and took < 1, (mode, status, took)
                grown = rss(p.proc.pid) - base_rss
                assert grown < bound, (mode, grown)
                time.sleep(0.1)
            assert mitm.attacked.get(mode, 0) > 0, (mode, mitm.attacked)
            # The streams that were flowing went on.
            assert flv.bytes > flv_before, mode
            assert rtmp_player.bytes > rtmp_before, mode
            assert publisher.poll() is None, publisher.stderr.read()

        # The silent Redis is given up on at the exchange deadline (3 s, after the backoff).
        wait_for(lambda: metric(p, "srs_proxy_redis_errors_total", '{reason="deadline"}') > 0, timeout=10,
                 what="the deadline counted")
        errors = {r: metric(p, "srs_proxy_redis_errors_total", '{reason="%s"}' % r)
                  for r in ("reply_too_large", "deadline", "protocol", "fail_fast")}
        # bomb, ints and bulk are over budget; deep nesting is a protocol error.
        assert errors["reply_too_large"] >= 3 and errors["protocol"] > 0, (errors, mitm.attacked)
        assert errors["fail_fast"] > 0, errors

        # Redis behaves again: the balancer reconnects (with backoff) and serves from it.
        mitm.mode = "pass"
        wait_for(lambda: "is back after" in p.output(), timeout=15, what="the balancer back on Redis")
        redis.cli("DEL", "srs-proxy-url:__defaultVhost__/live/fresh")
        status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=rtmp://127.0.0.1/live/fresh")
        assert status == 200 and body["origin"]["server"] == "mock0", body
        assert redis.cli("GET", "srs-proxy-url:__defaultVhost__/live/fresh").startswith("srs-proxy-server:mock0")
    finally:
        if flv:
            flv.close()
        if rtmp_player:
            rtmp_player.close()
        publisher.kill()
        publisher.wait()
        origins.stop()


def test_garbage_values_in_redis_are_refused(hostile):
    redis, mitm, p = hostile
    # An "origin" with a multicast ip, one that is not JSON, one without an id: none is listed,
    # none is picked, all are counted.
    redis.cli("SET", "srs-proxy-server:evil-svc-1",
              '{"ip":"224.0.0.1","server_id":"evil","service_id":"svc","pid":"1","rtmp":["1935"],'
              '"update_at":"2099-01-01T00:00:00Z"}', "PX", 600000)
    redis.cli("SET", "srs-proxy-server:junk-svc-1", "not json at all", "PX", 600000)
    redis.cli("SET", "srs-proxy-server:noid-svc-1", '{"ip":"127.0.0.1","rtmp":["1935"],"update_at":"2099-01-01T00:00:00Z"}',
              "PX", 600000)
    redis.cli("SET", "srs-proxy-all-servers",
              '["srs-proxy-server:evil-svc-1","srs-proxy-server:junk-svc-1","srs-proxy-server:noid-svc-1"]')
    invalid = metric(p, "srs_proxy_lb_redis_invalid_values_total")
    status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins")
    assert status == 200 and body["origins"] == [], body
    status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=rtmp://127.0.0.1/live/s")
    assert status >= 500, body
    assert metric(p, "srs_proxy_lb_redis_invalid_values_total") >= invalid + 4

    # A WebRTC session whose stream URL holds a control character, and an HLS one that is not JSON:
    # not found (never used to route).
    redis.cli("SET", "srs-proxy-ufrag:a:b", '{"stream_url":"__defaultVhost__/live/\\u0001x","ufrag":"a:b"}', "PX", 60000)
    redis.cli("SET", "srs-proxy-spbhid:zzz", "garbage", "PX", 60000)
    status, _, _ = http_request(p.port("HTTP_SERVER"), "GET", "/live/s-0.ts?spbhid=zzz")
    assert status >= 400
    assert metric(p, "srs_proxy_lb_redis_invalid_values_total") >= invalid + 5
    assert metric(p, "srs_proxy_lb_entries", '{table="origins"}') == 0
