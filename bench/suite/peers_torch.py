"""PyTorch peer for the broad suite: the same computations as export_and_time_jax.py (beside
this file), timed eager (cuBLAS/cuDNN/ATen) and under torch.compile (Inductor) on one GPU,
each as the median single call and as the per-call time of 20 back-to-back calls (CUDA events).

  python peers_torch.py OUTDIR   # GPU: prints one JSON row per workload, writes OUTDIR/torch.json

Same interface and row format as ../../../shared/workloads/peers_torch.py. A workload that
fails (eager or compiled) is recorded in its row (`eager_error`, `inductor_error`) and the
run goes on. BENCH_ONLY=a,b (set by compare.py --only) restricts the run to those workloads.

Semantics kept equal to the JAX programs:
  * an NHWC/HWIO JAX convolution is a channels_last NCHW/OIHW tensor here (the same bytes in
    memory); the NCHW programs use contiguous tensors; padding is explicit and symmetric on
    both sides;
  * a transpose materialises its result (`.contiguous()`), as the StableHLO program does;
  * f32 matmuls run in full f32 (TF32 off), as the JAX program's HIGHEST precision asks;
  * backward convolutions: torch.nn.grad.conv2d_input / conv2d_weight (aten's
    convolution_backward, what autograd runs);
  * embedding ids are computed from a uniform [-1, 1) f32 tensor exactly as the JAX program
    does; cross-entropy labels are drawn in [0, vocab);
  * row kernels use the library calls a PyTorch user writes (layer_norm, rms_norm, softmax
    with dtype=float32, log_softmax + nll_loss), on f32 math like the JAX functions.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

dev = "cuda"
F32, BF16, F16 = torch.float32, torch.bfloat16, torch.float16
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")


def gelu(x):
    return F.gelu(x, approximate="tanh")


def layernorm(x, g, b):
    return F.layer_norm(x.float(), (x.shape[-1],), g, b, eps=1e-5).to(x.dtype)


def rmsnorm(x, g):
    xf = x.float()
    if hasattr(F, "rms_norm"):
        return F.rms_norm(xf, (x.shape[-1],), g, eps=1e-6).to(x.dtype)
    return (xf * torch.rsqrt((xf * xf).mean(-1, keepdim=True) + 1e-6) * g).to(x.dtype)


def cross_entropy(logits, labels):
    return F.nll_loss(F.log_softmax(logits, -1, dtype=F32), labels)


def ids_from_uniform(u, n):
    return ((u + 1.0) * (0.5 * n)).to(torch.int32).clamp(0, n - 1)


def many_tiny_ops(x, y):
    for i in range(12):
        x = torch.tanh(x - x.mean(dim=i % 2, keepdim=True)) * y + 0.1 * i
        y = y * torch.sigmoid(x.amax(dim=(i + 1) % 2, keepdim=True)) + x
    return x, y


ADAM_SIZES = [4096, 1024, 256 * 1024, 1024, 1024 * 64, 64, 768, 768 * 96, 3072, 96 * 768]  # as the JAX suite


def adam_update(*flat):
    k = len(ADAM_SIZES)
    ps, gs, ms, vs = flat[:k], flat[k:2 * k], flat[2 * k:3 * k], flat[3 * k:]
    out = []
    for p, g, m, v in zip(ps, gs, ms, vs):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * abs(v) + 0.001 * g * g  # abs: random inputs may be negative
        p = p - 1e-3 * (m / (1 - 0.9)) / (torch.sqrt(v / (1 - 0.999)) + 1e-8)
        out += [p, m, v]
    return tuple(out)


def mixed_matmul(a, b):
    """bf16 x bf16 -> f32 (JAX's preferred_element_type=f32): torch.mm's out_dtype where it exists."""
    return torch.mm(a, b, out_dtype=F32)


def mixed_matmul_fallback(a, b):
    return (a @ b).float()


def r(*shape, dt=F32, cl=False):
    t = torch.randn(*shape, device=dev, dtype=F32).to(dt)
    return t.to(memory_format=torch.channels_last) if cl else t


def uniform(*shape):
    return torch.rand(*shape, device=dev, dtype=F32) * 2 - 1


def labels(n, bound):
    return torch.randint(0, bound, (n,), device=dev, dtype=torch.int64)


# name: (fn, make inputs)
def suite():
    W = {}
    c = lambda t: t.contiguous()
    # transposes
    W["transpose2d_f32"] = (lambda x: c(x.t()), lambda: [r(8192, 8192)])
    W["transpose3d_021_f32"] = (lambda x: c(x.permute(0, 2, 1)), lambda: [r(64, 1024, 1024)])
    W["transpose3d_102_bf16"] = (lambda x: c(x.permute(1, 0, 2)), lambda: [r(2048, 512, 128, dt=BF16)])
    W["transpose3d_210_f32"] = (lambda x: c(x.permute(2, 1, 0)), lambda: [r(512, 256, 384)])
    W["transpose4d_0213_bf16"] = (lambda x: c(x.permute(0, 2, 1, 3)), lambda: [r(16, 2048, 16, 128, dt=BF16)])
    W["transpose4d_0312_f32"] = (lambda x: c(x.permute(0, 3, 1, 2)), lambda: [r(32, 56, 56, 256)])
    W["transpose4d_0231_f16"] = (lambda x: c(x.permute(0, 2, 3, 1)), lambda: [r(32, 256, 56, 56, dt=F16)])
    W["transpose4d_3210_f32"] = (lambda x: c(x.permute(3, 2, 1, 0)), lambda: [r(32, 64, 96, 128)])
    W["transpose2d_add_f32"] = (lambda x, y: c(x.t() + y), lambda: [r(8192, 8192), r(8192, 8192)])
    W["transpose3d_gelu_bf16"] = (lambda x, b: c(gelu(x.permute(0, 2, 1) + b) * 2.0),
                                  lambda: [r(32, 2048, 2048, dt=BF16), r(2048, dt=BF16)])
    W["transpose4d_0213_bias_bf16"] = (lambda x, b: c((x + b).reshape(16, 2048, 16, 128).permute(0, 2, 1, 3)),
                                       lambda: [r(16, 2048, 2048, dt=BF16), r(2048, dt=BF16)])
    # reductions
    W["reduce_row_f32"] = (lambda x: x.sum(-1), lambda: [r(16384, 4096)])
    W["reduce_col_f32"] = (lambda x: x.sum(0), lambda: [r(16384, 4096)])
    W["reduce_middle_f32"] = (lambda x: x.sum(1), lambda: [r(64, 1024, 1024)])
    W["reduce_outer2_f32"] = (lambda x: x.sum((0, 1)), lambda: [r(128, 512, 1024)])
    W["reduce_all_bf16"] = (lambda x: x.sum(dtype=F32), lambda: [r(8192, 8192, dt=BF16)])
    W["reduce_row_max_bf16"] = (lambda x: x.amax(-1), lambda: [r(32768, 4096, dt=BF16)])
    W["reduce_col_f16"] = (lambda x: x.sum(0, dtype=F32).to(F16), lambda: [r(8192, 8192, dt=F16)])
    W["reduce_3rows_f32"] = (lambda x: x.sum(-1), lambda: [r(3, 1 << 24)])
    W["argmax_row_f32"] = (lambda x: x.argmax(-1), lambda: [r(16384, 4096)])
    W["argmin_col_bf16"] = (lambda x: x.argmin(0), lambda: [r(8192, 8192, dt=BF16)])
    W["top1_row_f32"] = (lambda x: tuple(torch.max(x, -1)), lambda: [r(16384, 4096)])
    W["variance_row_f32"] = (lambda x: x.var(-1, correction=0), lambda: [r(16384, 4096)])

    def bn_stats(x):  # x: NHWC bytes (channels_last); statistics per channel
        var, mean = torch.var_mean(x.float(), dim=(0, 2, 3), correction=0)
        return mean, var

    W["batchnorm_stats_bf16"] = (bn_stats, lambda: [r(64, 256, 56, 56, dt=BF16, cl=True)])
    # row kernels
    W["softmax_4095_f32"] = (lambda x: torch.softmax(x, -1), lambda: [r(16384, 4095)])
    W["softmax_3rows_f32"] = (lambda x: torch.softmax(x, -1), lambda: [r(3, 1 << 22)])
    W["softmax_1Mrows_bf16"] = (lambda x: torch.softmax(x, -1, dtype=F32).to(BF16), lambda: [r(1 << 20, 128, dt=BF16)])
    W["logsoftmax_vocab_f32"] = (lambda x: F.log_softmax(x, -1), lambda: [r(4096, 32000)])
    W["layernorm_4095_f32"] = (layernorm, lambda: [r(16384, 4095), r(4095), r(4095)])
    W["layernorm_1Mrows_bf16"] = (layernorm, lambda: [r(1 << 20, 96, dt=BF16), r(96), r(96)])
    W["rmsnorm_bf16"] = (rmsnorm, lambda: [r(16384, 4096, dt=BF16), r(4096)])
    W["rmsnorm_3rows_f32"] = (rmsnorm, lambda: [r(3, 1 << 22), r(1 << 22)])
    W["cross_entropy_bf16"] = (cross_entropy, lambda: [r(8192, 32000, dt=BF16), labels(8192, 32000)])
    # embedding
    V, D, T = 131072, 1024, 32768
    W["embedding_bf16"] = (lambda table, u: F.embedding(ids_from_uniform(u, V), table),
                           lambda: [r(V, D, dt=BF16), uniform(T)])
    # convolutions: channels_last NCHW tensors for the NHWC programs, OIHW weights
    N = 32
    W["conv1x1_bf16"] = (lambda x, w: F.conv2d(x, w),
                         lambda: [r(N, 256, 56, 56, dt=BF16, cl=True), r(256, 256, 1, 1, dt=BF16, cl=True)])
    W["conv3x3_s2_bf16"] = (lambda x, w: F.conv2d(x, w, stride=2, padding=1),
                            lambda: [r(N, 128, 56, 56, dt=BF16, cl=True), r(256, 128, 3, 3, dt=BF16, cl=True)])
    W["conv5x5_f16"] = (lambda x, w: F.conv2d(x, w, padding=2),
                        lambda: [r(N, 128, 28, 28, dt=F16, cl=True), r(128, 128, 5, 5, dt=F16, cl=True)])
    W["conv7x7_s2_stem_bf16"] = (lambda x, w: F.conv2d(x, w, stride=2, padding=3),
                                 lambda: [r(N, 3, 224, 224, dt=BF16, cl=True), r(64, 3, 7, 7, dt=BF16, cl=True)])
    W["conv3x3_dilated_bf16"] = (lambda x, w: F.conv2d(x, w, padding=2, dilation=2),
                                 lambda: [r(16, 256, 64, 64, dt=BF16, cl=True), r(256, 256, 3, 3, dt=BF16, cl=True)])
    W["conv_depthwise3x3_bf16"] = (lambda x, w: F.conv2d(x, w, padding=1, groups=384),
                                   lambda: [r(N, 384, 56, 56, dt=BF16, cl=True), r(384, 1, 3, 3, dt=BF16, cl=True)])
    W["conv_depthwise7x7_nchw_f16"] = (lambda x, w: F.conv2d(x, w, padding=3, groups=128),
                                       lambda: [r(64, 128, 56, 56, dt=F16), r(128, 1, 7, 7, dt=F16)])
    W["conv_grouped3x3_bf16"] = (lambda x, w: F.conv2d(x, w, padding=1, groups=32),
                                 lambda: [r(N, 256, 56, 56, dt=BF16, cl=True), r(256, 8, 3, 3, dt=BF16, cl=True)])
    W["conv3x3_nchw_bf16"] = (lambda x, w, b: torch.relu(F.conv2d(x, w, padding=1) + b.view(1, -1, 1, 1)),
                              lambda: [r(N, 256, 28, 28, dt=BF16), r(256, 256, 3, 3, dt=BF16), r(256, dt=BF16)])
    W["conv3x3_bwd_input_bf16"] = (
        lambda w, dy: torch.nn.grad.conv2d_input((N, 128, 56, 56), w, dy, padding=1),
        lambda: [r(128, 128, 3, 3, dt=BF16, cl=True), r(N, 128, 56, 56, dt=BF16, cl=True)])
    W["conv3x3_bwd_filter_bf16"] = (
        lambda x, dy: torch.nn.grad.conv2d_weight(x, (128, 128, 3, 3), dy, padding=1),
        lambda: [r(N, 128, 56, 56, dt=BF16, cl=True), r(N, 128, 56, 56, dt=BF16, cl=True)])
    W["conv3x3_s2_bwd_input_bf16"] = (
        lambda w, dy: torch.nn.grad.conv2d_input((N, 128, 56, 56), w, dy, stride=2, padding=1),
        lambda: [r(256, 128, 3, 3, dt=BF16, cl=True), r(N, 256, 28, 28, dt=BF16, cl=True)])
    # GEMMs
    W["gemm_decode_m1_bf16"] = (lambda x, w: x @ w, lambda: [r(1, 4096, dt=BF16), r(4096, 14336, dt=BF16)])
    W["gemm_decode_m4_f16"] = (lambda x, w: x @ w, lambda: [r(4, 4096, dt=F16), r(4096, 12288, dt=F16)])
    W["gemm_decode_m16_bf16"] = (lambda x, w: x @ w, lambda: [r(16, 8192, dt=BF16), r(8192, 8192, dt=BF16)])
    W["gemm_square_bf16"] = (lambda a, b: a @ b, lambda: [r(4096, 4096, dt=BF16), r(4096, 4096, dt=BF16)])
    W["gemm_square_f32"] = (lambda a, b: a @ b, lambda: [r(2048, 2048), r(2048, 2048)])
    W["gemm_batched_bf16"] = (torch.bmm, lambda: [r(128, 512, 1024, dt=BF16), r(128, 1024, 512, dt=BF16)])
    W["gemm_mixed_bf16_f32"] = (mixed_matmul, lambda: [r(4096, 4096, dt=BF16), r(4096, 4096, dt=BF16)])
    W["gemm_tall_skinny_bf16"] = (lambda x, w: x @ w, lambda: [r(1 << 20, 64, dt=BF16), r(64, 64, dt=BF16)])
    W["gemm_bias_relu_bf16"] = (lambda x, w, b: torch.relu(torch.addmm(b, x, w)),
                                lambda: [r(8192, 4096, dt=BF16), r(4096, 4096, dt=BF16), r(4096, dt=BF16)])
    W["gemm_bias_gelu_f16"] = (lambda x, w, b: gelu(torch.addmm(b, x, w)),
                               lambda: [r(4096, 4096, dt=F16), r(4096, 16384, dt=F16), r(16384, dt=F16)])
    # launch-bound
    W["many_tiny_ops_f32"] = (many_tiny_ops, lambda: [r(64, 64), r(64, 64)])
    W["adam_update_f32"] = (adam_update, lambda: [r(s) for s in ADAM_SIZES * 4])
    return W


def time_fn(fn, xs, reps=20):
    for _ in range(3):
        fn(*xs)
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(*xs); b.record(); b.synchronize()
        ts.append(a.elapsed_time(b))
    loops = []  # back-to-back calls, as a user's training loop runs them
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
        for name, (fn, mk) in suite().items():
            if wanted is not None and name not in wanted:
                continue
            row = {"name": name}
            xs = None
            try:
                xs = mk()
                if fn is mixed_matmul:
                    try:
                        fn(*xs)
                    except (TypeError, RuntimeError) as e:  # torch.mm without out_dtype
                        fn = mixed_matmul_fallback
                        row["note"] = "torch.mm(out_dtype=float32) unavailable (" + short(e)[:80] + "); (a @ b).float()"
                try:
                    row["eager_ms"], row["eager_ms_loop"] = time_fn(fn, xs)
                except Exception as e:  # a peer that fails is a data point
                    row["eager_error"] = short(e)
                try:
                    torch._dynamo.reset()  # lambdas sharing a code object must not share a cache
                    compiled = torch.compile(fn)
                    t0 = time.perf_counter(); compiled(*xs); torch.cuda.synchronize()
                    row["compile_s"] = time.perf_counter() - t0
                    row["inductor_ms"], row["inductor_ms_loop"] = time_fn(compiled, xs)
                except Exception as e:
                    row["inductor_error"] = short(e)
            except Exception as e:  # making the inputs failed (memory?)
                row["eager_error"] = row["inductor_error"] = "inputs: " + short(e)
            rows.append(row)
            print(json.dumps(row), flush=True)
            del xs
            torch.cuda.empty_cache()
    with open(f"{out}/torch.json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
