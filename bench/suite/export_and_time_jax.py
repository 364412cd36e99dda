"""Broad workload suite (issue 12): the patterns users bring, beyond the nine shared anchors.

Same interface and output as ../../../shared/workloads/export_and_time_jax.py, so
bench/compare.py runs this folder with `--workloads bench/suite`:

  python export_and_time_jax.py export OUTDIR     # CPU: write NAME.mlir (StableHLO text) + NAME.json
  python export_and_time_jax.py bench-jax OUTDIR  # GPU: time each workload through jax.jit on the GPU

NAME.json: {"args": [[shape, dtype], ...], "flops": dot/conv flops, "bytes": the minimum bytes
moved (inputs read + outputs written; a gather counts the rows it reads, not the whole table),
"group": the pattern family, "index_bounds": {arg position: exclusive upper bound} for integer
arguments (the timing scripts draw those in [0, bound); `nvgpu bench --random-inputs` draws
[-8, 8), which the programs accept: JAX's gather normalises negative indices)}.

Conventions shared with peers_torch.py (keep the two in step):
  * convolutions use explicit symmetric padding (PyTorch's `padding=`), not "SAME", whose
    stride-2 padding is asymmetric; NHWC/HWIO programs are channels_last tensors on the
    PyTorch side, NCHW/OIHW programs contiguous ones;
  * f32 dot_general is asked for at HIGHEST precision (full f32, PyTorch's default; no TF32);
  * embedding ids are computed inside the program from a uniform [-1, 1) f32 argument, so
    every system (whatever its random inputs) gathers rows spread over the whole table;
  * backward convolutions are what JAX emits for training: `jax.linear_transpose` of the
    forward convolution (the input-gradient and filter-gradient convolutions of `jax.vjp`,
    without the forward one that a vjp would also compute).

BENCH_ONLY=a,b (set by compare.py --only) restricts bench-jax to those workloads.
"""
import functools
import json
import math
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

F32, BF16, F16, I32 = jnp.float32, jnp.bfloat16, jnp.float16, jnp.int32
HIGHEST = jax.lax.Precision.HIGHEST


def gelu(x):
    return jax.nn.gelu(x, approximate=True)


def layernorm(x, g, b):
    xf = x.astype(F32)
    m = xf.mean(-1, keepdims=True)
    v = ((xf - m) ** 2).mean(-1, keepdims=True)
    return ((xf - m) * jax.lax.rsqrt(v + 1e-5) * g + b).astype(x.dtype)


def rmsnorm(x, g):
    xf = x.astype(F32)
    return (xf * jax.lax.rsqrt((xf * xf).mean(-1, keepdims=True) + 1e-6) * g).astype(x.dtype)


def conv(x, w, stride=1, pad=0, dilation=1, groups=1, layout="NHWC"):
    dn = ("NHWC", "HWIO", "NHWC") if layout == "NHWC" else ("NCHW", "OIHW", "NCHW")
    return jax.lax.conv_general_dilated(x, w, (stride, stride), [(pad, pad), (pad, pad)],
                                        rhs_dilation=(dilation, dilation), dimension_numbers=dn,
                                        feature_group_count=groups)


def conv_input_grad(w, dy, x_shape, **kw):
    """dL/dx of conv(x, w) for the output gradient dy (a transposed convolution)."""
    x_spec = jax.ShapeDtypeStruct(x_shape, dy.dtype)
    (dx,) = jax.linear_transpose(lambda x: conv(x, w, **kw), x_spec)(dy)
    return dx


def conv_filter_grad(x, dy, w_shape, **kw):
    """dL/dw of conv(x, w) for the output gradient dy."""
    w_spec = jax.ShapeDtypeStruct(w_shape, dy.dtype)
    (dw,) = jax.linear_transpose(lambda w: conv(x, w, **kw), w_spec)(dy)
    return dw


def ids_from_uniform(u, n):
    """Row indices in [0, n) from a uniform [-1, 1) tensor (see the module doc)."""
    return jnp.clip(((u + 1.0) * (0.5 * n)).astype(I32), 0, n - 1)


def cross_entropy(logits, labels):
    logp = jax.nn.log_softmax(logits.astype(F32), axis=-1)
    picked = jnp.take_along_axis(logp, labels[:, None], axis=-1)[:, 0]
    return -picked.mean()


