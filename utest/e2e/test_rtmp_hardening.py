# SPDX-License-Identifier: MIT
"""RTMP clients that attack before they are identified (issue 15): AMF0 bombs in connect, slow-drip
handshakes and identifies, control characters in the tcUrl. Each test sends what a real attacker
would, from its own loopback address (127.0.0.66) where that matters, and checks the fixed
behaviour: bounded memory, a total deadline, a rejection counted in /metrics, one log line per
line."""
import re
import select
import socket
import struct
import threading
import time

import pytest

from conftest import http_request, is_sanitized
from rtmp_peers import (AUDIO, COMMAND, VIDEO, Origins, RtmpClient, amf0_encode, ffmpeg_publish, rtmp_proxy,
                        rtmp_url, wait_for)  # noqa: F401 (rtmp_proxy is a fixture)

ATTACKER = "127.0.0.66"
# SRS_RTMP_IDENTIFY_TIMEOUT: handshake + identify, in total.
DEADLINE = 10.0
# Peak RSS of the proxy through every bomb below (the old code reached 213 MB on one 2 MiB connect).
RSS_BOUND_KB = 48 * 1024


@pytest.fixture
def origin(rtmp_proxy):
    o = Origins(rtmp_proxy, 1)
    yield o.mocks[0]
    o.stop()


def rejected(proxy):
    """srs_proxy_rtmp_rejected_total by reason."""
    status, _, body = http_request(proxy.port("HTTP_API"), "GET", "/metrics")
    assert status == 200
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r'^srs_proxy_rtmp_rejected_total\{reason="(\w+)"\} (\d+)$', body.decode(), re.M)}


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M).group(1))


