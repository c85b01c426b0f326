# SPDX-License-Identifier: MIT
"""WebRTC under attack: the DELETE that outlives its session, a stolen ICE USERNAME, DELETE of
someone else's session, the sessions list, and the session budgets. The attacker is a real client
from 127.0.0.66 (another loopback address), the victim plays from 127.0.0.1."""
import http.client
import json
import os
import re
import socket
import threading
import time

from conftest import http_json, http_request
from rtc_peers import RtcClient, make_offer, stun_binding_request
from test_webrtc import origin, proxy, start_proxy, stop_proxy  # noqa: F401 (fixtures)

ATTACKER = "127.0.0.66"


def whep(proxy, stream="livestream", source="127.0.0.1", timeout=5):
    """An offer from source; returns (status, headers, body, offer ufrag)."""
    ufrag = "c%s" % os.urandom(3).hex()
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port("HTTP_API"), timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/rtc/v1/whep/?app=live&stream=%s" % stream, make_offer(ufrag),
                     {"Content-Type": "application/sdp"})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read().decode(), ufrag
    finally:
        conn.close()


def username_of(answer, offer_ufrag):
    return "%s:%s" % (re.search(r"a=ice-ufrag:([^\s\\]+)", answer).group(1), offer_ufrag)


def sessions(proxy, headers=None):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/sessions", None, headers)
    assert status == 200, body
    return body["sessions"]


def metric(proxy, name, labels=""):
    status, _, body = http_request(proxy.port("HTTP_API"), "GET", "/metrics")
    assert status == 200
    m = re.search(r"^%s%s (\d+)$" % (re.escape(name), re.escape(labels)), body.decode(), re.M)
    return int(m.group(1)) if m else None


