# SPDX-License-Identifier: MIT
"""IPv6 clients on ::1, on every protocol: the proxy's RTMP, HTTP stream, HTTP API (WHEP), WebRTC
and SRT listeners bound to [::1] (the system API stays on 127.0.0.1, where the origins register,
and the origins stay IPv4 as registered). ffmpeg publishes and plays RTMP, ffprobe reads HTTP-FLV,
aiortc signals WHEP and receives media over ::1 (PROXY_WEBRTC_CANDIDATE=::1 in the answer), ffmpeg
publishes and plays SRT."""
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Proxy, free_port, http_json, sanitizer_report
from http_peers import FakeHttpOrigin, count_frames, media
from rtmp_peers import Origins, ffmpeg_publish, ffmpeg_record, stream_info, wait_for

PYTHON = "/usr/bin/python3"
V6 = ["PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API"]
V6_UDP = ["PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER"]


def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# An image without IPv6 cannot run these at all: that is a failure to see, not a skip.
assert have_ipv6_loopback(), "these tests need ::1 (IPv6 loopback)"


class V6Proxy(Proxy):
    def __init__(self, env=None):
        ports = {k: free_port() for k in V6}
        ports.update({k: free_port(socket.SOCK_DGRAM) for k in V6_UDP})
        full = {k: "[::1]:%d" % v for k, v in ports.items()}
        full["PROXY_WEBRTC_CANDIDATE"] = "::1"
        full.update(env or {})
        super().__init__(full, wait=False)
        self.ports.update(ports)
        deadline = time.time() + 10
        while time.time() < deadline:
            assert self.alive(), self.output()
            try:
                with socket.create_connection(("::1", self.port("HTTP_SERVER")), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("not ready:\n" + self.output())


@pytest.fixture
def proxy():
    p = V6Proxy()
    yield p
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, out


def test_listeners_are_on_ipv6_only_where_asked(proxy):
    out = proxy.output()
    assert "RTMP listen at tcp://[::1]:%d" % proxy.port("RTMP_SERVER") in out, out
    assert "HTTP Stream listen at tcp://[::1]:%d" % proxy.port("HTTP_SERVER") in out, out
    # An explicit address listens exactly there: not on 127.0.0.1.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", proxy.port("HTTP_SERVER")), 1).close()


def test_rtmp_publish_and_play_over_ipv6(proxy):
    origins = Origins(proxy, 1)
    try:
        url = "rtmp://[::1]:%d/live/s6" % proxy.port("RTMP_SERVER")
        out = os.path.join(tempfile.mkdtemp(prefix="srs-e2e-"), "played.flv")
        player = ffmpeg_record(url, out)
        wait_for(lambda: "RTMP play key=live/s6" in origins.mocks[0].output(), what="the play at the origin")
        publisher = ffmpeg_publish(url)
        assert publisher.wait(30) == 0, publisher.stderr.read()
        assert player.wait(20) == 0, player.stderr.read()
        src_v, _ = stream_info(os.path.join(media(), "s.flv"))
        got_v, _ = stream_info(out)
        assert got_v["nb_read_frames"] == src_v["nb_read_frames"], (got_v, src_v)
        assert "RTMP publish __defaultVhost__/live/s6 (s6) from [::1]:" in proxy.output(), proxy.output()[-3000:]
    finally:
        origins.stop()


def test_http_flv_over_ipv6(proxy):
    origin = FakeHttpOrigin()
    try:
        status, _ = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(origin.heartbeat()))
        assert status == 200
        expected = count_frames(os.path.join(media(), "s.flv"))
        assert count_frames("http://[::1]:%d/live/s.flv" % proxy.port("HTTP_SERVER")) == expected
        # The origin sees the IPv6 client in X-Forwarded-For.
        _, fwd = origin.requests[-1]
        assert fwd["X-Forwarded-For"] == "::1", fwd
    finally:
        origin.close()


def test_whep_signalling_and_media_over_ipv6_with_aiortc(proxy):
    if subprocess.run([PYTHON, "-c", "import aiortc"], capture_output=True).returncode:
        pytest.fail("python3-aiortc is missing (./configure --with-test-tools)")
    from bench_peers import RtcOrigin
    o = RtcOrigin(proxy)
    try:
        url = "http://[::1]:%d/rtc/v1/whep/?app=live&stream=livestream" % proxy.port("HTTP_API")
        env = dict(os.environ, SRS_E2E_ICE_HOST="::1")
        out = subprocess.run([PYTHON, os.path.join(os.path.dirname(__file__), "aiortc_whep.py"), url, "5"],
                             capture_output=True, text=True, timeout=60, env=env)
        lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
        assert out.returncode == 0 and lines, out.stdout + out.stderr
        r = json.loads(lines[-1])
        assert r["status"] == 201 and r["ice"] == "completed" and r["video_frames"] > 20, (r, out.stderr[-2000:])
        assert r["delete_status"] == 200, r
    finally:
        o.stop_checked()


def test_srt_publish_and_play_over_ipv6(proxy, tmp_path):
    from test_srt import SrtOrigin, check_played, publish, play_ffmpeg, srt_sessions
    origin = SrtOrigin(proxy, "vid-srt6")
    base = "srt://[::1]:%d?streamid=" % proxy.port("SRT_SERVER")
    pub = publish(base + "#!::r=live/v6,m=publish", 12)
    try:
        assert wait_for(lambda: any(s["role"] == "publish" and s["state"] == "established"
                                    for s in srt_sessions(proxy)), 10), proxy.output()[-3000:]
        out = str(tmp_path / "play.ts")
        r = play_ffmpeg(base + "#!::r=live/v6,m=request", out, 4)
        assert r.returncode == 0, r.stderr
        check_played(out)
    finally:
        pub.kill()
        pub.wait()
        origin.stop()