def attacker_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((ATTACKER, 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    return s


class AttackerClient(RtmpClient):
    """The tests' RTMP client, connecting from the attacker's loopback address."""

    def __init__(self, port):
        self.sock = attacker_socket(port)
        self.buf = b""
        self.in_chunk = 128
        self.out_chunk = 128
        self.streams = {}
        self.stream_id = 0
        self.tid = 1
        self.handshake()


def bomb_connect(port, elements):
    """connect(1, [null x elements]): a strict array of 1-byte values where the command object goes.
    Returns the connect answer's name ("_error"...) or "closed"."""
    c = AttackerClient(port)
    payload = amf0_encode("connect") + amf0_encode(1) + b"\x0a" + struct.pack(">I", elements) + b"\x05" * elements
    c.set_chunk_size(65536)
    try:
        c.send_message(COMMAND, payload)
        v = c.wait_command(lambda v: v[0] in ("_result", "_error") and v[1] == 1, timeout=15)
        return v[0], v
    except (EOFError, ConnectionError, socket.timeout, OSError):
        return "closed", None
    finally:
        c.close()


def until_closed(sock, drip, gap, limit):
    """Send drip a byte every gap seconds while watching the socket; the seconds until the peer
    closed (EOF or reset), or None after limit seconds."""
    start = time.time()
    i = 0
    next_send = start
    while time.time() - start < limit:
        now = time.time()
        if now >= next_send and i < len(drip):
            try:
                sock.send(drip[i:i + 1])
            except OSError:
                return time.time() - start
            i += 1
            next_send = now + gap
        r, _, _ = select.select([sock], [], [], max(0.0, min(next_send - time.time(), 0.5)))
        if r:
            try:
                if not sock.recv(65536):
                    return time.time() - start
            except OSError:
                return time.time() - start
    return None


# ---- tests ----

def test_amf0_bombs_are_refused_with_bounded_memory_while_a_stream_flows(rtmp_proxy, origin):
    port = rtmp_proxy.port("RTMP_SERVER")
    publisher = ffmpeg_publish(rtmp_url(rtmp_proxy, "/live/legit"), loop=True)
    wait_for(lambda: "RTMP publish key=live/legit" in origin.output(), timeout=15, what="the publish at the origin")
    player = RtmpClient("127.0.0.1", port)
    player.connect(rtmp_url(rtmp_proxy, "/live"), "live")
    assert player.play("legit")["code"] == "NetStream.Play.Start"

    media = []
    stop = threading.Event()

    def play():
        try:
            while not stop.is_set():
                t, _, _, _ = player.read_message()
                if t in (AUDIO, VIDEO):
                    media.append(time.time())
        except (EOFError, OSError):
            pass  # closed by the test

    reader = threading.Thread(target=play, daemon=True)
    reader.start()
    wait_for(lambda: len(media) > 20, timeout=15, what="media at the player")

    # 2 MiB and 8 MiB connects of 1-byte values, several at once, and one under the message bound
    # whose AMF0 is over the node budget.
    sizes = [2 * 1024 * 1024, 8 * 1024 * 1024, 8 * 1024 * 1024, 8 * 1024 * 1024, 60 * 1024]
    answers = [None] * len(sizes)

    def attack(i):
        answers[i] = bomb_connect(port, sizes[i])

    attack_start = time.time()
    attackers = [threading.Thread(target=attack, args=(i,)) for i in range(len(sizes))]
    for a in attackers:
        a.start()
    for a in attackers:
        a.join(60)
    attack_end = time.time()

    # Memory stayed bounded (ASan keeps freed memory in quarantine: RSS means nothing there).
    if not is_sanitized(rtmp_proxy.proc.pid):
        peak = peak_rss_kb(rtmp_proxy.proc.pid)
        print("proxy peak RSS through the bombs: %d KiB (bound %d KiB)" % (peak, RSS_BOUND_KB))
        assert peak < RSS_BOUND_KB, peak

    # The small bomb gets RTMP's own refusal; the big ones are refused from the chunk header (the
    # _error may be lost when the proxy closes on a sender still pushing megabytes).
    name, values = answers[-1]
    assert name == "_error", answers[-1]
    assert values[3]["code"] == "NetConnection.Connect.Rejected", values
    for name, values in answers[:-1]:
        assert name in ("_error", "closed"), (name, values)

    # The stream kept flowing meanwhile, and still does.
    during = len([t for t in media if attack_start <= t <= attack_end + 0.5])
    assert during > 0 or attack_end - attack_start < 1.0
    before = len(media)
    wait_for(lambda: len(media) > before + 20, timeout=10, what="media after the attack")
    assert publisher.poll() is None
    stop.set()
    player.close()
    reader.join(10)
    publisher.terminate()
    publisher.wait(10)

    counts = rejected(rtmp_proxy)
    assert counts["too_large"] >= 4, counts
    assert counts["amf0_budget"] >= 1, counts
    out = rtmp_proxy.output()
    assert re.search(r"\[WARN\]\[\d+\]\[\w+\] RTMP client %s:\d+ rejected, reason=too_large" % re.escape(ATTACKER), out), out
    assert "reason=amf0_budget" in out


def test_slow_drip_handshake_is_closed_at_the_deadline(rtmp_proxy):
    port = rtmp_proxy.port("RTMP_SERVER")
    s = attacker_socket(port)
    # C0 and C1, one byte every 2 s: every read succeeds long before a per-read timeout.
    took = until_closed(s, b"\x03" + b"\x00" * 1536, gap=2.0, limit=DEADLINE + 8)
    s.close()
    assert took is not None, "still open after %.0f s" % (DEADLINE + 8)
    assert DEADLINE - 1 < took <= DEADLINE + 1, took
    wait_for(lambda: rejected(rtmp_proxy).get("deadline", 0) >= 1, what="the deadline drop counted")
    assert "reason=deadline" in rtmp_proxy.output()


def test_slow_drip_identify_is_closed_at_the_deadline(rtmp_proxy):
    port = rtmp_proxy.port("RTMP_SERVER")
    start = time.time()
    c = AttackerClient(port)  # a quick handshake
    payload = amf0_encode("connect") + amf0_encode(1) + amf0_encode({"app": "live", "tcUrl": rtmp_url(rtmp_proxy, "/live")})
    head = bytes([3]) + (0).to_bytes(3, "big") + len(payload).to_bytes(3, "big") + bytes([COMMAND]) + struct.pack("<I", 0)
    # The connect message, one byte every 2 s (within one 128-byte chunk).
    took = until_closed(c.sock, head + payload[:100], gap=2.0, limit=DEADLINE + 8)
    took = None if took is None else time.time() - start
    c.close()
    assert took is not None, "still open after %.0f s" % (DEADLINE + 8)
    # The deadline counts from accept, handshake included.
    assert DEADLINE - 1 < took <= DEADLINE + 1, took
    wait_for(lambda: rejected(rtmp_proxy).get("deadline", 0) >= 1, what="the deadline drop counted")


def test_control_characters_in_tcurl_and_stream_cannot_forge_a_log_line(rtmp_proxy, origin):
    port = rtmp_proxy.port("RTMP_SERVER")
    c = AttackerClient(port)
    tc_url = rtmp_url(rtmp_proxy, "/live") + "\n[ERROR] x"
    c.connect(tc_url, "live")
    c.publish("s\n[ERROR] y\r[ERROR] z")
    time.sleep(0.5)
    c.close()
    # Something about this client was logged, with the control characters escaped.
    wait_for(lambda: "[ERROR] y" in rtmp_proxy.output(), what="the stream name in the log")
    out = rtmp_proxy.output()
    for line in out.split("\n"):
        assert not line.startswith("[ERROR] "), line
        assert "\r" not in line, repr(line)
    assert "\\x0a[ERROR] y\\x0d[ERROR] z" in out, out
    # The tcUrl's app is part of the stream key the proxy logs: there, escaped too.
    assert "/live\\x0a[ERROR] x/s" in out, out
    # Every line of the proxy is its own: a timestamp first.
    for line in out.strip().split("\n"):
        assert re.match(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]", line), repr(line)
