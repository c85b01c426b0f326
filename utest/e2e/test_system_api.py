# SPDX-License-Identifier: MIT
"""The system API: origins register by their SRS heartbeat; bad bodies get clean 4xx answers."""
import json
import socket
import time

from conftest import SRS_HEARTBEAT, Proxy, http_json, http_request


def test_versions_on_each_api(proxy):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/versions")
    assert status == 200 and body == {"signature": "SRSX", "version": "7.0.143"}
    status, body = http_json(proxy.port("HTTP_API"), "GET", "/api/v1/versions")
    assert status == 200 and body["signature"] == "SRSX"
    status, body = http_json(proxy.port("HTTP_SERVER"), "GET", "/api/v1/versions")
    assert status == 200 and body["code"] == 0 and body["data"]["version"] == "7.0.143"
    assert body["data"]["major"] == 7


def test_real_srs_heartbeat_is_registered_and_picked(proxy):
    # Exactly the headers and body a real SRS 7 sends.
    status, headers, data = http_request(
        proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", SRS_HEARTBEAT,
        {"Connection": "Keep-Alive", "Content-Type": "application/json", "User-Agent": "SRS/7.0.18(Hang)"})
    assert status == 200, data
    reply = json.loads(data)
    assert reply["code"] == 0 and reply["pid"] == str(proxy.proc.pid)

    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")
    assert status == 200
    [origin] = body["origins"]
    assert origin["id"] == "vid-0xi0801-0676p847-24648" and origin["alive"]
    assert (origin["rtmp"], origin["http"], origin["api"], origin["rtc"], origin["srt"]) == (19351, 8081, 19851, 8001, 10081)

    status, body = http_json(proxy.port("SYSTEM_API"), "GET",
                             "/api/v1/origins?pick=rtmp%3A%2F%2F127.0.0.1%2Flive%2Flivestream")
    assert status == 200, body
    assert body["stream_url"] == "__defaultVhost__/live/livestream"
    assert body["origin"]["id"] == "vid-0xi0801-0676p847-24648"
    assert "Register SRS media server" in proxy.output()


def test_pick_without_origins_is_503(proxy):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=rtmp://h/live/s")
    assert status == 503 and body["code"] != 0 and "no server available" in body["msg"]


def register(proxy, body):
    return http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", body,
                     {"Content-Type": "application/json"})


def test_malformed_bodies_get_4xx_with_srs_json(proxy):
    heartbeat = json.loads(SRS_HEARTBEAT)
    cases = [
        ("", "empty ip"),
        ("not json", None),
        (json.dumps(dict(heartbeat, pid=24648)), None),
        (json.dumps({k: v for k, v in heartbeat.items() if k != "rtmp"}), "empty rtmp"),
        (json.dumps(dict(heartbeat, rtmp=[])), "empty rtmp"),
        (json.dumps(dict(heartbeat, ip="")), "empty ip"),
        (json.dumps({k: v for k, v in heartbeat.items() if k != "server"}), "empty server"),
        (json.dumps({k: v for k, v in heartbeat.items() if k != "service"}), "empty service"),
    ]
    for body, msg in cases:
        status, reply = register(proxy, body)
        assert status == 400, (body, status, reply)
        assert reply["code"] != 0, reply
        if msg:
            assert reply["msg"] == msg, reply
    # Nothing was registered by any of them.
    assert http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"] == []


def test_two_megabyte_body_is_413(proxy):
    status, _, data = http_request(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register",
                                   b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert status == 413
    assert json.loads(data)["code"] != 0
    # The proxy still serves.
    assert register(proxy, SRS_HEARTBEAT)[0] == 200


def test_slow_drip_of_headers_is_cut(proxy):
    """A client that sends one header line every half second is cut by the head timeout (10 s)."""
    start = time.time()
    data = b""
    with socket.create_connection(("127.0.0.1", proxy.port("SYSTEM_API")), 5) as s:
        s.sendall(b"POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\n")
        s.settimeout(0.5)
        while time.time() - start < 20:
            try:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            except socket.timeout:
                try:
                    s.sendall(b"X-Drip: 1\r\n")
                except OSError:
                    break
            except ConnectionResetError:
                break
    assert data.startswith(b"HTTP/1.1 408"), data
    assert time.time() - start < 15


def test_unknown_path_is_404_json(proxy):
    status, body = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/nothing")
    assert status == 404 and body["code"] != 0


def test_token_protects_register():
    p = Proxy({"PROXY_SYSTEM_API_TOKEN": "s3cret"})
    try:
        status, body = register(p, SRS_HEARTBEAT)
        assert status == 401 and body["code"] != 0
        status, _ = http_json(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register?token=s3cret", SRS_HEARTBEAT)
        assert status == 200
        status, _ = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins",
                              headers={"Authorization": "Bearer s3cret"})
        assert status == 200
        assert "s3cret" not in p.output()
    finally:
        assert p.stop() == 0


def test_restarted_origin_takes_over_as_the_old_entry_expires():
    """An SRS restart registers a new service/pid; streams move to it once the old entry expires."""
    p = Proxy({"PROXY_ORIGIN_SERVER_TTL": "2s"})
    try:
        old = json.loads(SRS_HEARTBEAT)
        assert register(p, json.dumps(old))[0] == 200
        pick = lambda s: http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins?pick=rtmp://127.0.0.1/live/%s" % s)[1]
        assert pick("x")["origin"]["pid"] == "24648"
        new = dict(old, service="newsvc1", pid="30001")
        # The old process is gone: only the new one heartbeats from now on.
        deadline = time.time() + 2.6
        while time.time() < deadline:
            assert register(p, json.dumps(new))[0] == 200
            time.sleep(0.5)
        origins = {o["pid"]: o["alive"] for o in http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"]}
        assert origins == {"24648": False, "30001": True}
        # The sticky stream is re-picked onto the live origin, and new streams go there too.
        assert pick("x")["origin"]["pid"] == "30001"
        assert pick("y")["origin"]["pid"] == "30001"
    finally:
        assert p.stop() == 0
