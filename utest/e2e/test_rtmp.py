# SPDX-License-Identifier: MIT
"""RTMP through the proxy to srs-mock-origin: ffmpeg/ffprobe (real peers), srs-bench, and a small RTMP
client of the tests' own (rtmp_peers.py) for what ffmpeg cannot do on demand."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import OBJS, http_json
from http_peers import media
from rtmp_peers import (AUDIO, VIDEO, Origins, RtmpClient, coroutine_count, fd_count, ffmpeg_publish, ffmpeg_record,
                        flv_tags, rtmp_proxy, rtmp_url, stream_info, wait_for)  # noqa: F401 (rtmp_proxy is a fixture)



@pytest.fixture
def origin(rtmp_proxy):
    o = Origins(rtmp_proxy, 1)
    yield o.mocks[0]
    o.stop()


def mock_log_count(mock, pattern):
    return len(re.findall(pattern, mock.output(), re.M))


# ---- tests ----

def test_ffmpeg_publishes_and_plays_through_the_proxy_with_every_frame(rtmp_proxy, origin):
    out = os.path.join(tempfile.mkdtemp(prefix="srs-e2e-"), "played.flv")
    # The player waits first (the origin holds it until a publisher comes), so it sees the whole clip.
    player = ffmpeg_record(rtmp_url(rtmp_proxy, "/live/s"), out)
    wait_for(lambda: "RTMP play key=live/s" in origin.output(), what="the play at the origin")
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"))
    assert publisher.wait(30) == 0, publisher.stderr.read()
    # When the publisher leaves, the origin ends its players: the recording completes.
    assert player.wait(20) == 0, player.stderr.read()

    src_v, src_a = stream_info(os.path.join(media(), "s.flv"))
    got_v, got_a = stream_info(out)
    for k in ("codec_name", "profile", "width", "height", "nb_read_frames"):
        assert got_v[k] == src_v[k], (k, got_v, src_v)
    for k in ("codec_name", "sample_rate", "channels", "nb_read_frames"):
        assert got_a[k] == src_a[k], (k, got_a, src_a)
    log = rtmp_proxy.output()
    assert re.search(r"RTMP publish __defaultVhost__/live/s \(s\) from .* complex handshake", log), log
    assert "RTMP play __defaultVhost__/live/s (s)" in log


def test_thirty_streams_spread_over_three_origins_and_each_is_sticky(rtmp_proxy):
    origins = Origins(rtmp_proxy, 3)
    try:
        placed = {}
        for round_ in range(2):
            for i in range(30):
                c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
                c.connect(rtmp_url(rtmp_proxy, "/live"), "live")
                assert c.publish("s%d" % i)["code"] == "NetStream.Publish.Start"
                c.close()
            # Each stream reached exactly one origin, the same in both rounds.
            for i in range(30):
                pattern = r"RTMP publish key=live/s%d stream=" % i
                hits = [m.server for m in origins.mocks for _ in range(mock_log_count(m, pattern))]
                assert len(hits) == round_ + 1 and len(set(hits)) == 1, (i, hits)
                placed[i] = hits[0]
        assert len(set(placed.values())) == 3, placed
        # The system API names the same origin for each stream.
        for i in range(30):
            status, body = http_json(rtmp_proxy.port("SYSTEM_API"), "GET",
                                     "/api/v1/origins?pick=rtmp://127.0.0.1/live/s%d" % i)
            assert status == 200 and body["origin"]["server"] == placed[i], (i, body)
        # A player of a stream goes where its publisher went.
        c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
        c.connect(rtmp_url(rtmp_proxy, "/live"), "live")
        assert c.play("s7")["code"] == "NetStream.Play.Start"
        wait_for(lambda: "RTMP play key=live/s7" in origins.by_server(placed[7]).output(), what="play at the origin")
        c.close()
    finally:
        origins.stop()


def test_publisher_killed_mid_stream_ends_the_player_and_nothing_leaks(rtmp_proxy, origin):
    time.sleep(0.5)
    fds, coroutines = fd_count(rtmp_proxy.proc.pid), coroutine_count(rtmp_proxy)
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"), loop=True)
    wait_for(lambda: "RTMP publish key=live/s" in origin.output(), what="the publish at the origin")
    out = os.path.join(tempfile.mkdtemp(prefix="srs-e2e-"), "played.flv")
    player = ffmpeg_record(rtmp_url(rtmp_proxy, "/live/s"), out)
    wait_for(lambda: os.path.exists(out) and os.path.getsize(out) > 50000, timeout=15, what="media at the player")
    publisher.send_signal(signal.SIGKILL)
    publisher.wait()
    # The player gets EOF: ffmpeg ends on its own, with what it had.
    player.wait(15)
    assert os.path.getsize(out) > 50000
    wait_for(lambda: fd_count(rtmp_proxy.proc.pid) <= fds, what="proxy fds back to %d" % fds)
    if coroutines is not None:
        wait_for(lambda: coroutine_count(rtmp_proxy) <= coroutines, what="coroutines back to %d" % coroutines)
    assert "RTMP publish __defaultVhost__/live/s done" in rtmp_proxy.output()
    assert "RTMP play __defaultVhost__/live/s done" in rtmp_proxy.output()


def test_chunk_size_changes_and_extended_timestamps_pass_byte_exact(rtmp_proxy, origin):
    tags = [t for t in flv_tags(os.path.join(media(), "s.flv")) if t[0] in (AUDIO, VIDEO)]
    base = 0xFFFFFF - 1000  # the timestamps cross into the extended range mid-stream
    player = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    player.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    assert player.play("cs")["code"] == "NetStream.Play.Start"
    wait_for(lambda: "RTMP play key=live/cs" in origin.output(), what="the play at the origin")

    pub = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    pub.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    assert pub.publish("cs")["code"] == "NetStream.Publish.Start"
    sizes = {0: 128, 30: 4096, 90: 100, 150: 65536, 200: 1}
    for i, (t, ts, data) in enumerate(tags):
        if i in sizes:
            pub.set_chunk_size(sizes[i])  # mid-stream, between messages
        pub.send_media(t, base + ts, data)
    pub.command("FCUnpublish", 0, None, "cs")
    pub.command("deleteStream", 0, None, pub.stream_id)
    time.sleep(0.5)
    pub.close()

    got = player.media_until_eof()
    assert len(got) == len(tags)
    assert got == [(t, base + ts, data) for t, ts, data in tags]
    # The proxy chunked the player's side with its large size.
    assert player.in_chunk == 60000


def test_vhost_in_tcurl_and_token_in_stream_keep_the_key_and_reach_the_origin(rtmp_proxy, origin):
    c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    tc_url = rtmp_url(rtmp_proxy, "/live?vhost=example.com")
    result = c.connect(tc_url, "live", swfUrl="http://e2e/player.swf", pageUrl="http://e2e/page.html", custom="x1")
    assert result[0] == "_result" and result[3]["code"] == "NetConnection.Connect.Success"
    assert c.publish("s?token=abc123")["code"] == "NetStream.Publish.Start"
    # The key is example.com/live/s: neither the tcUrl's query nor the token leaks into it (Go's bug).
    wait_for(lambda: "RTMP publish example.com/live/s (s?token=abc123)" in rtmp_proxy.output(), what="proxy log")
    status, body = http_json(rtmp_proxy.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=rtmp://example.com/live/s")
    assert status == 200 and body["stream_url"] == "example.com/live/s" and body["origin"]["server"] == "mock0"
    # The origin got the token, the client's own tcUrl and its whole connect object.
    line = wait_for(lambda: re.search(r"RTMP publish key=live/s .*", origin.output()), what="origin log").group(0)
    assert "stream=s?token=abc123 vhost=example.com tcUrl=%s " % tc_url in line, line
    for field in ("app=live", "flashVer=e2e/1.0", "swfUrl=http://e2e/player.swf", "pageUrl=http://e2e/page.html",
                  "custom=x1"):
        assert field in line, (field, line)
    c.close()

    # The stream's own ?vhost= wins too, as SRS reads it.
    c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    c.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    assert c.publish("t?vhost=other.example.com&token=z")["code"] == "NetStream.Publish.Start"
    wait_for(lambda: "RTMP publish other.example.com/live/t (t?vhost=other.example.com&token=z)" in rtmp_proxy.output(),
             what="proxy log")
    c.close()


def test_origin_refusal_reaches_the_client_and_the_connection_closes(rtmp_proxy, origin):
    first = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    first.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    assert first.publish("busy")["code"] == "NetStream.Publish.Start"

    second = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    second.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    info = second.publish("busy")
    assert info["level"] == "error" and info["code"] == "NetStream.Publish.BadName", info
    start = time.time()
    with pytest.raises((EOFError, ConnectionError)):
        while True:
            second.read_message()
    assert time.time() - start < 5
    second.close()

    # ffmpeg is told too, and gives up at once.
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/busy"))
    assert publisher.wait(15) != 0
    first.close()


def test_no_origin_is_an_error_status_not_a_hang(rtmp_proxy):
    c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    c.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    info = c.play("nobody")
    assert info["level"] == "error" and info["code"] == "NetStream.Play.Failed", info
    c.close()


def test_two_hundred_rtmp_players_through_srs_bench(rtmp_proxy, origin):
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"), loop=True)
    try:
        wait_for(lambda: "RTMP publish key=live/s" in origin.output(), what="the publish at the origin")
        bench = subprocess.run([os.path.join(OBJS, "srs-bench"), "-sr", rtmp_url(rtmp_proxy, "/live/s"), "-nn", "200",
                                "-delay", "5", "-duration", "8"], capture_output=True, text=True, timeout=60)
        summary = json.loads(bench.stdout.strip().splitlines()[-1])
        assert bench.returncode == 0, bench.stderr[-2000:]
        assert summary["players_started"] == 200 and summary["players_failed"] == 0
        assert summary["players_alive"] == 200
        # About 70 messages a second of audio and video each, for at least 5 s.
        assert summary["packets"] > 200 * 5 * 30, summary
        assert summary["bytes"] > 200 * 5 * 15000, summary
    finally:
        publisher.kill()
        publisher.wait()


def test_srs_bench_publisher_loops_with_increasing_timestamps(rtmp_proxy, origin):
    bench = subprocess.Popen([os.path.join(OBJS, "srs-bench"), "-pr", rtmp_url(rtmp_proxy, "/live/b"), "-i",
                              os.path.join(media(), "s.flv"), "-duration", "7"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    wait_for(lambda: "RTMP publish key=live/b" in origin.output(), what="the publish at the origin")
    player = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    player.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    assert player.play("b")["code"] == "NetStream.Play.Start"
    got = player.media_until_eof(timeout=20)  # the bench stops after 7 s: the clip of 4 s looped
    out, err = bench.communicate(timeout=20)
    assert bench.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["published"] > 300
    videos = [ts for t, ts, _ in got if t == VIDEO]
    assert max(videos) > 4500, max(videos)  # past the end of the first loop
    assert all(b >= a for a, b in zip(videos, videos[1:])), "video timestamps went back"


def test_silent_clients_are_closed_by_the_handshake_and_identify_timeout(rtmp_proxy):
    port = rtmp_proxy.port("RTMP_SERVER")
    silent = socket.create_connection(("127.0.0.1", port))
    after_handshake = RtmpClient("127.0.0.1", port, timeout=30)
    start = time.time()
    silent.settimeout(30)
    assert silent.recv(1) == b""
    with pytest.raises((EOFError, ConnectionError)):
        after_handshake.read_message()
    assert 8 < time.time() - start < 15
    silent.close()
    after_handshake.close()


def test_malformed_chunks_close_the_connection_with_a_log_line(rtmp_proxy):
    c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    # A new chunk stream must start with a full (fmt 0) header.
    c.sock.sendall(b"\x45" + b"\x00" * 20)
    with pytest.raises((EOFError, ConnectionError)):
        c.read_message()
    c.close()
    c = RtmpClient("127.0.0.1", rtmp_proxy.port("RTMP_SERVER"))
    # A command of AMF0 garbage.
    c.send_message(20, b"\x02\x00\x07connect\x00\x3f\xf0\x00\x00\x00\x00\x00\x00\x03\x00\x03app\x02\xff\xff")
    with pytest.raises((EOFError, ConnectionError)):
        c.read_message()
    c.close()
    wait_for(lambda: rtmp_proxy.output().count("WARN") >= 2 and "RTMP client" in rtmp_proxy.output(), what="log lines")
