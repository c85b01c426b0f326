# SPDX-License-Identifier: MIT
"""HTTPS at the edge: the proxy's own TLS listeners (PROXY_HTTPS_API, PROXY_HTTPS_SERVER) serve what
the plain ones serve, verified against a CA made in the test (openssl CLI): curl --cacert on every
endpoint, ffprobe on HTTPS-FLV and HTTPS HLS, aiortc signalling WHEP over HTTPS, headless chromium
playing players/whep.html from an HTTPS page, a certificate swapped with SIGHUP under a playing
stream, and a flood of half-open TLS handshakes (from 127.0.0.66) that leaves 127.0.0.1 served."""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from conftest import http_json, sanitizer_report
from http_peers import FakeHttpOrigin, count_frames, media
from tls_peers import Certs, HttpsProxy, tls_get

ATTACKER = "127.0.0.66"
PYTHON = "/usr/bin/python3"


def stop_clean(p):
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, out
    return out


@pytest.fixture(scope="module")
def certs():
    c = Certs()
    yield c
    shutil.rmtree(c.dir, ignore_errors=True)


@pytest.fixture
def proxy(certs):
    p = HttpsProxy(certs)
    yield p
    stop_clean(p)


@pytest.fixture
def origin():
    o = FakeHttpOrigin()
    yield o
    o.close()


def register(proxy, origin):
    status, _ = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(origin.heartbeat()))
    assert status == 200


def curl(certs, url, *extra):
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert", certs.path("ca.pem"),
                        "-w", "\n%{http_code} %{http_version} %{ssl_verify_result}"] + list(extra) + [url],
                       capture_output=True, timeout=20)
    assert r.returncode == 0, r.stderr.decode()
    body, _, tail = r.stdout.rpartition(b"\n")
    code, version, verify = tail.decode().split()
    return int(code), version, int(verify), body


def test_curl_with_cacert_reaches_every_https_endpoint(proxy, certs, origin):
    register(proxy, origin)
    api = "https://localhost:%d" % proxy.https_api
    srv = "https://localhost:%d" % proxy.https_server
    # The HTTP API: versions, metrics, the WHEP CORS preflight; unknown paths stay JSON 404s.
    code, version, verify, body = curl(certs, api + "/api/v1/versions")
    assert (code, version, verify) == (200, "1.1", 0) and json.loads(body)["signature"] == "SRSX", body
    code, _, _, body = curl(certs, api + "/metrics")
    assert code == 200 and b'srs_proxy_tls_handshakes_total{result="ok"}' in body, body[:500]
    code, _, _, _ = curl(certs, api + "/rtc/v1/whep/?app=live&stream=s", "-X", "OPTIONS")
    assert code == 200
    code, _, _, body = curl(certs, api + "/nowhere")
    assert code == 404 and json.loads(body)["code"] != 0
    # The stream server: static files (the players page), FLV, HLS.
    code, _, _, body = curl(certs, srv + "/players/whep.html")
    assert code == 200 and b"<html" in body.lower()
    code, _, _, body = curl(certs, srv + "/live/s.flv", "--max-filesize", "100000000")
    assert code == 200 and body[:3] == b"FLV" and len(body) > 100000
    code, _, _, body = curl(certs, srv + "/live/s0.ts")
    assert code == 200 and body[:1] == b"\x47", body[:16]   # HTTP-TS: MPEG-TS sync byte
    # Legacy signalling over TLS reaches its handler (no WebRTC origin here: a JSON error).
    code, _, _, body = curl(certs, api + "/rtc/v1/play/", "-X", "POST", "-H", "Content-Type: application/json",
                            "--data", json.dumps({"streamurl": "webrtc://localhost/live/x", "sdp": "v=0\r\n"}))
    assert code in (400, 502, 503) and json.loads(body)["code"] != 0, (code, body)
    code, _, _, body = curl(certs, srv + "/live/s.m3u8")
    assert code == 200 and b"spbhid=" in body, body
    # An HTTP/2-preferring client is answered in HTTP/1.1 (ALPN http/1.1).
    code, version, _, _ = curl(certs, srv + "/api/v1/versions", "--http2")
    assert (code, version) == (200, "1.1")
    # A client that does not trust the CA is refused by itself (the certificate is the test CA's).
    r = subprocess.run(["curl", "-sS", "--max-time", "5", srv + "/api/v1/versions"], capture_output=True)
    assert r.returncode == 60, r.stderr


