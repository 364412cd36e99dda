#!/usr/bin/env python3
"""FFTs on the GPU: ours (cuFFT for axes longer than 64, the exact DFT kernels otherwise)
against XLA (which calls cuFFT) on the same GPU in one run.

For each program (a JAX function exported to StableHLO text here): correctness first —
`nvgpu run` on XLA's inputs, compared normwise with XLA's result (‖ours − xla‖ / ‖xla‖) and,
through `nvgpu bench --check`, with the reference backend; then times: XLA's jax.jit (host
wall time of one call, median, and back to back), ours by `nvgpu bench` with cuFFT and with
NVGPU_CUFFT=0 (the exact DFT kernels).

    python3 bench/fft.py --nvgpu PATH/TO/nvgpu --out DIR [--runs 100]
"""
import argparse
import json
import os
import sys

import numpy as np
import jax
import jax.numpy as jnp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_runs  # noqa: E402

jax.config.update("jax_enable_x64", True)

P = argparse.ArgumentParser()
P.add_argument("--nvgpu", required=True)
P.add_argument("--out", required=True)
P.add_argument("--runs", type=int, default=100)
ARGS = P.parse_args()
os.makedirs(ARGS.out, exist_ok=True)
RNG = np.random.default_rng(0)


def real(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def cplx(*shape, dtype=np.complex64):
    return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)


PROGRAMS = [
    ("fft_c64_64x4096", jnp.fft.fft, [cplx(64, 4096)]),
    ("ifft_c64_4x16384", jnp.fft.ifft, [cplx(4, 16384)]),
    ("rfft_f32_256x1024", jnp.fft.rfft, [real(256, 1024)]),
    ("irfft_f32_256x513", lambda x: jnp.fft.irfft(x, n=1024), [cplx(256, 513)]),
    ("fft2_c64_8x512x512", jnp.fft.fft2, [cplx(8, 512, 512)]),
    ("rfftn_f32_4x64x64x128", lambda x: jnp.fft.rfftn(x, axes=(1, 2, 3)), [real(4, 64, 64, 128)]),
    ("fft_c128_32x2048", jnp.fft.fft, [cplx(32, 2048, dtype=np.complex128)]),
    ("irfft_f64_64x257", lambda x: jnp.fft.irfft(x, n=512), [cplx(64, 257, dtype=np.complex128)]),
    ("fft_c64_1024x32_exact", jnp.fft.fft, [cplx(1024, 32)]),
]


def xla_time(fn, args):
    out, host, b2b = gpu_runs.xla_time(fn, args, ARGS.runs)
    return np.asarray(out), host, b2b


def ours(path, cufft):
    check = ["--check", "--check-time-limit", "300"] if cufft else []
    r = gpu_runs.nvgpu_bench(ARGS.nvgpu, path, ARGS.out, ARGS.runs, dict(NVGPU_CUFFT="1" if cufft else "0"),
                             extra=check, timeout=900)
    if "error" in r:
        return r
    r["check"] = "; ".join([l for l in r.pop("stdout").splitlines() if l.startswith("check")][-2:])
    return r


def against_xla(name, path, args, expected):
    results, error = gpu_runs.nvgpu_run(ARGS.nvgpu, path, ARGS.out, name, args, 1, timeout=900)
    if error is not None:
        return False, error
    got = results[0].astype(np.complex128)
    e = expected.astype(np.complex128)
    err = float(np.linalg.norm(got - e) / max(np.linalg.norm(e), 1e-300))
    bound = 1e-12 if expected.dtype in (np.float64, np.complex128) else 1e-5
    return err < bound, f"normwise vs XLA {err:.2e} (bound {bound:.0e})"


rows = []
for name, fn, args in PROGRAMS:
    path = os.path.join(ARGS.out, f"{name}.mlir")
    with open(path, "w") as fh:
        fh.write(jax.jit(fn).lower(*args).as_text())
    out, xla_ms, xla_b2b = xla_time(fn, args)
    ok, detail = against_xla(name, path, args, out)
    row = dict(program=name, correct=ok, check=detail, xla_host_ms=xla_ms, xla_b2b_ms=xla_b2b,
               ours_cufft=ours(path, True), ours_exact=ours(path, False))
    rows.append(row)
    print(json.dumps(row), flush=True)

with open(os.path.join(ARGS.out, "fft.json"), "w") as fh:
    json.dump(dict(device=jax.devices()[0].device_kind, jax=jax.__version__, rows=rows), fh, indent=1)

fmt = lambda v: f"{v:.4f}" if isinstance(v, float) else "—"
print("\n| program | correct vs XLA | XLA b2b ms | ours b2b ms (cuFFT path) | ours/XLA | ours b2b ms (exact DFT) | XLA host ms | ours host ms |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    c, e = r["ours_cufft"], r["ours_exact"]
    ratio = c.get("b2b_ms") / r["xla_b2b_ms"] if c.get("b2b_ms") else None
    print(f"| {r['program']} | {r['correct']} ({r['check']}) | {fmt(r['xla_b2b_ms'])} | {fmt(c.get('b2b_ms'))} | {fmt(ratio)} | "
          f"{fmt(e.get('b2b_ms'))} | {fmt(r['xla_host_ms'])} | {fmt(c.get('host_ms'))} |")
for r in rows:
    for side in ("ours_cufft", "ours_exact"):
        if r[side].get("check"):
            print(f"{r['program']} {side}: {r[side]['check']}")
        if r[side].get("error"):
            print(f"{r['program']} {side} ERROR: {r[side]['error']}")
