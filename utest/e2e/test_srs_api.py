# SPDX-License-Identifier: MIT
"""SRS's HTTP API through the proxy (srs_app_srs_api.c): /api/v1/versions in both shapes, the
streams/clients/vhosts/summaries of every origin merged, owner routing, the kick of a client with
and without the system API token, a silent origin (SIGSTOP), hostile origins (huge reply, slow
drip), and TCP_NODELAY seen as an RTMP connect answered at once."""
import json
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import MockOrigin, Proxy, free_port, http_json, http_request, sanitizer_report
from rtmp_peers import RtmpClient, wait_for

TOKEN = "7f3c2a9e5b1d4c8f0a6e2b9d1c7f3a5e"


def start_proxy(env=None):
    full = {"PROXY_SRS_API_CACHE": "200ms", "PROXY_SRS_API_TIMEOUT": "1s"}
    full.update(env or {})
    return Proxy(full)


def stop_proxy(p):
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, "srs-proxy exit status %s:\n%s" % (rc, out)


class Mocks:
    """n mock origins with RTMP and SRS's API, registered with the proxy."""

    def __init__(self, proxy, n):
        self.proxy = proxy
        self.mocks = []
        for i in range(n):
            rtmp, api = free_port(), free_port()
            m = MockOrigin(proxy, ["-rtmp", rtmp, "-api", api, "-interval", 1, "-server", "mock%d" % i],
                           name="mock%d" % i)
            m.rtmp, m.api, m.server = rtmp, api, "mock%d" % i
            self.mocks.append(m)
        wait_for(lambda: len(self.origins()) == n, what="%d origins registered" % n)
        for m in self.mocks:
            m.origin_id = next(o["id"] for o in self.origins() if o["server"] == m.server)

    def origins(self):
        return http_json(self.proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"]

    def stop(self):
        for m in self.mocks:
            m.proc.send_signal(signal.SIGCONT)
            m.stop()
            assert not sanitizer_report(m.output()), m.output()


def publish_direct(mock, stream):
    """An RTMP publisher straight at one origin, so the test knows where each stream is."""
    c = RtmpClient("127.0.0.1", mock.rtmp)
    c.connect("rtmp://127.0.0.1:%d/live" % mock.rtmp, "live")
    assert c.publish(stream)["code"] == "NetStream.Publish.Start"
    return c


@pytest.fixture
def setup():
    p = start_proxy()
    mocks = Mocks(p, 2)
    clients = [publish_direct(mocks.mocks[0], "a1"), publish_direct(mocks.mocks[0], "a2"),
               publish_direct(mocks.mocks[1], "b1")]
    yield p, mocks, clients
    for c in clients:
        c.close()
    mocks.stop()
    stop_proxy(p)


def metric(p, name):
    text = http_request(p.port("HTTP_API"), "GET", "/metrics")[2].decode()
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.split()[-1])


def api(p, method, path, headers=None):
    status, hdrs, body = http_request(p.port("HTTP_API"), method, path, headers=headers)
    assert hdrs.get("content-type") == "application/json", (status, hdrs, body)
    return status, json.loads(body.decode())


# ---- versions and errors ----

def test_versions_parse_as_srs_and_as_the_go_proxy(proxy):
    status, body = api(proxy, "GET", "/api/v1/versions")
    assert status == 200 and body["code"] == 0
    # SRS clients read data.major/minor/revision (an SRS tool said "Invalid version {0 0 0}" before).
    d = body["data"]
    assert (d["major"], d["minor"], d["revision"]) == (7, 0, 143) and d["version"] == "7.0.143"
    assert body["server"] and body["service"] and body["pid"] == str(proxy.proc.pid)
    # Go proxy clients read signature and version.
    assert body["signature"] == "SRSX" and body["version"] == "7.0.143"


def test_unknown_srs_api_paths_answer_srs_json_errors(proxy):
    for method, path in (("GET", "/api/v1/xxx"), ("GET", "/api/v1/raw?rpc=reload"), ("POST", "/api/v1/configs"),
                         ("GET", "/api/v2/streams/"), ("GET", "/api/v1/streams/a/b")):
        status, body = api(proxy, method, path)
        assert status == 404 and body["code"] == 4005 and body["msg"], (path, status, body)
    # A list answers GET only, as SRS.
    status, body = api(proxy, "DELETE", "/api/v1/streams/")
    assert status == 405 and body["code"], body


