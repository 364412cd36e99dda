"""Attention workloads of the broad suite (issue 13): export to StableHLO, and time XLA and
cuDNN's fused attention through JAX. Same interface as ../export_and_time_jax.py, so

  python bench/compare.py --nvgpu BIN --workloads bench/suite/attention

runs this folder (peers_torch.py beside this file adds eager, Inductor and SDPA).

  python export_and_time_jax.py export OUTDIR     # CPU: NAME.mlir (StableHLO text) + NAME.json
  python export_and_time_jax.py export-small OUTDIR  # the same at check-sized shapes (tests/attention/suite_small)
  python export_and_time_jax.py bench-jax OUTDIR  # GPU: rows with XLA's times ("ms", "ms_loop")
                                                  # and cuDNN's ("cudnn_ms", "cudnn_ms_loop")

XLA times the exported function itself under jax.jit. The cuDNN column is
jax.nn.dot_product_attention(implementation="cudnn") on the same computation: it takes BSHD
tensors, so for BHSD workloads its inputs are made in BSHD (the layout is the caller's
choice; no transpose is timed). The padding mask becomes its `mask` argument broadcast over
heads and queries (cuDNN wants the query axis spelled out: [batch, 1, queries, keys]); the bias its `bias` argument; grouped-query K/V go in unrepeated. A
configuration cuDNN refuses is a row with "cudnn_error".
BENCH_ONLY=a,b (set by compare.py --only) restricts bench-jax to those workloads.
"""
import json
import math
import os
import sys
import time

import jax
import jax.numpy as jnp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import WORKLOADS, flops, min_bytes, shapes  # noqa: E402

F32 = jnp.float32
FILL = -0.7 * float(jnp.finfo(F32).max)  # jax.nn.dot_product_attention's fill for masked scores


