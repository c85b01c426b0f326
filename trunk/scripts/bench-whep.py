#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""WHEP forwarding benchmark (see bench-whep.sh).

For each N: start srs-proxy, srs-mock-origin -raw (the origin is not the bottleneck), and srs-bench
WHEP players through the proxy; after a warm-up, measure for a fixed window: proxy CPU (user and
system, from /proc/PID/stat) per 1000 forwarded packets, packets per second each way (the proxy's
own counters), loss at the players, RSS and RSS per session, fds, coroutines, syscalls per packet
(strace -c over part of the window) and, at N=1000, the CPU profile's top 10 from the proxy's own
/debug/pprof/profile. Then the same players through bare-relay.c. Results go to
trunk/doc/performance.md (the part between the markers) and as JSON to stdout.
"""
import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def metrics(port):
    out = {}
    for line in get("http://127.0.0.1:%d/metrics" % port).decode().splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def rtc_packets(m):
    return (m['srs_proxy_rtc_packets_total{direction="to_origin"}'],
            m['srs_proxy_rtc_packets_total{direction="to_client"}'])


def proc_cpu(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK  # utime, stime


def proc_rss_fds(pid):
    rss = int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%d/status" % pid).read()).group(1))
    return rss, len(os.listdir("/proc/%d/fd" % pid))


def syscalls(pid, seconds):
    """Total syscalls of pid over seconds, by strace -c (counts, not timing)."""
    if not shutil.which("strace"):
        return None
    p = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid)], stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=30)[1]
    total = re.findall(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?total$", err, re.M)
    return int(total[-1]) if total else None


class Run:
    def __init__(self, objs, work):
        self.objs, self.work, self.procs = objs, work, []

    def start(self, name, argv, env=None):
        e = dict(os.environ)
        e.update(env or {})
        log = open(os.path.join(self.work, name + ".log"), "wb")
        p = subprocess.Popen(argv, env=e, stdout=subprocess.PIPE if name.startswith("bench") else log, stderr=log)
        self.procs.append(p)
        return p

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d never opened" % port)


def start_players(run, n, url, duration, delay_ms):
    """Players in processes of at most 1000 each; returns the bench processes."""
    per = 1000
    benches = []
    for i in range(int(math.ceil(n / per))):
        count = min(per, n - i * per)
        benches.append(run.start("bench%d" % i, [os.path.join(run.objs, "srs-bench"), "-sr", url, "-nn", str(count),
                                                   "-delay", str(delay_ms), "-duration", str(duration), "-raw",
                                                   "-log", "warn"]))
    return benches


def bench_summary(benches):
    total = {"players_started": 0, "players_failed": 0, "packets": 0, "lost": 0, "expected": 0}
    for b in benches:
        out = b.communicate(timeout=120)[0].decode().strip().splitlines()
        s = json.loads(out[-1]) if out else {}
        for k in ("players_started", "players_failed", "packets", "lost"):
            total[k] += s.get(k, 0)
        total["expected"] += s.get("packets", 0) + s.get("lost", 0)
    total["loss_percent"] = 100.0 * total["lost"] / total["expected"] if total["expected"] else 0
    return total


def one_proxy_run(args, n, flv, profile):
    work = tempfile.mkdtemp(prefix="bench-whep-%d-" % n)
    run = Run(args.objs, work)
    ports = {k: free_port() for k in ("RTMP", "HTTP", "API", "SYS", "PPROF", "ORTMP", "OAPI")}
    udp = {k: free_port() for k in ("RTC", "SRT", "ORTC")}
    try:
        proxy = run.start("proxy", [args.proxy or os.path.join(args.objs, "srs-proxy")], {
            "PROXY_RTMP_SERVER": "127.0.0.1:%d" % ports["RTMP"], "PROXY_HTTP_SERVER": "127.0.0.1:%d" % ports["HTTP"],
            "PROXY_HTTP_API": "127.0.0.1:%d" % ports["API"], "PROXY_WEBRTC_SERVER": "127.0.0.1:%d" % udp["RTC"],
            "PROXY_SRT_SERVER": "127.0.0.1:%d" % udp["SRT"], "PROXY_SYSTEM_API": "127.0.0.1:%d" % ports["SYS"],
            "PROXY_PPROF": "127.0.0.1:%d" % ports["PPROF"], "PROXY_STATIC_FILES": "", "PROXY_LOG_LEVEL": "warn",
            "PROXY_MAX_CONNECTIONS": "0", "PROXY_RTC_MAX_SESSIONS_PER_IP": "0"})
        wait_port(ports["SYS"])
        run.start("origin", [os.path.join(args.objs, "srs-mock-origin"), "-rtmp", str(ports["ORTMP"]), "-api", str(ports["OAPI"]), "-rtc",
                             str(udp["ORTC"]), "-flv", flv, "-raw", "-interval", "1", "-log", "warn", "-heartbeat",
                             "http://127.0.0.1:%d/api/v1/srs/register" % ports["SYS"]])
        wait_port(ports["OAPI"])
        time.sleep(1.5)
        rss0, _ = proc_rss_fds(proxy.pid)
        # Players start at ~50 per second per srs-bench process: DTLS handshakes on both ends are the
        # costly part of a start, and the machine also runs the origin and the players.
        delay = 20
        ramp = n * delay / 1000.0 / max(1, math.ceil(n / 1000))
        duration = int(ramp + args.warmup + args.measure + 15)
        url = "whep://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=livestream" % ports["API"]
        benches = start_players(run, n, url, duration, delay)
        time.sleep(ramp + args.warmup)

        m0, c0, t0 = metrics(ports["API"]), proc_cpu(proxy.pid), time.time()
        top = None
        allocs = None
        if profile:
            # Allocations first, over a window of their own: the CPU profiler allocates its buffers
            # when it starts, which would hide what the packet path allocates (nothing, we expect).
            with open(os.path.join(work, "allocs0.pb.gz"), "wb") as f:
                f.write(get("http://127.0.0.1:%d/debug/pprof/allocs" % ports["PPROF"]))
            time.sleep(args.measure / 2)
            with open(os.path.join(work, "allocs1.pb.gz"), "wb") as f:
                f.write(get("http://127.0.0.1:%d/debug/pprof/allocs" % ports["PPROF"]))
            prof = os.path.join(work, "cpu.pb.gz")
            with open(prof, "wb") as f:
                f.write(get("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d" % (ports["PPROF"], max(1, args.measure // 2 - 1)),
                            timeout=args.measure + 30))
            time.sleep(max(0, args.measure - (time.time() - t0)))
        else:
            time.sleep(args.measure)
        m1, c1, t1 = metrics(ports["API"]), proc_cpu(proxy.pid), time.time()
        rss, fds = proc_rss_fds(proxy.pid)
        sessions = int(m1["srs_proxy_rtc_sessions"])
        coroutines = int(m1["srs_proxy_coroutines"])
        p0 = rtc_packets(m0)
        p1 = rtc_packets(m1)
        sc_pk0 = rtc_packets(metrics(ports["API"]))
        sc = syscalls(proxy.pid, 3)
        sc_pk1 = rtc_packets(metrics(ports["API"]))
        summary = bench_summary(benches)
        if profile and shutil.which("go"):
            # The proxy has gone by now: symbolize with the binary (same build, frame pointers).
            out = subprocess.run(["go", "tool", "pprof", "-top", "-nodecount=10", os.path.join(args.objs, "srs-proxy"),
                                  os.path.join(work, "cpu.pb.gz")], capture_output=True, text=True, cwd=work)
            top = out.stdout.strip()
            # What the proxy allocated during the window (alloc_space of the second sample minus the first).
            out = subprocess.run(["go", "tool", "pprof", "-sample_index=alloc_space", "-top", "-nodecount=5",
                                  "-base", os.path.join(work, "allocs0.pb.gz"), os.path.join(args.objs, "srs-proxy"),
                                  os.path.join(work, "allocs1.pb.gz")], capture_output=True, text=True, cwd=work)
            allocs = out.stdout.strip() or out.stderr.strip()
    finally:
        run.stop()
    secs = t1 - t0
    to_origin, to_client = (p1[0] - p0[0]) / secs, (p1[1] - p0[1]) / secs
    packets = (p1[0] - p0[0]) + (p1[1] - p0[1])
    user, sys_ = c1[0] - c0[0], c1[1] - c0[1]
    sc_packets = sum(sc_pk1) - sum(sc_pk0)
    return {
        "n": n, "sessions": sessions, "seconds": round(secs, 1),
        "pps_to_client": round(to_client), "pps_to_origin": round(to_origin),
        "cpu_user_ms_per_1000": round(1000 * user / packets * 1000, 3) if packets else None,
        "cpu_sys_ms_per_1000": round(1000 * sys_ / packets * 1000, 3) if packets else None,
        "cpu_percent": round(100 * (user + sys_) / secs, 1),
        "loss_percent": round(summary["loss_percent"], 4), "players_failed": summary["players_failed"],
        "rss_kb": rss, "rss_per_session_kb": round((rss - rss0) / max(1, sessions), 2), "fds": fds, "coroutines": coroutines,
        "syscalls_per_packet": round(sc / sc_packets, 3) if sc and sc_packets else None,
        "top": top, "allocs": allocs,
    }


def one_bare_run(args, n, flv):
    """The same players through bare-relay.c: CPU per packet of the kernel's work alone."""
    work = tempfile.mkdtemp(prefix="bench-bare-%d-" % n)
    run = Run(args.objs, work)
    api, ortc, relay, ortmp = free_port(), free_port(), free_port(), free_port()
    relay_bin = os.path.join(work, "bare-relay")
    subprocess.run(["cc", "-O2", "-o", relay_bin, os.path.join(ROOT, "trunk", "scripts", "bare-relay.c")], check=True)
    try:
        rel = run.start("relay", [relay_bin, str(relay), "127.0.0.1", str(ortc)])
        run.start("origin", [os.path.join(args.objs, "srs-mock-origin"), "-rtmp", str(ortmp), "-api", str(api), "-rtc",
                             str(ortc), "-candidate-port", str(relay), "-flv", flv, "-raw", "-log", "warn"])
        wait_port(api)
        # Players start at ~50 per second per srs-bench process: DTLS handshakes on both ends are the
        # costly part of a start, and the machine also runs the origin and the players.
        delay = 20
        ramp = n * delay / 1000.0 / max(1, math.ceil(n / 1000))
        duration = int(ramp + args.warmup + args.measure + 15)
        benches = start_players(run, n, "whep://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=livestream" % api,
                                duration, delay)
        time.sleep(ramp + args.warmup)
        c0, t0, m0 = proc_cpu(rel.pid), time.time(), time.monotonic()
        time.sleep(args.measure)
        c1, t1, m1 = proc_cpu(rel.pid), time.time(), time.monotonic()
        time.sleep(1.5)
        summary = bench_summary(benches)
        lines = [json.loads(l) for l in open(os.path.join(work, "relay.log")) if l.startswith("{")]
    finally:
        run.stop()
    secs = t1 - t0
    # The relay prints its counters every second with a monotonic timestamp: the packet rate over
    # the lines that bracket the window, times the window.
    a = min(lines, key=lambda l: abs(l["t"] - m0))
    b = min(lines, key=lambda l: abs(l["t"] - m1))
    total = lambda l: l["to_origin_packets"] + l["to_client_packets"]
    packets = (total(b) - total(a)) / (b["t"] - a["t"]) * secs if b["t"] > a["t"] else 0
    user, sys_ = c1[0] - c0[0], c1[1] - c0[1]
    return {"n": n, "cpu_user_ms_per_1000": round(1000 * user / packets * 1000, 3) if packets else None,
            "cpu_sys_ms_per_1000": round(1000 * sys_ / packets * 1000, 3) if packets else None,
            "cpu_percent": round(100 * (user + sys_) / secs, 1), "loss_percent": round(summary["loss_percent"], 4),
            "players_failed": summary["players_failed"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", default="100,300,1000,3000")
    ap.add_argument("-warmup", type=int, default=10)
    ap.add_argument("-measure", type=int, default=20)
    ap.add_argument("-no-bare", action="store_true")
    ap.add_argument("-no-write", action="store_true")
    ap.add_argument("-proxy", help="another srs-proxy binary to measure (A/B of a change)")
    ap.add_argument("-O", dest="objs", default=os.path.join(ROOT, os.environ.get("O", "objs")))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bench-whep-")
    flv = os.path.join(work, "source.flv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=768x320:rate=25", "-f", "lavfi",
                    "-i", "sine=frequency=440", "-t", "30", "-c:v", "libx264", "-profile:v", "baseline", "-g", "50",
                    "-bf", "0", "-pix_fmt", "yuv420p", "-b:v", "180k", "-c:a", "aac", "-b:a", "32k", "-f", "flv", flv],
                   check=True)
    results, bare = [], {}
    for n in [int(x) for x in args.n.split(",")]:
        r = one_proxy_run(args, n, flv, profile=(n == 1000))
        print(json.dumps({k: v for k, v in r.items() if k not in ("top", "allocs")}), file=sys.stderr)
        results.append(r)
        if not args.no_bare:
            bare[n] = one_bare_run(args, n, flv)
            print(json.dumps(bare[n]), file=sys.stderr)
    print(json.dumps({"proxy": results, "bare": bare}, indent=1))
    if not args.no_write:
        write_report(args, results, bare)


def cpu_per_1000(r):
    return (r["cpu_user_ms_per_1000"] or 0) + (r["cpu_sys_ms_per_1000"] or 0)


def write_report(args, results, bare):
    """Replaces the generated part of trunk/doc/performance.md (between the markers)."""
    rows = ["| N | pps to players | pps to origin | CPU user / sys ms per 1000 pkts | CPU % of a core | loss % "
            "| RSS KiB | RSS per session KiB | fds | coroutines | syscalls / pkt | bare relay ms per 1000 | proxy / bare |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        b = bare.get(r["n"])
        ratio = "%.2f" % (cpu_per_1000(r) / cpu_per_1000(b)) if b and cpu_per_1000(b) else "-"
        rows.append("| %d | %d | %d | %.3f / %.3f | %.1f | %.4f | %d | %.2f | %d | %d | %s | %s | %s |" % (
            r["n"], r["pps_to_client"], r["pps_to_origin"], r["cpu_user_ms_per_1000"] or 0, r["cpu_sys_ms_per_1000"] or 0,
            r["cpu_percent"], r["loss_percent"], r["rss_kb"], r["rss_per_session_kb"], r["fds"], r["coroutines"],
            r["syscalls_per_packet"] if r["syscalls_per_packet"] is not None else "-",
            "%.3f" % cpu_per_1000(b) if b else "-", ratio))
    top = next((r["top"] for r in results if r.get("top")), None)
    allocs = next((r["allocs"] for r in results if r.get("allocs")), None)
    base = results[0]
    scale = ["- CPU per packet at N=%d is %.2fx N=%d." % (r["n"], cpu_per_1000(r) / cpu_per_1000(base), base["n"])
             for r in results[1:] if cpu_per_1000(base)]
    text = "\n".join([
        "<!-- bench-whep: generated by trunk/scripts/bench-whep.sh; edit outside these markers -->",
        "Command: `trunk/scripts/bench-whep.sh -n %s -warmup %d -measure %d` on %s, %d cores, one proxy process." % (
            args.n, args.warmup, args.measure, time.strftime("%Y-%m-%d", time.gmtime()), os.cpu_count()),
        "",
    ] + rows + [""] + scale + ["", "CPU profile at N=1000 (`go tool pprof -top` of the proxy's /debug/pprof/profile):",
                               "", "```", top or "(no profile: go tool pprof missing)", "```",
                               "", "Allocations during the measure window at N=1000 (`go tool pprof -sample_index=alloc_space "
                               "-top -base` of /debug/pprof/allocs before and after; sampled every 512 KiB):", "", "```",
                               allocs or "(no allocation profile)", "```", "<!-- bench-whep: end -->"])
    path = os.path.join(ROOT, "trunk", "doc", "performance.md")
    doc = open(path).read() if os.path.exists(path) else "# Performance\n\n<!-- bench-whep: generated -->\n<!-- bench-whep: end -->\n"
    start = doc.find("<!-- bench-whep:")
    end = doc.find("<!-- bench-whep: end -->")
    if start < 0 or end < 0:
        doc = doc + "\n" + text + "\n"
    else:
        doc = doc[:start] + text + doc[end + len("<!-- bench-whep: end -->"):]
    open(path, "w").write(doc)
    print("wrote " + path, file=sys.stderr)


if __name__ == "__main__":
    main()