# ---- aggregation ----

def test_streams_and_clients_of_two_origins_are_merged_and_tagged(setup):
    p, mocks, _ = setup
    a, b = mocks.mocks
    status, body = api(p, "GET", "/api/v1/streams/")
    assert status == 200 and body["code"] == 0 and body["total"] == 3, body
    placed = {s["name"]: s["origin"] for s in body["streams"]}
    assert placed == {"a1": a.origin_id, "a2": a.origin_id, "b1": b.origin_id}, body
    # Each entry keeps SRS's fields.
    for s in body["streams"]:
        assert s["id"].startswith("vid-") and s["app"] == "live" and s["publish"]["active"] is True, s
    assert body["unavailable"] == [] and {o["id"] for o in body["origins"]} == {a.origin_id, b.origin_id}

    status, body = api(p, "GET", "/api/v1/clients/")
    assert status == 200 and body["total"] == 3
    assert sorted((c["name"], c["type"], c["origin"]) for c in body["clients"]) == [
        ("a1", "fmle-publish", a.origin_id), ("a2", "fmle-publish", a.origin_id), ("b1", "fmle-publish", b.origin_id)]

    status, body = api(p, "GET", "/api/v1/vhosts/")
    assert status == 200 and sorted(v["origin"] for v in body["vhosts"]) == sorted([a.origin_id, b.origin_id])
    assert all(v["name"] == "__defaultVhost__" for v in body["vhosts"])

    status, body = api(p, "GET", "/api/v1/summaries")
    assert status == 200 and body["data"]["ok"] is True and body["data"]["origins"] == 2
    assert sorted(o["data"]["self"]["version"] for o in body["origins"]) == ["7.0.18", "7.0.18"]


def test_start_and_count_page_through_the_merged_list(setup):
    p, _, _ = setup
    everything = api(p, "GET", "/api/v1/streams/")[1]["streams"]
    pages = []
    for start in range(3):
        status, body = api(p, "GET", "/api/v1/streams/?start=%d&count=1" % start)
        assert status == 200 and body["total"] == 3 and len(body["streams"]) == 1, body
        pages.append(body["streams"][0]["id"])
    assert pages == [s["id"] for s in everything]
    assert api(p, "GET", "/api/v1/streams/?start=2&count=10")[1]["streams"][0]["id"] == everything[2]["id"]
    assert api(p, "GET", "/api/v1/streams/?start=5&count=10")[1]["streams"] == []
    # count=0 and negatives are at least 1, start below 0 is 0 (as SRS).
    body = api(p, "GET", "/api/v1/streams/?start=-4&count=0")[1]
    assert [s["id"] for s in body["streams"]] == [everything[0]["id"]]


def test_a_stream_or_client_id_goes_to_the_origin_that_owns_it(setup):
    p, mocks, _ = setup
    streams = api(p, "GET", "/api/v1/streams/")[1]["streams"]
    b1 = next(s for s in streams if s["name"] == "b1")
    status, body = api(p, "GET", "/api/v1/streams/%s" % b1["id"])
    assert status == 200 and body["code"] == 0 and body["stream"]["name"] == "b1", body
    assert body["server"] == "mock1"  # answered by the owner itself
    clients = api(p, "GET", "/api/v1/clients/")[1]["clients"]
    a2 = next(c for c in clients if c["name"] == "a2")
    status, body = api(p, "GET", "/api/v1/clients/%s" % a2["id"])
    assert status == 200 and body["client"]["name"] == "a2" and body["server"] == "mock0", body
    # Ids no origin has: SRS's codes.
    status, body = api(p, "GET", "/api/v1/streams/vid-nosuch")
    assert status == 404 and body["code"] == 2048, body
    status, body = api(p, "GET", "/api/v1/clients/nosuch")
    assert status == 404 and body["code"] == 2049, body


def expect_closed(client, timeout=5):
    client.sock.settimeout(timeout)
    try:
        while client.sock.recv(65536):
            pass
    except (ConnectionResetError, socket.timeout) as e:
        assert not isinstance(e, socket.timeout), "the kicked client's connection stayed open"