def test_tls_versions_alpn_and_resumption(proxy, certs):
    ctx = certs.context()
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    status, _, _, facts = tls_get(proxy.https_server, "/api/v1/versions", ctx)
    assert status.startswith("HTTP/1.1 200"), status
    assert facts["version"] in ("TLSv1.2", "TLSv1.3") and facts["alpn"] == "http/1.1", facts
    # TLS 1.2 works with a forward-secret AEAD suite.
    c12 = certs.context()
    c12.maximum_version = ssl.TLSVersion.TLSv1_2
    _, _, _, facts = tls_get(proxy.https_server, "/api/v1/versions", c12)
    assert facts["version"] == "TLSv1.2" and facts["cipher"].startswith("ECDHE-") and "GCM" in facts["cipher"] or \
        "CHACHA20" in facts["cipher"], facts
    # TLS 1.1 and 1.0 are refused.
    for flag in ("-tls1_1", "-tls1"):
        r = subprocess.run(["openssl", "s_client", flag, "-connect", "127.0.0.1:%d" % proxy.https_server],
                           input=b"", capture_output=True, timeout=10)
        assert r.returncode != 0 and b"Cipher is (NONE)" in r.stdout or b"no protocols available" in r.stderr or \
            b"alert" in r.stderr, (r.stdout[-500:], r.stderr[-500:])
    # A TLS 1.2 session is resumed (the server's session cache or a ticket).
    sess_file = os.path.join(certs.dir, "sess.pem")
    base = ["openssl", "s_client", "-tls1_2", "-CAfile", certs.path("ca.pem"), "-connect",
            "127.0.0.1:%d" % proxy.https_server]
    r1 = subprocess.run(base + ["-sess_out", sess_file], input=b"", capture_output=True, timeout=10)
    r2 = subprocess.run(base + ["-sess_in", sess_file], input=b"", capture_output=True, timeout=10)
    assert b"Reused, TLSv1.2" in r2.stdout, (r1.stdout[-800:], r2.stdout[-800:])


