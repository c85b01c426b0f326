# SPDX-License-Identifier: MIT
"""srs-bench's WebRTC players against srs-mock-origin, directly and through srs-proxy: real ICE,
DTLS and SRTP on loopback, no loss; and failures (wrong certificate, dead origin) reported in
bounded time with a non-zero exit, never a hang. Also the mock's signalling as SRS answers it."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from bench_peers import RtcOrigin, assert_clean_play, proxy_whep_url, run_bench
from conftest import free_port, http_json, http_request
from http_peers import media

PLAYERS = 50
SECONDS = 10


@pytest.fixture
def origin():
    o = RtcOrigin()
    yield o
    o.stop_checked()


def test_players_against_mock_origin_directly(origin):
    r = run_bench(origin.whep_url(), PLAYERS, SECONDS)
    assert_clean_play(r, PLAYERS)
    # 25 fps of video for every player, most of the run: the frames reassemble, none broken by loss.
    assert r.summary["frames"] > PLAYERS * (SECONDS - 3) * 20, r
    # Each mock session went ready over DTLS.
    assert origin.output().count(" ready: DTLS in ") == PLAYERS


def test_players_through_proxy_whep(proxy):
    o = RtcOrigin(proxy)
    try:
        r = run_bench(proxy_whep_url(proxy), PLAYERS, SECONDS)
        assert_clean_play(r, PLAYERS)
        assert r.summary["frames"] > PLAYERS * (SECONDS - 3) * 20, r
        # Every player was relayed by the proxy, each in its own session (they outlive the run).
        status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/sessions")
        played = [x for x in body["sessions"] if x["type"] == "webrtc" and x["to_client_packets"] > 100]
        assert status == 200 and len(played) == PLAYERS, body
        total = sum(x["to_client_packets"] for x in played)
        # What the proxy relayed to the players is what they counted (give or take RTCP and STUN).
        assert abs(total - r.summary["packets"]) < PLAYERS * 20, (total, r)
    finally:
        o.stop_checked()


def test_rtmp_publisher_and_players_through_proxy(proxy):
    """The headline workload: an RTMP publisher and WHEP players, both through the proxy. While
    the stream is published, the mock sends its players what the publisher sends (as SRS does
    with rtmp_to_rtc), not its file."""
    o = RtcOrigin(proxy)
    publisher = subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i",
                                  os.path.join(media(), "s.flv"), "-c", "copy", "-f", "flv",
                                  "rtmp://127.0.0.1:%d/live/livestream" % proxy.port("RTMP_SERVER")],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1)
        r = run_bench(proxy_whep_url(proxy), 10, 6)
        assert_clean_play(r, 10)
        assert r.summary["frames"] > 10 * 3 * 20, r
        assert "live/livestream: live from its RTMP publisher" in o.output(), o.output()
    finally:
        publisher.kill()
        publisher.wait()
        o.stop_checked()


def test_legacy_play_api_through_proxy(proxy):
    """webrtc://proxy:api/live/stream: SRS's /rtc/v1/play/ JSON API, as SRS's srs_bench uses."""
    o = RtcOrigin(proxy)
    try:
        r = run_bench("webrtc://127.0.0.1:%d/live/livestream" % proxy.port("HTTP_API"), 5, 3)
        assert_clean_play(r, 5)
    finally:
        o.stop_checked()


def test_http_url_is_whep(origin):
    r = run_bench("http://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=s2" % origin.api_port, 2, 2)
    assert_clean_play(r, 2)


def test_raw_mode_is_detected_and_counts_without_loss(proxy):
    """-raw: the mock sends the same pre-encrypted bytes to every player; srs-bench sees the mark
    in the answer and counts by the clear RTP header (no frames: it cannot decrypt them)."""
    o = RtcOrigin(proxy, ["-raw"])
    try:
        r = run_bench(proxy_whep_url(proxy), 20, 5)
        assert_clean_play(r, 20)
        assert r.summary["frames"] == 0, r
        assert "(raw)" in o.output()
    finally:
        o.stop_checked()


def test_wrong_certificate_fingerprint_fails_fast():
    o = RtcOrigin(args=["-bad-fingerprint"])
    try:
        r = run_bench(o.whep_url(), 3, 4, timeout=20)
        assert r.rc != 0, r
        assert r.summary["players_failed"] == 3 and r.summary["players_alive"] == 0, r
        assert r.summary["packets"] == 0, r
        assert "fingerprint mismatch" in r.stderr, r
        assert r.elapsed < 10, r
    finally:
        o.stop_checked()


def test_dead_origin_fails_fast(proxy):
    # Nothing listens there at all.
    r = run_bench("whep://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=s" % free_port(), 3, 2, timeout=20)
    assert r.rc != 0 and r.summary["players_failed"] == 3, r
    # The proxy has no origin: it answers 503.
    r = run_bench(proxy_whep_url(proxy), 3, 2, timeout=20)
    assert r.rc != 0 and r.summary["players_failed"] == 3 and "503" in r.stderr, r
    # The origin registered, then died: the proxy cannot reach it.
    o = RtcOrigin(proxy)
    o.proc.send_signal(signal.SIGKILL)
    o.stop()
    r = run_bench(proxy_whep_url(proxy), 3, 2, timeout=20)
    assert r.rc != 0 and r.summary["players_failed"] == 3 and r.summary["packets"] == 0, r
    assert r.elapsed < 12, r


