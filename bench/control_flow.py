#!/usr/bin/env python3
"""Device-side control flow and graph replay, ours against XLA on the same GPU in one run.

For each program (JAX functions exported to StableHLO text here): XLA's time is jax.jit on
the GPU (host wall time of one call + block_until_ready, median; and back to back); ours is
`nvgpu bench` on the exported text, with CUDA graphs on and with NVGPU_CUDA_GRAPHS=0.
Correctness first: every program is run by `nvgpu run` on the same inputs as XLA and the
results compared. The per-iteration cost of a `fori_loop` is the slope between trip counts.

    python3 bench/control_flow.py --nvgpu PATH/TO/nvgpu --out DIR [--runs 200]
"""
import argparse
import json
import os
import sys

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_runs  # noqa: E402

P = argparse.ArgumentParser()
P.add_argument("--nvgpu", required=True)
P.add_argument("--out", required=True)
P.add_argument("--runs", type=int, default=200)
ARGS = P.parse_args()
os.makedirs(ARGS.out, exist_ok=True)
RNG = np.random.default_rng(0)


def fori(n):
    def f(x):
        return lax.fori_loop(0, n, lambda i, v: v * 0.999 + 0.5, x)
    return f


def rnn(h, w, u, xs):
    def step(h, x):
        h = jnp.tanh(h @ w + x @ u)
        return h, h[0, 0]
    h, trace = lax.scan(step, h, xs)
    return h, trace


def scan_stack(h, xs):
    # Every step's state stacked (ys): a dynamic_update_slice of a carried [T, ...] buffer.
    def step(h, x):
        h = jnp.tanh(h * 0.5 + x)
        return h, h
    return lax.scan(step, h, xs)


def cond(x):
    return lax.cond(jnp.sum(x) > 0, jnp.sin, jnp.cos, x)


def while_data(x):
    # A data-dependent trip count: halve until the max is below 1.
    return lax.while_loop(lambda v: jnp.max(v) >= 1.0, lambda v: v * 0.5, x)


def tiny(x, y):
    return x + y


def f32(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


PROGRAMS = [(f"fori_{n}", fori(n), [f32(1024)]) for n in (1, 16, 256, 1024)] + [
    ("rnn_scan_256x64x512", rnn, [f32(64, 512), f32(512, 512, scale=0.04), f32(512, 512, scale=0.04), f32(256, 64, 512)]),
    ("scan_stack_128x64x512", scan_stack, [f32(64, 512), f32(128, 64, 512)]),
    ("cond_1024", cond, [f32(1024)]),
    ("while_data_4096", while_data, [np.abs(f32(4096, scale=1000.0))]),
    ("tiny_add_1024", tiny, [f32(1024), f32(1024)]),
]


def xla_time(fn, args):
    return gpu_runs.xla_time(fn, args, ARGS.runs)


def ours(path, graphs):
    r = gpu_runs.nvgpu_bench(ARGS.nvgpu, path, ARGS.out, ARGS.runs, dict(NVGPU_CUDA_GRAPHS="1" if graphs else "0"))
    if "error" in r:
        return r
    lines = r.pop("stdout").splitlines()
    notes = [l for l in lines if l.startswith(("CUDA graphs", "control flow", "timed runs"))]
    r["replay_ok"] = any(l.startswith("timed runs' results equal the first run's: yes") for l in lines)
    r["notes"] = "; ".join(notes)
    return r


def check(name, path, args, expected):
    results, error = gpu_runs.nvgpu_run(ARGS.nvgpu, path, ARGS.out, name, args, len(expected))
    if error is not None:
        return False, error
    worst = 0.0
    for got, e in zip(results, expected):
        e = np.asarray(e)
        err = float(np.max(np.abs(got.astype(np.float64) - e.astype(np.float64)) / (1e-3 + np.abs(e.astype(np.float64))))) if e.size else 0.0
        worst = max(worst, err)
    return worst < 2e-2, f"max rel err {worst:.2e}"


rows = []
for name, fn, args in PROGRAMS:
    path = os.path.join(ARGS.out, f"{name}.mlir")
    with open(path, "w") as fh:
        fh.write(jax.jit(fn).lower(*args).as_text())
    out, xla_ms, xla_b2b = xla_time(fn, args)
    expected = out if isinstance(out, (tuple, list)) else [out]
    ok, detail = check(name, path, args, [np.asarray(e) for e in expected])
    row = dict(program=name, correct=ok, check=detail, xla_host_ms=xla_ms, xla_b2b_ms=xla_b2b,
               ours_graphs=ours(path, True), ours_no_graphs=ours(path, False))
    rows.append(row)
    print(json.dumps(row), flush=True)

with open(os.path.join(ARGS.out, "control_flow.json"), "w") as fh:
    json.dump(dict(device=jax.devices()[0].device_kind, jax=jax.__version__, rows=rows), fh, indent=1)

fmt = lambda v: f"{v:.4f}" if isinstance(v, float) else "—"
print(f"\n| program | correct | XLA host ms | ours host ms (graphs) | ours host ms (no graphs) | ours/XLA | ours b2b | XLA b2b |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    g, n = r["ours_graphs"], r["ours_no_graphs"]
    ratio = g.get("host_ms") / r["xla_host_ms"] if g.get("host_ms") else None
    print(f"| {r['program']} | {r['correct']} ({r['check']}) | {fmt(r['xla_host_ms'])} | {fmt(g.get('host_ms'))} | {fmt(n.get('host_ms'))} | {fmt(ratio)} | {fmt(g.get('b2b_ms'))} | {fmt(r['xla_b2b_ms'])} |")
by = {r["program"]: r for r in rows}
if "fori_16" in by and "fori_1024" in by:
    def slope(key, sub=None):
        a, b = by["fori_16"], by["fori_1024"]
        va = a[key] if sub is None else a[key].get(sub)
        vb = b[key] if sub is None else b[key].get(sub)
        return (vb - va) / 1008 * 1000 if va is not None and vb is not None else None
    print(f"\nper-iteration cost of a small fori_loop body (µs, slope 16→1024 trips, host time): "
          f"XLA {fmt(slope('xla_host_ms'))}, ours graphs {fmt(slope('ours_graphs', 'host_ms'))}, "
          f"ours no graphs {fmt(slope('ours_no_graphs', 'host_ms'))}")
for r in rows:
    for side in ("ours_graphs", "ours_no_graphs"):
        if r[side].get("notes"):
            print(f"{r['program']} {side}: {r[side]['notes']}")
        if r[side].get("error"):
            print(f"{r['program']} {side} ERROR: {r[side]['error']}")
