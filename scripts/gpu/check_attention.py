#!/usr/bin/env python3
"""Checks the fused attention kernel against the f64 oracle on random shapes.

    python3 scripts/gpu/check_attention.py PATH/TO/nvgpu OUT_DIR [--seed N]

Writes einsum + softmax attention programs in the form JAX exports (scale in the score
type, in f32 or none; bf16 and f16; head dims 64 and 128; sequence lengths that are and are
not multiples of the kernel's tiles; Q/K/V as strided slices of one projection as in
gpt_block), compiles each with `--report` to confirm the fused kernel was chosen, and runs
`nvgpu bench --random-inputs --check` with a fresh seed. Prints one line per case and a
summary; exits 1 when any case fails or was not fused. A case whose error exceeds the
oracle's tolerance passes when the unfused lowering of the same program on the same inputs
errs at least 1/1.25 as much (the program's own bf16/f16 rounding points cause it).
"""
import argparse
import os
import pathlib
import random
import re
import subprocess
import sys


def softmax_attention(t, b, h, sq, skv, d, scale, out=None):
    """The program text: (b, h, s, d) operands of type t."""
    out = out or t
    q, k = f"tensor<{b}x{h}x{sq}x{d}x{t}>", f"tensor<{b}x{h}x{skv}x{d}x{t}>"
    s, sf = f"tensor<{b}x{h}x{sq}x{skv}x{t}>", f"tensor<{b}x{h}x{sq}x{skv}xf32>"
    row, row1 = f"tensor<{b}x{h}x{sq}xf32>", f"tensor<{b}x{h}x{sq}x1xf32>"
    o = f"tensor<{b}x{h}x{sq}x{d}x{out}>"
    head = [f"func.func public @main(%q: {q}, %k: {k}, %v: {k}) -> {o} {{"]
    return "\n".join(head + body(t, q, k, s, sf, row, row1, o, d, scale, "%q", "%k", "%v") + ["  return %14 : " + o, "}"])


def body(t, q, k, s, sf, row, row1, o, d, scale, qv, kv, vv):
    c = f"{d ** 0.5:.6e}"
    lines = [f"  %0 = stablehlo.dot_general {qv}, {kv}, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3] : ({q}, {k}) -> {s}"]
    if scale == "divide":
        lines += [f"  %c = stablehlo.constant dense<{c}> : tensor<{t}>",
                  f"  %cb = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<{t}>) -> {s}",
                  f"  %1 = stablehlo.divide %0, %cb : {s}",
                  f"  %2 = stablehlo.convert %1 : ({s}) -> {sf}"]
    elif scale == "multiply":
        lines += [f"  %c = stablehlo.constant dense<{1 / d ** 0.5:.6e}> : tensor<{t}>",
                  f"  %cb = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<{t}>) -> {s}",
                  f"  %1 = stablehlo.multiply %cb, %0 : {s}",
                  f"  %2 = stablehlo.convert %1 : ({s}) -> {sf}"]
    elif scale == "f32":
        lines += [f"  %1 = stablehlo.convert %0 : ({s}) -> {sf}",
                  f"  %c = stablehlo.constant dense<{c}> : tensor<f32>",
                  f"  %cb = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> {sf}",
                  f"  %2 = stablehlo.divide %1, %cb : {sf}"]
    else:
        lines += [f"  %2 = stablehlo.convert %0 : ({s}) -> {sf}"]
    lines += [
        "  %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>",
        f"  %3 = stablehlo.reduce(%2 init: %ninf) applies stablehlo.maximum across dimensions = [3] : ({sf}, tensor<f32>) -> {row}",
        f"  %ninfb = stablehlo.broadcast_in_dim %ninf, dims = [] : (tensor<f32>) -> {row}",
        f"  %4 = stablehlo.maximum %ninfb, %3 : {row}",
        f"  %5 = stablehlo.broadcast_in_dim %4, dims = [0, 1, 2] : ({row}) -> {row1}",
        f"  %6 = stablehlo.broadcast_in_dim %5, dims = [0, 1, 2, 3] : ({row1}) -> {sf}",
        f"  %7 = stablehlo.subtract %2, %6 : {sf}",
        f"  %8 = stablehlo.exponential %7 : {sf}",
        "  %zero = stablehlo.constant dense<0.0> : tensor<f32>",
        f"  %9 = stablehlo.reduce(%8 init: %zero) applies stablehlo.add across dimensions = [3] : ({sf}, tensor<f32>) -> {row}",
        f"  %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 2] : ({row}) -> {row1}",
        f"  %11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2, 3] : ({row1}) -> {sf}",
        f"  %12 = stablehlo.divide %8, %11 : {sf}",
        f"  %13 = stablehlo.convert %12 : ({sf}) -> {s}",
        f"  %14 = stablehlo.dot_general %13, {vv}, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2] : ({s}, {k}) -> {o}",
    ]
    return lines