def test_frozen_origin_fails_within_the_setup_timeout():
    """The origin accepts connections but never answers (SIGSTOP): each player gives up after
    its 10 s setup timeout, and the run ends on time with a non-zero exit."""
    o = RtcOrigin()
    try:
        o.proc.send_signal(signal.SIGSTOP)
        try:
            r = run_bench(o.whep_url(), 2, 12, timeout=40)
        finally:
            o.proc.send_signal(signal.SIGCONT)
        assert r.rc != 0 and r.summary["players_failed"] == 2, r
        assert "timeout" in r.stderr, r
        assert r.elapsed < 16, r
    finally:
        o.stop_checked()


def test_player_that_stops_receiving_fails():
    """Players play, then the origin freezes (SIGSTOP) mid-stream: each player counts as failed
    once nothing arrived for 10 s, well before its 30 s consent expiry, and says why."""
    o = RtcOrigin()
    freeze = threading.Timer(4, lambda: o.proc.send_signal(signal.SIGSTOP))
    try:
        freeze.start()
        r = run_bench(o.whep_url(), 2, 18, timeout=40)
        assert r.rc != 0 and r.summary["players_failed"] == 2 and r.summary["players_alive"] == 0, r
        assert r.summary["packets"] > 0, r
        assert "stalled: nothing received for 10 s" in r.stderr, r
    finally:
        freeze.cancel()
        o.proc.send_signal(signal.SIGCONT)
        o.stop_checked()


def offer_sdp(direction="recvonly", bundle=True, setup="actpass"):
    """A minimal browser-like offer: Opus 111, VP8 96 and H264 102 (mode 0) and 106 (mode 1)."""
    sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    if bundle:
        sdp += "a=group:BUNDLE 0 1\r\n"
    common = ("c=IN IP4 0.0.0.0\r\na=ice-ufrag:py%s\r\na=ice-pwd:pythonpassword0123456789\r\n"
              "a=fingerprint:sha-256 %s\r\na=setup:%s\r\na=rtcp-mux\r\na=%s\r\n"
              % (os.urandom(3).hex(), ":".join(["AB"] * 32), setup, direction))
    sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + common + "a=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
    sdp += ("m=video 9 UDP/TLS/RTP/SAVPF 96 102 106\r\n" + common + "a=mid:1\r\na=rtpmap:96 VP8/90000\r\n"
            "a=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=0;profile-level-id=42e01f\r\n"
            "a=rtpmap:106 H264/90000\r\na=fmtp:106 packetization-mode=1;profile-level-id=42e01f\r\n")
    return sdp


def test_mock_signalling_like_srs(origin):
    api = origin.api_port
    # WHEP: 201, an ICE-lite answer with the offer's payload types, and a Location to DELETE.
    status, headers, body = http_request(api, "POST", "/rtc/v1/whep/?app=live&stream=sig", offer_sdp(),
                                         {"Content-Type": "application/sdp"})
    answer = body.decode()
    assert status == 201 and headers["content-type"] == "application/sdp", body
    for line in ("a=ice-lite", "a=group:BUNDLE 0 1", "a=setup:passive", "a=sendonly", "a=rtpmap:111 opus/48000/2",
                 "m=video 9 UDP/TLS/RTP/SAVPF 106", "a=candidate:0 1 udp 2130706431 127.0.0.1 %d typ host" % origin.rtc_port):
        assert line in answer, answer
    assert answer.count("a=candidate:") == 2 and "msid:live/sig" in answer, answer
    location = headers["location"]
    assert location.startswith("/rtc/v1/whip/?action=delete&token=") and "&app=live&stream=sig&session=" in location
    assert http_request(api, "DELETE", location)[0] == 200
    assert http_request(api, "DELETE", location)[0] == 404
    # WHIP: the mock receives.
    status, _, body = http_request(api, "POST", "/rtc/v1/whip/?app=live&stream=pub", offer_sdp("sendonly"),
                                   {"Content-Type": "application/sdp"})
    assert status == 201 and "a=recvonly" in body.decode() and "a=ssrc:" not in body.decode(), body
    # The legacy API: a JSON envelope with the answer and the session id.
    req = json.dumps({"api": "x", "streamurl": "webrtc://127.0.0.1/live/legacy", "sdp": offer_sdp()})
    status, _, body = http_request(api, "POST", "/rtc/v1/play/", req, {"Content-Type": "application/json"})
    reply = json.loads(body)
    assert status == 200 and reply["code"] == 0 and reply["sdp"].startswith("v=0") and ":py" in reply["sessionid"]
    # What SRS answers to offers it cannot take: the legacy API says {"code":400} with HTTP 200.
    bogus = json.dumps({"streamurl": "webrtc://127.0.0.1/live/legacy", "sdp": "v=0\r\n"})
    status, _, body = http_request(api, "POST", "/rtc/v1/play/", bogus)
    assert status == 200 and json.loads(body)["code"] == 400
    for bad in (offer_sdp(bundle=False), offer_sdp(setup="passive"), "v=0\r\n", "hello"):
        assert http_request(api, "POST", "/rtc/v1/whep/?app=live&stream=sig", bad)[0] == 400
    assert http_request(api, "POST", "/rtc/v1/whep/", offer_sdp())[0] == 400  # no app/stream
    assert http_request(api, "GET", "/api/v1/versions")[0] == 200