def attention(c):
    """The workload as a JAX user writes it (see workloads.py for the spellings)."""
    bshd = c["layout"] == "BSHD"
    head_axis = 2 if bshd else 1
    scale = 1.0 / math.sqrt(c["d"])

    def fn(q, k, v, *extra):
        mask = extra[0] if c["mask"] else None
        bias = extra[-1] if c["bias"] else None
        if c["spelling"] == "dpa":
            return jax.nn.dot_product_attention(
                q, k, v, bias=None if bias is None else bias[None],
                mask=None if mask is None else mask[:, None, None, :], is_causal=c["causal"],
                implementation="xla")
        if c["hkv"] != c["hq"]:
            k = jnp.repeat(k, c["hq"] // c["hkv"], axis=head_axis)
            v = jnp.repeat(v, c["hq"] // c["hkv"], axis=head_axis)
        first, second = ("bqhd,bkhd->bhqk", "bhqk,bkhd->bqhd") if bshd else ("bhqd,bhkd->bhqk", "bhqk,bhkd->bhqd")
        if c["scale_first"]:
            s = jnp.einsum(first, q * jnp.asarray(scale, q.dtype), k).astype(F32)
        else:
            s = jnp.einsum(first, q, k).astype(F32) * scale
        if bias is not None:
            s = s + bias.astype(F32)
        if c["causal"]:
            keep = jnp.tril(jnp.ones((c["sq"], c["skv"]), bool), c["skv"] - c["sq"])
            s = jnp.where(keep, s, -jnp.inf)
        if mask is not None:
            s = jnp.where(mask[:, None, None, :], s, FILL)
        p = jax.nn.softmax(s, axis=-1).astype(q.dtype)
        return jnp.einsum(second, p, v)
    return fn


def cudnn_attention(c):
    """The same computation through cuDNN's fused kernel, on BSHD inputs."""
    scale = 1.0 / math.sqrt(c["d"])

    def fn(q, k, v, *extra):
        # cuDNN takes a mask with the query axis spelled out ([batch, 1, queries, keys]).
        mask = jnp.broadcast_to(extra[0][:, None, None, :], (c["b"], 1, c["sq"], c["skv"])) if c["mask"] else None
        bias = extra[-1][None] if c["bias"] else None
        return jax.nn.dot_product_attention(q, k, v, bias=bias, mask=mask, scale=scale, is_causal=c["causal"],
                                            implementation="cudnn")
    return fn


def bshd_shapes(c):
    return [((s[0], s[2], s[1], s[3]) if i < 3 and c["layout"] == "BHSD" else s, d)
            for i, (s, d) in enumerate(shapes(c))]


def export(out):
    os.makedirs(out, exist_ok=True)
    for name, c in WORKLOADS.items():
        specs = [jax.ShapeDtypeStruct(s, jnp.dtype(d)) for s, d in shapes(c)]
        text = jax.jit(attention(c)).lower(*specs).as_text()
        with open(f"{out}/{name}.mlir", "w") as f:
            f.write(text)
        spec = {"args": [[list(s), d] for s, d in shapes(c)], "flops": flops(c), "bytes": min_bytes(c),
                "group": "attention", "config": c}
        with open(f"{out}/{name}.json", "w") as f:
            json.dump(spec, f)
        print("exported", name, f"{len(text) // 1024} KiB")


def small(c):
    """`c` at a size the reference backend checks in seconds, keeping what selects the
    kernel: decode query lengths, the K/V head ratio, partial tiles (200 queries, 200 or 264 keys)."""
    c = dict(c)
    hq = 8 if c["hkv"] not in (1, c["hq"]) else 4
    c["hkv"] = 1 if c["hkv"] == 1 else hq * c["hkv"] // c["hq"]
    c["hq"], c["b"] = hq, 1
    if c["sq"] > 16:  # causal ones square, the others 200 queries over 264 keys
        c["sq"], c["skv"] = 200, 200 if c["causal"] else 264
    else:
        c["skv"] = 520
    return c


def export_small(out):
    """The workloads at small sizes (see `small`), for checks on the GPU against the reference."""
    os.makedirs(out, exist_ok=True)
    for name, c in WORKLOADS.items():
        c = small(c)
        specs = [jax.ShapeDtypeStruct(s, jnp.dtype(d)) for s, d in shapes(c)]
        with open(f"{out}/{name}.mlir", "w") as f:
            f.write(jax.jit(attention(c)).lower(*specs).as_text())
        print("exported small", name)


def rand(shape, dtype, key):
    if dtype == "bool":
        return jax.random.bernoulli(key, 0.75, shape)
    return jax.random.normal(key, shape, F32).astype(jnp.dtype(dtype))


def time_compiled(compiled, xs, reps):
    for _ in range(3):
        jax.block_until_ready(compiled(*xs))
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        jax.block_until_ready(compiled(*xs))
        ts.append(time.perf_counter() - t0)
    loops = []  # back-to-back calls: dispatch overlaps the previous call's kernels
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            y = compiled(*xs)
        jax.block_until_ready(y)
        loops.append((time.perf_counter() - t0) / reps)
    return sorted(ts)[len(ts) // 2], sorted(loops)[2]


def short(e):
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {text}"[:300]


def bench_jax(out, reps=20):
    only = os.environ.get("BENCH_ONLY")
    wanted = set(only.split(",")) if only else None
    rows = []
    for i, (name, c) in enumerate(WORKLOADS.items()):
        if wanted is not None and name not in wanted:
            continue
        row = {"name": name}
        for prefix, fn, args in (("", attention(c), shapes(c)), ("cudnn_", cudnn_attention(c), bshd_shapes(c))):
            xs = compiled = None
            try:
                keys = jax.random.split(jax.random.PRNGKey(i), len(args))
                xs = [rand(s, d, k) for (s, d), k in zip(args, keys)]
                t0 = time.perf_counter()
                compiled = jax.jit(fn).lower(*xs).compile()
                row[prefix + "compile_s"] = time.perf_counter() - t0
                med, loop = time_compiled(compiled, xs, reps)
                row[prefix + "ms"], row[prefix + "ms_loop"] = med * 1e3, loop * 1e3
                row[prefix + "tflops"] = flops(c) / med / 1e12
            except Exception as e:  # a peer that fails is a data point, not the end of the run
                row[prefix + "error"] = short(e)
            xs = compiled = None
        rows.append(row)
        print(json.dumps(row), flush=True)
    with open(f"{out}/jax.json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    {"export": export, "export-small": export_small, "bench-jax": bench_jax}[sys.argv[1]](sys.argv[2])
