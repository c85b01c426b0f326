# SPDX-License-Identifier: MIT
"""SRT attacks, each as a real client would send it: a session hijack from another address, many
handshakes from one address, secrets in stream ids, and callers that never finish a handshake."""
import json
import random
import socket
import struct
import time

import pytest

from conftest import http_request
from test_srt import (HS_CONCLUSION, RawSrt, SilentOrigin, SrtOrigin, parse_handshake, proxy, publish, srt_url,  # noqa: F401 (fixture)
                      start_proxy, stop_proxy, wait_for)

ATTACKER = "127.0.0.66"
REJ_RESOURCE = 1000 + 3          # libsrt SRT_REJ_RESOURCE
REJX_TIMEOUT = 1000 + 1504


class RawSrtFrom(RawSrt):
    """A hand-made caller bound to a chosen loopback address."""

    def __init__(self, ip):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 0))
        self.sock.settimeout(2)
        self.socket_id = random.randint(1, 0x3FFFFFFF)
        self.isn = random.randint(0, 0x7FFFFFFF)


def sessions_lists(proxy):
    """Every sessions list the proxy serves (the HTTP API's, and the system API's where it is
    served): a list of (where, body text, parsed srt sessions)."""
    found = []
    for api in ("HTTP_API", "SYSTEM_API"):
        status, _, body = http_request(proxy.port(api), "GET", "/api/v1/sessions")
        if status != 200:
            continue
        text = body.decode()
        parsed = json.loads(text)
        found.append((api, text, [s for s in parsed.get("sessions", []) if s.get("type") == "srt"]))
    assert found, "no sessions list served"
    return found


def srt_sessions(proxy):
    return sessions_lists(proxy)[0][2]


def drops(proxy):
    status, _, body = http_request(proxy.port("HTTP_API"), "GET", "/metrics")
    assert status == 200
    out = {}
    for line in body.decode().splitlines():
        if line.startswith('srs_proxy_srt_dropped_packets_total{reason="'):
            reason = line.split('"')[1]
            out[reason] = int(line.split()[-1])
    return out


def keepalive(dest):
    return struct.pack(">IIII", 0x80010000, 0, 0, dest)


def data_packet(dest, seq=1, payload=b"\x47" + bytes(187)):
    # An SRT data packet: F=0 + sequence, PP/O/KK/R + message number, timestamp, destination.
    return struct.pack(">IIII", seq & 0x7FFFFFFF, 0xC0000001, 1000, dest) + payload


def test_a_packet_from_another_address_does_not_move_the_session(proxy):
    origin = SrtOrigin(proxy, "vid-hijack")
    pub = publish(srt_url(proxy, "#!::r=live/victim,m=publish"), 8)
    try:
        # A real publisher, and a raw one whose counters only move when it sends.
        assert wait_for(lambda: any(s["state"] == "established" and "victim" in s["stream_url"]
                                    for s in srt_sessions(proxy)), 10), proxy.output()
        [victim] = [s for s in srt_sessions(proxy) if "victim" in s["stream_url"]]
        quiet = RawSrt()
        res = quiet.connect(proxy, "#!::r=live/quiet,m=publish")
        assert res["type"] == HS_CONCLUSION, res
        [q] = [s for s in srt_sessions(proxy) if "quiet" in s["stream_url"]]
        assert q["to_origin_packets"] == 0

        # The attacker, from another address, names each session's origin socket id: data (media
        # injection), a keepalive (a NAT "rebinding") and a SHUTDOWN (to close the session).
        attacker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        attacker.bind((ATTACKER, 0))
        attacker.settimeout(0.5)
        before = drops(proxy).get("foreign_address", 0)
        sent = 0
        for target in (victim["origin_socket_id"], q["origin_socket_id"]):
            for i in range(20):
                attacker.sendto(data_packet(target, i), ("127.0.0.1", proxy.port("SRT_SERVER")))
                attacker.sendto(keepalive(target), ("127.0.0.1", proxy.port("SRT_SERVER")))
                sent += 2
            attacker.sendto(struct.pack(">IIII", 0x80050000, 0, 0, target), ("127.0.0.1", proxy.port("SRT_SERVER")))
            sent += 1
        # Nothing comes back to the attacker: the origin's packets still go to the publishers.
        with pytest.raises(socket.timeout):
            attacker.recv(65536)
        attacker.close()

        assert wait_for(lambda: drops(proxy).get("foreign_address", 0) - before == sent, 2), (drops(proxy), sent)
        now = {s["stream_url"]: s for s in srt_sessions(proxy)}
        v = now[victim["stream_url"]]
        assert v["client"] == victim["client"] and v["state"] == "established" and v["address_changes"] == 0, v
        qq = [s for s in now.values() if "quiet" in s["stream_url"]][0]
        # Not one of the attacker's packets reached the origin.
        assert qq["client"] == q["client"] and qq["state"] == "established" and qq["to_origin_packets"] == 0, qq
        assert "client moved" not in proxy.output()

        # The real publisher goes on to the end, undisturbed.
        pub.wait(20)
        assert pub.returncode == 0, pub.stderr.read()
    finally:
        if pub.poll() is None:
            pub.kill()
            pub.wait()
        origin.stop()


