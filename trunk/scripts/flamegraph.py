#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A flame graph as a standalone SVG, without Graphviz or any other tool but `go tool pprof`.

    trunk/scripts/flamegraph.py cpu.pb.gz > cpu.svg
    trunk/scripts/flamegraph.py -value alloc_space http://127.0.0.1:6060/debug/pprof/allocs > allocs.svg
    perf script | trunk/scripts/flamegraph.py -perf - > perf.svg

The input is anything `go tool pprof` reads (a file or a URL; the stacks come from its -raw
output), or with -perf, the output of `perf script`, or with -folded, folded stacks
("root;caller;leaf 42" per line, as stackcollapse scripts write). Roots are at the bottom,
the width of a frame is its share of the samples, hovering a frame shows its numbers.
"""
import argparse
import html
import re
import shutil
import subprocess
import sys
import zlib

WIDTH = 1200
FRAME = 16
FONT = 12
CHAR = 7.0  # average glyph width at FONT px, to cut names that do not fit


def parse_raw(text, value):
    """Stacks (root first) and values from `go tool pprof -raw`: the Samples and Locations sections."""
    lines = text.splitlines()
    section = None
    columns = []
    samples = []
    locations = {}
    last = None
    for line in lines:
        if line.startswith("Samples:"):
            section = "header"
            continue
        if line.startswith("Locations"):
            section = "locations"
            continue
        if line.startswith("Mappings"):
            section = None
            continue
        if section == "header":
            columns = line.split()
            section = "samples"
            continue
        if section == "samples":
            m = re.match(r"^\s*([-\d\s]+):((?:\s+\d+)*)\s*$", line)
            if m:
                samples.append(([int(v) for v in m.group(1).split()], [int(i) for i in m.group(2).split()]))
            continue
        if section == "locations":
            m = re.match(r"^\s*(\d+): (0x[0-9a-f]+)(?: M=\d+)?(?: (\S+) \S*:\d+ s=\d+)?", line)
            if m:
                last = int(m.group(1))
                locations[last] = [m.group(3) or m.group(2)]
                continue
            m = re.match(r"^\s+(\S+) \S*:\d+ s=\d+\s*$", line)
            if m and last is not None:
                locations[last].append(m.group(1))  # an inlined frame's caller
    if not columns:
        raise SystemExit("flamegraph: no samples in the profile")
    index = len(columns) - 1
    if value is not None:
        names = [c.split("/")[0] for c in columns]
        if value.isdigit():
            index = int(value)
        elif value in names:
            index = names.index(value)
        else:
            raise SystemExit("flamegraph: no sample type %s in %s" % (value, " ".join(names)))
    stacks = []
    for values, ids in samples:
        frames = []
        for i in ids:  # leaf first; each location's functions innermost first
            frames.extend(locations.get(i, ["0x?"]))
        if values[index]:
            stacks.append((list(reversed(frames)), values[index]))
    return stacks, columns[index]


def parse_folded(text):
    stacks = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        path, _, count = line.rpartition(" ")
        try:
            n = float(count)
        except ValueError:
            continue
        if n > 0:
            stacks.append((path.split(";"), n))
    return stacks, "samples"


def parse_perf(text):
    """`perf script` output: a header line per sample, then its frames, leaf first, then a blank line."""
    stacks = []
    frames = None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if frames:
                stacks.append((list(reversed(frames)), 1))
            frames = None
        elif not line[0].isspace():
            frames = []
        elif frames is not None:
            m = re.match(r"^\s+[0-9a-f]+ (.+?)(?:\+0x[0-9a-f]+)? \((.*)\)$", line)
            if m:
                name = m.group(1)
                dso = m.group(2).rsplit("/", 1)[-1]
                if name == "[unknown]":
                    name = dso if dso.startswith("[") else "[%s]" % dso
                frames.append(name)
    return stacks, "samples"


def build_tree(stacks):
    root = {"name": "all", "value": 0, "children": {}}
    for frames, n in stacks:
        root["value"] += n
        node = root
        for f in frames:
            child = node["children"].setdefault(f, {"name": f, "value": 0, "children": {}})
            child["value"] += n
            node = child
    return root


def depth_of(node):
    return 1 + max((depth_of(c) for c in node["children"].values()), default=0)


def color(name):
    """Warm colours, stable per name; the proxy's own functions redder, libraries more yellow."""
    h = zlib.crc32(name.encode())
    if name.startswith(("srs_", "_st_", "st_")) or name.endswith("_cycle"):
        r, g, b = 220 + h % 35, 80 + (h >> 8) % 80, 50 + (h >> 16) % 30
    else:
        r, g, b = 220 + h % 35, 150 + (h >> 8) % 80, 40 + (h >> 16) % 40
    return "rgb(%d,%d,%d)" % (r, g, b)


