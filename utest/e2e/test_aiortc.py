# SPDX-License-Identifier: MIT
"""A real, independent WebRTC client (Debian's python3-aiortc) plays WHEP through srs-proxy from
srs-mock-origin: ICE with the ICE-lite answer, DTLS, SRTP, and H.264 it decodes into frames."""
import json
import os
import re
import subprocess

import pytest

from bench_peers import RtcOrigin, proxy_whep_url

SCRIPT = os.path.join(os.path.dirname(__file__), "aiortc_whep.py")
PYTHON = "/usr/bin/python3"


def have_aiortc():
    return subprocess.run([PYTHON, "-c", "import aiortc"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not have_aiortc(), reason="python3-aiortc is not installed (./configure --with-test-tools)")


def play(url, seconds=6, publish=False):
    argv = [PYTHON, SCRIPT, url, str(seconds)] + (["publish"] if publish else [])
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 40)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    assert out.returncode == 0 and lines, out.stdout + out.stderr
    return json.loads(lines[-1]), out.stderr


def test_aiortc_plays_whep_through_proxy(proxy):
    o = RtcOrigin(proxy)
    try:
        r, err = play(proxy_whep_url(proxy, scheme="http"))
        assert r["status"] == 201, (r, err)
        assert r["ice"] == "completed", (r, err)
        # The test media is 320x240 H.264 at 25 fps; frames decode once the first keyframe came.
        assert r["video_frames"] > 25, (r, err)
        assert (r["width"], r["height"]) == (320, 240), r
        assert r["audio_frames"] > 0, r
        # The Location leads back through the proxy to the origin, which ends the session.
        assert r["location"].startswith("/rtc/v1/whip/?action=delete"), r
        assert r["delete_status"] == 200, r
        assert "closed: DELETE" in o.output()
    finally:
        o.stop_checked()


def test_aiortc_plays_whep_from_mock_origin_directly():
    o = RtcOrigin()
    try:
        r, err = play("http://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=direct" % o.api_port, 4)
        assert r["status"] == 201 and r["video_frames"] > 10, (r, err)
    finally:
        o.stop_checked()


def test_aiortc_publishes_whip_through_proxy(proxy):
    """WHIP: the mock answers recvonly and takes the publisher's SRTP (decrypted and counted)."""
    o = RtcOrigin(proxy)
    try:
        url = "http://127.0.0.1:%d/rtc/v1/whip/?app=live&stream=pub" % proxy.port("HTTP_API")
        r, err = play(url, 4, publish=True)
        assert r["status"] == 201 and r["ice"] == "completed" and r["delete_status"] == 200, (r, err)
        m = re.search(r"closed: DELETE \(rtp in (\d+), rtcp in (\d+), srtp errors (\d+)\)", o.output())
        assert m and int(m.group(1)) > 50 and int(m.group(3)) == 0, o.output()[-3000:]
    finally:
        o.stop_checked()
