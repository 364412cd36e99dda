#!/usr/bin/env python3
"""Draws each workload's ratio to the best peer over commits, from bench/history.jsonl.

  python3 bench/history_chart.py [--history bench/history.jsonl] [--out bench/results/history]
                                 [--device H100] [--suite suite] [--generic] [--only a,b]

compare.py appends one line per workload per run (commit, date, device, suite, workload,
times, ratio_to_best_peer = nvgpu back-to-back time / best peer's). Runs are ordered by date;
each distinct commit is one step on the x axis (a commit timed twice keeps its last run).
One line per workload; y is the ratio on a log scale (below 1: nvgpu is faster); the
geometric mean over workloads is the thick line. --generic plots the --no-vendor-libs build
instead. Writes OUT.png with matplotlib, else a hand-written OUT.svg, plus OUT.md (the table
of ratios, one column per commit). Lines of other devices are left out when --device is given
(a substring of the device name).
"""
import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PALETTE = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c",
           "#ccb974", "#64b5cd"]


def load(path, device=None, suite=None, only=None, generic=False):
    """{commit label: {workload: ratio}} in date order, and the ordered commit labels."""
    key = "generic_ratio_to_best_peer" if generic else "ratio_to_best_peer"
    entries = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                print(f"{path}:{number}: not JSON, skipped", file=sys.stderr)
                continue
            if device and device.lower() not in str(e.get("device", "")).lower():
                continue
            if suite and e.get("suite") != suite:
                continue
            if only and e.get("workload") not in only:
                continue
            entries.append(e)
    entries.sort(key=lambda e: e.get("date") or "")
    order, table = [], {}
    for e in entries:
        commit = (e.get("commit") or "unknown")[:8] + ("+" if e.get("dirty") else "")
        if commit not in table:
            order.append(commit)
            table[commit] = {}
        value = e.get(key)
        if isinstance(value, (int, float)) and value > 0:
            table[commit][e["workload"]] = value
    order = [c for c in order if table[c]]
    return order, table


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def markdown(order, table, workloads, title):
    lines = [f"# {title}", "", "| workload | " + " | ".join(order) + " |", "|---|" + "---|" * len(order)]
    for w in workloads:
        cells = [f"{table[c][w]:.3g}" if w in table[c] else "—" for c in order]
        lines.append(f"| {w} | " + " | ".join(cells) + " |")
    means = [geomean(table[c].values()) for c in order]
    lines.append("| **geometric mean** | " + " | ".join(f"**{m:.3f}**" if m else "—" for m in means) + " |")
    return "\n".join(lines) + "\n"