def projected_attention(t, b, h, sq, d, scale, merge=False):
    """gpt_block's form: Q, K, V sliced out of one (b*s) x (3*h*d) projection; with `merge`
    the heads are merged back into a (b*s) x (h*d) result by a transpose and a reshape."""
    n = h * d
    p = f"tensor<{b * sq}x{3 * n}x{t}>"
    split = f"tensor<{b}x{sq}x3x{h}x{d}x{t}>"
    heads = f"tensor<3x{b}x{h}x{sq}x{d}x{t}>"
    one = f"tensor<1x{b}x{h}x{sq}x{d}x{t}>"
    q = f"tensor<{b}x{h}x{sq}x{d}x{t}>"
    s, sf = f"tensor<{b}x{h}x{sq}x{sq}x{t}>", f"tensor<{b}x{h}x{sq}x{sq}xf32>"
    row, row1 = f"tensor<{b}x{h}x{sq}xf32>", f"tensor<{b}x{h}x{sq}x1xf32>"
    merged, swapped = f"tensor<{b * sq}x{n}x{t}>", f"tensor<{b}x{sq}x{h}x{d}x{t}>"
    lines = [f"func.func public @main(%p: {p}) -> {merged if merge else q} {{",
             f"  %r = stablehlo.reshape %p : ({p}) -> {split}",
             f"  %t = stablehlo.transpose %r, dims = [2, 0, 3, 1, 4] : ({split}) -> {heads}"]
    for i, name in enumerate("qkv"):
        lines += [f"  %{name}s = stablehlo.slice %t [{i}:{i + 1}, 0:{b}, 0:{h}, 0:{sq}, 0:{d}] : ({heads}) -> {one}",
                  f"  %{name} = stablehlo.reshape %{name}s : ({one}) -> {q}"]
    lines += body(t, q, q, s, sf, row, row1, q, d, scale, "%q", "%k", "%v")
    if merge:
        lines += [f"  %15 = stablehlo.transpose %14, dims = [0, 2, 1, 3] : ({q}) -> {swapped}",
                  f"  %16 = stablehlo.reshape %15 : ({swapped}) -> {merged}",
                  f"  return %16 : {merged}", "}"]
        return "\n".join(lines)
    return "\n".join(lines + ["  return %14 : " + q, "}"])


def cases(rng):
    out = []
    for t in ("bf16", "f16"):
        for d in (64, 128):
            for sq, skv in ((128, 128), (256, 384), (384, 256), (200, 72), (64, 130)):
                bh = rng.randint(1, 4)
                b, h = (1, bh) if bh % 2 else (2, bh // 2)
                scale = rng.choice(["divide", "multiply", "f32", "none"])
                out.append((f"{t}_d{d}_b{b}h{h}_q{sq}k{skv}_{scale}", softmax_attention(t, b, h, sq, skv, d, scale)))
        out.append((f"{t}_f32out_d64", softmax_attention(t, 1, 2, 192, 192, 64, "divide", out="f32")))
        for d in (64, 128):
            out.append((f"{t}_projected_d{d}", projected_attention(t, 2, 2, 256, d, "divide")))
            out.append((f"{t}_projected_merged_d{d}", projected_attention(t, 2, 3, 200, d, "divide", merge=True)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nvgpu")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"seed {seed}")
    failures = 0
    rows = []
    for name, text in cases(rng):
        path = out / f"attn_{name}.mlir"
        path.write_text(text)
        report = subprocess.run([args.nvgpu, "compile", str(path), "-o", str(out / f"attn_{name}.nvx"), "--report"],
                                capture_output=True, text=True)
        fused = "attention_" in report.stdout
        case_seed = str(rng.randrange(1 << 30))
        command = [args.nvgpu, "bench", str(path), "--random-inputs", "--seed", case_seed, "--runs", "3", "--check"]
        run = subprocess.run(command, capture_output=True, text=True)
        log = run.stdout + run.stderr
        errors = re.findall(r"max error (\S+)", log)
        ok = run.returncode == 0 and "check: passed" in log and fused
        note = ""
        if fused and not ok and errors:
            # The program's own bf16/f16 rounding points (scores, probabilities) can exceed
            # the oracle's tolerance; the unfused lowering (cuBLASLt + softmax kernels) shows
            # how much. Accept the fused kernel when its error is no worse than 1.25x that.
            unfused = subprocess.run(command, capture_output=True, text=True,
                                     env={**os.environ, "NVGPU_FUSED_ATTENTION": "0"})
            reference = re.findall(r"max error (\S+)", unfused.stdout)
            if reference:
                ok = float(errors[0]) <= 1.25 * float(reference[0]) + 1e-6
                note = f" unfused_max_error={reference[0]} (the program's rounding exceeds the tolerance on both paths)" if ok \
                    else f" unfused_max_error={reference[0]}"
        failures += not ok
        rows.append(f"{'ok  ' if ok else 'FAIL'} {name:40s} fused={fused} max_error={','.join(errors) or '-'}{note}")
        print(rows[-1], flush=True)
        if not ok:
            print(report.stdout[-1500:] + report.stderr[-1500:] + log[-3000:])
    print(f"{len(rows) - failures}/{len(rows)} attention cases passed (seed {seed})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
