# SPDX-License-Identifier: MIT
"""PROXY_WORKERS: a master and N workers on the same ports (SO_REUSEPORT) sharing one load
balancer in shared memory. What one worker learns (an origin's heartbeat, a sticky pick, a WebRTC
session) every worker knows; WebRTC media follows the flow to whichever worker the kernel hashes
it to; a killed worker is back within a second and its viewers resume on their next consent
check; SIGTERM to the master ends everything with 0 and no orphan."""
import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest

from bench_peers import RtcOrigin, assert_clean_play, proxy_whep_url, run_bench
from conftest import Proxy, free_port, http_json, http_request, sanitizer_report
from http_peers import media

# The issue asks for 100 WHEP players; WORKERS_PLAYERS lowers it on a busy machine.
PLAYERS = int(os.environ.get("WORKERS_PLAYERS", "100"))


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def start_proxy(workers, env=None):
    full = {"PROXY_WORKERS": str(workers), "PROXY_PPROF": "127.0.0.1:%d" % free_port(), "PROXY_LOG_LEVEL": "info"}
    full.update(env or {})
    p = Proxy(full)
    deadline = time.time() + 10
    while time.time() < deadline and len(children(p.proc.pid)) < workers:
        time.sleep(0.05)
    assert len(children(p.proc.pid)) == workers, p.output()
    return p


def stop_clean(p):
    kids = children(p.proc.pid)
    rc = p.stop(signal.SIGTERM, timeout=30)
    out = p.output()
    assert not sanitizer_report(out), out[-6000:]
    assert rc == 0, "master exit %s:\n%s" % (rc, out[-6000:])
    # No orphan: every worker is gone with the master.
    time.sleep(0.2)
    for k in kids:
        assert not os.path.exists("/proc/%d/status" % k) or "State:\tZ" in open("/proc/%d/status" % k).read(), k


def metrics_by_worker(p, workers, tries=200):
    """/metrics over new connections until every worker answered: {worker index: text}."""
    seen = {}
    for _ in range(tries):
        status, _, body = http_request(p.port("HTTP_API"), "GET", "/metrics")
        assert status == 200
        text = body.decode()
        m = re.search(r'srs_proxy_workers\{worker="(\d+)"\} (\d+)', text)
        assert m, text[:2000]
        seen[int(m.group(1))] = text
        if len(seen) == workers:
            return seen
    raise AssertionError("only workers %s answered /metrics" % sorted(seen))


def sample(text, name, labels=""):
    m = re.search(r"^%s\{%sworker=\"\d+\"\} (\d+)" % (re.escape(name), labels), text, re.M)
    return int(m.group(1)) if m else None


