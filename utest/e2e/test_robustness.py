# SPDX-License-Identifier: MIT
"""Faults and floods: dead origins end sessions cleanly; UDP floods create no state and do not
hurt live sessions."""
import os
import subprocess
import sys
import time

from conftest import http_json
from rtc_peers import FakeRtcOrigin, RtcClient, big_buffers, stun_binding_request
from test_webrtc import answer_ufrag, sessions, start_proxy, stop_proxy, wait_for, whep


def open_session(p, origin):
    _, _, answer, offer_ufrag = whep(p)
    client = RtcClient()
    big_buffers(client.sock)
    client.send(p.port("WEBRTC_SERVER"), stun_binding_request("%s:%s" % (answer_ufrag(answer), offer_ufrag)))
    assert client.recv() is not None
    return client


def test_origin_gone_ends_the_webrtc_session():
    origin = FakeRtcOrigin()
    p = start_proxy()
    try:
        origin.register(p)
        client = open_session(p, origin)
        assert len(sessions(p)) == 1
        origin.close()  # its UDP port now answers with ICMP port unreachable
        for _ in range(5):
            client.send(p.port("WEBRTC_SERVER"), b"\x80\x60" + os.urandom(50))
            time.sleep(0.05)
        assert wait_for(lambda: sessions(p) == [], 5)
        assert "origin unreachable" in p.output()
        client.close()
    finally:
        stop_proxy(p)


def test_udp_flood_creates_no_state_and_loses_nothing_live():
    origin = FakeRtcOrigin()
    p = start_proxy({"PROXY_LOG_LEVEL": "warn"})
    try:
        origin.register(p)
        client = open_session(p, origin)
        flood = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "flood.py"),
                                  str(p.port("WEBRTC_SERVER")), "4"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        # A live session sends 1000 packets at 2 ms while the flood runs; each comes back (echo).
        port = p.port("WEBRTC_SERVER")
        sent, got = 1000, 0
        client.sock.settimeout(0)
        for i in range(sent):
            client.send(port, b"\x80\x60" + i.to_bytes(4, "big") + b"x" * 100)
            time.sleep(0.002)
            while True:
                try:
                    client.sock.recv(2048)
                    got += 1
                except BlockingIOError:
                    break
        deadline = time.time() + 2
        client.sock.settimeout(0.2)
        while got < sent and time.time() < deadline:
            try:
                client.sock.recv(2048)
                got += 1
            except OSError:
                pass
        flooded = int(flood.communicate(timeout=30)[0].strip())
        assert flooded > 10000, flooded
        loss = 100.0 * (sent - got) / sent
        print("flood of %d datagrams: live session loss %.2f%%" % (flooded, loss))
        assert loss < 0.1, (sent, got)
        # No state from the flood: one session, one address, the origin saw only our session.
        assert len(sessions(p)) == 1
        assert len(origin.peers) == 1
        client.close()
    finally:
        origin.close()
        stop_proxy(p)