def many_tiny_ops(x, y):
    """A launch-bound program: 24 small steps, each a reduction that a fusion cannot cross."""
    for i in range(12):
        x = jnp.tanh(x - x.mean(axis=i % 2, keepdims=True)) * y + 0.1 * i
        y = y * jax.nn.sigmoid(x.max(axis=(i + 1) % 2, keepdims=True)) + x
    return x, y


ADAM_SIZES = [4096, 1024, 256 * 1024, 1024, 1024 * 64, 64, 768, 768 * 96, 3072, 96 * 768]  # small: launch-bound


def adam_update(*flat):
    """One Adam step over ten parameter tensors of mixed sizes (multi-tensor optimizer step)."""
    k = len(ADAM_SIZES)
    ps, gs, ms, vs = flat[:k], flat[k:2 * k], flat[2 * k:3 * k], flat[3 * k:]
    out = []
    for p, g, m, v in zip(ps, gs, ms, vs):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * abs(v) + 0.001 * g * g  # abs: random inputs may be negative
        p = p - 1e-3 * (m / (1 - 0.9)) / (jnp.sqrt(v / (1 - 0.999)) + 1e-8)
        out += [p, m, v]
    return tuple(out)


def nbytes(shape, dtype):
    return int(np.prod(shape)) * jnp.dtype(dtype).itemsize


def conv_flops(n, ho, wo, cout, cin_per_group, kh, kw):
    return 2 * n * ho * wo * cout * cin_per_group * kh * kw


