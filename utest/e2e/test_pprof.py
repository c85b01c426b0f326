# SPDX-License-Identifier: MIT
"""The debug listener (PROXY_PPROF) and /metrics, checked with the tools users run against them:
`go tool pprof` (Debian golang-go) reads the CPU, heap and goroutine profiles, symbolizing through
/debug/pprof/symbol where the binary is not at hand; `promtool check metrics` (Debian prometheus)
lints /metrics. A few WHEP sessions through a stand-in origin make the UDP load the profiles see.
"""
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import Proxy, free_port, http_request, is_sanitized, sanitizer_report
from rtc_peers import FakeRtcOrigin, RtcClient, make_offer, stun_binding_request


def tool(name, package):
    """The path of a tool, or skip the test saying why (the CI installs them)."""
    path = shutil.which(name)
    if not path:
        print("SKIP: %s not found; install the Debian package %s" % (name, package))
        pytest.skip("%s not installed (Debian package %s)" % (name, package))
    return path


def start_proxy(extra=None):
    env = {"PROXY_PPROF": "127.0.0.1:%d" % free_port(), "PROXY_RTC_SESSION_TIMEOUT": "30s"}
    env.update(extra or {})
    p = Proxy(env)
    p.pprof = int(env["PROXY_PPROF"].rsplit(":", 1)[1])
    return p


def stop_proxy(p):
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, out


@pytest.fixture
def proxy():
    p = start_proxy()
    yield p
    stop_proxy(p)


@pytest.fixture
def origin():
    o = FakeRtcOrigin()
    yield o
    o.close()


def get(port, path, timeout=30):
    return http_request(port, "GET", path, timeout=timeout)


class UdpLoad:
    """WHEP sessions through the proxy, each sending RTP-looking datagrams that the stand-in origin
    echoes back, from a thread, until stopped."""

    def __init__(self, proxy, origin, sessions=4):
        origin.register(proxy)
        self.port = proxy.port("WEBRTC_SERVER")
        self.clients = []
        for i in range(sessions):
            offer_ufrag = "load%d%s" % (i, os.urandom(2).hex())
            status, _, body = http_request(proxy.port("HTTP_API"), "POST", "/rtc/v1/whep/?app=live&stream=load%d" % i,
                                           make_offer(offer_ufrag), {"Content-Type": "application/sdp"})
            assert status == 201, body
            answer_ufrag = re.search(r"a=ice-ufrag:(\S+)", body.decode()).group(1)
            client = RtcClient()
            client.send(self.port, stun_binding_request("%s:%s" % (answer_ufrag, offer_ufrag)))
            assert client.recv() is not None, "no binding response through the proxy"
            client.sock.setblocking(False)
            self.clients.append(client)
        self.stop_flag = False
        self.sent = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        rtp = bytes([0x80, 0x60]) + os.urandom(1000)
        while not self.stop_flag:
            for c in self.clients:
                for _ in range(8):
                    try:
                        c.sock.sendto(rtp, ("127.0.0.1", self.port))
                        self.sent += 1
                    except OSError:
                        pass
                try:
                    while True:
                        c.sock.recv(65536)
                except OSError:
                    pass
            time.sleep(0.0005)

    def stop(self):
        self.stop_flag = True
        self.thread.join()
        for c in self.clients:
            c.close()


@pytest.fixture
def load(proxy, origin):
    u = UdpLoad(proxy, origin)
    yield u
    u.stop()


