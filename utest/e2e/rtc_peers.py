# SPDX-License-Identifier: MIT
"""A minimal WebRTC origin stand-in and a minimal WebRTC client, for the proxy's e2e tests.

FakeRtcOrigin answers WHIP/WHEP (and the legacy JSON API) with an ICE-lite SDP whose candidate
is its own UDP port, answers STUN binding requests, and echoes every other datagram back: enough
to check that the proxy signals, binds and relays both ways, without a real SRS.
"""
import hashlib
import hmac
import json
import os
import re
import socket
import struct
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port, http_json

MAGIC = 0x2112A442


def big_buffers(sock, size=8 * 1024 * 1024):
    """A Python peer is slow to read: give it room (SO_RCVBUFFORCE needs root, else capped)."""
    for opt in (getattr(socket, "SO_RCVBUFFORCE", 33), socket.SO_RCVBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, size)
            return
        except OSError:
            continue


ORIGIN_PWD = "originpassword0123456789"  # FakeRtcOrigin's a=ice-pwd


def stun_binding_request(username, txid=None, pwd=ORIGIN_PWD, fingerprint=True, bad_mac=False):
    """A STUN binding request with USERNAME, MESSAGE-INTEGRITY keyed by pwd (the ICE password of
    the side that receives it: the origin's, from the answer) unless pwd is None, and FINGERPRINT.
    bad_mac flips a bit of the HMAC (a forged request)."""
    txid = txid or os.urandom(12)
    name = username.encode()
    pad = (4 - len(name) % 4) % 4
    attrs = struct.pack("!HH", 0x0006, len(name)) + name + b"\0" * pad
    if pwd is not None:
        # RFC 5389 15.4: HMAC-SHA1 over the message up to the attribute, with the length field
        # already counting MESSAGE-INTEGRITY.
        head = struct.pack("!HHI", 0x0001, len(attrs) + 24, MAGIC) + txid
        mac = hmac.new(pwd.encode(), head + attrs, hashlib.sha1).digest()
        if bad_mac:
            mac = bytes([mac[0] ^ 1]) + mac[1:]
        attrs += struct.pack("!HH", 0x0008, 20) + mac
    if fingerprint:
        head = struct.pack("!HHI", 0x0001, len(attrs) + 8, MAGIC) + txid
        crc = (zlib.crc32(head + attrs) & 0xFFFFFFFF) ^ 0x5354554E
        attrs += struct.pack("!HHI", 0x8028, 4, crc)
    return struct.pack("!HHI", 0x0001, len(attrs), MAGIC) + txid + attrs


def stun_binding_success(txid):
    return struct.pack("!HHI", 0x0101, 0, MAGIC) + txid


def ice_ufrag(sdp):
    m = re.search(r"a=ice-ufrag:([^\s\\]+)", sdp)
    return m.group(1) if m else None


def make_offer(ufrag):
    return ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            "m=video 9 UDP/TLS/RTP/SAVPF 106\r\nc=IN IP4 0.0.0.0\r\n"
            "a=ice-ufrag:%s\r\na=ice-pwd:offerpassword0123456789\r\na=setup:actpass\r\na=mid:0\r\n"
            "a=rtpmap:106 H264/90000\r\n" % ufrag)