# name: (group, fn, [(shape, dtype)], flops, min_bytes or None (= inputs + outputs), {arg: int bound})
def suite():
    W = {}

    def add(name, group, fn, args, flops=0, min_bytes=None, bounds=None):
        W[name] = (group, fn, args, flops, min_bytes, bounds or {})

    # -- transposes: several permutations of rank 2-4, alone and fused with elementwise work
    add("transpose2d_f32", "transpose", lambda x: x.T, [((8192, 8192), F32)])
    add("transpose3d_021_f32", "transpose", lambda x: x.transpose(0, 2, 1), [((64, 1024, 1024), F32)])
    add("transpose3d_102_bf16", "transpose", lambda x: x.transpose(1, 0, 2), [((2048, 512, 128), BF16)])
    add("transpose3d_210_f32", "transpose", lambda x: x.transpose(2, 1, 0), [((512, 256, 384), F32)])
    add("transpose4d_0213_bf16", "transpose", lambda x: x.transpose(0, 2, 1, 3), [((16, 2048, 16, 128), BF16)])
    add("transpose4d_0312_f32", "transpose", lambda x: x.transpose(0, 3, 1, 2), [((32, 56, 56, 256), F32)])  # NHWC -> NCHW
    add("transpose4d_0231_f16", "transpose", lambda x: x.transpose(0, 2, 3, 1), [((32, 256, 56, 56), F16)])  # NCHW -> NHWC
    add("transpose4d_3210_f32", "transpose", lambda x: x.transpose(3, 2, 1, 0), [((32, 64, 96, 128), F32)])
    add("transpose2d_add_f32", "transpose", lambda x, y: x.T + y, [((8192, 8192), F32)] * 2)
    add("transpose3d_gelu_bf16", "transpose", lambda x, b: gelu(x.transpose(0, 2, 1) + b) * 2.0,
        [((32, 2048, 2048), BF16), ((2048,), BF16)])
    add("transpose4d_0213_bias_bf16", "transpose",
        lambda x, b: (x + b).reshape(16, 2048, 16, 128).transpose(0, 2, 1, 3),
        [((16, 2048, 2048), BF16), ((2048,), BF16)])

    # -- reductions over row / column / middle / all axes, variadic reductions, variance
    add("reduce_row_f32", "reduce", lambda x: x.sum(-1), [((16384, 4096), F32)])
    add("reduce_col_f32", "reduce", lambda x: x.sum(0), [((16384, 4096), F32)])
    add("reduce_middle_f32", "reduce", lambda x: x.sum(1), [((64, 1024, 1024), F32)])
    add("reduce_outer2_f32", "reduce", lambda x: x.sum((0, 1)), [((128, 512, 1024), F32)])
    add("reduce_all_bf16", "reduce", lambda x: x.astype(F32).sum(), [((8192, 8192), BF16)])
    add("reduce_row_max_bf16", "reduce", lambda x: x.max(-1), [((32768, 4096), BF16)])
    add("reduce_col_f16", "reduce", lambda x: x.astype(F32).sum(0).astype(F16), [((8192, 8192), F16)])
    add("reduce_3rows_f32", "reduce", lambda x: x.sum(-1), [((3, 1 << 24), F32)])
    add("argmax_row_f32", "reduce", lambda x: jnp.argmax(x, -1), [((16384, 4096), F32)])
    add("argmin_col_bf16", "reduce", lambda x: jnp.argmin(x, 0), [((8192, 8192), BF16)])
    add("top1_row_f32", "reduce", lambda x: (x.max(-1), jnp.argmax(x, -1)), [((16384, 4096), F32)])
    add("variance_row_f32", "reduce", lambda x: x.var(-1), [((16384, 4096), F32)])
    add("batchnorm_stats_bf16", "reduce",
        lambda x: (x.astype(F32).mean((0, 1, 2)), x.astype(F32).var((0, 1, 2))), [((64, 56, 56, 256), BF16)])

    # -- row kernels at odd sizes: 4095 columns, 3 rows, 1M rows; cross-entropy
    add("softmax_4095_f32", "rows", lambda x: jax.nn.softmax(x, -1), [((16384, 4095), F32)])
    add("softmax_3rows_f32", "rows", lambda x: jax.nn.softmax(x, -1), [((3, 1 << 22), F32)])
    add("softmax_1Mrows_bf16", "rows", lambda x: jax.nn.softmax(x.astype(F32), -1).astype(BF16),
        [((1 << 20, 128), BF16)])
    add("logsoftmax_vocab_f32", "rows", lambda x: jax.nn.log_softmax(x, -1), [((4096, 32000), F32)])
    add("layernorm_4095_f32", "rows", layernorm, [((16384, 4095), F32), ((4095,), F32), ((4095,), F32)])
    add("layernorm_1Mrows_bf16", "rows", layernorm, [((1 << 20, 96), BF16), ((96,), F32), ((96,), F32)])
    add("rmsnorm_bf16", "rows", rmsnorm, [((16384, 4096), BF16), ((4096,), F32)])
    add("rmsnorm_3rows_f32", "rows", rmsnorm, [((3, 1 << 22), F32), ((1 << 22,), F32)])
    add("cross_entropy_bf16", "rows", cross_entropy, [((8192, 32000), BF16), ((8192,), I32)],
        min_bytes=nbytes((8192, 32000), BF16) + 4 * 8192 + 4, bounds={1: 32000})

    # -- embedding lookup (gather of rows)
    V, D, T = 131072, 1024, 32768
    add("embedding_bf16", "gather", lambda table, u: table[ids_from_uniform(u, V)],
        [((V, D), BF16), ((T,), F32)], min_bytes=2 * nbytes((T, D), BF16) + 4 * T)

    # -- convolutions (bf16/f16; NHWC/HWIO unless named nchw)
    N = 32
    add("conv1x1_bf16", "conv", lambda x, w: conv(x, w),
        [((N, 56, 56, 256), BF16), ((1, 1, 256, 256), BF16)], conv_flops(N, 56, 56, 256, 256, 1, 1))
    add("conv3x3_s2_bf16", "conv", lambda x, w: conv(x, w, stride=2, pad=1),
        [((N, 56, 56, 128), BF16), ((3, 3, 128, 256), BF16)], conv_flops(N, 28, 28, 256, 128, 3, 3))
    add("conv5x5_f16", "conv", lambda x, w: conv(x, w, pad=2),
        [((N, 28, 28, 128), F16), ((5, 5, 128, 128), F16)], conv_flops(N, 28, 28, 128, 128, 5, 5))
    add("conv7x7_s2_stem_bf16", "conv", lambda x, w: conv(x, w, stride=2, pad=3),
        [((N, 224, 224, 3), BF16), ((7, 7, 3, 64), BF16)], conv_flops(N, 112, 112, 64, 3, 7, 7))
    add("conv3x3_dilated_bf16", "conv", lambda x, w: conv(x, w, pad=2, dilation=2),
        [((16, 64, 64, 256), BF16), ((3, 3, 256, 256), BF16)], conv_flops(16, 64, 64, 256, 256, 3, 3))
    add("conv_depthwise3x3_bf16", "conv", lambda x, w: conv(x, w, pad=1, groups=384),
        [((N, 56, 56, 384), BF16), ((3, 3, 1, 384), BF16)], conv_flops(N, 56, 56, 384, 1, 3, 3))
    add("conv_depthwise7x7_nchw_f16", "conv", lambda x, w: conv(x, w, pad=3, groups=128, layout="NCHW"),
        [((64, 128, 56, 56), F16), ((128, 1, 7, 7), F16)], conv_flops(64, 56, 56, 128, 1, 7, 7))
    add("conv_grouped3x3_bf16", "conv", lambda x, w: conv(x, w, pad=1, groups=32),
        [((N, 56, 56, 256), BF16), ((3, 3, 8, 256), BF16)], conv_flops(N, 56, 56, 256, 8, 3, 3))
    add("conv3x3_nchw_bf16", "conv", lambda x, w, b: jax.nn.relu(conv(x, w, pad=1, layout="NCHW") + b[:, None, None]),
        [((N, 256, 28, 28), BF16), ((256, 256, 3, 3), BF16), ((256,), BF16)], conv_flops(N, 28, 28, 256, 256, 3, 3))
    add("conv3x3_bwd_input_bf16", "conv",
        lambda w, dy: conv_input_grad(w, dy, (N, 56, 56, 128), pad=1),
        [((3, 3, 128, 128), BF16), ((N, 56, 56, 128), BF16)], conv_flops(N, 56, 56, 128, 128, 3, 3))
    add("conv3x3_bwd_filter_bf16", "conv",
        lambda x, dy: conv_filter_grad(x, dy, (3, 3, 128, 128), pad=1),
        [((N, 56, 56, 128), BF16), ((N, 56, 56, 128), BF16)], conv_flops(N, 56, 56, 128, 128, 3, 3))
    add("conv3x3_s2_bwd_input_bf16", "conv",
        lambda w, dy: conv_input_grad(w, dy, (N, 56, 56, 128), stride=2, pad=1),
        [((3, 3, 128, 256), BF16), ((N, 28, 28, 256), BF16)], conv_flops(N, 28, 28, 256, 128, 3, 3))

    # -- GEMMs: decode (skinny), square, batched, mixed precision, epilogues
    mm = functools.partial(jnp.matmul, precision=HIGHEST)
    add("gemm_decode_m1_bf16", "gemm", lambda x, w: x @ w, [((1, 4096), BF16), ((4096, 14336), BF16)],
        2 * 1 * 4096 * 14336)
    add("gemm_decode_m4_f16", "gemm", lambda x, w: x @ w, [((4, 4096), F16), ((4096, 12288), F16)],
        2 * 4 * 4096 * 12288)
    add("gemm_decode_m16_bf16", "gemm", lambda x, w: x @ w, [((16, 8192), BF16), ((8192, 8192), BF16)],
        2 * 16 * 8192 * 8192)
    add("gemm_square_bf16", "gemm", lambda a, b: a @ b, [((4096, 4096), BF16)] * 2, 2 * 4096 ** 3)
    add("gemm_square_f32", "gemm", lambda a, b: mm(a, b), [((2048, 2048), F32)] * 2, 2 * 2048 ** 3)
    add("gemm_batched_bf16", "gemm", lambda a, b: jnp.einsum("bmk,bkn->bmn", a, b),
        [((128, 512, 1024), BF16), ((128, 1024, 512), BF16)], 2 * 128 * 512 * 1024 * 512)
    add("gemm_mixed_bf16_f32", "gemm", lambda a, b: jnp.matmul(a, b, preferred_element_type=F32),
        [((4096, 4096), BF16)] * 2, 2 * 4096 ** 3)
    add("gemm_tall_skinny_bf16", "gemm", lambda x, w: x @ w, [((1 << 20, 64), BF16), ((64, 64), BF16)],
        2 * (1 << 20) * 64 * 64)
    add("gemm_bias_relu_bf16", "gemm", lambda x, w, b: jax.nn.relu(x @ w + b),
        [((8192, 4096), BF16), ((4096, 4096), BF16), ((4096,), BF16)], 2 * 8192 * 4096 * 4096)
    add("gemm_bias_gelu_f16", "gemm", lambda x, w, b: gelu(x @ w + b),
        [((4096, 4096), F16), ((4096, 16384), F16), ((16384,), F16)], 2 * 4096 * 4096 * 16384)

    # -- launch-bound programs of many small ops
    add("many_tiny_ops_f32", "launch", many_tiny_ops, [((64, 64), F32)] * 2)
    add("adam_update_f32", "launch", adam_update, [((s,), F32) for s in ADAM_SIZES] * 4)
    return W


