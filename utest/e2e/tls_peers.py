# SPDX-License-Identifier: MIT
"""Certificates for the HTTPS tests, made by the openssl CLI in a temp directory: a CA of the test
and a server certificate it signs for localhost, 127.0.0.1 and ::1."""
import os
import socket
import ssl
import subprocess
import tempfile
import time

from conftest import Proxy, free_port


def _run(argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, " ".join(argv) + "\n" + r.stderr


class Certs:
    """ca.pem (the trust anchor), cert.pem (leaf + CA: a full chain) and key.pem, under dir."""

    def __init__(self, dir=None, cn="srs-proxy-test"):
        self.dir = dir or tempfile.mkdtemp(prefix="srs-e2e-tls-")
        self.make(cn)

    def path(self, name):
        return os.path.join(self.dir, name)

    def make(self, cn, prefix=""):
        d = self.dir
        ca_key, ca, key, csr, leaf = (os.path.join(d, prefix + n) for n in ("ca.key", "ca.pem", "key.pem", "csr.pem", "leaf.pem"))
        ext = os.path.join(d, prefix + "ext.cnf")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n")
        _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=%s CA" % cn])
        _run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", key, "-out", csr, "-subj", "/CN=%s" % cn])
        _run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
              "-out", leaf, "-days", "2", "-extfile", ext])
        with open(os.path.join(d, prefix + "cert.pem"), "w") as f:
            f.write(open(leaf).read() + open(ca).read())

    def context(self, ca=None):
        ctx = ssl.create_default_context(cafile=ca or self.path("ca.pem"))
        return ctx


class HttpsProxy(Proxy):
    """The proxy with PROXY_HTTPS_API and PROXY_HTTPS_SERVER on free 127.0.0.1 ports."""

    def __init__(self, certs, env=None):
        self.https_api, self.https_server = free_port(), free_port()
        full = {"PROXY_HTTPS_API": "127.0.0.1:%d" % self.https_api,
                "PROXY_HTTPS_SERVER": "127.0.0.1:%d" % self.https_server,
                "PROXY_HTTPS_CERT": certs.path("cert.pem"), "PROXY_HTTPS_KEY": certs.path("key.pem")}
        full.update(env or {})
        super().__init__(full)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.https_server), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("HTTPS listener not ready:\n" + self.output())


def tls_get(port, path, ctx, host="localhost", timeout=5):
    """One GET over TLS; returns (status line, headers text, body bytes, the TLS socket's facts)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout)
    s = ctx.wrap_socket(raw, server_hostname=host)
    facts = {"version": s.version(), "alpn": s.selected_alpn_protocol(), "cipher": s.cipher()[0]}
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode())
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ssl.SSLError, OSError):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), head.decode(), body, facts
