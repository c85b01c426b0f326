# SPDX-License-Identifier: MIT
"""Abuse while serving: 100 WHEP players (srs-bench), an RTMP publisher (ffmpeg) and an HTTP-FLV
player play through the proxy while one attacker (utest/e2e/abuse.py, from 127.0.0.66) runs every
cheap attack at once for 60 s: slowloris on every TCP listener, AMF0 bombs, register floods, HLS
and FLV name floods, STUN with stolen usernames, random UDP on the WebRTC and SRT ports.

What must hold: no legitimate session is lost and WebRTC loss stays under 0.5%; the FLV player
never waits long; the real origin keeps registering; peak RSS stays under RSS_BOUND; afterwards
the tables the attack grew are back to their idle size."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from bench_peers import RtcOrigin, proxy_whep_url, run_bench
from conftest import Proxy, free_port, http_json, is_sanitized, sanitizer_report
from http_peers import media

ATTACK_SECONDS = 60
PLAYERS = 100
# The attack holds ~160 slowloris sockets, bombs of 2 MiB each and floods of requests: the proxy's
# peak resident memory (VmHWM) must stay under this, whatever the attacker sends (measured: 17 MiB).
RSS_BOUND_KIB = 64 * 1024
# Short expiry for what the floods create, so "back to idle" is seen within the test.
# (the real origin heartbeats every second, so a 3 s origin TTL only ages out the fake ones,
# which are forgotten after 10 TTLs).
SHORT_TTLS = {"PROXY_LB_PICK_IDLE": "5s", "PROXY_ORIGIN_SERVER_TTL": "3s"}


def metrics(proxy):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % proxy.port("HTTP_API"), timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


class FlvPlayer(threading.Thread):
    """Reads an HTTP-FLV stream; records bytes and the longest time without any."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.bytes, self.longest_gap, self.error, self.stop = url, 0, 0.0, None, False

    def run(self):
        try:
            with urllib.request.urlopen(self.url, timeout=10) as r:
                last = time.time()
                while not self.stop:
                    data = r.read(16384)
                    if not data:
                        self.error = "EOF"
                        return
                    now = time.time()
                    self.longest_gap = max(self.longest_gap, now - last)
                    last = now
                    self.bytes += len(data)
        except Exception as e:  # noqa: BLE001 (recorded, asserted by the test)
            self.error = repr(e)


def test_legitimate_clients_survive_every_attack_at_once():
    proxy = Proxy(dict(SHORT_TTLS, PROXY_LOG_LEVEL="warn"))
    origin = publisher = flv = None
    try:
        origin = RtcOrigin(proxy, ["-http", free_port()])
        publisher = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", os.path.join(media(), "s.flv"),
             "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:%d/live/livestream" % proxy.port("RTMP_SERVER")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.5)
        flv = FlvPlayer("http://127.0.0.1:%d/live/livestream.flv" % proxy.port("HTTP_SERVER"))
        flv.start()

        idle = metrics(proxy)
        failed_heartbeats = origin.output().count("heartbeat err")

        # The players run for the whole attack and a little before and after it.
        bench = {}
        players = threading.Thread(target=lambda: bench.setdefault(
            "r", run_bench(proxy_whep_url(proxy), PLAYERS, ATTACK_SECONDS + 15, timeout=ATTACK_SECONDS + 60)))
        players.start()
        time.sleep(6)

        # The attacker knows the live sessions' usernames (as if sniffed) and tries to steal them.
        status, listing = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/sessions")
        usernames = [s["ufrag"] for s in (listing or {}).get("sessions", []) if s.get("type") == "webrtc" and s.get("ufrag")]
        cfg = {"source": "127.0.0.66", "seconds": ATTACK_SECONDS, "rtmp": proxy.port("RTMP_SERVER"),
               "http_server": proxy.port("HTTP_SERVER"), "http_api": proxy.port("HTTP_API"),
               "system_api": proxy.port("SYSTEM_API"), "webrtc": proxy.port("WEBRTC_SERVER"),
               "srt": proxy.port("SRT_SERVER"), "usernames": usernames}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(cfg, f)
        attacker = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "abuse.py"), f.name],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # While it runs: the debug surface answers, and the origin keeps registering.
        slow = 0
        for _ in range(ATTACK_SECONDS // 5):
            time.sleep(5)
            t0 = time.time()
            metrics(proxy)
            slow = max(slow, time.time() - t0)
        out, err = attacker.communicate(timeout=60)
        attacks = json.loads(out.strip().splitlines()[-1])
        print("attacks:", attacks)
        players.join(ATTACK_SECONDS + 70)

        r = bench["r"]
        s = r.summary
        print("players:", s)
        assert s["players_started"] == PLAYERS and s["players_alive"] == PLAYERS and s["players_failed"] == 0, r
        assert s["loss_percent"] < 0.5, r
        assert len(usernames) == PLAYERS, listing
        assert flv.error is None and flv.bytes > 100000 and flv.longest_gap < 3, (flv.error, flv.bytes, flv.longest_gap)
        assert publisher.poll() is None, publisher.stderr.read()
        assert slow < 1.0, slow
        # The origin heartbeats every second: none failed while the system API was under attack.
        assert origin.output().count("heartbeat err") == failed_heartbeats, origin.output()[-3000:]
        # The attacks really ran, and the proxy turned them away.
        assert attacks.get("amf0_bombs", 0) > 10 and attacks.get("stolen_stun", 0) > 10000, attacks
        assert attacks.get("slowloris_closed_by_proxy", 0) > 0, attacks

        hwm = vm_hwm_kib(proxy.proc.pid)
        print("proxy VmHWM %d KiB (bound %d KiB)" % (hwm, RSS_BOUND_KIB))
        if not is_sanitized(proxy.proc.pid):
            assert hwm < RSS_BOUND_KIB, hwm

        # Afterwards: once the players end and the short TTLs pass, what the attack grew is gone.
        flv.stop = True
        deadline = time.time() + 60
        while time.time() < deadline:
            now = metrics(proxy)
            grown = {k: v for k, v in now.items()
                     if (k.startswith("srs_proxy_lb_entries") or k.startswith("srs_proxy_tcp_connections{")
                         or k == "srs_proxy_origins_alive")
                     and v > idle.get(k, 0) + 1}
            if not grown and now.get("srs_proxy_rtc_sessions", 0) == 0:
                break
            time.sleep(1)
        assert not grown and now.get("srs_proxy_rtc_sessions", 0) == 0, (grown, idle)
    finally:
        if flv:
            flv.stop = True
        if publisher:
            publisher.kill()
            publisher.wait()
        if origin:
            origin.stop()
        rc = proxy.stop()
        log = proxy.output()
        assert not sanitizer_report(log), log[-6000:]
        assert rc == 0, log[-6000:]