def out_bytes(fn, args):
    outs = jax.eval_shape(fn, *[jax.ShapeDtypeStruct(s, d) for s, d in args])
    return sum(nbytes(o.shape, o.dtype) for o in jax.tree_util.tree_leaves(outs))


def export(out):
    os.makedirs(out, exist_ok=True)
    for name, (group, fn, args, flops, min_bytes, bounds) in suite().items():
        specs = [jax.ShapeDtypeStruct(s, d) for s, d in args]
        txt = jax.jit(fn).lower(*specs).as_text()
        if min_bytes is None:
            min_bytes = sum(nbytes(s, d) for s, d in args) + out_bytes(fn, args)
        with open(f"{out}/{name}.mlir", "w") as f:
            f.write(txt)
        spec = {"args": [[list(s), jnp.dtype(d).name] for s, d in args], "flops": flops, "bytes": min_bytes,
                "group": group}
        if bounds:
            spec["index_bounds"] = {str(k): v for k, v in bounds.items()}
        with open(f"{out}/{name}.json", "w") as f:
            json.dump(spec, f)
        print("exported", name, f"{len(txt) // 1024} KiB")


def rand(shape, dtype, key, bound=None):
    if bound is not None:
        return jax.random.randint(key, shape, 0, bound, dtype)
    return jax.random.normal(key, shape, F32).astype(dtype)