def test_ffprobe_reads_https_flv_and_https_hls_through_the_proxy(proxy, certs, origin):
    register(proxy, origin)
    ca = ["-ca_file", certs.path("ca.pem"), "-tls_verify", "1"]
    expected = count_frames(os.path.join(media(), "s.flv"))
    srv = "https://localhost:%d" % proxy.https_server

    def frames(url):
        out = subprocess.run(["ffprobe", "-v", "error"] + ca + ["-select_streams", "v:0", "-count_frames",
                             "-show_entries", "stream=nb_read_frames,codec_name", "-of", "csv=p=0", url],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        best = ("", 0)
        for line in out.stdout.splitlines():
            parts = line.strip().split(",")
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= best[1]:
                best = (parts[0], int(parts[1]))
        return best

    assert frames(srv + "/live/s.flv") == expected
    codec, n = frames(srv + "/live/s.m3u8")
    assert codec == "h264" and abs(n - expected[1]) <= 1, (n, expected)
    # HLS stickiness over HTTPS: the segments came to the origin with the playlist's spbhid.
    segs = [p for p, _ in origin.requests if p.startswith("/live/s0.ts?")]
    assert segs and all("spbhid=" in p and "hls_ctx=ctxorigin" in p for p in segs), origin.requests[-5:]


def test_aiortc_signals_whep_over_https(proxy, certs):
    if subprocess.run([PYTHON, "-c", "import aiortc"], capture_output=True).returncode:
        pytest.fail("python3-aiortc is missing (./configure --with-test-tools)")
    from bench_peers import RtcOrigin
    o = RtcOrigin(proxy)
    try:
        url = "https://localhost:%d/rtc/v1/whep/?app=live&stream=livestream" % proxy.https_api
        env = dict(os.environ, SRS_E2E_CAFILE=certs.path("ca.pem"))
        out = subprocess.run([PYTHON, os.path.join(os.path.dirname(__file__), "aiortc_whep.py"), url, "5"],
                             capture_output=True, text=True, timeout=60, env=env)
        lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
        assert out.returncode == 0 and lines, out.stdout + out.stderr
        r = json.loads(lines[-1])
        assert r["status"] == 201 and r["ice"] == "completed" and r["video_frames"] > 20, (r, out.stderr[-2000:])
        assert r["delete_status"] == 200, r
    finally:
        o.stop_checked()


def test_aiortc_publishes_whip_over_https(proxy, certs):
    if subprocess.run([PYTHON, "-c", "import aiortc"], capture_output=True).returncode:
        pytest.fail("python3-aiortc is missing (./configure --with-test-tools)")
    from bench_peers import RtcOrigin
    o = RtcOrigin(proxy)
    try:
        url = "https://localhost:%d/rtc/v1/whip/?app=live&stream=pub" % proxy.https_api
        env = dict(os.environ, SRS_E2E_CAFILE=certs.path("ca.pem"))
        out = subprocess.run([PYTHON, os.path.join(os.path.dirname(__file__), "aiortc_whep.py"), url, "4", "publish"],
                             capture_output=True, text=True, timeout=60, env=env)
        lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
        assert out.returncode == 0 and lines, out.stdout + out.stderr
        r = json.loads(lines[-1])
        assert r["status"] == 201 and r["ice"] == "completed" and r["delete_status"] == 200, (r, out.stderr[-2000:])
        m = re.search(r"closed: DELETE \(rtp in (\d+), rtcp in (\d+), srtp errors (\d+)\)", o.output())
        assert m and int(m.group(1)) > 50 and int(m.group(3)) == 0, o.output()[-3000:]
    finally:
        o.stop_checked()


def test_chromium_plays_whep_page_served_over_https(proxy, certs):
    from test_chromium import CHROMIUM, ReportServer
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is missing (./configure --with-test-tools)")
    from bench_peers import RtcOrigin
    o = RtcOrigin(proxy)
    reports = ReportServer()
    profile = tempfile.mkdtemp(prefix="srs-e2e-chromium-")
    browser = None
    try:
        whep = "https://localhost:%d/rtc/v1/whep/?app=live&stream=livestream" % proxy.https_api
        page = "https://localhost:%d/players/whep.html?%s" % (proxy.https_server, urllib.parse.urlencode(
            {"url": whep, "autostart": "1", "report": reports.url()}))
        # Chromium's trust store (NSS) cannot take the test CA without certutil (not in this image),
        # so certificate errors are ignored; the page still runs in an https:// origin (the secure
        # context that WHIP/WHEP pages need) served by the proxy's TLS, and signals over TLS.
        argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--autoplay-policy=no-user-gesture-required",
                "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--ignore-certificate-errors", page]
        with open(os.path.join(profile, "chromium.log"), "wb") as log:
            browser = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 40
        while time.time() < deadline and not any(r.get("framesDecoded", 0) > 0 for r in reports.reports):
            assert browser.poll() is None, open(os.path.join(profile, "chromium.log")).read()[-4000:]
            time.sleep(0.5)
        last = reports.reports[-1] if reports.reports else None
        assert any(r.get("framesDecoded", 0) > 0 for r in reports.reports), (
            last, o.output()[-3000:], open(os.path.join(profile, "chromium.log")).read()[-3000:])
        assert last["frameWidth"] == 320, last
        _, _, body = _metrics(proxy)
        assert int(re.search(rb'srs_proxy_tls_handshakes_total\{result="ok"\} (\d+)', body).group(1)) >= 2
    finally:
        if browser:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
        reports.close()
        shutil.rmtree(profile, ignore_errors=True)
        o.stop_checked()


def _metrics(proxy):
    from conftest import http_request
    return http_request(proxy.port("HTTP_API"), "GET", "/metrics")


def test_sighup_swaps_the_certificate_while_a_stream_plays(certs, origin):
    own = Certs(cn="first")
    p = HttpsProxy(own)
    try:
        origin.flv_pace = 0.05   # 20 KB/s: the clip (186 KB) plays across the swap
        origin.flv_chunk = 1024
        register(p, origin)
        raw = socket.create_connection(("127.0.0.1", p.https_server), 5)
        s = own.context().wrap_socket(raw, server_hostname="localhost")
        s.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: localhost\r\n\r\n")
        got = s.recv(65536)
        assert got.startswith(b"HTTP/1.1 200"), got[:200]
        # The files are replaced by a certificate of another CA, then SIGHUP.
        second = Certs(cn="second")
        shutil.copy(second.path("cert.pem"), own.path("cert.pem"))
        shutil.copy(second.path("key.pem"), own.path("key.pem"))
        p.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and p.output().count("HTTPS certificate loaded") < 2:
            time.sleep(0.05)
        assert "Got signal 1(" in p.output() and p.output().count("HTTPS certificate loaded") == 2, p.output()[-2000:]
        # New connections see the new certificate: the second CA verifies it, the first does not.
        status, _, _, _ = tls_get(p.https_server, "/api/v1/versions", second.context())
        assert status.startswith("HTTP/1.1 200"), status
        with pytest.raises(ssl.SSLCertVerificationError):
            tls_get(p.https_server, "/api/v1/versions", own.context(ca=own.path("ca.pem")))
        # The stream that started before the swap keeps flowing on its old session.
        before = len(got)
        deadline = time.time() + 3
        while time.time() < deadline:
            chunk = s.recv(65536)
            assert chunk, "the stream ended at %d bytes" % len(got)
            got += chunk
        assert len(got) > before + 20000, (before, len(got))
        s.close()
        # A reload that fails (a key that does not match) keeps the certificate that works.
        shutil.copy(own.path("ca.key"), own.path("key.pem"))
        p.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and "keep the old certificate" not in p.output():
            time.sleep(0.05)
        status, _, _, _ = tls_get(p.https_server, "/api/v1/versions", second.context())
        assert status.startswith("HTTP/1.1 200"), status
        _, _, body = _metrics(p)
        # (The 5 s file check may also have caught a file half-swapped: at least these.)
        assert int(re.search(rb'cert_reloads_total\{result="ok"\} (\d+)', body).group(1)) >= 2, body
        assert int(re.search(rb'cert_reloads_total\{result="failed"\} (\d+)', body).group(1)) >= 1, body
    finally:
        out = stop_clean(p)
    assert "keep the old certificate" in out