def register(p, server):
    body = ('{"ip":"127.0.0.1","server":"%s","service":"svc","pid":"1","rtmp":["%d"],"http":["%d"]}'
            % (server, free_port(), free_port()))
    return http_json(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register", body)


@pytest.mark.parametrize("workers", [2, 3])
def test_heartbeat_to_one_worker_is_known_to_all(workers):
    """One heartbeat reaches one worker (one connection); every worker lists the origin, and a
    stream picked by any worker goes to the same origin."""
    p = start_proxy(workers)
    try:
        for i in range(4):
            status, body = register(p, "origin%d" % i)
            assert status == 200 and body["code"] == 0, body
        for text in metrics_by_worker(p, workers).values():
            assert sample(text, "srs_proxy_origins") == 4, text
            assert sample(text, "srs_proxy_lb_entries", 'table="origins",') == 4
        for _ in range(30):
            status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins")
            assert status == 200 and len(body["origins"]) == 4, body
        # Each worker logs with its own pid.
        pids = set(re.findall(r"\]\[(\d+)\]\[[0-9a-f]+\] Load balancer: shared memory", p.output()))
        assert len(pids) == workers, p.output()[-3000:]
    finally:
        stop_clean(p)


@pytest.mark.parametrize("workers", [2, 3])
def test_whep_players_spread_across_workers(workers):
    """WHEP players (srs-bench): each offer is answered by whichever worker took the HTTP
    connection, its UDP flow by whichever worker the kernel hashes it to; all play cleanly."""
    p = start_proxy(workers, {"PROXY_RTC_MAX_SESSIONS_PER_IP": "0"})
    o = RtcOrigin(p)
    try:
        r = run_bench(proxy_whep_url(p), PLAYERS, 8)
        assert_clean_play(r, PLAYERS)
        per_worker = {w: sample(t, "srs_proxy_rtc_sessions") for w, t in metrics_by_worker(p, workers).items()}
        # Every session lives in exactly one worker, and more than one worker relays.
        assert sum(per_worker.values()) == PLAYERS, per_worker
        assert sum(1 for n in per_worker.values() if n > 0) >= 2, per_worker
        # Some were adopted from the shared directory (the flow landed on another worker).
        assert "found in the load balancer" in p.output()
    finally:
        o.stop_checked()
        stop_clean(p)


def test_killed_worker_is_back_and_its_viewers_resume():
    """SIGKILL to one worker: a new one within a second (counted), the others' players lose
    nothing, and the dead worker's players resume on their next consent check (no new offer):
    no player of srs-bench stalls or fails."""
    p = start_proxy(2, {"PROXY_RTC_MAX_SESSIONS_PER_IP": "0"})
    o = RtcOrigin(p)
    try:
        result = {}
        bench = threading.Thread(target=lambda: result.update(r=run_bench(proxy_whep_url(p), 20, 22)))
        bench.start()
        time.sleep(6)
        before = children(p.proc.pid)
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        t0 = time.time()
        while time.time() - t0 < 1.0:
            now = children(p.proc.pid)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.02)
        assert len(children(p.proc.pid)) == 2 and victim not in children(p.proc.pid), p.output()[-3000:]
        back_in = time.time() - t0
        assert back_in < 1.0, back_in
        bench.join(60)
        r = result["r"]
        s = r.summary
        assert r.rc == 0 and s["players_failed"] == 0 and s["players_alive"] == 20, r
        texts = metrics_by_worker(p, 2)
        assert all(sample(t, "srs_proxy_worker_restarts_total") == 1 for t in texts.values()), texts
        out = p.output()
        assert "died (signal 9(Killed))" in out, out[-3000:]
        assert "found in the load balancer" in out
    finally:
        o.stop_checked()
        stop_clean(p)


def test_aiortc_player_through_workers():
    """A real independent client (aiortc) plays WHEP through two workers."""
    if subprocess.run(["/usr/bin/python3", "-c", "import aiortc"], capture_output=True).returncode:
        pytest.skip("python3-aiortc is not installed")
    import json
    p = start_proxy(2)
    o = RtcOrigin(p)
    try:
        script = os.path.join(os.path.dirname(__file__), "aiortc_whep.py")
        out = subprocess.run(["/usr/bin/python3", script, proxy_whep_url(p, scheme="http"), "6"],
                             capture_output=True, text=True, timeout=60)
        lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
        assert out.returncode == 0 and lines, out.stdout + out.stderr
        r = json.loads(lines[-1])
        assert r["status"] == 201 and r["video_frames"] > 25, r
    finally:
        o.stop_checked()
        stop_clean(p)


def test_rtmp_publisher_and_flv_players_on_other_workers():
    """An RTMP publisher lands on one worker, HTTP-FLV players on any: they read the same stream
    from the same origin (the mock serves what was published)."""
    p = start_proxy(2)
    from conftest import MockOrigin
    import http.client
    o = MockOrigin(p, ["-rtmp", free_port(), "-http", free_port(), "-interval", "1"])
    publisher = None
    try:
        deadline = time.time() + 5
        while time.time() < deadline:
            if (http_json(p.port("SYSTEM_API"), "GET", "/api/v1/origins")[1].get("origins") or []):
                break
            time.sleep(0.05)
        publisher = subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i",
                                      os.path.join(media(), "s.flv"), "-c", "copy", "-f", "flv",
                                      "rtmp://127.0.0.1:%d/live/shared" % p.port("RTMP_SERVER")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(2)
        got = 0
        for _ in range(6):
            try:
                c = http.client.HTTPConnection("127.0.0.1", p.port("HTTP_SERVER"), timeout=5)
                c.request("GET", "/live/shared.flv")
                res = c.getresponse()
                data = res.read(4096)
                c.close()
                if res.status == 200 and data[:3] == b"FLV":
                    got += 1
            except OSError:
                pass
        assert got == 6, (got, p.output()[-3000:])
        # Every FLV player (whichever worker) went to the one origin the publisher went to.
        assert publisher.poll() is None
    finally:
        if publisher:
            publisher.kill()
            publisher.wait()
        o.stop()
        stop_clean(p)


