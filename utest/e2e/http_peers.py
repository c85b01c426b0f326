# SPDX-License-Identifier: MIT
"""A stand-in SRS HTTP server (HTTP-FLV, HLS as SRS serves it) and test media made by ffmpeg."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port

_media_dir = None


def media():
    """Test media, made once per run: 4 s of H.264 (no B-frames) + AAC as FLV, and HLS of it."""
    global _media_dir
    if _media_dir:
        return _media_dir
    d = tempfile.mkdtemp(prefix="srs-e2e-media-")
    src = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
           "-t", "4", "-c:v", "libx264", "-profile:v", "baseline", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "32k"]
    subprocess.run(["ffmpeg", "-v", "error", "-y"] + src + ["-f", "flv", os.path.join(d, "s.flv")], check=True)
    os.makedirs(os.path.join(d, "hls"))
    subprocess.run(["ffmpeg", "-v", "error", "-y"] + src + ["-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
                                                           os.path.join(d, "hls", "s.m3u8")], check=True)
    _media_dir = d
    return d


def count_frames(url_or_path, stream="v:0", timeout=60):
    """Frames ffprobe decodes from a URL or file (video by default)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-count_frames", "-show_entries",
                          "stream=nb_read_frames,codec_name", "-of", "csv=p=0", url_or_path],
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    # An HLS master playlist lists its streams once per program: keep the line that has counts.
    best = ("", 0)
    for line in out.stdout.splitlines():
        parts = line.strip().split(",")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= best[1]:
            best = (parts[0], int(parts[1]))
    return best


class FakeHttpOrigin:
    """What an SRS origin's HTTP server does for /live/s.flv and /live/s.m3u8, on 127.0.0.1."""

    def __init__(self, name="origin", flv_chunk=16384, flv_pace=0.0):
        self.name = name
        self.port = free_port()
        self.requests = []   # (path, headers)
        self.flv_chunk = flv_chunk
        self.flv_pace = flv_pace
        self.die_after = None  # bytes of FLV after which the connection is cut
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                origin.requests.append((self.path, dict(self.headers)))
                url = urllib.parse.urlparse(self.path)
                q = urllib.parse.parse_qs(url.query)
                d = media()
                try:
                    if url.path.endswith(".flv"):
                        return self.stream_flv(os.path.join(d, "s.flv"))
                    if url.path.endswith(".m3u8"):
                        if "hls_ctx" not in q:
                            # SRS answers the first request with a master playlist carrying hls_ctx.
                            body = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=214000,AVERAGE-BANDWIDTH=214000\n" \
                                   "%s?hls_ctx=ctx%s\n" % (url.path, origin.name)
                            return self.reply(200, "application/vnd.apple.mpegurl", body.encode())
                        with open(os.path.join(d, "hls", "s.m3u8")) as f:
                            text = f.read()
                        text = re.sub(r"^(s\d+\.ts)$", r"\1?hls_ctx=%s" % q["hls_ctx"][0], text, flags=re.M)
                        return self.reply(200, "application/vnd.apple.mpegurl", text.encode())
                    if url.path.endswith(".ts"):
                        name = os.path.basename(url.path)
                        with open(os.path.join(d, "hls", name), "rb") as f:
                            return self.reply(200, "video/MP2T", f.read())
                    self.reply(404, "text/plain", b"not found")
                except (BrokenPipeError, ConnectionResetError, FileNotFoundError):
                    pass

            def stream_flv(self, path):
                self.send_response(200)
                self.send_header("Content-Type", "video/x-flv")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("X-Origin", origin.name)
                self.end_headers()
                sent = 0
                with open(path, "rb") as f:
                    while True:
                        data = f.read(origin.flv_chunk)
                        if not data:
                            break
                        if origin.die_after is not None and sent >= origin.die_after:
                            self.connection.shutdown(2)
                            return
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        sent += len(data)
                        if origin.flv_pace:
                            time.sleep(origin.flv_pace)
                self.wfile.write(b"0\r\n\r\n")

            def reply(self, status, ctype, body):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Origin", origin.name)
                self.end_headers()
                self.wfile.write(body)

        ThreadingHTTPServer.request_queue_size = 512  # 200 players at once must not overflow the backlog
        self.http = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def heartbeat(self, server=None):
        return {"ip": "127.0.0.1", "server": server or self.name, "service": "svc", "pid": "1",
                "rtmp": ["19350"], "http": [str(self.port)], "api": ["1985"]}

    def close(self):
        self.http.shutdown()
        self.http.server_close()
