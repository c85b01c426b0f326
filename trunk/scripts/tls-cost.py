#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What TLS costs the proxy (one process, one core): full handshakes per second of the proxy's CPU,
and the proxy's CPU per byte of HTTP-FLV played over HTTPS against plain HTTP.

Usage: trunk/scripts/tls-cost.py [SECONDS] [PLAYS]   (from the source tree, after make)

Handshakes: `openssl s_time -new` clients (no resumption) for SECONDS against PROXY_HTTPS_SERVER,
TLS 1.3 then TLS 1.2, ECDSA P-256 certificate; the proxy's CPU comes from /proc/<pid>/stat, so the
clients' own CPU does not count. FLV: PLAYS plays of a 186 KB FLV through the proxy from an origin
on loopback, by curl over http:// and over https://; CPU per MB is the proxy's CPU over the bytes.
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "utest", "e2e"))
from conftest import http_json  # noqa: E402
from http_peers import FakeHttpOrigin  # noqa: E402
from tls_peers import Certs, HttpsProxy  # noqa: E402
import json  # noqa: E402


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def handshakes(proxy, certs, seconds, version):
    c0 = cpu_seconds(proxy.proc.pid)
    clients = [subprocess.Popen(["openssl", "s_time", "-new", version, "-time", str(seconds), "-CAfile",
                                 certs.path("ca.pem"), "-connect", "127.0.0.1:%d" % proxy.https_server],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    total = 0
    for c in clients:
        out = c.communicate()[0].decode()
        m = re.search(r"(\d+) connections in [\d.]+s", out)
        total += int(m.group(1)) if m else 0
    cpu = cpu_seconds(proxy.proc.pid) - c0
    return total, cpu


def flv_cost(proxy, certs, scheme, port, plays):
    c0 = cpu_seconds(proxy.proc.pid)
    nbytes = 0
    for _ in range(plays):
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{size_download}", "--cacert", certs.path("ca.pem"),
                            "%s://localhost:%d/live/s.flv" % (scheme, port)], capture_output=True, text=True)
        nbytes += int(r.stdout or 0)
    return nbytes, cpu_seconds(proxy.proc.pid) - c0


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    plays = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    certs = Certs()
    proxy = HttpsProxy(certs, {"PROXY_LOG_LEVEL": "warn"})
    origin = FakeHttpOrigin(flv_chunk=65536)
    try:
        status, _ = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(origin.heartbeat()))
        assert status == 200
        rate = 0
        for version in ("-tls1_3", "-tls1_2"):
            n, cpu = handshakes(proxy, certs, seconds, version)
            rate = rate or (n / cpu if cpu else 0)
            print("handshakes %s: %d in %ds, proxy CPU %.2fs -> %.0f handshakes per CPU-second (one core)"
                  % (version[1:], n, seconds, cpu, n / cpu if cpu else 0))
        plain_bytes, plain_cpu = flv_cost(proxy, certs, "http", proxy.port("HTTP_SERVER"), plays)
        tls_bytes, tls_cpu = flv_cost(proxy, certs, "https", proxy.https_server, plays)
        mb = 1024 * 1024
        print("FLV plain: %.1f MB, proxy CPU %.3fs -> %.2f ms/MB" % (plain_bytes / mb, plain_cpu, plain_cpu * 1000 / (plain_bytes / mb)))
        print("FLV HTTPS: %.1f MB, proxy CPU %.3fs -> %.2f ms/MB (including %d handshakes)"
              % (tls_bytes / mb, tls_cpu, tls_cpu * 1000 / (tls_bytes / mb), plays))
        if rate:
            bulk = max(0.0, tls_cpu - plays / rate)
            print("FLV HTTPS without the handshakes: %.2f ms/MB (%.1fx plain)"
                  % (bulk * 1000 / (tls_bytes / mb), bulk / plain_cpu if plain_cpu else 0))
    finally:
        origin.close()
        proxy.stop()


if __name__ == "__main__":
    main()