def test_kick_without_a_token_configured_goes_to_the_owner_as_srs(setup):
    p, _, clients = setup
    listed = api(p, "GET", "/api/v1/clients/")[1]["clients"]
    b1 = next(c for c in listed if c["name"] == "b1")
    status, body = api(p, "DELETE", "/api/v1/clients/%s" % b1["id"])
    assert status == 200 and body["code"] == 0 and body["server"] == "mock1", body
    expect_closed(clients[2])
    # The proxy asks the origin again at once (a state change drops its cached lists).
    names = sorted(c["name"] for c in api(p, "GET", "/api/v1/clients/")[1]["clients"])
    assert names == ["a1", "a2"], names


def test_kick_needs_the_system_api_token_when_one_is_set():
    p = start_proxy({"PROXY_SYSTEM_API_TOKEN": TOKEN})
    mocks = None
    try:
        # Origins register with the token.
        mocks = []
        rtmp, api_port = free_port(), free_port()
        m = MockOrigin(None, ["-rtmp", rtmp, "-api", api_port, "-interval", 1, "-server", "mock0", "-heartbeat",
                              "http://127.0.0.1:%d/api/v1/srs/register?token=%s" % (p.port("SYSTEM_API"), TOKEN)])
        m.rtmp = rtmp
        mocks.append(m)
        wait_for(lambda: http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins?token=" + TOKEN)[1]["origins"],
                 what="origin registered")
        c = publish_direct(m, "s")
        cid = api(p, "GET", "/api/v1/clients/")[1]["clients"][0]["id"]  # reading needs no token
        for headers, path in (({}, ""), ({"Authorization": "Bearer wrong"}, ""), ({}, "?token=wrong")):
            status, body = api(p, "DELETE", "/api/v1/clients/%s%s" % (cid, path), headers)
            assert status == 401 and body["code"] == 4007, body
        assert [x["id"] for x in api(p, "GET", "/api/v1/clients/")[1]["clients"]] == [cid]
        assert metric(p, 'srs_proxy_srs_api_refused_total{reason="unauthorized"}') == 3
        assert "kickoff" not in m.output()
        status, body = api(p, "DELETE", "/api/v1/clients/%s?token=%s&x=1" % (cid, TOKEN))
        assert status == 200 and body["code"] == 0, body
        expect_closed(c)
        assert "kickoff client id=%s ok" % cid in m.output()

        c.close()
    finally:
        for m in mocks or []:
            m.stop()
        stop_proxy(p)


def test_a_silent_origin_is_left_out_and_named_within_the_deadline(setup):
    p, mocks, _ = setup
    a, b = mocks.mocks
    b.proc.send_signal(signal.SIGSTOP)
    time.sleep(0.3)  # past the cache interval (200 ms)
    t0 = time.time()
    status, body = api(p, "GET", "/api/v1/streams/")
    took = time.time() - t0
    assert status == 200 and took < 3, took  # PROXY_SRS_API_TIMEOUT=1s, with room for a loaded machine
    assert body["unavailable"] == [b.origin_id], body
    assert sorted(s["name"] for s in body["streams"]) == ["a1", "a2"]
    assert next(o for o in body["origins"] if o["id"] == b.origin_id)["msg"] == "timeout"
    assert metric(p, 'srs_proxy_srs_api_origin_missing_total{reason="timeout"}') >= 1
    # Requests meanwhile share the one pending fetch: a burst costs one deadline, not one each.
    b.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: api(p, "GET", "/api/v1/streams/")[1]["total"] == 3, what="the origin back")


# ---- hostile origins ----

class FakeOrigin:
    """A registered origin whose SRS API answers what the test wants (it is untrusted input)."""

    def __init__(self, proxy, server, answer, token=None, **more):
        self.port = free_port()
        methods = {"do_GET": answer, "log_message": lambda *a: None}
        methods.update(more)
        handler = type("H", (BaseHTTPRequestHandler,), methods)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        body = json.dumps({"ip": "127.0.0.1", "server": server, "service": "svc", "pid": "1",
                           "rtmp": [str(free_port())], "api": [str(self.port)]})
        path = "/api/v1/srs/register" + ("?token=" + token if token else "")
        status, _ = http_json(proxy.port("SYSTEM_API"), "POST", path, body)
        assert status == 200
        self.id = "%s-svc-1" % server

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def huge(self):
    self.send_response(200)
    self.send_header("Content-Type", "application/json")
    self.send_header("Content-Length", str(2 * 1024 * 1024))
    self.end_headers()
    try:
        self.wfile.write(b'{"code":0,"streams":[' + b" " * (2 * 1024 * 1024 - 22) + b"]")
    except OSError:
        pass