class FakeRtcOrigin:
    """HTTP API + UDP media of a pretend SRS origin on 127.0.0.1."""

    def __init__(self):
        self.api_port = free_port()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        big_buffers(self.udp)
        self.udp.bind(("127.0.0.1", 0))
        self.rtc_port = self.udp.getsockname()[1]
        self.usernames = []      # STUN USERNAMEs seen
        self.peers = set()       # source addresses seen (one per proxy session socket)
        self.deletes = []        # DELETE targets
        self.delete_headers = [] # their headers
        self.offers = []         # (path, headers, body)
        # Behaviour knobs for error tests.
        self.status = None       # force an HTTP status
        self.delay = 0           # seconds before answering
        self.no_ufrag = False    # answer without a=ice-ufrag
        self.delete_delay = 0    # seconds before answering a DELETE (an origin that hangs)
        self.stop_flag = False
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                origin.offers.append((self.path, dict(self.headers), body))
                if origin.delay:
                    time.sleep(origin.delay)
                if origin.status:
                    return self.reply(origin.status, "text/plain", "refused by test")
                legacy = self.path.startswith("/rtc/v1/play/") or self.path.startswith("/rtc/v1/publish/")
                offer = json.loads(body)["sdp"] if legacy else body
                offer_ufrag = ice_ufrag(offer)
                answer_ufrag = "o%s" % os.urandom(4).hex()
                answer = "v=0\r\no=SRS/7 1 2 IN IP4 0.0.0.0\r\ns=SRSPlaySession\r\nt=0 0\r\na=ice-lite\r\n"
                if not origin.no_ufrag:
                    answer += "a=ice-ufrag:%s\r\na=ice-pwd:originpassword0123456789\r\n" % answer_ufrag
                answer += ("a=candidate:0 1 udp 2130706431 127.0.0.1 %d typ host generation 0\r\n" % origin.rtc_port)
                q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                session = "%s:%s" % (answer_ufrag, offer_ufrag)
                if legacy:
                    return self.reply(200, "application/json",
                                      json.dumps({"code": 0, "server": "vid-test", "sdp": answer, "sessionid": session}))
                location = "/rtc/v1/whip/?action=delete&token=t1&app=%s&stream=%s&session=%s" % (
                    q.get("app", [""])[0], q.get("stream", [""])[0], session)
                self.reply(201, "application/sdp", answer, {"Location": location})

            def do_DELETE(self):
                origin.deletes.append(self.path)
                origin.delete_headers.append(dict(self.headers))
                if origin.delete_delay:
                    time.sleep(origin.delete_delay)
                self.reply(200, "text/plain", "")

            def reply(self, status, ctype, body, extra=None):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:
                    pass  # the proxy gave up on us (timeout tests)

        self.http = ThreadingHTTPServer(("127.0.0.1", self.api_port), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        threading.Thread(target=self._udp_loop, daemon=True).start()

    def _udp_loop(self):
        self.udp.settimeout(0.2)
        while not self.stop_flag:
            try:
                data, addr = self.udp.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.peers.add(addr)
            if data and data[0] < 2 and len(data) >= 20:
                mtype, mlen, cookie = struct.unpack("!HHI", data[:8])
                if mtype == 0x0001 and cookie == MAGIC:
                    attrs = data[20:20 + mlen]
                    while len(attrs) >= 4:
                        t, l = struct.unpack("!HH", attrs[:4])
                        if t == 0x0006:
                            self.usernames.append(attrs[4:4 + l].decode())
                        attrs = attrs[4 + l + (4 - l % 4) % 4:]
                    self.udp.sendto(stun_binding_success(data[8:20]), addr)
                    continue
            self.udp.sendto(data, addr)

    def heartbeat(self, ip="127.0.0.1", server="fake-origin", service="svc1", pid="4242"):
        return {"device_id": "fake", "ip": ip, "server": server, "service": service, "pid": pid,
                "rtmp": ["19350"], "http": ["8080"], "api": [str(self.api_port)],
                "srt": ["udp://0.0.0.0:10080"], "rtc": ["udp://0.0.0.0:%d" % self.rtc_port]}

    def register(self, proxy, **kw):
        status, body = http_json(proxy.port("SYSTEM_API"), "POST", "/api/v1/srs/register",
                                 json.dumps(self.heartbeat(**kw)), {"Content-Type": "application/json"})
        assert status == 200, body

    def close(self):
        self.stop_flag = True
        self.http.shutdown()
        self.http.server_close()
        self.udp.close()


class RtcClient:
    """One UDP socket of a pretend player."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(2)

    def send(self, port, data):
        self.sock.sendto(data, ("127.0.0.1", port))

    def recv(self, timeout=2):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recvfrom(65536)[0]
        except socket.timeout:
            return None

    def close(self):
        self.sock.close()
