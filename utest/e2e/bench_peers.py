# SPDX-License-Identifier: MIT
"""srs-mock-origin with WebRTC, and srs-bench's WebRTC players, for the end-to-end tests.

The mock origin plays the test media (http_peers.media()) over real ICE-lite + DTLS + SRTP; the
proxy in front of it is the real srs-proxy; srs-bench, aiortc and chromium are the players.
"""
import json
import os
import socket
import subprocess
import time

from conftest import OBJS, ROOT, MockOrigin, free_port, http_json, sanitizer_report
from http_peers import media


def wait_tcp(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class RtcOrigin(MockOrigin):
    """srs-mock-origin with -api/-rtc/-flv on free ports, registered with proxy when given."""

    def __init__(self, proxy=None, args=None, name="mock-origin"):
        self.api_port = free_port()
        self.rtc_port = free_port(socket.SOCK_DGRAM)
        argv = ["-api", self.api_port, "-rtc", self.rtc_port, "-flv", os.path.join(media(), "s.flv"),
                "-interval", "1", "-log", "info"] + list(args or [])
        if proxy:
            # The proxy refuses a heartbeat without an RTMP port, as the Go proxy does.
            argv += ["-rtmp", free_port()]
        super().__init__(proxy, argv, name=name)
        if not wait_tcp(self.api_port):
            raise AssertionError("srs-mock-origin not ready:\n" + self.output())
        if proxy:
            deadline = time.time() + 5
            while time.time() < deadline:
                origins = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1].get("origins") or []
                if any(o.get("pid") == str(self.proc.pid) for o in origins):
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("srs-mock-origin did not register:\n" + self.output())

    def stop_checked(self):
        """Stop it; it must exit cleanly, without a sanitizer report."""
        rc = self.stop()
        out = self.output()
        assert not sanitizer_report(out), out[-6000:]
        assert rc == 0, out[-6000:]

    def whep_url(self, stream="livestream"):
        return "whep://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=%s" % (self.api_port, stream)

    def webrtc_url(self, stream="livestream"):
        return "webrtc://127.0.0.1:%d/live/%s" % (self.api_port, stream)


def proxy_whep_url(proxy, stream="livestream", scheme="whep"):
    return "%s://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=%s" % (scheme, proxy.port("HTTP_API"), stream)


class BenchResult:
    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.elapsed = elapsed
        lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
        self.summary = json.loads(lines[-1]) if lines else None

    def __repr__(self):
        return "rc=%s elapsed=%.1f summary=%s\nstderr:\n%s" % (self.rc, self.elapsed, self.summary, self.stderr[-4000:])


def run_bench(url, nn, duration, args=None, timeout=None):
    """objs/srs-bench -sr url -nn N -duration S; the JSON summary is the last line of stdout."""
    argv = [os.path.join(OBJS, "srs-bench"), "-sr", url, "-nn", str(nn), "-duration", str(duration),
            "-delay", "5"] + [str(a) for a in (args or [])]
    env = dict(os.environ)
    env.setdefault("LSAN_OPTIONS", "suppressions=%s/utest/lsan.supp:print_suppressions=0" % ROOT)
    start = time.time()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout or duration + 30, env=env)
    r = BenchResult(proc, time.time() - start)
    assert not sanitizer_report(r.stderr), r
    assert r.summary is not None, r
    return r


def assert_clean_play(r, nn):
    """Every player played, nothing was lost, and media came: packets, bytes and video frames."""
    s = r.summary
    assert r.rc == 0, r
    assert s["players_started"] == nn and s["players_alive"] == nn and s["players_failed"] == 0, r
    assert s["packets"] > 0 and s["bytes"] > 0, r
    assert s["lost"] == 0 and s["loss_percent"] == 0, r
    assert 0 < s["dtls_handshake_ms"]["min"] <= s["dtls_handshake_ms"]["median"] <= s["dtls_handshake_ms"]["max"], r