def test_per_ip_budgets_refuse_one_address_not_the_others():
    p = start_proxy({"PROXY_SRT_MAX_HANDSHAKES_PER_IP": "3", "PROXY_SRT_MAX_SESSIONS_PER_IP": "5"})
    origin = SrtOrigin(p, "vid-budget")
    try:
        # Handshakes in progress: callers from one address (each its own port) that never send a
        # packet after the conclusion. The fourth is refused with SRT_REJ_RESOURCE.
        held = []
        for i in range(3):
            c = RawSrtFrom(ATTACKER)
            res = c.connect(p, "#!::r=live/a%d,m=publish" % i)
            assert res["type"] == HS_CONCLUSION, res
            held.append((c, res["socket_id"]))
        extra = RawSrtFrom(ATTACKER)
        res = extra.connect(p, "#!::r=live/a3,m=publish")
        assert res["type"] == REJ_RESOURCE and res["dest"] == extra.socket_id, res
        assert drops(p).get("ip_handshake_limit", 0) == 1, drops(p)

        # Another address is not affected: a real caller from 127.0.0.1 connects.
        pub = publish(srt_url(p, "#!::r=live/legit,m=publish"), 3)
        assert wait_for(lambda: any(s["state"] == "established" and "legit" in s["stream_url"]
                                    for s in srt_sessions(p)), 10), p.output()
        pub.wait(20)
        assert pub.returncode == 0, pub.stderr.read()

        # Completed handshakes free the handshake share; sessions per IP stop at 5.
        for c, origin_id in held:
            c.send(p, keepalive(origin_id))
        for i in range(2):
            c = RawSrtFrom(ATTACKER)
            res = c.connect(p, "#!::r=live/b%d,m=publish" % i)
            assert res["type"] == HS_CONCLUSION, res
            c.send(p, keepalive(res["socket_id"]))
            held.append((c, res["socket_id"]))
        refused = RawSrtFrom(ATTACKER).connect(p, "#!::r=live/b2,m=publish")
        assert refused["type"] == REJ_RESOURCE, refused
        d = drops(p)
        assert d.get("ip_session_limit", 0) == 1 and d.get("ip_handshake_limit", 0) == 1, d
        assert len([s for s in srt_sessions(p) if s["client"].startswith(ATTACKER + ":")]) == 5
        # Refusals are logged, rate-limited, naming the budget.
        assert "over PROXY_SRT_MAX_HANDSHAKES_PER_IP" in p.output()
        assert "over PROXY_SRT_MAX_SESSIONS_PER_IP" in p.output()
        # And 127.0.0.1 still connects.
        res = RawSrt().connect(p, "#!::r=live/legit2,m=publish")
        assert res["type"] == HS_CONCLUSION, res
    finally:
        origin.stop()
        stop_proxy(p)


def test_total_session_budget_refuses_with_a_reason():
    p = start_proxy({"PROXY_SRT_MAX_SESSIONS": "2"})
    origin = SrtOrigin(p, "vid-total")
    try:
        for i in range(2):
            assert RawSrt().connect(p, "#!::r=live/t%d,m=publish" % i)["type"] == HS_CONCLUSION
        res = RawSrt().connect(p, "#!::r=live/t2,m=publish")
        assert res["type"] == REJ_RESOURCE, res
        assert drops(p).get("session_limit", 0) == 1
    finally:
        origin.stop()
        stop_proxy(p)


SECRETS = ["TOKEN-kx81Jq", "PASS-u7Zp3a", "QS-secret-Vn2m", "BAD-pass-9Qe"]