def test_flv_and_hls_players_on_any_worker_reach_the_stream_s_one_origin():
    """Two origins: a stream's sticky pick and its HLS session are in the shared region, so FLV
    players and HLS segment requests on fresh connections (spread over both workers) all reach the
    origin that the stream's first request picked."""
    from http_peers import FakeHttpOrigin
    p = start_proxy(2)
    origins = [FakeHttpOrigin("a"), FakeHttpOrigin("b")]
    try:
        for o in origins:
            status, _ = http_json(p.port("SYSTEM_API"), "POST", "/api/v1/srs/register", json.dumps(o.heartbeat()))
            assert status == 200
        served = set()
        for _ in range(12):
            status, headers, _ = http_request(p.port("HTTP_SERVER"), "GET", "/live/sticky.flv")
            assert status == 200
            served.add(headers.get("x-origin"))
        assert len(served) == 1, served

        status, _, master = http_request(p.port("HTTP_SERVER"), "GET", "/live/s.m3u8")
        assert status == 200, master
        m = re.search(r"^(/live/s\.m3u8\?\S*spbhid=\w+)$", master.decode(), re.M)
        assert m, master
        for _ in range(6):
            status, _, playlist = http_request(p.port("HTTP_SERVER"), "GET", m.group(1))
            assert status == 200, playlist
            segments = [l for l in playlist.decode().splitlines() if ".ts?" in l]
            assert segments, playlist
            for seg in segments[:2]:
                seg = seg if seg.startswith("/") else "/live/" + seg  # relative to the playlist
                status, _, body = http_request(p.port("HTTP_SERVER"), "GET", seg)
                assert status == 200, (seg, body)
        hls_origins = [o.name for o in origins if any(".m3u8" in r or ".ts" in r for r, _ in o.requests)]
        assert len(hls_origins) == 1, [(o.name, [r for r, _ in o.requests]) for o in origins]
        # The requests really were spread over both workers.
        assert len(metrics_by_worker(p, 2)) == 2
    finally:
        for o in origins:
            o.close()
        stop_clean(p)


def test_sigterm_to_master_ends_all_with_zero():
    p = start_proxy(3)
    kids = children(p.proc.pid)
    assert len(kids) == 3
    stop_clean(p)
    for k in kids:
        assert not os.path.exists("/proc/%d" % k)


def test_worker_failing_at_startup_ends_the_master():
    """A port taken by someone else: the workers cannot bind; the master gives up with 1."""
    import socket
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        p = Proxy({"PROXY_WORKERS": "2", "PROXY_HTTP_SERVER": "127.0.0.1:%d" % port}, wait=False)
        rc = p.proc.wait(15)
        assert rc == 1, p.output()
        assert "failed at startup" in p.output()
    finally:
        busy.close()


def test_invalid_workers_refused():
    p = Proxy({"PROXY_WORKERS": "many"}, wait=False)
    assert p.proc.wait(10) != 0
    assert "PROXY_WORKERS" in p.output()


def whep_offer(p):
    from rtc_peers import make_offer
    ufrag = "c%s" % os.urandom(3).hex()
    status, headers, body = http_request(p.port("HTTP_API"), "POST", "/rtc/v1/whep/?app=live&stream=livestream",
                                         make_offer(ufrag), {"Content-Type": "application/sdp"})
    assert status == 201, body
    return headers["location"]


def rtc_sessions_by_worker(p, workers):
    return {w: sample(t, "srs_proxy_rtc_sessions") for w, t in metrics_by_worker(p, workers).items()}


