#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Plots soak samples (CSV: seconds,rss_kb,fds,coroutines,sessions) as one SVG with a small chart
per series, with no plotting library: the charts are plain SVG polylines.

  plot-soak.py samples.csv out.svg
"""
import csv
import sys

W, H, PAD = 420, 160, 40


def chart(x0, y0, title, xs, ys):
    lo, hi = min(ys), max(ys)
    if hi == lo:
        hi = lo + 1
    span_x = max(xs[-1] - xs[0], 1)
    pts = " ".join("%.1f,%.1f" % (x0 + PAD + (x - xs[0]) / span_x * (W - 2 * PAD),
                                  y0 + H - PAD - (y - lo) / (hi - lo) * (H - 2 * PAD)) for x, y in zip(xs, ys))
    return """<g>
<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#ccc"/>
<text x="%d" y="%d" font-size="13" font-family="sans-serif">%s (min %g, max %g)</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="%s"/>
<text x="%d" y="%d" font-size="10" font-family="sans-serif">0 s</text>
<text x="%d" y="%d" font-size="10" font-family="sans-serif" text-anchor="end">%d s</text>
</g>""" % (x0, y0, W, H, x0 + 8, y0 + 16, title, min(ys), max(ys), pts, x0 + PAD, y0 + H - 8,
           x0 + W - PAD, y0 + H - 8, xs[-1] - xs[0])


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    if not rows:
        sys.exit("no samples")
    xs = [float(r["seconds"]) for r in rows]
    series = [("rss_kb", "proxy RSS (KiB)"), ("fds", "open fds"), ("coroutines", "coroutines"),
              ("sessions", "live sessions")]
    parts = []
    for i, (key, title) in enumerate(series):
        parts.append(chart((i % 2) * (W + 10), (i // 2) * (H + 10), title, xs, [float(r[key]) for r in rows]))
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">\n%s\n</svg>\n' % (
        2 * W + 10, 2 * H + 10, "\n".join(parts))
    open(sys.argv[2], "w").write(svg)


if __name__ == "__main__":
    main()
