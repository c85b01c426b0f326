# SPDX-License-Identifier: MIT
"""The process: signals, exit status, startup failures with a message naming the cause."""
import signal
import socket
import time

from conftest import Proxy, Process, OBJS, free_port, http_json, sanitizer_report
import os


def test_sigterm_quits_fast_with_status_0():
    p = Proxy()
    start = time.time()
    assert p.stop(signal.SIGTERM) == 0
    assert time.time() - start < 5
    out = p.output()
    assert "Fast quit" in out and not sanitizer_report(out)


def test_sigint_quits_with_status_0():
    p = Proxy()
    assert p.stop(signal.SIGINT) == 0


def test_sigquit_waits_for_live_connections_then_quits():
    p = Proxy({"PROXY_GRACE_QUIT_TIMEOUT": "1s"})
    # A keep-alive connection that stays open: the graceful quit waits, then closes it.
    s = socket.create_connection(("127.0.0.1", p.port("SYSTEM_API")), 5)
    start = time.time()
    p.proc.send_signal(signal.SIGQUIT)
    assert p.proc.wait(10) == 0
    assert 0.9 <= time.time() - start < 5
    s.close()
    p.log.close()
    out = p.output()
    assert "Graceful quit" in out and "connections left" in out and not sanitizer_report(out)


def test_sigquit_without_connections_is_immediate():
    p = Proxy({"PROXY_GRACE_QUIT_TIMEOUT": "20s"})
    start = time.time()
    assert p.stop(signal.SIGQUIT) == 0
    assert time.time() - start < 3
    assert "all connections closed" in p.output()


def test_busy_port_fails_startup_with_message():
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        p = Proxy({"PROXY_SYSTEM_API": "127.0.0.1:%d" % port}, wait=False)
        assert p.proc.wait(10) != 0
        out = p.output()
        assert "bind tcp 127.0.0.1:%d" % port in out and "Address already in use" in out, out
        assert "System API" in out


def test_invalid_variable_fails_startup_naming_it():
    p = Proxy({"PROXY_ORIGIN_SERVER_TTL": "forever"}, wait=False)
    assert p.proc.wait(10) != 0
    assert "PROXY_ORIGIN_SERVER_TTL" in p.output()


def test_missing_static_dir_fails_and_empty_disables():
    p = Proxy({"PROXY_STATIC_FILES": "/nonexistent-srs-proxy-dir"}, wait=False)
    assert p.proc.wait(10) != 0
    assert "PROXY_STATIC_FILES" in p.output()
    p = Proxy({"PROXY_STATIC_FILES": ""})
    assert p.stop() == 0


def test_dotenv_in_working_directory_is_loaded():
    port = free_port()
    env_dir = Process(["true"], {}).dir
    with open(os.path.join(env_dir, ".env"), "w") as f:
        f.write("# comment\nexport PROXY_SYSTEM_API=127.0.0.1:%d\nPROXY_REDIS_PASSWORD='hidden-pass'\n" % port)
    p = Proxy(wait=False)
    p.stop()
    # Start again in the directory with .env, without PROXY_SYSTEM_API in the environment.
    env = dict(p.ports)
    env = {k: "127.0.0.1:%d" % v for k, v in env.items() if k != "PROXY_SYSTEM_API"}
    env["PROXY_STATIC_FILES"] = ""
    saved = os.environ.pop("PROXY_SYSTEM_API", None)
    q = Process([os.path.join(OBJS, "srs-proxy")], env, cwd=env_dir, name="proxy")
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                status, body = http_json(port, "GET", "/api/v1/versions")
                break
            except OSError:
                time.sleep(0.05)
        assert status == 200 and body["signature"] == "SRSX"
    finally:
        assert q.stop() == 0
        if saved is not None:
            os.environ["PROXY_SYSTEM_API"] = saved
    assert "hidden-pass" not in q.output()


def test_max_connections_refuses_cleanly():
    p = Proxy({"PROXY_MAX_CONNECTIONS": "2"})
    try:
        # Media listeners share the cap; the system API has its own pool (not counted here).
        # (The readiness probe of Proxy may still count for a moment: let it go first.)
        time.sleep(0.5)
        held = [socket.create_connection(("127.0.0.1", p.port("HTTP_SERVER")), 5) for _ in range(2)]
        # The kernel completes a connect before the proxy accepts it: let it accept both before
        # probing, so the probe cannot take one of their places.
        time.sleep(0.5)
        deadline = time.time() + 10
        while True:
            with socket.create_connection(("127.0.0.1", p.port("HTTP_API")), 5) as s:
                s.settimeout(5)
                s.sendall(b"GET /api/v1/versions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                reply = s.recv(4096)
            # Until the proxy accepted both held connections (a loaded machine lags), it is served.
            if reply.startswith(b"HTTP/1.1 503") or time.time() > deadline:
                break
            time.sleep(0.2)
        assert reply.startswith(b"HTTP/1.1 503"), reply
        assert b'"code":1013' in reply
        for s in held:
            s.close()
        time.sleep(0.3)
        status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/versions")
        assert status == 200
        assert "PROXY_MAX_CONNECTIONS=2" in p.output()
    finally:
        assert p.stop() == 0
