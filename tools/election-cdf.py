#!/usr/bin/env python3
"""Turn `incident-replay sweep ... --metrics rto_s --format csv` output into
cumulative distributions of election time: a percentile table on stdout and,
with --svg, one figure with a CDF per file (the shape of the Raft paper's
Figure 16). Standard library only.

Usage: election-cdf.py [--svg OUT.svg] NAME.csv ...   (the file name is the curve label)
"""
import csv
import os
import sys

def load(path):
    with open(path) as f:
        return sorted(float(r["rto_s"]) * 1000.0 for r in csv.DictReader(f))

def pct(xs, p):
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]

def svg(curves, out, cap_ms):
    w, h, m = 720, 420, 50
    def x(ms):  # log scale from 10 ms to cap
        import math
        lo, hi = math.log10(10), math.log10(cap_ms)
        v = min(max(ms, 10), cap_ms)
        return m + (math.log10(v) - lo) / (hi - lo) * (w - 2 * m)
    def y(f):
        return h - m - f * (h - 2 * m)
    colors = ["#000", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{m}" y1="{y(0)}" x2="{w-m}" y2="{y(0)}" stroke="#888"/>',
             f'<line x1="{m}" y1="{y(0)}" x2="{m}" y2="{y(1)}" stroke="#888"/>']
    for t in [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]:
        if t <= cap_ms:
            parts.append(f'<text x="{x(t):.1f}" y="{h-m+15}" text-anchor="middle">{t}</text>')
    parts.append(f'<text x="{w/2}" y="{h-12}" text-anchor="middle">time without leader (ms, log scale)</text>')
    for f in [0, 0.25, 0.5, 0.75, 1]:
        parts.append(f'<text x="{m-6}" y="{y(f)+4:.1f}" text-anchor="end">{int(f*100)}%</text>')
    for i, (name, xs) in enumerate(curves):
        c = colors[i % len(colors)]
        pts = []
        for k, v in enumerate(xs):
            pts.append(f"{x(v):.1f},{y(k / len(xs)):.1f}")
            pts.append(f"{x(v):.1f},{y((k + 1) / len(xs)):.1f}")
        parts.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{" ".join(pts)}"/>')
        parts.append(f'<text x="{w-m+4}" y="{m + 14*i}" fill="{c}" text-anchor="end">{name} ms</text>')
    parts.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(parts))

def main(argv):
    out = None
    if len(argv) > 1 and argv[0] == "--svg":
        out, argv = argv[1], argv[2:]
    curves = [(os.path.basename(p).rsplit(".", 1)[0], load(p)) for p in argv]
    print(f"{'range':>10} {'trials':>6} {'min':>7} {'p50':>7} {'mean':>7} {'p90':>7} {'p99':>7} {'max':>7}  (ms)")
    for name, xs in curves:
        mean = sum(xs) / len(xs) if xs else float("nan")
        print(f"{name:>10} {len(xs):>6} {pct(xs,0):7.0f} {pct(xs,50):7.0f} {mean:7.0f} {pct(xs,90):7.0f} {pct(xs,99):7.0f} {pct(xs,100):7.0f}")
    if out:
        cap = max(max(xs) for _, xs in curves if xs) if curves else 1000
        svg(curves, out, max(cap, 1000))
        print(f"figure: {out}")

if __name__ == "__main__":
    main(sys.argv[1:])