def wait_for(cond, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


class Client(RtcClient):
    def __init__(self, ip="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 0))
        self.sock.settimeout(2)


def play(proxy, origin):
    """A legitimate player: signalled, bound with a valid binding request, media flowing."""
    status, headers, answer, offer_ufrag = whep(proxy)
    assert status == 201, answer
    username = username_of(answer, offer_ufrag)
    c = Client()
    c.send(proxy.port("WEBRTC_SERVER"), stun_binding_request(username))
    assert c.recv() is not None
    return c, username, headers["location"]


def test_delete_while_the_session_ends_does_not_touch_freed_memory(origin):
    # The origin never answers the DELETE in time (the proxy gives up after its 10 s I/O timeout);
    # meanwhile the session idles out (1 s) and is freed. The DELETE must not read it again.
    p = start_proxy({"PROXY_RTC_SESSION_TIMEOUT": "1s"})
    try:
        origin.register(p)
        status, headers, _, _ = whep(p)
        assert status == 201
        origin.delete_delay = 13
        results = []

        def delete():
            results.append(http_request(p.port("HTTP_API"), "DELETE", headers["location"], timeout=20)[0])

        t = threading.Thread(target=delete)
        t.start()
        assert wait_for(lambda: sessions(p) == [], 4)  # freed while the DELETE waits
        # A new session meanwhile reuses the allocator's memory (what a use after free would read).
        assert whep(p)[0] == 201
        t.join(20)
        assert results == [200]
        assert p.alive()
        assert "reason=deleted by client" not in p.output()  # it was gone already: nothing else ended
        assert wait_for(lambda: sessions(p) == [], 4)
    finally:
        stop_proxy(p)


def test_stolen_username_without_integrity_does_not_move_the_session(proxy, origin):
    origin.register(proxy)
    port = proxy.port("WEBRTC_SERVER")
    victim, username, _ = play(proxy, origin)
    attacker = Client(ATTACKER)
    # The USERNAME alone, a forged MAC, a MAC keyed with the offerer's password, no FINGERPRINT.
    for req in [stun_binding_request(username, pwd=None), stun_binding_request(username, bad_mac=True),
                stun_binding_request(username, pwd="offerpassword0123456789"),
                stun_binding_request(username, pwd=None, fingerprint=False)]:
        attacker.send(port, req)
    assert attacker.recv(0.5) is None
    # Media from the attacker goes nowhere; the victim's media still flows to the victim.
    attacker.send(port, b"\x80\x60attacker-media-xx")
    rtp = b"\x80\x60" + os.urandom(100)
    victim.send(port, rtp)
    assert victim.recv() == rtp
    assert attacker.recv(0.5) is None
    [s] = sessions(proxy)
    assert s["client"] == "127.0.0.1:%d" % victim.sock.getsockname()[1]
    assert metric(proxy, "srs_proxy_rtc_dropped_packets_total", '{reason="stun_integrity"}') >= 4
    victim.close()
    attacker.close()


def test_valid_rebinding_from_a_new_address_still_moves_the_session(proxy, origin):
    # NAT rebinding: the same player, a new address, a binding request signed with the origin's password.
    origin.register(proxy)
    port = proxy.port("WEBRTC_SERVER")
    first, username, _ = play(proxy, origin)
    moved = Client(ATTACKER)
    moved.send(port, stun_binding_request(username))
    assert moved.recv() is not None
    rtp = b"\x80\x60" + os.urandom(60)
    moved.send(port, rtp)
    assert moved.recv() == rtp
    [s] = sessions(proxy)
    assert s["client"] == "%s:%d" % (ATTACKER, moved.sock.getsockname()[1])
    first.close()
    moved.close()


def test_delete_needs_the_location_token(proxy, origin):
    origin.register(proxy)
    victim, username, location = play(proxy, origin)
    token = re.search(r"proxy_token=([0-9a-f]{32})", location).group(1)
    api = proxy.port("HTTP_API")
    # Knowing the ufrag (in clear in every STUN check) is not enough; nor is a wrong token.
    for target in ["/rtc/v1/whep/?session=%s" % username,
                   "/rtc/v1/whep/?session=%s&proxy_token=%s" % (username, "0" * 32),
                   location.split("&proxy_token=")[0],
                   location.replace(token, token[::-1])]:
        status, body = http_json(api, "DELETE", target)
        assert status == 404 and body["code"] != 0, (target, status, body)
    assert len(sessions(proxy)) == 1 and origin.deletes == []
    # The session's own token works, in the Location or with ?session=.
    status, _, _ = http_request(api, "DELETE", "/rtc/v1/whep/?session=%s&proxy_token=%s" % (username, token))
    assert status == 200
    assert sessions(proxy) == []
    victim.close()


def test_system_api_deletes_any_session_with_its_token(origin):
    p = start_proxy({"PROXY_SYSTEM_API_TOKEN": "s3cret"})
    try:
        auth = {"Authorization": "Bearer s3cret"}
        status, body = http_json(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register",
                                 json.dumps(origin.heartbeat()), auth)
        assert status == 200, body
        c, username, _ = play(p, origin)
        status, _ = http_json(p.port("SYSTEM_API"), "DELETE", "/api/v1/sessions?ufrag=%s" % username)
        assert status == 401
        assert len(sessions(p, auth)) == 1
        status, _, _ = http_request(p.port("SYSTEM_API"), "DELETE", "/api/v1/sessions?ufrag=%s" % username, None, auth)
        assert status == 200
        assert sessions(p, auth) == []
        # The origin heard of it at its own Location, without the system API's token.
        assert len(origin.deletes) == 1 and "proxy_token" not in origin.deletes[0]
        assert "Authorization" not in origin.delete_headers[0]
        c.close()
    finally:
        stop_proxy(p)


def test_sessions_list_is_not_public(origin):
    p = start_proxy({"PROXY_SYSTEM_API_TOKEN": "s3cret"})
    try:
        # Not on the public HTTP API at all: 404 JSON.
        status, body = http_json(p.port("HTTP_API"), "GET", "/api/v1/sessions")
        assert status == 404 and body["code"] != 0
        # On the system API, only with its token.
        status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/sessions")
        assert status == 401 and body["code"] != 0
        assert sessions(p, {"Authorization": "Bearer s3cret"}) == []
        status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/sessions?token=s3cret")
        assert status == 200 and body["sessions"] == []
    finally:
        stop_proxy(p)


def test_session_caps_total_and_per_address(origin):
    p = start_proxy({"PROXY_RTC_MAX_SESSIONS": "5", "PROXY_RTC_MAX_SESSIONS_PER_IP": "3"})
    try:
        origin.register(p)
        # The attacker gets its 3, then 503 with SRS JSON; the origin is not even asked.
        for _ in range(3):
            assert whep(p, source=ATTACKER)[0] == 201
        asked = len(origin.offers)
        status, _, body, _ = whep(p, source=ATTACKER)
        assert status == 503 and json.loads(body)["code"] != 0, body
        assert len(origin.offers) == asked
        # Others still get in, up to the total.
        assert whep(p)[0] == 201 and whep(p)[0] == 201
        status, _, body, _ = whep(p)
        assert status == 503 and "PROXY_RTC_MAX_SESSIONS" in json.loads(body)["msg"]
        assert len(sessions(p)) == 5
        assert metric(p, "srs_proxy_rtc_sessions_refused_total", '{reason="max_sessions_per_ip"}') == 1
        assert metric(p, "srs_proxy_rtc_sessions_refused_total", '{reason="max_sessions"}') >= 1
    finally:
        stop_proxy(p)


def test_offer_rate_per_address(origin):
    p = start_proxy({"PROXY_RTC_OFFERS_PER_IP": "4"})
    try:
        origin.register(p)
        statuses = [whep(p, source=ATTACKER)[0] for _ in range(10)]
        assert statuses.count(201) <= 8 and 503 in statuses, statuses  # at most 4 a second
        assert whep(p)[0] == 201  # another address has its own budget
        assert metric(p, "srs_proxy_rtc_sessions_refused_total", '{reason="offer_rate"}') >= 1
        time.sleep(1.1)
        assert whep(p, source=ATTACKER)[0] == 201  # a new second, a new budget
    finally:
        stop_proxy(p)


def test_pending_sessions_expire_quickly(origin):
    p = start_proxy({"PROXY_RTC_PENDING_TIMEOUT": "1s"})
    try:
        origin.register(p)
        for _ in range(5):
            assert whep(p, source=ATTACKER)[0] == 201  # offered, never bound
        bound, _, _ = play(p, origin)
        assert len(sessions(p)) == 6
        # The bound one stays (media flows); the others go.
        deadline = time.time() + 4
        while time.time() < deadline and len(sessions(p)) > 1:
            bound.send(p.port("WEBRTC_SERVER"), b"\x80\x60keepalive-media-x")
            bound.recv(0.2)
        assert len(sessions(p)) == 1
        assert metric(p, "srs_proxy_rtc_sessions_never_bound_total") == 5
        bound.close()
    finally:
        stop_proxy(p)
