# SPDX-License-Identifier: MIT
"""The files a deployment needs, each checked: `make install` into a --prefix (binary, unit,
conf/proxy.env, players page) and the installed proxy serving the page from there; the systemd
unit verified by systemd-analyze (no silent skip: without it the test fails) and free of W+X
mappings that MemoryDenyWriteExecute would refuse; the Dockerfile parsed and held to its rules
(Debian 12, ./configure && make, runs the proxy; built only where a docker daemon answers); and
log lines that journald and `docker logs` read as they come (one unbuffered write per line)."""
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time

from conftest import OBJS, ROOT, Proxy, free_port, http_request, sanitizer_report

UNIT = os.path.join(ROOT, "trunk", "systemd", "srs-proxy.service")
LOG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[(DEBUG|INFO|WARN|ERROR)\]\[\d+\]\[[0-9a-z]+\] \S")


def make_install(prefix):
    o = os.path.relpath(OBJS, ROOT)
    # -o all: install what the tests run (objs or objs-san) as it is, never rebuild it here.
    r = subprocess.run(["make", "-s", "-o", "all", "install", "PREFIX=" + prefix, "O=" + o], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


def unit_directives(path):
    d = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            k, v = line.split("=", 1)
            d.setdefault(k, []).append(v)
    return d


def test_make_install_puts_binary_unit_env_and_players_under_prefix():
    prefix = tempfile.mkdtemp(prefix="srs-e2e-prefix-")
    try:
        make_install(prefix)
        for f in ("bin/srs-proxy", "conf/proxy.env", "systemd/srs-proxy.service",
                  "trunk/research/players/whep.html", "trunk/research/index.html"):
            assert os.path.isfile(os.path.join(prefix, f)), f
        assert os.access(os.path.join(prefix, "bin/srs-proxy"), os.X_OK)
        unit = open(os.path.join(prefix, "systemd/srs-proxy.service")).read()
        assert "ExecStart=%s/bin/srs-proxy" % prefix in unit and "/usr/local/srs-proxy" not in unit, unit
        # The installed proxy, started as the unit starts it (WorkingDirectory=PREFIX), serves the
        # players page from its default static directory.
        ports = {k: free_port() for k in ("PROXY_RTMP_SERVER", "PROXY_HTTP_SERVER", "PROXY_HTTP_API", "PROXY_SYSTEM_API")}
        ports["PROXY_WEBRTC_SERVER"] = free_port(socket.SOCK_DGRAM)
        ports["PROXY_SRT_SERVER"] = free_port(socket.SOCK_DGRAM)
        env = dict(os.environ, **{k: "127.0.0.1:%d" % v for k, v in ports.items()})
        env.setdefault("LSAN_OPTIONS", "suppressions=%s/utest/lsan.supp:print_suppressions=0" % ROOT)
        env.pop("PROXY_STATIC_FILES", None)
        p = subprocess.Popen([os.path.join(prefix, "bin/srs-proxy")], cwd=prefix, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 10
            status = None
            while time.time() < deadline:
                try:
                    status, _, body = http_request(ports["PROXY_HTTP_SERVER"], "GET", "/players/whep.html")
                    break
                except OSError:
                    time.sleep(0.05)
            assert status == 200 and b"<html" in body.lower(), status
        finally:
            p.terminate()
            out = p.communicate(timeout=15)[0].decode(errors="replace")
        assert p.returncode == 0 and not sanitizer_report(out), out
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_systemd_unit_verifies_and_has_what_a_service_needs():
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: ./configure --with-test-tools installs systemd"
    d = unit_directives(UNIT)
    assert d["Type"][0] in ("simple", "notify"), d["Type"]
    assert d["Restart"][0] in ("on-failure", "always") and d["LimitNOFILE"][0].isdigit()
    assert d["EnvironmentFile"][0].lstrip("-").endswith("/conf/proxy.env")
    assert d["ExecReload"][0].endswith("kill -HUP $MAINPID")
    assert d["KillSignal"][0] == "SIGQUIT"
    for k in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "MemoryDenyWriteExecute", "RestrictAddressFamilies",
              "SystemCallFilter", "DynamicUser"):
        assert k in d, k
    # Both address families, so a dual-stack bare port works under the unit.
    assert {"AF_INET", "AF_INET6"} <= set(d["RestrictAddressFamilies"][0].split())
    prefix = tempfile.mkdtemp(prefix="srs-e2e-prefix-")
    try:
        make_install(prefix)
        r = subprocess.run([analyze, "verify", os.path.join(prefix, "systemd/srs-proxy.service")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "srs-proxy.service" not in r.stderr, r.stderr   # no warning about the unit itself
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_proxy_tolerates_memory_deny_write_execute(proxy):
    """MemoryDenyWriteExecute=yes forbids writable+executable mappings: the proxy makes none."""
    status, _, _ = http_request(proxy.port("HTTP_SERVER"), "GET", "/players/whep.html")
    assert status == 200
    maps = open("/proc/%d/maps" % proxy.proc.pid).read().splitlines()
    wx = [l for l in maps if "w" in l.split()[1] and "x" in l.split()[1]]
    assert not wx, wx


def test_dockerfile_builds_on_debian_12_with_configure_and_make():
    text = open(os.path.join(ROOT, "Dockerfile")).read()
    # Join continuation lines, drop comments: one instruction per line.
    lines = [l.strip() for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.strip().startswith("#")]
    instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
    known = {"FROM", "RUN", "COPY", "WORKDIR", "EXPOSE", "USER", "CMD", "STOPSIGNAL", "ENV", "ARG", "LABEL", "ENTRYPOINT"}
    assert all(k in known for k, _ in instr), instr
    froms = [v.split()[0] for k, v in instr if k == "FROM"]
    assert froms and all(f == "debian:12" for f in froms), froms
    runs = " && ".join(v for k, v in instr if k == "RUN")
    assert re.search(r"\./configure\b.*&& make\b", runs), runs
    assert "make install" in runs
    cmd = [v for k, v in instr if k == "CMD"]
    assert cmd and "bin/srs-proxy" in cmd[-1], cmd
    assert ("STOPSIGNAL", "SIGQUIT") in instr
    # The exposed ports are the defaults of conf/proxy.env.
    env = dict(l.split("=", 1) for l in open(os.path.join(ROOT, "conf/proxy.env")).read().splitlines()
               if l and not l.startswith("#"))
    exposed = " ".join(v for k, v in instr if k == "EXPOSE").split()
    for var, proto in (("PROXY_RTMP_SERVER", "tcp"), ("PROXY_HTTP_SERVER", "tcp"), ("PROXY_HTTP_API", "tcp"),
                       ("PROXY_SYSTEM_API", "tcp"), ("PROXY_WEBRTC_SERVER", "udp"), ("PROXY_SRT_SERVER", "udp")):
        assert "%s/%s" % (env[var], proto) in exposed, (var, exposed)
    # The COPY . . context leaves out build trees.
    ignore = open(os.path.join(ROOT, ".dockerignore")).read().split()
    assert "objs" in ignore and ".git" in ignore
    # Built for real only where a docker daemon answers (CI with docker).
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode == 0:
        r = subprocess.run([docker, "build", "-q", "-t", "srs-proxy-e2e", ROOT], capture_output=True, text=True,
                           timeout=3600)
        assert r.returncode == 0, r.stderr[-3000:]


def test_log_lines_arrive_whole_and_at_once_through_a_pipe():
    """journald and `docker logs` read stdout through a pipe: every line must come when written
    (no stdio buffering), whole, with its own timestamp and level, without terminal escapes."""
    p = Proxy(wait=False)
    p.log.close()
    argv = [os.path.join(OBJS, "srs-proxy")]
    env = dict(os.environ)
    env.update({k: "127.0.0.1:%d" % v for k, v in p.ports.items()})
    env.setdefault("LSAN_OPTIONS", "suppressions=%s/utest/lsan.supp:print_suppressions=0" % ROOT)
    p.proc.kill()
    p.proc.wait()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        r, _, _ = select.select([proc.stdout], [], [], 5)
        assert r, "no log line within 5 s through a pipe"
        first = proc.stdout.readline().decode()
        assert proc.poll() is None and LOG_LINE.match(first), first
    finally:
        proc.terminate()
        rest = proc.communicate(timeout=15)[0].decode(errors="replace")
    for line in (first + rest).splitlines():
        assert LOG_LINE.match(line), repr(line)
        assert "\x1b" not in line
