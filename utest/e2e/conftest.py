# SPDX-License-Identifier: MIT
"""End-to-end helpers: start the real srs-proxy on free loopback ports, talk to it, stop it.

Every test binds 127.0.0.1 only; ports come from the kernel (bind to port 0), so parallel runs
do not collide. Processes are stopped at teardown, and their logs checked for sanitizer reports.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OBJS = os.path.join(ROOT, os.environ.get("O", "objs"))

# What the real SRS 7 origin posts to /api/v1/srs/register (trunk/conf/origin1-for-proxy.conf).
SRS_HEARTBEAT = (
    '{"device_id":"origin1","ip":"127.0.0.1","server":"vid-0xi0801","service":"0676p847",'
    '"pid":"24648","rtmp":["19351"],"http":["8081"],"api":["19851"],'
    '"srt":["udp://0.0.0.0:10081"],"rtc":["udp://0.0.0.0:8001"]}'
)


_handed_out = set()


def free_port(kind=socket.SOCK_STREAM):
    """A port free now on 127.0.0.1 for both TCP and UDP, below the kernel's ephemeral range (so no
    outgoing connection of a proxy or a peer can take it meanwhile), never handed out twice in a
    run; random, so parallel runs rarely meet (and Proxy retries if they do)."""
    import random
    while True:
        port = random.randint(20000, 32000)
        if port in _handed_out:
            continue
        try:
            for k in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                with socket.socket(socket.AF_INET, k) as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        _handed_out.add(port)
        return port


def is_sanitized(pid):
    """ASan keeps freed memory in quarantine: RSS checks mean nothing then."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def sanitizer_report(text):
    return any(m in text for m in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"))


class Process:
    """A program of ours running in its own temp directory, output to a log file."""

    def __init__(self, argv, env, cwd=None, name="proc"):
        self.dir = tempfile.mkdtemp(prefix="srs-e2e-")
        self.log_path = os.path.join(self.dir, name + ".log")
        self.log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env)
        full_env.setdefault("LSAN_OPTIONS", "suppressions=%s/utest/lsan.supp:print_suppressions=0" % ROOT)
        self.proc = subprocess.Popen(argv, env=full_env, cwd=cwd or self.dir, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Send sig, wait, return the exit status (killing it after timeout)."""
        if self.alive():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class Proxy(Process):
    """srs-proxy with every listener on a free 127.0.0.1 port."""

    def __init__(self, env=None, wait=True):
        self.ports = {
            "PROXY_RTMP_SERVER": free_port(),
            "PROXY_HTTP_SERVER": free_port(),
            "PROXY_HTTP_API": free_port(),
            "PROXY_WEBRTC_SERVER": free_port(socket.SOCK_DGRAM),
            "PROXY_SRT_SERVER": free_port(socket.SOCK_DGRAM),
            "PROXY_SYSTEM_API": free_port(),
        }
        self._env = dict(env or {})
        full = {k: "127.0.0.1:%d" % v for k, v in self.ports.items()}
        full["PROXY_STATIC_FILES"] = os.path.join(ROOT, "trunk", "research")
        full["PROXY_LOG_LEVEL"] = "debug"
        full.update(env or {})
        super().__init__([os.path.join(OBJS, "srs-proxy")], full, name="proxy")
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=10):
        for attempt in range(4):
            try:
                return self._wait_ready(timeout)
            except AssertionError as e:
                # Another program took one of our ports between the check and the bind: start again
                # on new ones (only for ports we chose; a test that sets ports itself sees the failure).
                if "Address already in use" not in str(e) or attempt == 3:
                    raise
                self.__init__(self._env, wait=False)

    def port(self, name):
        return self.ports["PROXY_" + name]

    def _wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive():
                raise AssertionError("srs-proxy exited early:\n" + self.output())
            try:
                with socket.create_connection(("127.0.0.1", self.port("HTTP_SERVER")), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("srs-proxy not ready:\n" + self.output())


def http_request(port, method, path, body=None, headers=None, timeout=5):
    """One HTTP request to 127.0.0.1:port; returns (status, headers dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def http_json(port, method, path, body=None, headers=None):
    status, hdrs, data = http_request(port, method, path, body, headers)
    return status, json.loads(data.decode()) if data else None


@pytest.fixture
def proxy():
    p = Proxy()
    yield p
    rc = p.stop()
    out = p.output()
    assert not sanitizer_report(out), out
    assert rc == 0, "srs-proxy exit status %s:\n%s" % (rc, out)


class MockOrigin(Process):
    """objs/srs-mock-origin with the given ports (0 = off), registering with proxy if given."""

    def __init__(self, proxy=None, args=None, name="mock-origin"):
        argv = [os.path.join(OBJS, "srs-mock-origin"), "-log", "debug"]
        if proxy:
            argv += ["-heartbeat", "http://127.0.0.1:%d/api/v1/srs/register" % proxy.port("SYSTEM_API")]
        argv += [str(a) for a in (args or [])]
        super().__init__(argv, {}, name=name)