def selected(items):
    only = os.environ.get("BENCH_ONLY")
    wanted = set(only.split(",")) if only else None
    return [(name, w) for name, w in items if wanted is None or name in wanted]


def bench_jax(out, reps=20):
    rows = []
    for i, (name, (group, fn, args, flops, min_bytes, bounds)) in enumerate(selected(suite().items())):
        try:
            if min_bytes is None:
                min_bytes = sum(nbytes(s, d) for s, d in args) + out_bytes(fn, args)
            keys = jax.random.split(jax.random.PRNGKey(i), len(args))
            xs = [rand(s, d, k, bounds.get(j)) for j, ((s, d), k) in enumerate(zip(args, keys))]
            t0 = time.perf_counter()
            c = jax.jit(fn).lower(*xs).compile()
            tc = time.perf_counter() - t0
            for _ in range(3):
                jax.block_until_ready(c(*xs))
            ts = []
            for _ in range(reps):
                t0 = time.perf_counter()
                jax.block_until_ready(c(*xs))
                ts.append(time.perf_counter() - t0)
            med = sorted(ts)[len(ts) // 2]
            loops = []  # back-to-back calls: dispatch overlaps the previous call's kernels
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(reps):
                    y = c(*xs)
                jax.block_until_ready(y)
                loops.append((time.perf_counter() - t0) / reps)
            row = {"name": name, "ms": med * 1e3, "ms_loop": sorted(loops)[2] * 1e3, "compile_s": tc,
                   "tflops": flops / med / 1e12 if flops else None, "gbps": min_bytes / med / 1e9}
        except Exception as e:  # one workload that fails is a data point, not the end of the run
            row = {"name": name, "error": f"{type(e).__name__}: {str(e)[:300]}"}
        rows.append(row)
        print(json.dumps(row), flush=True)
        xs = c = y = None
    with open(f"{out}/jax.json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    {"export": export, "bench-jax": bench_jax}[sys.argv[1]](sys.argv[2])