def plot_matplotlib(order, table, workloads, title, stem):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(min(30, max(8, 0.8 * len(order) + 6)), 7))
    xs = list(range(len(order)))
    for i, w in enumerate(workloads):
        pts = [(x, table[c][w]) for x, c in zip(xs, order) if w in table[c]]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3, linewidth=1,
                    color=PALETTE[i % len(PALETTE)], alpha=0.7, label=w)
    means = [(x, geomean(table[c].values())) for x, c in zip(xs, order)]
    ax.plot([m[0] for m in means if m[1]], [m[1] for m in means if m[1]], color="black", linewidth=3,
            label="geometric mean")
    ax.axhline(1.0, color="red", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.set_xticks(xs)
    ax.set_xticklabels(order, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("nvgpu ÷ best peer (back-to-back; below 1 is faster)")
    ax.set_title(title)
    ax.legend(fontsize=6, ncol=max(1, len(workloads) // 20), loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(stem + ".png", dpi=120)
    return stem + ".png"


def plot_svg(order, table, workloads, title, stem):
    values = [v for c in order for v in table[c].values()]
    lo, hi = min(values + [0.5]), max(values + [2.0])
    llo, lhi = math.log(lo), math.log(hi)
    left, top, width, height, legend_w = 70, 40, max(400, 60 * len(order)), 420, 260
    total_w, total_h = left + width + legend_w, top + height + 90

    def x_of(i):
        return left + (width * (i + 0.5) / len(order))

    def y_of(v):
        return top + height * (1 - (math.log(v) - llo) / (lhi - llo or 1))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{max(total_h, 30 + 12 * len(workloads))}" '
           f'font-family="sans-serif" font-size="10">',
           f'<text x="{left}" y="20" font-size="13">{title}</text>',
           f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#ccc"/>']
    tick = 10 ** math.floor(math.log10(lo))
    while tick <= hi * 10:
        for m in (1, 2, 5):
            v = tick * m
            if lo <= v <= hi:
                y = y_of(v)
                out.append(f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
                out.append(f'<text x="{left - 6}" y="{y + 3:.1f}" text-anchor="end">{v:g}</text>')
        tick *= 10
    if lo <= 1.0 <= hi:
        y = y_of(1.0)
        out.append(f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" stroke="red" stroke-dasharray="4,3"/>')
    for i, c in enumerate(order):
        x = x_of(i)
        out.append(f'<text x="{x:.1f}" y="{top + height + 14}" text-anchor="end" '
                   f'transform="rotate(-45 {x:.1f} {top + height + 14})">{c}</text>')
    series = [(w, PALETTE[i % len(PALETTE)], 1, [(i2, table[c][w]) for i2, c in enumerate(order) if w in table[c]])
              for i, w in enumerate(workloads)]
    means = [(i, geomean(table[c].values())) for i, c in enumerate(order)]
    series.append(("geometric mean", "black", 3, [(i, m) for i, m in means if m]))
    for j, (name, color, stroke, pts) in enumerate(series):
        if not pts:
            continue
        path = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{stroke}" opacity="0.8">'
                   f'<title>{name}</title></polyline>')
        for i, v in pts:
            out.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="2" fill="{color}">'
                       f'<title>{name} {order[i]}: {v:.3f}</title></circle>')
        ly = top + 12 * j
        out.append(f'<line x1="{left + width + 12}" x2="{left + width + 30}" y1="{ly}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="{stroke}"/>')
        out.append(f'<text x="{left + width + 34}" y="{ly + 3}">{name}</text>')
    out.append(f'<text x="14" y="{top + height / 2}" transform="rotate(-90 14 {top + height / 2})" text-anchor="middle">'
               f'nvgpu ÷ best peer (log; below 1 is faster)</text>')
    out.append("</svg>")
    with open(stem + ".svg", "w") as f:
        f.write("\n".join(out))
    return stem + ".svg"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", default=os.path.join(HERE, "history.jsonl"))
    parser.add_argument("--out", default=os.path.join(HERE, "results", "history"), help="output path without extension")
    parser.add_argument("--device", help="only runs whose device name contains this")
    parser.add_argument("--suite", help="only this suite folder's name (e.g. suite, workloads)")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--generic", action="store_true", help="the --no-vendor-libs build's ratios")
    parser.add_argument("--svg", action="store_true", help="write SVG even when matplotlib is present")
    args = parser.parse_args()
    if not os.path.exists(args.history):
        print(f"no history at {args.history} (compare.py appends to it)", file=sys.stderr)
        return 1
    only = set(args.only.split(",")) if args.only else None
    order, table = load(args.history, args.device, args.suite, only, args.generic)
    if not order:
        print("no matching rows with ratios in the history", file=sys.stderr)
        return 1
    workloads = sorted({w for c in order for w in table[c]})
    what = "nvgpu generic (--no-vendor-libs)" if args.generic else "nvgpu"
    title = f"{what} ÷ best peer over commits" + (f", {args.device}" if args.device else "") + \
        (f", {args.suite}" if args.suite else "")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".md", "w") as f:
        f.write(markdown(order, table, workloads, title))
    picture = None
    if not args.svg:
        try:
            picture = plot_matplotlib(order, table, workloads, title, args.out)
        except ImportError:
            pass
    if picture is None:
        picture = plot_svg(order, table, workloads, title, args.out)
    print(f"wrote {args.out}.md and {picture}: {len(workloads)} workloads over {len(order)} commits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