def test_secrets_in_stream_ids_never_shown_or_logged(proxy):
    origin = SrtOrigin(proxy, "vid-redact")
    pub = None
    try:
        # The keyed form with secret keys, and the plain form with a query.
        c = RawSrt()
        res = c.connect(proxy, "#!::r=live/red,m=publish,token=%s,passphrase=%s" % (SECRETS[0], SECRETS[1]))
        assert res["type"] == HS_CONCLUSION, res
        res = RawSrt().connect(proxy, "live/red?secret=%s&user=x" % SECRETS[2])
        assert res["type"] == HS_CONCLUSION, res
        # A stream id that does not parse: its drop line shows it redacted too.
        res = RawSrt().connect(proxy, "#!::r=live/a b,m=publish,passphrase=%s" % SECRETS[3])
        assert res["type"] == 1000 + 1400, res
        # A real caller too (ffmpeg), its secret in the stream id.
        pub = publish(srt_url(proxy, "#!::r=live/red2,m=publish,key=%s" % SECRETS[0]), 3)
        assert wait_for(lambda: any("red2" in s["stream_url"] and s["state"] == "established"
                                    for s in srt_sessions(proxy)), 10), proxy.output()

        lists = sessions_lists(proxy)
        for api, text, srt in lists:
            for secret in SECRETS:
                assert secret not in text, (api, text)
            ids = sorted(s["stream_id"] for s in srt)
            assert "#!::r=live/red,m=publish,token=***,passphrase=***" in ids, (api, ids)
            assert "live/red?secret=***&user=***" in ids, (api, ids)
            assert "#!::r=live/red2,m=publish,key=***" in ids, (api, ids)
        pub.wait(20)
        pub = None
        # The session end lines come too (the ffmpeg caller's SHUTDOWN).
        assert wait_for(lambda: "live/red2" in proxy.output() and "reason=client shutdown" in proxy.output(), 3)
    finally:
        if pub:
            pub.kill()
            pub.wait()
        origin.stop()
    out = proxy.output()
    for secret in SECRETS:
        assert secret not in out, secret
    assert "token=***" in out and "secret=***" in out


def test_conclusion_long_after_its_induction_is_dropped():
    p = start_proxy({"PROXY_SRT_HANDSHAKE_TIMEOUT": "2s"})
    origin = SrtOrigin(p, "vid-late")
    try:
        c = RawSrt()
        cookie = c.induction(p)["cookie"]
        time.sleep(2.3)   # past the handshake deadline: the cookie is stale
        c.send(p, c.conclusion(p, cookie, "#!::r=live/late,m=publish"))
        with pytest.raises(socket.timeout):
            c.recv(1)
        assert drops(p).get("bad_cookie", 0) == 1, drops(p)
        assert srt_sessions(p) == []
        # A fresh induction works.
        res = c.connect(p, "#!::r=live/late,m=publish")
        assert res["type"] == HS_CONCLUSION, res
    finally:
        origin.stop()
        stop_proxy(p)


def test_caller_that_never_completes_holds_no_slot_past_the_deadline():
    p = start_proxy({"PROXY_SRT_HANDSHAKE_TIMEOUT": "2s"})
    origin = SrtOrigin(p, "vid-stall")
    try:
        c = RawSrt()
        cookie = c.induction(p)["cookie"]
        conclusion = c.conclusion(p, cookie, "#!::r=live/stall,m=publish")
        c.send(p, conclusion)
        res = parse_handshake(c.recv(5))
        assert res["type"] == HS_CONCLUSION, res
        start = time.time()
        # It retransmits its conclusion (answered each time) but never sends anything else.
        gone = False
        while time.time() - start < 4:
            c.send(p, conclusion)
            time.sleep(0.25)
            if not srt_sessions(p):
                gone = True
                break
        assert gone, srt_sessions(p)
        assert time.time() - start < 3.0
        assert "reason=caller handshake timeout" in p.output()

        # A caller that goes on after its conclusion is not affected by the deadline.
        ok = RawSrt()
        res = ok.connect(p, "#!::r=live/fine,m=publish")
        assert res["type"] == HS_CONCLUSION, res
        for _ in range(12):
            ok.send(p, keepalive(res["socket_id"]))
            time.sleep(0.25)
        [s] = srt_sessions(p)
        assert s["state"] == "established" and s["to_origin_packets"] >= 12, s
    finally:
        origin.stop()
        stop_proxy(p)


def test_origin_handshake_is_bounded_by_the_handshake_deadline():
    p = start_proxy({"PROXY_SRT_HANDSHAKE_TIMEOUT": "1s"})
    silent = SilentOrigin()
    try:
        silent.register(p)
        c = RawSrt()
        start = time.time()
        c.send(p, c.conclusion(p, c.induction(p)["cookie"], "#!::r=live/silent,m=publish"))
        res = parse_handshake(c.recv(4))
        # Not the origin's 3 s: the whole handshake's 1 s.
        assert res["type"] == REJX_TIMEOUT and time.time() - start < 2.0, (res, time.time() - start)
        assert wait_for(lambda: not srt_sessions(p), 2)
    finally:
        silent.close()
        stop_proxy(p)
