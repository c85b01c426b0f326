# SPDX-License-Identifier: MIT
"""Headless chromium plays WHEP through srs-proxy from srs-mock-origin, with the player page
trunk/research/players/whep.html served by the proxy's static server. The page POSTs its
getStats() summary every second to a small HTTP server of this test; the test waits for
framesDecoded > 0."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench_peers import RtcOrigin, proxy_whep_url
from conftest import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed (./configure --with-test-tools)")


class ReportServer:
    """Collects what the page POSTs to ?report=."""

    def __init__(self):
        self.port = free_port()
        self.reports = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def cors(self):
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_OPTIONS(self):
                self.send_response(200)
                self.cors()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    server.reports.append(json.loads(body))
                except ValueError:
                    pass
                self.send_response(200)
                self.cors()

        self.http = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def url(self):
        return "http://127.0.0.1:%d/report" % self.port

    def close(self):
        self.http.shutdown()
        self.http.server_close()


def start_chromium(page_url, profile):
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile, "--autoplay-policy=no-user-gesture-required",
            # Host candidates on 127.0.0.1, in the clear (no mDNS names): everything here is loopback.
            "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
            page_url]
    with open(os.path.join(profile, "chromium.log"), "wb") as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def test_chromium_plays_whep_page_through_proxy(proxy):
    o = RtcOrigin(proxy)
    reports = ReportServer()
    profile = tempfile.mkdtemp(prefix="srs-e2e-chromium-")
    browser = None
    try:
        whep = proxy_whep_url(proxy, scheme="http")
        page = "http://127.0.0.1:%d/players/whep.html?%s" % (proxy.port("HTTP_SERVER"), urllib.parse.urlencode(
            {"url": whep, "autostart": "1", "report": reports.url()}))
        browser = start_chromium(page, profile)
        deadline = time.time() + 40
        while time.time() < deadline and not any(r.get("framesDecoded", 0) > 0 for r in reports.reports):
            assert browser.poll() is None, open(os.path.join(profile, "chromium.log")).read()[-4000:]
            time.sleep(0.5)
        last = reports.reports[-1] if reports.reports else None
        assert any(r.get("framesDecoded", 0) > 0 for r in reports.reports), (
            last, o.output()[-3000:], open(os.path.join(profile, "chromium.log")).read()[-3000:])
        assert last["ice"] in ("connected", "completed"), last
        assert last["frameWidth"] == 320, last
        assert " ready: DTLS in " in o.output()
    finally:
        if browser:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
        reports.close()
        shutil.rmtree(profile, ignore_errors=True)
        o.stop_checked()
