# SPDX-License-Identifier: MIT
"""A WHEP player (or WHIP publisher) on aiortc (Debian's python3-aiortc, an independent WebRTC
implementation).

Usage: aiortc_whep.py URL SECONDS [publish]
Plays URL (a WHEP endpoint) for SECONDS, decoding video, and prints one JSON line: the HTTP
status, the Location, the number of decoded video frames and their size, audio frames, and the
status of the DELETE on the Location at the end. With "publish", sends a test pattern and silence
to URL (a WHIP endpoint) instead.
"""
import asyncio
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

# aioice skips loopback addresses when it gathers host candidates; on loopback that leaves none.
# SRS_E2E_ICE_HOST picks the one to use (127.0.0.1 by default, ::1 for the IPv6 tests).
ICE_HOST = os.environ.get("SRS_E2E_ICE_HOST", "127.0.0.1")
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: (
    [ICE_HOST] if (use_ipv6 if ":" in ICE_HOST else use_ipv4) else [])
# An https:// URL is verified against SRS_E2E_CAFILE (the test's own CA).
CAFILE = os.environ.get("SRS_E2E_CAFILE")


def request(method, url, body=None, headers=None):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        conn = http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=10,
                                           context=ssl.create_default_context(cafile=CAFILE))
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
    try:
        conn.request(method, u.path + ("?" + u.query if u.query else ""), body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.getheader("Location"), res.read().decode()
    finally:
        conn.close()


async def consume(track, result, key, until):
    while time.time() < until:
        try:
            frame = await asyncio.wait_for(track.recv(), max(0.1, until - time.time()))
        except Exception:
            break
        result[key] += 1
        result["last_" + key + "_at"] = time.time()
        if key == "video_frames":
            result["width"], result["height"] = frame.width, frame.height


async def play(url, seconds, publish=False):
    # No ICE servers: aiortc would otherwise ask a public STUN server.
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    result = {"video_frames": 0, "audio_frames": 0, "width": 0, "height": 0}
    tasks = []
    until = time.time() + seconds

    @pc.on("track")
    def on_track(track):
        key = "video_frames" if track.kind == "video" else "audio_frames"
        tasks.append(asyncio.ensure_future(consume(track, result, key, until)))

    if publish:
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    else:
        pc.addTransceiver("audio", direction="recvonly")
        pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    loop = asyncio.get_event_loop()
    status, location, answer = await loop.run_in_executor(
        None, request, "POST", url, pc.localDescription.sdp, {"Content-Type": "application/sdp"})
    result["status"], result["location"] = status, location
    if status in (200, 201):
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        await asyncio.sleep(max(0, until - time.time()))
        for t in tasks:
            await t
        result["ice"] = pc.iceConnectionState
        if location:
            result["delete_status"] = (await loop.run_in_executor(
                None, request, "DELETE", urllib.parse.urljoin(url, location)))[0]
    else:
        result["answer"] = answer[:500]
    await pc.close()
    return result


if __name__ == "__main__":
    publish = len(sys.argv) > 3 and sys.argv[3] == "publish"
    print(json.dumps(asyncio.run(play(sys.argv[1], float(sys.argv[2]), publish))), flush=True)
