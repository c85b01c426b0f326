# SPDX-License-Identifier: MIT
"""Issue 15, load balancer and registration: every table has a bound, registration validates the
origin's ip, the number of origins is capped, and an open system API is warned about at start."""
import json
import re
import socket
import threading
import time

from conftest import Proxy, free_port, http_json, http_request, sanitizer_report, proxy  # noqa: F401

HEARTBEAT = {"ip": "127.0.0.1", "server": "s", "service": "svc", "pid": "1", "rtmp": ["19351"], "http": ["8081"]}


def register(p, body, source="127.0.0.1"):
    """POST a heartbeat from the given loopback source address; (status, json)."""
    data = json.dumps(body).encode() if not isinstance(body, (bytes, str)) else body
    s = socket.create_connection(("127.0.0.1", p.port("SYSTEM_API")), 5, source_address=(source, 0))
    try:
        s.sendall(b"POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(data), data))
        resp = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            resp += chunk
    finally:
        s.close()
    head, _, body = resp.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body.decode())


def metric(p, name, labels=""):
    """A sample of /metrics (HTTP API), or None."""
    _, _, body = http_request(p.port("HTTP_API"), "GET", "/metrics")
    m = re.search(r"^%s%s (\d+)$" % (re.escape(name), re.escape(labels)), body.decode(), re.M)
    return int(m.group(1)) if m else None


def test_registration_with_bad_ips_is_refused_with_400(proxy):
    # An attacker on another loopback address, as a real one would come from elsewhere.
    for ip, why in (("evil", "not an IP address"), ("localhost", "not an IP address"),
                    ("0.0.0.0", "unspecified address"), ("::", "unspecified address"),
                    ("224.0.0.1", "multicast address"), ("ff02::1", "multicast address"),
                    ("255.255.255.255", "broadcast address"), ("::ffff:224.0.0.1", "multicast address")):
        status, body = register(proxy, dict(HEARTBEAT, ip=ip, server="evil"), source="127.0.0.66")
        assert status == 400, (ip, status, body)
        assert body["code"] != 0 and why in body["msg"], (ip, body)
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")
    assert status == 200 and body["origins"] == [], body
    # A good one still registers.
    status, body = register(proxy, HEARTBEAT)
    assert status == 200 and body["code"] == 0, body
    _, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")
    assert [o["ip"] for o in body["origins"]] == ["127.0.0.1"], body


def test_origins_are_capped_but_heartbeats_of_known_ones_pass():
    p = Proxy({"PROXY_MAX_ORIGINS": "5"})
    try:
        for i in range(5):
            status, body = register(p, dict(HEARTBEAT, server="o%d" % i))
            assert status == 200, body
        refused = metric(p, "srs_proxy_lb_origins_refused_total")
        for i in range(20):
            status, body = register(p, dict(HEARTBEAT, server="evil%d" % i), source="127.0.0.66")
            assert status == 503 and body["code"] != 0 and "too many origins" in body["msg"], body
        assert metric(p, "srs_proxy_lb_origins_refused_total") == refused + 20
        # Heartbeats of the known ones always pass.
        for i in range(5):
            status, body = register(p, dict(HEARTBEAT, server="o%d" % i))
            assert status == 200, body
        _, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins")
        assert sorted(o["server"] for o in body["origins"]) == ["o%d" % i for i in range(5)]
        assert metric(p, "srs_proxy_lb_entries", '{table="origins"}') == 5
    finally:
        rc = p.stop()
        out = p.output()
    assert rc == 0 and not sanitizer_report(out), out


def test_twenty_thousand_flv_names_leave_the_sticky_table_bounded():
    """Every FLV request for a new name makes a sticky pick; the origin refuses them all (nothing
    listens on its HTTP port). The table stays at PROXY_LB_MAX_STREAMS, dropping the least
    recently used."""
    cap = 2000
    p = Proxy({"PROXY_LB_MAX_STREAMS": str(cap), "PROXY_LOG_LEVEL": "warn"})
    try:
        dead_port = free_port()
        status, _ = register(p, dict(HEARTBEAT, http=[str(dead_port)]))
        assert status == 200
        errors = []

        def flood(start, n):
            try:
                for i in range(start, start + n):
                    s = socket.create_connection(("127.0.0.1", p.port("HTTP_SERVER")), 5,
                                                 source_address=("127.0.0.66", 0))
                    s.sendall(b"GET /live/flood%d.flv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % i)
                    s.settimeout(5)
                    head = s.recv(4096)
                    s.close()
                    if not head.startswith(b"HTTP/1.1 5"):
                        errors.append(head[:64])
            except OSError as e:
                errors.append(repr(e))

        threads = [threading.Thread(target=flood, args=(k * 5000, 5000)) for k in range(4)]
        for t in threads:
            t.start()
        peak = 0
        while any(t.is_alive() for t in threads):
            picks = metric(p, "srs_proxy_lb_entries", '{table="picked"}')
            peak = max(peak, picks)
            assert picks <= cap, picks
            time.sleep(0.5)
        for t in threads:
            t.join()
        assert not errors, errors[:5]
        picks = metric(p, "srs_proxy_lb_entries", '{table="picked"}')
        assert 0 < picks <= cap, picks
        assert metric(p, "srs_proxy_lb_evictions_total", '{table="picks"}') >= 20000 - cap
    finally:
        rc = p.stop()
        out = p.output()
    assert rc == 0 and not sanitizer_report(out), out


def test_open_system_api_is_warned_about_at_start():
    """Without a token, a system API beyond loopback is a loud warning. The address is TEST-NET
    (RFC 5737), so nothing is bound beyond loopback: the warning comes, then the bind fails."""
    port = free_port()
    p = Proxy({"PROXY_SYSTEM_API": "192.0.2.1:%d" % port}, wait=False)
    assert p.proc.wait(15) != 0
    p.stop()
    out = p.output()
    assert "SECURITY: the system API listens on 192.0.2.1:%d beyond loopback without PROXY_SYSTEM_API_TOKEN" % port in out, out

    # With a token: no warning.
    p = Proxy({"PROXY_SYSTEM_API": "192.0.2.1:%d" % port, "PROXY_SYSTEM_API_TOKEN": "t0k3n"}, wait=False)
    assert p.proc.wait(15) != 0
    p.stop()
    assert "SECURITY" not in p.output()

    # On loopback: no warning either.
    p = Proxy()
    try:
        assert "SECURITY" not in p.output()
    finally:
        rc = p.stop()
    assert rc == 0