def go_pprof(*args, timeout=60):
    """`go tool pprof` run in an empty directory with its own HOME: the proxy binary is not at
    hand by name, and nothing is written next to the tests."""
    go = tool("go", "golang-go")
    work = tempfile.mkdtemp(prefix="srs-pprof-")
    env = dict(os.environ, HOME=work, PPROF_TMPDIR=work, PPROF_BINARY_PATH=work)
    r = subprocess.run([go, "tool", "pprof"] + list(args), cwd=work, env=env, capture_output=True, text=True,
                       timeout=timeout)
    shutil.rmtree(work, ignore_errors=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def url(proxy, path):
    return "http://127.0.0.1:%d%s" % (proxy.pprof, path)


def sanitized(proxy):
    return is_sanitized(proxy.proc.pid)


def test_off_unless_configured():
    p = Proxy()
    try:
        assert "Debug pprof" not in p.output()
    finally:
        stop_proxy(p)


def test_index_cmdline_and_unknown_paths(proxy):
    for base in ("/debug/pprof/", "/pprof/"):
        status, headers, body = get(proxy.pprof, base)
        assert status == 200 and headers["content-type"].startswith("text/html")
        for name in ("profile", "heap", "allocs", "goroutine?debug=2", "trace", "symbol", "cmdline"):
            assert "href='%s" % name in body.decode(), name
    # argv: NUL-separated for Go's pprof, newline-separated for gperftools'.
    _, _, body = get(proxy.pprof, "/debug/pprof/cmdline")
    assert body.split(b"\0")[0].endswith(b"srs-proxy")
    _, _, body = get(proxy.pprof, "/pprof/cmdline")
    assert body.endswith(b"srs-proxy\n")
    status, _, body = get(proxy.pprof, "/debug/pprof/block")
    assert status == 404 and b"Unknown profile" in body
    status, _, _ = get(proxy.pprof, "/other")
    assert status == 404
    assert "reachable from other hosts" not in proxy.output()


def test_busy_port_is_fatal_and_non_loopback_warns():
    # Held on loopback, the port cannot be bound on all interfaces either: the proxy stops, after
    # warning that the address would be reachable from other hosts. Nothing listens beyond 127.0.0.1.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        p = Proxy({"PROXY_PPROF": "0.0.0.0:%d" % port}, wait=False)
        assert p.proc.wait(10) != 0
        out = p.output()
        p.stop()
        assert "reachable from other hosts" in out, out
        assert "PROXY_PPROF=0.0.0.0:%d" % port in out and "bind" in out.lower(), out
    finally:
        holder.close()


def test_cpu_profile_under_udp_load_names_proxy_functions(proxy, load):
    if sanitized(proxy):
        status, _, body = get(proxy.pprof, "/debug/pprof/profile?seconds=1")
        assert status == 501 and b"SANITIZER" in body
        return
    time.sleep(0.3)
    # Go's path: a gzipped profile.proto the proxy symbolized itself.
    top = go_pprof("-top", url(proxy, "/debug/pprof/profile?seconds=2"))
    assert "Type: cpu" in top, top
    assert re.search(r"\b(mux_cycle|forwarder_cycle|srs_\w+|st_\w+)\b", top), top
    # gperftools' path: the raw profile, with local symbolization off, so every name comes through
    # /pprof/symbol.
    top = go_pprof("-top", "-symbolize=remote", url(proxy, "/pprof/profile?seconds=2"))
    assert re.search(r"\b(mux_cycle|forwarder_cycle|coroutine_main)\b", top), top
    assert load.sent > 0


def test_second_cpu_profile_gets_409_while_the_proxy_keeps_serving(proxy):
    if sanitized(proxy):
        pytest.skip("no CPU profiler in a sanitizer build (501, checked elsewhere)")
    result = {}

    def first():
        result["first"] = get(proxy.pprof, "/debug/pprof/profile?seconds=2")

    t = threading.Thread(target=first)
    t.start()
    time.sleep(0.5)
    status, _, body = get(proxy.pprof, "/debug/pprof/profile?seconds=1")
    assert status == 409 and b"already" in body, body
    status, _, _ = get(proxy.pprof, "/pprof/profile?seconds=1")
    assert status == 409
    # The handler's coroutine sleeps: everything else answers at once.
    began = time.time()
    status, _, _ = get(proxy.port("HTTP_API"), "/api/v1/versions")
    assert status == 200 and time.time() - began < 0.5
    t.join()
    status, headers, body = result["first"]
    assert status == 200 and headers["content-type"] == "application/octet-stream"
    assert body[:2] == b"\x1f\x8b" and len(gzip.decompress(body)) > 0
    # And the next one is served again.
    status, _, _ = get(proxy.pprof, "/debug/pprof/profile?seconds=1")
    assert status == 200


def test_heap_and_allocs_profiles(proxy, load):
    if sanitized(proxy):
        status, _, body = get(proxy.pprof, "/debug/pprof/heap")
        assert status == 501 and b"SANITIZER" in body
        return
    # Sampling is random, but a trace allocates its event buffer (megabytes: always sampled).
    status, _, _ = get(proxy.pprof, "/debug/pprof/trace?seconds=1")
    assert status == 200
    top = go_pprof("-top", url(proxy, "/debug/pprof/heap"))
    assert "Type: inuse_space" in top, top
    top = go_pprof("-top", url(proxy, "/debug/pprof/allocs"))
    assert "Type: alloc_space" in top and "srs_sched_trace_new" in top, top
    # gperftools' heapz text, symbolized remotely.
    status, _, body = get(proxy.pprof, "/pprof/heap")
    assert status == 200 and body.startswith(b"heap profile: ") and b"@ heap_v2/524288" in body
    top = go_pprof("-top", "-symbolize=remote", "-sample_index=alloc_space", url(proxy, "/pprof/heap"))
    assert "srs_sched_trace_new" in top, top


def test_goroutine_dump_and_profile(proxy):
    status, _, body = get(proxy.pprof, "/debug/pprof/goroutine?debug=2")
    assert status == 200
    text = body.decode()
    blocks = text.strip().split("\n\n")
    listeners = {}
    for b in blocks:
        name = re.search(r"\tname:\s+(.*)", b).group(1)
        assert re.match(r"coroutine \d+ \[[a-z ]+, \d+\.\d{3}s\]:", b), b
        assert re.search(r"\tcid:\s+[0-9a-f]{7}\n", b), b
        if "cycle:      accept_cycle" in b:
            listeners[name] = b
    assert {"HTTP API", "System API", "HTTP Stream", "pprof"} <= set(listeners), text
    assert "waiting on fd for read" in listeners["HTTP API"]
    assert "created by: srs_tcp_server_start+0x" in listeners["HTTP API"]

    status, _, body = get(proxy.pprof, "/debug/pprof/goroutine?debug=1")
    text = body.decode()
    # Connections come and go between two requests: the count is near, not equal.
    total = int(re.match(r"goroutine profile: total (\d+)\n", text).group(1))
    assert abs(total - len(blocks)) <= 2
    assert '# labels: {"name":"rtc-mux"}' in text and "\taccept_cycle+0x0" in text

    top = go_pprof("-top", url(proxy, "/debug/pprof/goroutine"))
    assert "Type: goroutine" in top and "accept_cycle" in top, top
    top = go_pprof("-top", "-symbolize=remote", url(proxy, "/debug/pprof/goroutine"))
    assert "accept_cycle" in top and "srs_tcp_server_start" in top, top


def test_symbol_endpoint(proxy):
    for base in ("/debug/pprof/symbol", "/pprof/symbol"):
        status, _, body = get(proxy.pprof, base)
        assert status == 200 and body == b"num_symbols: 1\n"
    _, _, body = get(proxy.pprof, "/debug/pprof/goroutine?debug=1")
    addrs = dict(re.findall(r"#\t(0x[0-9a-f]+)\t(\w+)\+0x[0-9a-f]+", body.decode()))
    assert addrs
    post = "+".join(list(addrs) + ["0x1"])
    status, _, body = http_request(proxy.pprof, "POST", "/debug/pprof/symbol", post)
    assert status == 200
    lines = dict(l.split("\t") for l in body.decode().splitlines())
    assert "0x1" not in lines
    for addr, name in addrs.items():
        assert lines[addr] == name
    # Go's GET form: the addresses in the query.
    first = next(iter(addrs))
    _, _, body = get(proxy.pprof, "/pprof/symbol?" + first)
    assert body.decode() == "%s\t%s\n" % (first, addrs[first])


def test_trace_is_chrome_json_with_switches(proxy, load):
    result = {}

    def take():
        result["trace"] = get(proxy.pprof, "/debug/pprof/trace?seconds=1")

    t = threading.Thread(target=take)
    t.start()
    time.sleep(0.3)
    status, _, body = get(proxy.pprof, "/debug/pprof/trace?seconds=1")
    assert status == 409 and b"already" in body
    t.join()
    status, headers, body = result["trace"]
    assert status == 200 and headers["content-type"] == "application/json"
    trace = json.loads(body)
    events = trace["traceEvents"]
    switches = [e for e in events if e["ph"] == "X" and e["cat"] == "switch"]
    assert len(switches) > 10
    names = {e["args"]["name"].split(" [")[0] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {"rtc-mux", "rtc-forwarder", "idle: scheduler and poll"} <= names, names
    assert all(e["dur"] >= 0 and e["ts"] >= 0 for e in switches)
    summary = trace["otherData"]
    assert 0.9e6 < summary["duration_us"] < 2e6
    mux = [c for c in summary["coroutines"] if c["name"] == "rtc-mux"]
    assert mux and mux[0]["runs"] > 0 and mux[0]["run_us"] > 0


def metrics_lines(text):
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


def promtool_check(text):
    promtool = tool("promtool", "prometheus")
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


def test_metrics_on_http_api_pass_promtool(proxy, load):
    time.sleep(0.5)
    status, headers, body = get(proxy.port("HTTP_API"), "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    text = body.decode()
    m = metrics_lines(text)
    assert m["srs_proxy_rtc_sessions"] == 4
    assert m['srs_proxy_rtc_packets_total{direction="to_origin"}'] > 0
    assert m['srs_proxy_rtc_packets_total{direction="to_client"}'] > 0
    assert m['srs_proxy_rtc_bytes_total{direction="to_origin"}'] > 1000
    assert m["srs_proxy_origins"] == 1 and m["srs_proxy_origins_alive"] == 1
    assert m['srs_proxy_origin_picks_total{origin="fake-origin-svc1-4242"}'] == 4
    assert m['srs_proxy_tcp_connections{listener="http_api"}'] >= 1
    assert 'srs_proxy_rtc_dropped_packets_total{reason="unknown_address"}' in m
    assert m["srs_proxy_coroutines"] >= 10
    promtool_check(text)


def test_exporter_listener_serves_metrics(origin):
    port = free_port()
    p = start_proxy({"PROXY_EXPORTER": "127.0.0.1:%d" % port})
    try:
        status, _, body = get(port, "/metrics")
        assert status == 200
        m = metrics_lines(body.decode())
        assert m['srs_proxy_tcp_connections{listener="exporter"}'] == 1
        assert m["srs_proxy_rtc_sessions"] == 0
        promtool_check(body.decode())
        status, _, _ = get(port, "/api/v1/versions")
        assert status == 404
    finally:
        stop_proxy(p)
