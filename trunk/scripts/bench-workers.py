#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""PROXY_WORKERS benchmark: the same N WHEP players (srs-bench -raw, srs-mock-origin -raw) through
srs-proxy with 1 worker (no master) and with W workers. Measures, over a fixed window after a
warm-up, the packets the players received per second, and the CPU (user + system, /proc/PID/stat)
of every proxy process (the workers; the master is idle) per 1000 packets. Prints one JSON line
per run and a Markdown table row.

Usage: trunk/scripts/bench-workers.py [-n 300] [-w 1,2] [-warmup 8] [-measure 15]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TICK = os.sysconf("SC_CLK_TCK")
sys.path.insert(0, os.path.join(ROOT, "utest", "e2e"))


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d not ready" % port)


def run(objs, flv, n, workers, warmup, measure):
    work = tempfile.mkdtemp(prefix="bench-workers-")
    log = open(os.path.join(work, "log"), "wb")
    api, sysapi, ortmp, oapi = free_port(), free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update({"PROXY_RTMP_SERVER": "127.0.0.1:%d" % free_port(), "PROXY_HTTP_SERVER": "127.0.0.1:%d" % free_port(),
                "PROXY_HTTP_API": "127.0.0.1:%d" % api, "PROXY_WEBRTC_SERVER": "127.0.0.1:%d" % free_port(socket.SOCK_DGRAM),
                "PROXY_SRT_SERVER": "127.0.0.1:%d" % free_port(socket.SOCK_DGRAM), "PROXY_SYSTEM_API": "127.0.0.1:%d" % sysapi,
                "PROXY_STATIC_FILES": "", "PROXY_LOG_LEVEL": "warn", "PROXY_MAX_CONNECTIONS": "0",
                "PROXY_RTC_MAX_SESSIONS_PER_IP": "0", "PROXY_WORKERS": str(workers)})
    procs = []
    try:
        proxy = subprocess.Popen([os.path.join(objs, "srs-proxy")], env=env, cwd=work, stdout=log, stderr=log)
        procs.append(proxy)
        wait_port(sysapi)
        origin = subprocess.Popen([os.path.join(objs, "srs-mock-origin"), "-rtmp", str(ortmp), "-api", str(oapi), "-rtc",
                                   str(free_port(socket.SOCK_DGRAM)), "-flv", flv, "-raw", "-interval", "1", "-log", "warn",
                                   "-heartbeat", "http://127.0.0.1:%d/api/v1/srs/register" % sysapi], cwd=work, stdout=log, stderr=log)
        procs.append(origin)
        wait_port(oapi)
        time.sleep(1.5)
        delay = 20
        ramp = n * delay / 1000.0
        duration = int(ramp + warmup + measure + 5)
        bench = subprocess.Popen([os.path.join(objs, "srs-bench"), "-sr",
                                  "whep://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=livestream" % api, "-nn", str(n),
                                  "-delay", str(delay), "-duration", str(duration), "-raw", "-log", "warn"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(bench)
        time.sleep(ramp + warmup)
        pids = [proxy.pid] + children(proxy.pid)
        c0, t0 = cpu_ticks(pids), time.time()
        time.sleep(measure)
        c1, t1 = cpu_ticks(pids), time.time()
        out, err = bench.communicate(timeout=duration + 30)
        lines = [l for l in out.splitlines() if l.startswith("{")]
        summary = json.loads(lines[-1])
        # Packets in the window: the players' rate over the whole run (while players start, on
        # average half of them receive), times the window.
        pps = summary["packets"] / max(1.0, summary["seconds"] - ramp / 2)
        cpu_ms = (c1 - c0) * 1000.0 / TICK
        pkts = pps * (t1 - t0)
        return {"n": n, "workers": workers, "pps": round(pps), "cpu_ms_per_1000": round(cpu_ms / (pkts / 1000.0), 3),
                "cpu_pct": round(100.0 * cpu_ms / 1000.0 / (t1 - t0), 1), "players_failed": summary["players_failed"],
                "loss_percent": summary["loss_percent"], "processes": len(pids)}
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("-w", default="1,2")
    ap.add_argument("-warmup", type=int, default=8)
    ap.add_argument("-measure", type=int, default=15)
    ap.add_argument("-objs", default=os.path.join(ROOT, "objs"))
    args = ap.parse_args()
    from http_peers import media
    flv = os.path.join(media(), "s.flv")
    rows = []
    for w in [int(x) for x in args.w.split(",")]:
        r = run(args.objs, flv, args.n, w, args.warmup, args.measure)
        print(json.dumps(r), flush=True)
        rows.append(r)
    print("| N | workers | proxy processes | pps to players | CPU ms per 1000 pkts (all workers) | CPU % of a core | loss % | failed |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %d | %d | %d | %.3f | %.1f | %.4f | %d |" % (r["n"], r["workers"], r["processes"], r["pps"],
                                                             r["cpu_ms_per_1000"], r["cpu_pct"], r["loss_percent"],
                                                             r["players_failed"]))


if __name__ == "__main__":
    main()