def test_whep_delete_on_any_worker_ends_the_session_everywhere():
    """WHEP sessions signalled on whichever worker took each offer, then DELETEd each through a
    fresh connection (so some land on another worker than the session's): every DELETE is 200,
    the origin gets each one at its own Location, and no worker keeps any session. A DELETE with a
    wrong token is 404 on every worker; the system API's DELETE works from any worker too."""
    from rtc_peers import FakeRtcOrigin
    origin = FakeRtcOrigin()
    p = start_proxy(2, {"PROXY_RTC_MAX_SESSIONS_PER_IP": "0"})
    try:
        origin.register(p)
        n = 12
        locations = [whep_offer(p) for _ in range(n)]
        assert sum(rtc_sessions_by_worker(p, 2).values()) == n
        # An attacker with a session's Location but another token: 404 whichever worker answers.
        for loc in locations[:4]:
            forged = re.sub(r"proxy_token=[0-9a-f]{32}", "proxy_token=" + "0" * 32, loc)
            for _ in range(4):
                status, _, _ = http_request(p.port("HTTP_API"), "DELETE", forged)
                assert status == 404
            half = re.sub(r"(proxy_token=[0-9a-f]{16})[0-9a-f]{16}", r"\g<1>" + "f" * 16, loc)
            status, _, _ = http_request(p.port("HTTP_API"), "DELETE", half)
            assert status == 404
        for loc in locations[:-1]:
            status, _, _ = http_request(p.port("HTTP_API"), "DELETE", loc)
            assert status == 200, loc
        # The last one through the system API (by ufrag), also from whichever worker answers,
        # once the holders' sweepers (every 0.5 s) ended the others.
        deadline = time.time() + 5
        while time.time() < deadline and sum(rtc_sessions_by_worker(p, 2).values()) != 1:
            time.sleep(0.1)
        assert sum(rtc_sessions_by_worker(p, 2).values()) == 1
        deadline = time.time() + 5
        ufrag = None
        while time.time() < deadline and not ufrag:
            status, body = http_json(p.port("SYSTEM_API"), "GET", "/api/v1/sessions")
            ufrag = body["sessions"][0]["ufrag"] if status == 200 and body["sessions"] else None
        assert ufrag
        status, _ = http_json(p.port("SYSTEM_API"), "DELETE", "/api/v1/sessions?ufrag=%s" % ufrag)
        assert status == 200
        deadline = time.time() + 5
        while time.time() < deadline and sum(rtc_sessions_by_worker(p, 2).values()):
            time.sleep(0.1)
        assert sum(rtc_sessions_by_worker(p, 2).values()) == 0, p.output()[-3000:]
        # Each DELETE reached the origin once, and some went through another worker.
        assert len(origin.deletes) == n, origin.deletes
        out = p.output()
        assert "held by another worker: marked to end" in out, out[-3000:]
        assert "reason=deleted through another worker" in out, out[-3000:]
        # Deleted sessions are not adopted any more: a second DELETE of each is 404 everywhere.
        for loc in locations[:3]:
            status, _, _ = http_request(p.port("HTTP_API"), "DELETE", loc)
            assert status == 404
    finally:
        origin.close()
        stop_clean(p)


def srt_sessions_by_worker(p, workers):
    return {w: sample(t, "srs_proxy_srt_sessions") for w, t in metrics_by_worker(p, workers).items()}


def worker_pid(p, index, workers):
    """The pid of worker `index`, from the master's children and the workers' own logs."""
    for m in re.finditer(r"master: worker (\d+) started, pid (\d+)", p.output()):
        if int(m.group(1)) == index and int(m.group(2)) in children(p.proc.pid):
            return int(m.group(2))
    return None


