"""Side-by-side timing of the same jitted JAX functions on XLA and on the nvgpu PJRT plugin.

Both backends live in one process: every workload is jitted once per backend, its inputs
(random, fixed seed) are `device_put` to each device, and the two are run interleaved
(baseline first, then ours), so the ratios compare like with like. Per workload:

  correct?     our outputs against the baseline's (f32: 1e-3, bf16: 2e-2; elementwise
               allclose, or normwise ||ours - xla|| / ||xla|| for matmul-heavy programs)
  single       median (p10, p90) of `--runs` timed calls `f(*args).block_until_ready()`
  back-to-back `--b2b` calls dispatched without waiting, block on the last, / K
  compile      wall time of `jax.jit(f).lower(*args).compile()` after `jax.clear_caches()`

On the GPU machine (jax with jax-cuda13-plugin; XLA's platform is `cuda`, alias `gpu`):

  NVGPU_PJRT_LIBRARY=/path/libopenxla_nvgpu_pjrt.so NVGPU_DEVICE=cuda \\
      python bench/jax_side_by_side.py --scale full

Without a GPU (the plugin's CPU reference backend against JAX's CPU backend, tiny shapes):

  NVGPU_DEVICE=cpu NVGPU_PJRT_LIBRARY=.build/release/libopenxla_nvgpu_pjrt.so \\
      python bench/jax_side_by_side.py --baseline cpu --scale small --runs 5

Writes a Markdown table to stdout and `--out` (default
bench/results/DATE-jax-side-by-side-DEVICE.md) and every number to `--json FILE`.
`--only ew_chain_f32,matmul_bf16` selects workloads. See docs/jax-bench.md.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", default="cuda", help="XLA platform to compare with (cuda|gpu|cpu)")
    p.add_argument("--ours", default="nvgpu", help="our PJRT platform name")
    p.add_argument("--scale", choices=("small", "full"), default="full")
    p.add_argument("--runs", type=int, default=50, help="timed single calls per backend")
    p.add_argument("--b2b", type=int, default=100, help="calls per back-to-back measurement")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--only", default="", help="comma-separated workload names")
    p.add_argument("--out", default=None, help="Markdown output file")
    p.add_argument("--json", default=None, help="JSON output file")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


ARGS = parse_args()
# Must happen before jax is imported: pick the platforms, keep XLA from grabbing 75% of the
# GPU's memory (our plugin shares the card), and let JAX find the in-tree plugin package.
os.environ["JAX_PLATFORMS"] = f"{ARGS.baseline},{ARGS.ours}"
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
if (REPO / "python" / "jax_plugins").is_dir():
    sys.path.insert(0, str(REPO / "python"))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
from jax._src import xla_bridge  # noqa: E402

F32, BF16 = jnp.float32, jnp.bfloat16


def register_ours():
    """JAX's plugin discovery finds `jax_plugins.nvgpu` (in-tree or installed) and loads the
    library; only when that package is absent, register NVGPU_PJRT_LIBRARY directly."""
    if ARGS.ours != "nvgpu":
        return
    try:
        if importlib.util.find_spec("jax_plugins.nvgpu") is not None:
            return
    except ModuleNotFoundError:  # no jax_plugins namespace package at all
        pass
    lib = os.environ.get("NVGPU_PJRT_LIBRARY")
    if not lib:
        raise SystemExit("jax_plugins.nvgpu not found; set NVGPU_PJRT_LIBRARY to libopenxla_nvgpu_pjrt.so")
    opts = {"device": os.environ["NVGPU_DEVICE"]} if os.environ.get("NVGPU_DEVICE") else None
    xla_bridge.register_plugin("nvgpu", library_path=lib, options=opts)


def get_device(platform):
    aliases = {"cuda": ["cuda", "gpu"], "gpu": ["gpu", "cuda"]}.get(platform, [platform])
    err = None
    for name in aliases:
        try:
            return jax.devices(name)[0]
        except RuntimeError as e:
            err = e
    raise SystemExit(f"no {platform} device: {err}")


# ---------------------------------------------------------------- workloads
def gelu(x):
    return jax.nn.gelu(x, approximate=True)


def layernorm(x, g, b):
    xf = x.astype(F32)
    m = xf.mean(-1, keepdims=True)
    v = ((xf - m) ** 2).mean(-1, keepdims=True)
    return ((xf - m) * jax.lax.rsqrt(v + 1e-5) * g + b).astype(x.dtype)


def attention(q, k, v):  # [B, H, S, D]
    s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(q.shape[-1])
    p = jax.nn.softmax(s.astype(F32), axis=-1).astype(q.dtype)
    return jnp.einsum("bhqk,bhkd->bhqd", p, v)


def gpt_block(x, ln1g, ln1b, wqkv, wo, ln2g, ln2b, w1, w2, H, B=4):
    n, d = x.shape  # tokens x model
    S = n // B
    h = layernorm(x, ln1g, ln1b)
    qkv = (h @ wqkv).reshape(B, S, 3, H, d // H).transpose(2, 0, 3, 1, 4)
    a = attention(qkv[0], qkv[1], qkv[2]).transpose(0, 2, 1, 3).reshape(n, d)
    x = x + a @ wo
    h = layernorm(x, ln2g, ln2b)
    return x + gelu(h @ w1) @ w2


def conv_relu(x, w, b):  # NHWC, HWIO
    y = jax.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return jax.nn.relu(y + b)


def mlp_loss(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = jax.nn.relu(h @ w + b)
    w, b = params[-1]
    logp = jax.nn.log_softmax(h @ w + b)
    return -(logp * y).sum(-1).mean()


def train_step(params, x, y):
    loss, grads = jax.value_and_grad(mlp_loss)(params, x, y)
    new = jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads)
    return new, loss


# Shapes per scale. "full" matches ../shared/workloads/*.json.
SHAPES = {
    "full": dict(ew=1 << 26, red=1 << 28, sm=(8192, 8192), ln=(16384, 4096), mm=8192,
                 mlp=(8192, 4096, 16384), att=(8, 16, 2048, 128), conv=(32, 56, 256),
                 gpt=(8192, 1024, 16), train=(256, 512, 3)),
    "small": dict(ew=1 << 12, red=1 << 14, sm=(64, 128), ln=(64, 256), mm=128,
                  mlp=(64, 128, 256), att=(1, 2, 64, 32), conv=(2, 8, 16),
                  gpt=(64, 64, 4), train=(32, 64, 3)),
}


def A(shape, dtype, scale=1.0, dist="normal"):
    """An input spec: a random array of this shape/dtype (normal * scale, or uniform)."""
    return (tuple(shape), dtype, scale, dist)


def workloads(scale):
    """name -> (fn, input specs (a pytree of A(...)), check mode)."""
    s = SHAPES[scale]
    W = {}
    W["ew_chain_f32"] = (lambda x, y: gelu(x * y + 1.0) * jnp.tanh(y), [A((s["ew"],), F32)] * 2, "elem")
    W["reduce_sum_f32"] = (lambda x: x.sum(), [A((s["red"],), F32, dist="uniform")], "elem")
    W["softmax_f32"] = (lambda x: jax.nn.softmax(x, -1), [A(s["sm"], F32)], "elem")
    r, c = s["ln"]
    W["layernorm_bf16"] = (layernorm, [A((r, c), BF16), A((c,), F32), A((c,), F32)], "elem")
    m = s["mm"]
    W["matmul_bf16"] = (lambda a, b: a @ b, [A((m, m), BF16), A((m, m), BF16, m ** -0.5)], "norm")
    t, d, f = s["mlp"]
    W["mlp_gelu_bf16"] = (lambda x, w1, b1, w2: gelu(x @ w1 + b1) @ w2,
                          [A((t, d), BF16), A((d, f), BF16, d ** -0.5), A((f,), BF16),
                           A((f, d), BF16, f ** -0.5)], "norm")
    W["attention_bf16"] = (attention, [A(s["att"], BF16)] * 3, "norm")
    N, HW, C = s["conv"]
    W["conv3x3_relu_bf16"] = (conv_relu, [A((N, HW, HW, C), BF16), A((3, 3, C, C), BF16, (9 * C) ** -0.5),
                                          A((C,), BF16)], "norm")
    n, d, H = s["gpt"]
    W["gpt_block_bf16"] = (lambda *a: gpt_block(*a, H=H),
                           [A((n, d), BF16), A((d,), F32), A((d,), F32), A((d, 3 * d), BF16, d ** -0.5),
                            A((d, d), BF16, d ** -0.5), A((d,), F32), A((d,), F32),
                            A((d, 4 * d), BF16, d ** -0.5), A((4 * d, d), BF16, (4 * d) ** -0.5)], "norm")
    batch, width, layers = s["train"]
    classes = 16
    dims = [width] * layers + [classes]
    params = [(A((i, o), F32, i ** -0.5), A((o,), F32, 0.1)) for i, o in zip(dims[:-1], dims[1:])]
    W["train_step_mlp_f32"] = (train_step, [params, A((batch, width), F32), A((batch, classes), F32, dist="onehot")],
                               "norm")
    W["overhead_add1_f32"] = (lambda x: x + 1, [A((16,), F32)], "elem")
    return W


def make_inputs(specs, rng):
    def one(spec):
        shape, dtype, scale, dist = spec
        if dist == "uniform":
            a = rng.random(shape, dtype=np.float32)
        elif dist == "onehot":
            a = np.eye(shape[-1], dtype=np.float32)[rng.integers(0, shape[-1], shape[:-1])]
        else:
            a = rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)
        return a.astype(ml_dtypes.bfloat16 if dtype == BF16 else np.float32)
    return jax.tree_util.tree_map(one, specs, is_leaf=lambda x: isinstance(x, tuple) and len(x) == 4
                                  and isinstance(x[0], tuple))


# ---------------------------------------------------------------- measurement
def check(ours, base, mode):
    """(passed, error): error is the normwise relative error, or max |ours-xla|/(1+|xla|)."""
    lo, lb = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(base)
    passed, worst = True, 0.0
    for a, b in zip(lo, lb):
        tol = 2e-2 if b.dtype == jnp.bfloat16 else 1e-3
        a, b = np.asarray(a).astype(np.float64), np.asarray(b).astype(np.float64)
        if a.shape != b.shape or not np.isfinite(a).all():
            return False, float("inf")
        if mode == "norm":
            err = float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))
            ok = err <= tol
        else:
            err = float(np.max(np.abs(a - b) / (np.abs(b) + tol * max(np.abs(b).max(), 1e-30))))
            try:
                np.testing.assert_allclose(a, b, rtol=tol, atol=tol * np.abs(b).max())
                ok = True
            except AssertionError:
                ok = False
        passed, worst = passed and ok, max(worst, err)
    return passed, worst


def ms(ns):
    return ns / 1e6


def time_backend(fn, args, runs, k, warmup):
    """Returns dict(compile_s, single_ms median/p10/p90, b2b_ms)."""
    jax.clear_caches()
    t0 = time.perf_counter_ns()
    jax.jit(fn).lower(*args).compile()
    compile_s = (time.perf_counter_ns() - t0) / 1e9
    f = jax.jit(fn)
    for _ in range(warmup):
        jax.block_until_ready(f(*args))
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        jax.block_until_ready(f(*args))
        samples.append(time.perf_counter_ns() - t0)
    t0 = time.perf_counter_ns()
    out = None
    for _ in range(k):
        out = f(*args)
    jax.block_until_ready(out)
    b2b = (time.perf_counter_ns() - t0) / k
    p10, p50, p90 = np.percentile(samples, [10, 50, 90])
    return dict(compile_s=compile_s, single_ms=ms(p50), p10_ms=ms(p10), p90_ms=ms(p90), b2b_ms=ms(b2b))


def first_line(e):
    msg = str(e).strip().splitlines()
    return f"{type(e).__name__}: {msg[0] if msg else ''}"[:200]


def run_workload(name, fn, specs, mode, base_dev, our_dev, rng):
    row = dict(workload=name)
    host = make_inputs(specs, rng)
    inputs = {}
    for side, dev in (("xla", base_dev), ("ours", our_dev)):
        try:
            inputs[side] = jax.device_put(host, dev)
            outs = jax.block_until_ready(jax.jit(fn)(*inputs[side]))
            row[f"{side}_out"] = jax.tree_util.tree_map(np.asarray, outs)
        except Exception as e:
            row[f"{side}_error"] = first_line(e)
            print(f"[{name}] {side}: {row[side + '_error']}", file=sys.stderr)
    if "xla_out" in row and "ours_out" in row:
        row["correct"], row["error"] = check(row.pop("ours_out"), row.pop("xla_out"), mode)
    row.pop("xla_out", None), row.pop("ours_out", None)
    for side in ("xla", "ours"):
        if f"{side}_error" in row:
            continue
        try:
            row[side] = time_backend(fn, inputs[side], ARGS.runs, ARGS.b2b, ARGS.warmup)
        except Exception as e:
            row[f"{side}_error"] = first_line(e)
            print(f"[{name}] {side}: {row[side + '_error']}", file=sys.stderr)
    inputs.clear()
    return row


# ---------------------------------------------------------------- report
def jaxlib_version():
    try:
        import jaxlib
        return jaxlib.__version__
    except Exception:
        return "?"


def device_name(baseline):
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip().splitlines()
        if out and out[0].strip():
            return re.sub(r"[^A-Za-z0-9]+", "-", out[0].strip()).strip("-")
    except Exception:
        pass
    return baseline


def fmt(x, nd=4):
    return "-" if x is None else f"{x:.{nd}g}"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def markdown(meta, rows):
    L = [f"# JAX side by side: XLA ({meta['baseline']}) vs nvgpu plugin", "",
         f"- date (UTC): {meta['date']}", f"- device: {meta['device']}",
         f"- jax {meta['jax']}, jaxlib {meta['jaxlib']}; XLA device: {meta['xla_device']}",
         f"- plugin: {meta['plugin']} (device {meta['our_device']})",
         f"- scale {meta['scale']}, single = median (p10-p90) of {meta['runs']} calls, "
         f"back-to-back = {meta['b2b']} async calls / {meta['b2b']}; ratio = ours / XLA (lower is better)", "",
         "| workload | correct? | err | XLA single ms | ours single ms | ratio | XLA b2b ms | ours b2b ms "
         "| ratio | compile s XLA | compile s ours |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        x, o = r.get("xla", {}), r.get("ours", {})
        ok = {True: "yes", False: "**NO**"}.get(r.get("correct"), "-")
        err = r.get("ours_error") or r.get("xla_error")
        if err:
            who = "ours" if "ours_error" in r else "XLA"
            ok = f"FAILED on {who}: `{err.replace('|', '/').replace('`', '')}`"

        def single(t):
            return f"{fmt(t['single_ms'])} ({fmt(t['p10_ms'], 3)}-{fmt(t['p90_ms'], 3)})" if t else "-"
        L.append(f"| {r['workload']} | {ok} | {fmt(r.get('error'), 2)} | {single(x)} | {single(o)} | "
                 f"{ratio(o.get('single_ms'), x.get('single_ms'))} | {fmt(x.get('b2b_ms'))} | "
                 f"{fmt(o.get('b2b_ms'))} | {ratio(o.get('b2b_ms'), x.get('b2b_ms'))} | "
                 f"{fmt(x.get('compile_s'), 3)} | {fmt(o.get('compile_s'), 3)} |")
    return "\n".join(L) + "\n"


def main():
    register_ours()
    base_dev, our_dev = get_device(ARGS.baseline), get_device(ARGS.ours)
    now = datetime.datetime.now(datetime.timezone.utc)
    meta = dict(date=now.strftime("%Y-%m-%d %H:%M:%S"), device=device_name(base_dev.platform),
                baseline=base_dev.platform, jax=jax.__version__, jaxlib=jaxlib_version(), xla_device=getattr(base_dev, "device_kind", str(base_dev)),
                plugin=" ".join(our_dev.client.platform_version.split()), our_device=str(our_dev),
                scale=ARGS.scale, runs=ARGS.runs, b2b=ARGS.b2b)
    W = workloads(ARGS.scale)
    only = [n for n in ARGS.only.split(",") if n]
    unknown = set(only) - set(W)
    if unknown:
        raise SystemExit(f"unknown workloads {sorted(unknown)}; have {list(W)}")
    rows = []
    for name, (fn, specs, mode) in W.items():
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        rows.append(run_workload(name, fn, specs, mode, base_dev, our_dev,
                                 np.random.default_rng([ARGS.seed, zlib.crc32(name.encode())])))
        print(f"[{name}] done in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    md = markdown(meta, rows)
    print(md)
    out = Path(ARGS.out or REPO / "bench" / "results" / f"{now:%Y-%m-%d}-jax-side-by-side-{meta['device']}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md)
    print(f"wrote {out}", file=sys.stderr)
    if ARGS.json:
        Path(ARGS.json).write_text(json.dumps(dict(meta=meta, rows=rows), indent=1))
        print(f"wrote {ARGS.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