def test_half_open_tls_flood_leaves_the_proxy_serving_others(certs):
    """200 connections from one attacker address open TLS and stop mid-handshake (some send half a
    ClientHello, some nothing): each is cut at PROXY_HTTP_HEAD_TIMEOUT, the per-address share
    bounds how many it holds, and 127.0.0.1 is served throughout."""
    p = HttpsProxy(certs, {"PROXY_HTTP_HEAD_TIMEOUT": "1s", "PROXY_MAX_CONNECTIONS_PER_IP": "150"})
    held = []
    try:
        hello = _client_hello_bytes()
        for i in range(200):
            s = socket.socket()
            s.bind((ATTACKER, 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", p.https_server))
            if i % 2:
                s.sendall(hello[: len(hello) // 2])   # half a ClientHello, then silence
            held.append(s)
        t0 = time.time()
        status, _, body, _ = tls_get(p.https_server, "/api/v1/versions", certs.context())
        assert status.startswith("HTTP/1.1 200") and b"7.0" in body, status
        assert time.time() - t0 < 2
        # Every half-open handshake is closed by the proxy within the head timeout (plus slack);
        # the 50 over the per-address share are closed at once.
        deadline = time.time() + 4
        closed = 0
        for s in held:
            s.settimeout(max(0.05, deadline - time.time()))
            try:
                data = s.recv(4096)
                while data:
                    data = s.recv(4096)
                closed += 1
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass
        assert closed == len(held), closed
        _, _, m = _metrics(p)
        timeouts = int(re.search(rb'srs_proxy_tls_handshakes_total\{result="timeout"\} (\d+)', m).group(1))
        assert timeouts >= 100, m
        assert re.search(rb'srs_proxy_tcp_refused_by_reason_total\{listener="HTTPS Stream",reason="per_ip"\} (\d+)', m), m
        assert "HTTPS Stream: refuse 127.0.0.66 (per_ip)" in p.output()
        # And afterwards too.
        status, _, _, _ = tls_get(p.https_server, "/api/v1/versions", certs.context())
        assert status.startswith("HTTP/1.1 200")
    finally:
        for s in held:
            s.close()
        stop_clean(p)


def _client_hello_bytes():
    """A real ClientHello, as Python's TLS client writes it (captured through a memory BIO)."""
    ctx = ssl.create_default_context()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def test_a_renewed_certificate_on_disk_is_picked_up_without_a_signal():
    """certbot or a Kubernetes secret replaces the files: the proxy notices within its 5 s check."""
    own = Certs(cn="before")
    p = HttpsProxy(own)
    try:
        status, _, _, _ = tls_get(p.https_server, "/api/v1/versions", own.context())
        assert status.startswith("HTTP/1.1 200")
        renewed = Certs(cn="renewed")
        # Written aside and renamed into place, as certbot and kubelet do (no half-written file).
        for name in ("key.pem", "cert.pem"):
            shutil.copy(renewed.path(name), own.path(name + ".new"))
            os.rename(own.path(name + ".new"), own.path(name))
        deadline = time.time() + 12
        ok = False
        while time.time() < deadline and not ok:
            try:
                ok = tls_get(p.https_server, "/api/v1/versions", renewed.context())[0].startswith("HTTP/1.1 200")
            except ssl.SSLError:
                time.sleep(0.5)
        assert ok, p.output()[-2000:]
        assert "changed on disk, reload" in p.output()
    finally:
        stop_clean(p)
