# SPDX-License-Identifier: MIT
"""Live HTTP-FLV and HLS through the proxy from srs-mock-origin: a stream published by RTMP through
the proxy is remuxed to HTTP-FLV by the origin and played back through the proxy; HLS comes from
files ffmpeg wrote. Players are ffmpeg/ffprobe and srs-bench."""
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import OBJS, free_port
from http_peers import count_frames, media
from rtmp_peers import (Origins, fd_count, ffmpeg_publish, ffmpeg_record, rtmp_proxy, rtmp_url,  # noqa: F401
                        stream_info, wait_for)


def flv_url(proxy, path):
    return "http://127.0.0.1:%d%s" % (proxy.port("HTTP_SERVER"), path)


@pytest.fixture
def origin(rtmp_proxy):
    d = tempfile.mkdtemp(prefix="srs-e2e-hls-")
    os.symlink(os.path.join(media(), "hls"), os.path.join(d, "live"))  # DIR/live/s.m3u8, as SRS lays them out
    o = Origins(rtmp_proxy, 1, ["-hls", d])
    yield o.mocks[0]
    o.stop()


def test_rtmp_published_stream_plays_as_http_flv_through_the_proxy(rtmp_proxy, origin):
    out = os.path.join(tempfile.mkdtemp(prefix="srs-e2e-"), "played.flv")
    # The FLV player waits at the origin, so it gets the whole clip; the Host header's IP is the
    # default vhost, as the RTMP tcUrl's: the same stream.
    player = ffmpeg_record(flv_url(rtmp_proxy, "/live/s.flv"), out)
    wait_for(lambda: "HTTP-FLV play key=live/s" in origin.output(), what="the FLV play at the origin")
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"))
    assert publisher.wait(30) == 0, publisher.stderr.read()
    assert player.wait(20) == 0, player.stderr.read()

    src_v, src_a = stream_info(os.path.join(media(), "s.flv"))
    got_v, got_a = stream_info(out)
    for k in ("codec_name", "profile", "width", "height", "nb_read_frames"):
        assert got_v[k] == src_v[k], (k, got_v, src_v)
    for k in ("codec_name", "sample_rate", "channels", "nb_read_frames"):
        assert got_a[k] == src_a[k], (k, got_a, src_a)

    # A player joining mid-stream starts with the GOP cache: ffprobe decodes from the first frame.
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"), loop=True)
    try:
        wait_for(lambda: origin.output().count("RTMP publish key=live/s") == 2, what="the second publish")
        time.sleep(1.5)
        probe = subprocess.run(["ffprobe", "-v", "error", "-read_intervals", "%+3", "-count_frames", "-show_entries",
                                "stream=codec_name,width,nb_read_frames", "-of", "json", flv_url(rtmp_proxy, "/live/s.flv")],
                               capture_output=True, text=True, timeout=30)
        assert probe.returncode == 0, probe.stderr
        assert "non-existing PPS" not in probe.stderr and "no frame" not in probe.stderr, probe.stderr
        streams = json.loads(probe.stdout)["streams"]
        video = [s for s in streams if s["codec_name"] == "h264"][0]
        assert video["width"] == 320 and int(video["nb_read_frames"]) > 25
    finally:
        publisher.kill()
        publisher.wait()


def test_two_hundred_flv_players_and_a_slow_reader(rtmp_proxy, origin):
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"), loop=True)
    slow = socket.create_connection(("127.0.0.1", rtmp_proxy.port("HTTP_SERVER")))
    try:
        wait_for(lambda: "RTMP publish key=live/s" in origin.output(), what="the publish at the origin")
        # A player that reads almost nothing: its own connection backs up, nobody else's.
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert slow.recv(1024).startswith(b"HTTP/1.1 200")
        bench = subprocess.run([os.path.join(OBJS, "srs-bench"), "-sr", flv_url(rtmp_proxy, "/live/s.flv"), "-nn", "200",
                                "-delay", "5", "-duration", "8"], capture_output=True, text=True, timeout=60)
        summary = json.loads(bench.stdout.strip().splitlines()[-1])
        assert bench.returncode == 0, bench.stderr[-2000:]
        assert summary["players_started"] == 200 and summary["players_failed"] == 0 and summary["players_alive"] == 200
        # Every player kept up with the stream (about 70 tags and 45 KB a second).
        assert summary["packets"] > 200 * 5 * 30, summary
        assert summary["bytes"] > 200 * 5 * 15000, summary
        slow.recv(100)  # still served
    finally:
        slow.close()
        publisher.kill()
        publisher.wait()


def test_origin_dies_mid_flv_and_the_player_response_ends(rtmp_proxy, origin):
    time.sleep(0.5)
    fds = fd_count(rtmp_proxy.proc.pid)
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/s"), loop=True)
    player = socket.create_connection(("127.0.0.1", rtmp_proxy.port("HTTP_SERVER")), timeout=20)
    try:
        wait_for(lambda: "RTMP publish key=live/s" in origin.output(), what="the publish at the origin")
        player.sendall(b"GET /live/s.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        got = 0
        while got < 100000:
            got += len(player.recv(65536))
        origin.proc.send_signal(signal.SIGKILL)
        origin.proc.wait()
        # The response ends: the proxy closes (it cannot end the chunked body cleanly).
        start = time.time()
        while player.recv(65536):
            assert time.time() - start < 10
        publisher.wait(15)  # its RTMP relay through the proxy ended too
        wait_for(lambda: fd_count(rtmp_proxy.proc.pid) <= fds, what="proxy fds back to %d" % fds)
    finally:
        player.close()
        publisher.kill()
        publisher.wait()


def test_hls_through_the_proxy_from_the_origin_files(rtmp_proxy, origin):
    expected = count_frames(os.path.join(media(), "s.flv"))[1]
    codec, frames = count_frames(flv_url(rtmp_proxy, "/live/s.m3u8"))
    assert codec == "h264" and abs(frames - expected) <= 1, (frames, expected)
    # The origin's playlist went through the proxy's rewrite: hls_ctx kept, spbhid added.
    conn = http.client.HTTPConnection("127.0.0.1", rtmp_proxy.port("HTTP_SERVER"), timeout=10)
    conn.request("GET", "/live/s.m3u8")
    master = conn.getresponse().read().decode()
    assert "/live/s.m3u8?hls_ctx=" in master and "spbhid=" in master, master
    variant = master.strip().splitlines()[-1]
    conn.request("GET", variant)
    media_pl = conn.getresponse().read().decode()
    segs = [line for line in media_pl.splitlines() if line and not line.startswith("#")]
    assert segs and all("hls_ctx=" in s and "spbhid=" in s for s in segs), media_pl
    conn.request("GET", segs[0] if segs[0].startswith("/") else "/live/" + segs[0])
    res = conn.getresponse()
    body = res.read()
    assert res.status == 200 and int(res.getheader("Content-Length")) == len(body) and body[0] == 0x47
    conn.close()
