"""PyTorch peers for the attention workloads (issue 13): eager and torch.compile (Inductor) of
the computation as the JAX program writes it (matmul, f32 softmax, matmul), and
`torch.nn.functional.scaled_dot_product_attention` (SDPA: what a PyTorch user calls; it
picks cuDNN, flash or memory-efficient attention itself), each as the median single call and
as the per-call time of 20 back-to-back calls (CUDA events).

  python peers_torch.py OUTDIR   # GPU: one JSON row per workload; OUTDIR/torch.json

Row keys: eager_ms(_loop), inductor_ms(_loop), sdpa_ms(_loop), and *_error where one fails.
Shapes and semantics come from workloads.py beside this file: BSHD workloads give SDPA
transposed views (no copy), grouped-query ones `enable_gqa=True`, causal ones `is_causal`
(every causal workload has as many queries as keys, where top-left and bottom-right agree),
the padding mask a boolean attn_mask broadcast over heads and queries, the bias a float
attn_mask. BENCH_ONLY=a,b (set by compare.py --only) restricts the run.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import WORKLOADS, shapes  # noqa: E402

dev = "cuda"
DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}
FILL = -0.7 * torch.finfo(torch.float32).max


def inputs(c):
    xs = []
    for shape, dtype in shapes(c):
        if dtype == "bool":
            xs.append(torch.rand(*shape, device=dev) < 0.75)
        else:
            xs.append(torch.randn(*shape, device=dev, dtype=torch.float32).to(DTYPES[dtype]))
    return xs


def bhsd(c, t):
    return t.transpose(1, 2) if c["layout"] == "BSHD" else t


def naive(c):
    """The JAX program's computation in PyTorch ops (eager, and what Inductor compiles)."""
    scale = 1.0 / math.sqrt(c["d"])
    group = c["hq"] // c["hkv"]

    def fn(q, k, v, *extra):
        q, k, v = bhsd(c, q), bhsd(c, k), bhsd(c, v)
        if group > 1:
            k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        s = (q @ k.transpose(-1, -2)).float() * scale
        if c["bias"]:
            s = s + extra[-1].float()
        if c["causal"]:
            keep = torch.ones(c["sq"], c["skv"], dtype=torch.bool, device=dev).tril(c["skv"] - c["sq"])
            s = s.masked_fill(~keep, float("-inf"))
        if c["mask"]:
            s = s.masked_fill(~extra[0][:, None, None, :], FILL)
        o = torch.softmax(s, dim=-1).to(q.dtype) @ v
        return o.transpose(1, 2).contiguous() if c["layout"] == "BSHD" else o
    return fn


def sdpa(c):
    scale = 1.0 / math.sqrt(c["d"])
    gqa = c["hq"] != c["hkv"]

    def fn(q, k, v, *extra):
        mask = None
        if c["mask"]:
            mask = extra[0][:, None, None, :]
        if c["bias"]:
            mask = extra[-1][None]
        kwargs = {"enable_gqa": True} if gqa else {}
        o = F.scaled_dot_product_attention(bhsd(c, q), bhsd(c, k), bhsd(c, v), attn_mask=mask,
                                           is_causal=c["causal"], scale=scale, **kwargs)
        return o.transpose(1, 2) if c["layout"] == "BSHD" else o
    return fn


def time_fn(fn, xs, reps=20):
    for _ in range(3):
        fn(*xs)
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(*xs); b.record(); b.synchronize()
        ts.append(a.elapsed_time(b))
    loops = []
    for _ in range(5):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(reps):
            fn(*xs)
        b.record(); b.synchronize()
        loops.append(a.elapsed_time(b) / reps)
    return sorted(ts)[len(ts) // 2], sorted(loops)[2]


def short(e):
    return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:200]


def main(out):
    only = os.environ.get("BENCH_ONLY")
    wanted = set(only.split(",")) if only else None
    rows = []
    with torch.no_grad():
        for name, c in WORKLOADS.items():
            if wanted is not None and name not in wanted:
                continue
            row = {"name": name}
            try:
                xs = inputs(c)
            except Exception as e:
                row["eager_error"] = row["inductor_error"] = row["sdpa_error"] = "inputs: " + short(e)
                rows.append(row)
                continue
            for key, make in (("eager", lambda: naive(c)), ("sdpa", lambda: sdpa(c)),
                              ("inductor", lambda: torch.compile(naive(c)))):
                try:
                    torch._dynamo.reset()
                    fn = make()
                    t0 = time.perf_counter(); fn(*xs); torch.cuda.synchronize()
                    if key == "inductor":
                        row["compile_s"] = time.perf_counter() - t0
                    row[key + "_ms"], row[key + "_ms_loop"] = time_fn(fn, xs)
                except Exception as e:  # a peer that fails is a data point
                    row[key + "_error"] = short(e)
                torch.cuda.empty_cache()
            rows.append(row)
            print(json.dumps(row), flush=True)
            del xs
            torch.cuda.empty_cache()
    with open(f"{out}/torch.json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
