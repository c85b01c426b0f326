# SPDX-License-Identifier: MIT
"""Several proxies, one state: the Redis load balancer against a real redis-server.

Each test starts its own redis-server on a free 127.0.0.1 port (no persistence) and stops it at
teardown. The balancer's own rules (TTL renewal, stale entries, the local cache) are in the gtest
AppLbRedisTest; these tests check the proxies from outside.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import Proxy, free_port, http_json, http_request, sanitizer_report
from http_peers import FakeHttpOrigin
from rtc_peers import FakeRtcOrigin, RtcClient, make_offer, stun_binding_request

pytestmark = pytest.mark.skipif(not shutil.which("redis-server") or not shutil.which("redis-cli"),
                                reason="redis-server/redis-tools not installed (./configure --with-test-tools)")

STREAM_URL = "__defaultVhost__/live/livestream"


class RedisServer:
    """redis-server on a free loopback port; restartable on the same port."""

    def __init__(self, password=None):
        self.port = free_port()
        self.password = password
        self.proc = None
        self.start()

    def start(self):
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 5
        while time.time() < deadline:
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start on %d" % self.port)

    def cli(self, *args):
        argv = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port)]
        if self.password:
            argv += ["--no-auth-warning", "-a", self.password]
        res = subprocess.run(argv + [str(a) for a in args], capture_output=True, timeout=5)
        return res.stdout.decode().strip()

    def ttl(self, key):
        return int(self.cli("TTL", key))

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def redis():
    r = RedisServer()
    yield r
    r.kill()


@pytest.fixture
def origin():
    o = FakeRtcOrigin()
    yield o
    o.close()


def redis_proxy(redis, extra=None):
    env = {"PROXY_LOAD_BALANCER_TYPE": "redis", "PROXY_REDIS_HOST": "127.0.0.1", "PROXY_REDIS_PORT": str(redis.port),
           "PROXY_RTC_SESSION_TIMEOUT": "30s"}
    env.update(extra or {})
    return Proxy(env)


def stop_proxy(p):
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, out
    return out


@pytest.fixture
def two_proxies(redis):
    a, b = redis_proxy(redis), redis_proxy(redis)
    yield a, b
    stop_proxy(a)
    stop_proxy(b)


def whep(proxy, stream="livestream"):
    offer_ufrag = "c%s" % os.urandom(3).hex()
    status, headers, body = http_request(proxy.port("HTTP_API"), "POST", "/rtc/v1/whep/?app=live&stream=%s" % stream,
                                         make_offer(offer_ufrag), {"Content-Type": "application/sdp"})
    assert status == 201, body
    answer = body.decode()
    return "%s:%s" % (re.search(r"a=ice-ufrag:(\S+)", answer).group(1), offer_ufrag)


def wait_for(cond, timeout=8):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def bind_and_echo(client, proxy, username):
    """A binding request to the proxy's UDP port, then media both ways. The first request for
    a ufrag the proxy does not know is resolved in the background: ICE retransmits, so do we."""
    port = proxy.port("WEBRTC_SERVER")
    for _ in range(5):
        client.send(port, stun_binding_request(username))
        reply = client.recv(1)
        if reply is not None:
            break
    assert reply is not None and reply[:2] == b"\x01\x01", "no binding response via %d" % port
    rtp = bytes([0x80, 0x60]) + os.urandom(60)
    client.send(port, rtp)
    assert client.recv() == rtp


def echoes(client, proxy):
    rtp = bytes([0x80, 0x60]) + os.urandom(60)
    client.send(proxy.port("WEBRTC_SERVER"), rtp)
    return client.recv() == rtp


def origin_ids(proxy):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")
    assert status == 200
    return sorted(o["id"] for o in body["origins"])


def pick(proxy, url):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=%s" % url)
    assert status == 200, body
    return body["origin"]


def test_redis_down_at_startup_is_fatal_and_names_host_and_port():
    port = free_port()
    p = Proxy({"PROXY_LOAD_BALANCER_TYPE": "redis", "PROXY_REDIS_HOST": "127.0.0.1", "PROXY_REDIS_PORT": str(port),
               "PROXY_REDIS_PASSWORD": "do-not-print-me"}, wait=False)
    p.proc.wait(10)
    out = p.output()
    p.stop()
    assert p.proc.returncode != 0, out
    assert "unable to connect to redis 127.0.0.1:%d" % port in out, out
    assert "do-not-print-me" not in out


def test_two_proxies_share_three_origins(redis, two_proxies, origin):
    a, b = two_proxies
    origin.register(a, server="vid-1", service="s1", pid="101")
    origin.register(b, server="vid-2", service="s2", pid="102")
    origin.register(a, server="vid-3", service="s3", pid="103")
    ids = ["vid-1-s1-101", "vid-2-s2-102", "vid-3-s3-103"]
    # Each proxy sees all three, whoever they registered with.
    assert origin_ids(a) == ids and origin_ids(b) == ids

    # A stream is pinned once for both proxies.
    picked = set()
    for i in range(12):
        url = "rtmp://127.0.0.1/live/s%d" % i
        first = pick(a if i % 2 else b, url)["id"]
        assert pick(b if i % 2 else a, url)["id"] == first
        picked.add(first)
    assert len(picked) > 1

    # The keys, values and TTLs, read with redis-cli.
    assert json.loads(redis.cli("GET", "srs-proxy-all-servers")) == ["srs-proxy-server:" + i for i in ids]
    assert redis.ttl("srs-proxy-all-servers") == -1
    server = json.loads(redis.cli("GET", "srs-proxy-server:vid-2-s2-102"))
    assert server["server_id"] == "vid-2" and server["service_id"] == "s2" and server["pid"] == "102"
    assert server["ip"] == "127.0.0.1" and server["rtc"] == ["udp://0.0.0.0:%d" % origin.rtc_port]
    assert server["api"] == [str(origin.api_port)] and "update_at" in server
    assert 290 <= redis.ttl("srs-proxy-server:vid-2-s2-102") <= 300
    sticky = redis.cli("GET", "srs-proxy-url:__defaultVhost__/live/s0")
    assert sticky in ["srs-proxy-server:" + i for i in ids]
    # Unlike Go's, the sticky key expires with its origin (the origin TTL, renewed on each pick).
    assert 290 <= redis.ttl("srs-proxy-url:__defaultVhost__/live/s0") <= 300


def test_forged_binding_on_another_proxy_is_dropped(redis, two_proxies, origin):
    # Proxy B learns the session from Redis (with the origin's ICE password): a binding request
    # with the stolen USERNAME but no valid MESSAGE-INTEGRITY creates nothing there; a Go proxy's
    # entry (no password) cannot be taken over either.
    a, b = two_proxies
    origin.register(a)
    username = whep(a)
    port = b.port("WEBRTC_SERVER")
    attacker = RtcClient()
    for _ in range(3):
        attacker.send(port, stun_binding_request(username, pwd=None))
        attacker.send(port, stun_binding_request(username, bad_mac=True))
    assert attacker.recv(1) is None
    status, body = http_json(b.port("SYSTEM_API"), "GET", "/api/v1/sessions")
    assert status == 200 and body["sessions"] == []
    redis.cli("SET", "srs-proxy-ufrag:go1:c1", json.dumps({"stream_url": STREAM_URL, "ufrag": "go1:c1"}))
    attacker.send(port, stun_binding_request("go1:c1"))
    assert attacker.recv(1) is None
    # The real player moves to B with a signed request.
    client = RtcClient()
    bind_and_echo(client, b, username)
    client.close()
    attacker.close()


def test_whep_on_a_and_media_on_b(redis, two_proxies, origin):
    a, b = two_proxies
    origin.register(a)
    username = whep(a)

    # The session is in Redis, in the Go proxy's JSON, for 120 s; the ufrag key adds the origin's
    # ICE password (a field Go ignores), which proxy B needs to check MESSAGE-INTEGRITY.
    value = json.loads(redis.cli("GET", "srs-proxy-ufrag:" + username))
    assert value == {"stream_url": STREAM_URL, "ufrag": username, "ice_pwd": "originpassword0123456789"}
    assert redis.cli("GET", "srs-proxy-ufrag:" + username) == json.dumps(value, separators=(",", ":"))
    assert json.loads(redis.cli("GET", "srs-proxy-rtc:" + STREAM_URL)) == {"stream_url": STREAM_URL, "ufrag": username}
    assert 100 < redis.ttl("srs-proxy-ufrag:" + username) <= 120

    # Proxy B never saw the offer, yet it relays the session (Go's Redis balancer could not).
    client = RtcClient()
    bind_and_echo(client, b, username)
    assert origin.usernames[-1] == username
    status, body = http_json(b.port("SYSTEM_API"), "GET", "/api/v1/sessions")
    assert status == 200 and [s["ufrag"] for s in body["sessions"]] == [username]
    client.close()


def test_hls_playlist_from_a_and_segments_from_b(redis, two_proxies):
    a, b = two_proxies
    o1, o2 = FakeHttpOrigin("one"), FakeHttpOrigin("two")
    try:
        for o in (o1, o2):
            status, _ = http_json(a.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(o.heartbeat()))
            assert status == 200
        # The master playlist from A carries A's spbhid; B's playlists reuse it.
        status, _, body = http_request(a.port("HTTP_SERVER"), "GET", "/live/s.m3u8")
        assert status == 200, body
        master = body.decode()
        spbhid = re.search(r"spbhid=(\w+)", master).group(1)
        served, other = (o1, o2) if "ctxone" in master else (o2, o1)
        assert "spbhid=%s" % spbhid in http_request(b.port("HTTP_SERVER"), "GET", "/live/s.m3u8")[2].decode()
        value = json.loads(redis.cli("GET", "srs-proxy-spbhid:" + spbhid))
        assert value["spbhid"] == spbhid and value["stream_url"] == "__defaultVhost__/live/s"
        assert list(value) == ["spbhid", "stream_url", "full_url"]
        assert 100 < redis.ttl("srs-proxy-spbhid:" + spbhid) <= 120
        assert redis.cli("GET", "srs-proxy-hls:__defaultVhost__/live/s") == redis.cli("GET", "srs-proxy-spbhid:" + spbhid)

        # The media playlist from A, its segments from B: they reach the playlist's origin.
        ctx = re.search(r"hls_ctx=(\w+)", master).group(1)
        media_pl = http_request(a.port("HTTP_SERVER"), "GET", "/live/s.m3u8?hls_ctx=%s&spbhid=%s" % (ctx, spbhid))[2].decode()
        segs = re.findall(r"^(s\d+\.ts\S*)$", media_pl, re.M)
        assert segs, media_pl
        for seg in segs[:2]:
            status, _, data = http_request(b.port("HTTP_SERVER"), "GET", "/live/" + seg)
            assert status == 200 and data[:1] == b"\x47", (status, data[:100])
        assert sum(".ts" in p for p, _ in served.requests) == 2 and not other.requests
        # An spbhid nobody issued is still a 404.
        assert http_request(b.port("HTTP_SERVER"), "GET", "/live/s0.ts?spbhid=nosuch")[0] == 404
    finally:
        o1.close()
        o2.close()


def test_session_ended_on_its_proxy_leaves_redis(redis, two_proxies, origin):
    a, _ = two_proxies
    origin.register(a)
    offer_ufrag = "c%s" % os.urandom(3).hex()
    status, headers, body = http_request(a.port("HTTP_API"), "POST", "/rtc/v1/whep/?app=live&stream=livestream",
                                         make_offer(offer_ufrag), {"Content-Type": "application/sdp"})
    assert status == 201
    username = "%s:%s" % (re.search(r"a=ice-ufrag:(\S+)", body.decode()).group(1), offer_ufrag)
    assert redis.cli("EXISTS", "srs-proxy-ufrag:" + username) == "1"
    status, _, _ = http_request(a.port("HTTP_API"), "DELETE", headers["location"])
    assert status == 200
    # Deleted by the balancer's background coroutine, not on the relay's packet path.
    assert wait_for(lambda: redis.cli("EXISTS", "srs-proxy-ufrag:" + username) == "0", 5)
    assert redis.cli("EXISTS", "srs-proxy-rtc:" + STREAM_URL) == "0"


def test_origin_written_by_the_go_proxy_is_read_and_picked(redis, origin):
    # Exactly what Go's json.Marshal(OriginServer) stores (RFC 3339 time with nanoseconds and offset).
    now = time.strftime("%Y-%m-%dT%H:%M:%S.123456789+00:00", time.gmtime())
    go_json = ('{"ip":"127.0.0.1","device_id":"go-origin","server_id":"vid-go","service_id":"svc-go","pid":"4321",'
               '"rtmp":["19350"],"http":["8080"],"api":["%d"],"srt":["udp://0.0.0.0:10080"],'
               '"rtc":["udp://0.0.0.0:%d"],"update_at":"%s"}' % (origin.api_port, origin.rtc_port, now))
    assert redis.cli("SET", "srs-proxy-server:vid-go-svc-go-4321", go_json, "EX", "300") == "OK"
    assert redis.cli("SET", "srs-proxy-all-servers", '["srs-proxy-server:vid-go-svc-go-4321"]') == "OK"

    p = redis_proxy(redis)
    try:
        o = pick(p, "webrtc://127.0.0.1/live/livestream")
        assert o["id"] == "vid-go-svc-go-4321" and o["device_id"] == "go-origin"
        assert o["api"] == origin.api_port and o["rtc"] == origin.rtc_port and o["rtmp"] == 19350
        # And it serves: WHEP through the proxy reaches that origin.
        username = whep(p)
        client = RtcClient()
        bind_and_echo(client, p, username)
        client.close()
        assert redis.cli("GET", "srs-proxy-url:" + STREAM_URL) == "srs-proxy-server:vid-go-svc-go-4321"
    finally:
        stop_proxy(p)


def test_key_prefix_and_password(origin):
    redis = RedisServer(password="pw-%s" % os.urandom(4).hex())
    p = None
    try:
        p = redis_proxy(redis, {"PROXY_REDIS_PASSWORD": redis.password, "PROXY_REDIS_KEY_PREFIX": "cluster7"})
        origin.register(p, server="vid-1", service="s1", pid="101")
        whep(p)
        assert json.loads(redis.cli("GET", "cluster7:srs-proxy-all-servers")) == ["cluster7:srs-proxy-server:vid-1-s1-101"]
        assert redis.cli("GET", "cluster7:srs-proxy-url:" + STREAM_URL) == "cluster7:srs-proxy-server:vid-1-s1-101"
        assert all(k.startswith("cluster7:srs-proxy-") for k in redis.cli("KEYS", "*").split())
    finally:
        out = stop_proxy(p) if p else ""
        redis.kill()
    assert redis.password not in out

    # A wrong password is fatal at startup, and not printed either.
    redis = RedisServer(password="right-pw")
    try:
        bad = Proxy({"PROXY_LOAD_BALANCER_TYPE": "redis", "PROXY_REDIS_HOST": "127.0.0.1",
                     "PROXY_REDIS_PORT": str(redis.port), "PROXY_REDIS_PASSWORD": "wrong-pw-42"}, wait=False)
        bad.proc.wait(10)
        out = bad.output()
        bad.stop()
        assert bad.proc.returncode != 0 and "127.0.0.1:%d" % redis.port in out and "AUTH refused" in out, out
        assert "wrong-pw-42" not in out
    finally:
        redis.kill()


def test_redis_killed_and_restarted_keeps_live_sessions(redis, two_proxies, origin):
    a, b = two_proxies
    origin.register(a, server="vid-1", service="s1", pid="101")
    first = RtcClient()
    bind_and_echo(first, b, whep(a))

    redis.kill()
    # The live session goes on; new sessions are signalled from what each proxy has cached.
    assert echoes(first, b)
    second_username = whep(a)
    third_username = whep(b, stream="other")
    assert echoes(first, b)
    third = RtcClient()
    bind_and_echo(third, b, third_username)

    redis.start()
    assert wait_for(lambda: "is back after" in a.output() and "is back after" in b.output(), 10), a.output()
    # What Redis lost is written back: origins, picks, sessions.
    assert wait_for(lambda: redis.cli("EXISTS", "srs-proxy-server:vid-1-s1-101") == "1", 5)
    assert wait_for(lambda: redis.cli("EXISTS", "srs-proxy-ufrag:" + second_username) == "1", 5)
    assert redis.cli("EXISTS", "srs-proxy-url:" + STREAM_URL) == "1"
    assert json.loads(redis.cli("GET", "srs-proxy-all-servers")) == ["srs-proxy-server:vid-1-s1-101"]

    # The session signalled on A while Redis was down now plays through B.
    second = RtcClient()
    bind_and_echo(second, b, second_username)
    assert echoes(first, b) and echoes(third, b)
    for c in (first, second, third):
        c.close()
    assert a.alive() and b.alive()