def fmt(v, unit):
    if unit.endswith("nanoseconds"):
        return "%.2fs" % (v / 1e9) if v >= 1e9 else "%.0fms" % (v / 1e6)
    if unit.endswith("bytes"):
        for u in ("B", "kB", "MB", "GB"):
            if v < 1024 or u == "GB":
                return "%.1f%s" % (v, u)
            v /= 1024.0
    return "%g" % v


def render(root, unit, title):
    levels = depth_of(root)
    height = (levels + 3) * FRAME
    out = ['<?xml version="1.0" standalone="no"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="Verdana,sans-serif" font-size="%d">' % (WIDTH, height, WIDTH, height, FONT),
           '<rect width="100%" height="100%" fill="#f8f8f8"/>',
           '<text x="%d" y="%d" text-anchor="middle" font-size="%d">%s</text>'
           % (WIDTH / 2, FRAME + 2, FONT + 4, html.escape(title))]
    total = root["value"] or 1
    scale = (WIDTH - 20) / float(total)

    def draw(node, x, level):
        w = node["value"] * scale
        if w < 0.3:
            return
        y = height - (level + 1) * FRAME - 4
        pct = 100.0 * node["value"] / total
        tip = "%s (%s, %.2f%%)" % (node["name"], fmt(node["value"], unit), pct)
        out.append('<g><title>%s</title><rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" rx="2"/>'
                   % (html.escape(tip), x, y, w, FRAME - 1, color(node["name"])))
        fits = int((w - 6) / CHAR)
        if fits >= 3:
            label = node["name"] if len(node["name"]) <= fits else node["name"][:fits - 2] + ".."
            out.append('<text x="%.2f" y="%d">%s</text>' % (x + 3, y + FRAME - 4, html.escape(label)))
        out.append("</g>")
        cx = x
        for child in sorted(node["children"].values(), key=lambda c: c["name"]):
            draw(child, cx, level + 1)
            cx += child["value"] * scale

    draw(root, 10, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Flame graph SVG from a pprof profile or folded stacks.")
    ap.add_argument("input", help="profile file or URL (read by go tool pprof); with -perf or -folded a file, '-' for stdin")
    ap.add_argument("-folded", action="store_true", help="the input is folded stacks: 'a;b;c 42' per line")
    ap.add_argument("-perf", action="store_true", help="the input is the output of `perf script`")
    ap.add_argument("-value", help="sample type to draw, by name (e.g. alloc_space) or column; default: the last")
    ap.add_argument("-title", help="title above the graph")
    args = ap.parse_args()

    if args.folded or args.perf:
        text = sys.stdin.read() if args.input == "-" else open(args.input, errors="replace").read()
        stacks, unit = parse_perf(text) if args.perf else parse_folded(text)
    else:
        go = shutil.which("go")
        if not go:
            raise SystemExit("flamegraph: needs `go tool pprof` (Debian package golang-go), or -folded input")
        r = subprocess.run([go, "tool", "pprof", "-raw", args.input], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("flamegraph: go tool pprof failed:\n" + r.stderr)
        stacks, unit = parse_raw(r.stdout, args.value)
    title = args.title or "%s (%s)" % (args.input, unit)
    if not stacks:
        # Still a picture: an idle proxy has an empty CPU profile, and that is an answer too.
        title += ": no samples"
    sys.stdout.write(render(build_tree(stacks), unit, title))


if __name__ == "__main__":
    main()