def drip(self):
    self.send_response(200)
    self.send_header("Content-Type", "application/json")
    self.send_header("Content-Length", "1000")
    self.end_headers()
    try:
        for _ in range(1000):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def garbage(self):
    body = b'{"code":0,"streams":[1,"x",null,{"id":"evil","origin":"forged"}],"total":1e999}'
    self.send_response(200)
    self.send_header("Content-Length", str(len(body)))
    self.end_headers()
    self.wfile.write(body)


def test_hostile_origins_are_bounded_and_cannot_forge_the_tag(setup):
    p, mocks, _ = setup
    fakes = [FakeOrigin(p, "huge", huge), FakeOrigin(p, "drip", drip), FakeOrigin(p, "garbage", garbage)]
    try:
        t0 = time.time()
        status, body = api(p, "GET", "/api/v1/streams/")
        assert time.time() - t0 < 3  # the drip is cut at the whole-request deadline (1 s)
        assert metric(p, 'srs_proxy_srs_api_origin_missing_total{reason="too_large"}') >= 1
        assert status == 200 and body["code"] == 0
        msgs = {o["id"]: o.get("msg") for o in body["origins"]}
        assert msgs[fakes[0].id] == "reply too large", msgs
        assert msgs[fakes[1].id] == "timeout", msgs
        assert sorted(body["unavailable"]) == sorted([fakes[0].id, fakes[1].id])
        # Only objects are merged, and the origin tag is the proxy's, never the reply's.
        evil = [s for s in body["streams"] if s["id"] == "evil"]
        assert len(evil) == 1 and evil[0]["origin"] == fakes[2].id, body
        assert body["total"] == 4
    finally:
        for f in fakes:
            f.stop()


def test_a_kick_reaches_the_owner_without_the_proxys_token():
    p = start_proxy({"PROXY_SYSTEM_API_TOKEN": TOKEN})
    seen = []

    def clients(self):
        body = b'{"code":0,"clients":[{"id":"fake1","name":"s"}]}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def delete(self):
        seen.append((self.path, self.headers.get("Authorization")))
        body = b'{"code":0}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    fake = None
    try:
        fake = FakeOrigin(p, "fake", clients, token=TOKEN, do_DELETE=delete)
        status, body = api(p, "DELETE", "/api/v1/clients/fake1?token=%s&x=1" % TOKEN,
                           {"Authorization": "Bearer " + TOKEN})
        assert status == 200 and body == {"code": 0}, body
        # Neither the query token nor the Authorization header reach the origin.
        assert seen == [("/api/v1/clients/fake1?x=1", None)], seen
    finally:
        if fake:
            fake.stop()
        stop_proxy(p)


def test_merged_entries_are_bounded():
    p = start_proxy({"PROXY_SRS_API_MAX_ENTRIES": "2"})
    mocks = Mocks(p, 2)
    clients = [publish_direct(mocks.mocks[0], "a1"), publish_direct(mocks.mocks[0], "a2"),
               publish_direct(mocks.mocks[1], "b1")]
    try:
        status, body = api(p, "GET", "/api/v1/streams/")
        assert status == 200 and body["total"] == 2 and len(body["streams"]) == 2 and body["truncated"] is True
    finally:
        for c in clients:
            c.close()
        mocks.stop()
        stop_proxy(p)


# ---- latency sanity (not a benchmark) ----

def test_rtmp_connect_is_answered_without_nagle_delay(setup):
    """The proxy answers connect itself with four messages in a row; with Nagle on, the last ones
    wait for the client's delayed ACK (~40 ms). With TCP_NODELAY the _result comes at once."""
    p, _, _ = setup
    took = []
    for _ in range(5):
        c = RtmpClient("127.0.0.1", p.port("RTMP_SERVER"))
        # The client's side without Nagle too, so only the proxy's writes are measured.
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t0 = time.time()
        c.connect("rtmp://127.0.0.1:%d/live" % p.port("RTMP_SERVER"), "live")
        took.append(time.time() - t0)
        c.close()
    took.sort()
    assert took[2] < 0.020, took
