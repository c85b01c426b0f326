# SPDX-License-Identifier: MIT
"""srs-mock-origin, the stand-in SRS origin: it registers with the proxy exactly as SRS does."""
import json
import time

from conftest import MockOrigin, free_port, http_json


def test_heartbeat_registers_like_srs(proxy):
    ports = {"-rtmp": free_port(), "-http": free_port(), "-api": free_port(), "-rtc": free_port(), "-srt": free_port()}
    args = ["-interval", "1", "-server", "vid-mock1", "-device", "origin1"]
    for k, v in ports.items():
        args += [k, v]
    m = MockOrigin(proxy, args)
    try:
        deadline = time.time() + 5
        origins = []
        while time.time() < deadline and not origins:
            origins = http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"]
            time.sleep(0.1)
        [o] = origins
        assert o["server"] == "vid-mock1" and o["device_id"] == "origin1" and o["ip"] == "127.0.0.1"
        assert o["pid"] == str(m.proc.pid) and o["alive"]
        assert (o["rtmp"], o["http"], o["api"], o["rtc"], o["srt"]) == (
            ports["-rtmp"], ports["-http"], ports["-api"], ports["-rtc"], ports["-srt"])
        # It keeps posting every interval, with the same identity.
        time.sleep(1.5)
        assert len(http_json(proxy.port("SYSTEM_API"), "GET", "/api/v1/origins")[1]["origins"]) == 1
        assert proxy.output().count("Register SRS media server") >= 2
    finally:
        assert m.stop() == 0