def test_srt_publisher_and_player_survive_another_worker_killed(tmp_path):
    """SRT with 3 workers: a publisher and a player (ffmpeg, libsrt) through the proxy; a worker
    that holds neither session is SIGKILLed and restarted. The kernel spreads the UDP flows again
    when the listener group changes, so a caller's datagrams can land on a worker that does not
    hold its session: that worker hands them to the holder (the shared SRT directory and the
    workers' AF_UNIX sockets), which answers from the same port. The player plays to the end."""
    from test_srt import SrtOrigin, check_played, publish, srt_url
    p = start_proxy(3)
    origin = SrtOrigin(p, "vid-srt-workers")
    pub = publish(srt_url(p, "#!::r=live/livestream,m=publish"), 40)
    try:
        deadline = time.time() + 10
        while time.time() < deadline and sum(v or 0 for v in srt_sessions_by_worker(p, 3).values()) < 1:
            time.sleep(0.2)
        out = str(tmp_path / "play.ts")
        result = {}

        def play():
            t0 = time.time()
            result["r"] = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i",
                                          srt_url(p, "#!::r=live/livestream,m=request"), "-t", "14", "-c", "copy",
                                          "-f", "mpegts", out], capture_output=True, text=True, timeout=60)
            result["took"] = time.time() - t0
        player = threading.Thread(target=play)
        player.start()
        deadline = time.time() + 10
        while time.time() < deadline and sum(v or 0 for v in srt_sessions_by_worker(p, 3).values()) < 2:
            time.sleep(0.2)
        held = srt_sessions_by_worker(p, 3)
        assert sum(held.values()) == 2, held

        def relayed(direction):
            return sum(sample(t, "srs_proxy_srt_worker_relayed_packets_total", 'direction="%s",' % direction) or 0
                       for t in metrics_by_worker(p, 3).values())
        # Whether a flow moves depends on where the kernel puts the new socket in the group: kill
        # the idle workers in turn (at most 4 times, within the player's 14 s; a worker killed again
        # soon after its restart comes back after the master's backoff, 100 ms doubling) until some
        # datagrams took the relay.
        idle_workers = [w for w, n in held.items() if not n]
        time.sleep(2)
        kills = 0
        while kills < 4:
            victim = worker_pid(p, idle_workers[kills % len(idle_workers)], 3)
            assert victim, p.output()[-3000:]
            os.kill(victim, signal.SIGKILL)
            kills += 1
            deadline = time.time() + 3
            while time.time() < deadline and (len(children(p.proc.pid)) < 3 or victim in children(p.proc.pid)):
                time.sleep(0.05)
            assert len(children(p.proc.pid)) == 3 and victim not in children(p.proc.pid)
            time.sleep(1.0)
            if relayed("in") > 0:
                break
        player.join(70)
        r = result["r"]
        assert r.returncode == 0, r.stderr
        check_played(out)
        assert result["took"] < 30, result
        # The publisher's session went on all along, on the same worker.
        texts = metrics_by_worker(p, 3)
        assert pub.poll() is None, pub.stderr.read().decode()
        assert texts
        # The sessions went on; when the kernel moved a flow, its datagrams took the relay.
        assert "reason=idle timeout" not in p.output()
        assert relayed("in") <= relayed("out"), p.output()[-3000:]
        if relayed("in") == 0:
            pytest.skip("the kernel moved no SRT flow in %d restarts: the relay was not exercised" % kills)
    finally:
        pub.kill()
        pub.wait()
        origin.stop()
        stop_clean(p)


def test_aiortc_player_resumes_after_its_worker_is_killed():
    """An aiortc player through two workers; the worker holding its session is SIGKILLed. The
    player's next consent check reaches a living worker, which adopts the session from the shared
    directory (no new offer): video keeps coming until the end, and the DELETE at the end (on
    whichever worker takes it) is 200."""
    if subprocess.run(["/usr/bin/python3", "-c", "import aiortc"], capture_output=True).returncode:
        pytest.skip("python3-aiortc is not installed")
    import json
    p = start_proxy(2)
    o = RtcOrigin(p)
    try:
        script = os.path.join(os.path.dirname(__file__), "aiortc_whep.py")
        player = subprocess.Popen(["/usr/bin/python3", script, proxy_whep_url(p, scheme="http"), "24"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        holder = None
        while time.time() < deadline and holder is None:
            held = {w: n for w, n in rtc_sessions_by_worker(p, 2).items() if n}
            holder = list(held)[0] if len(held) == 1 else None
            time.sleep(0.3)
        assert holder is not None, p.output()[-3000:]
        time.sleep(3)
        victim = worker_pid(p, holder, 2)
        assert victim, p.output()[-3000:]
        os.kill(victim, signal.SIGKILL)
        killed_at = time.time()
        out, err = player.communicate(timeout=60)
        lines = [l for l in out.splitlines() if l.startswith("{")]
        assert player.returncode == 0 and lines, out + err
        r = json.loads(lines[-1])
        assert r["status"] == 201, r
        # Frames came long after the kill: the session resumed on a living worker.
        assert r.get("last_video_frames_at", 0) > killed_at + 8, (r, killed_at)
        assert r["delete_status"] == 200, r
        log = p.output()
        assert "found in the load balancer" in log, log[-3000:]
        assert "died (signal 9(Killed))" in log
    finally:
        o.stop_checked()
        stop_clean(p)
