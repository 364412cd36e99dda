#!/usr/bin/env python3
"""Exports small JAX models as StableHLO fixtures for `nvgpu run`.

For each model NAME this writes tests/fixtures/NAME/NAME.mlir (the lowered program,
`jax.jit(f).lower(*args).as_text()`), input_K.npy for each argument and expected_K.npy
for each result, computed by JAX on the CPU. Arrays of ml_dtypes types (bfloat16) are
saved as NumPy writes them (`|V2`); `nvgpu run` types them from the function signature.

Usage: python3 tools/export_fixtures.py [OUT_DIR]   (default: tests/fixtures)
Needs: pip install "jax[cpu]" numpy
"""
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_platforms", "cpu")


def mlp(x, w1, b1, w2, b2):
    h = jax.nn.relu(x @ w1 + b1)
    return h @ w2 + b2


def layernorm(x, gamma, beta):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + 1e-5) * gamma + beta


def softmax(x):
    return jax.nn.softmax(x, axis=-1)


def attention(q, k, v):
    scores = jnp.einsum("bqd,bkd->bqk", q, k) / jnp.sqrt(jnp.float32(q.shape[-1]))
    return jnp.einsum("bqk,bkd->bqd", jax.nn.softmax(scores, axis=-1), v)


def conv_net(x, k1, k2, w):
    dn = ("NHWC", "HWIO", "NHWC")
    h = jax.lax.conv_general_dilated(x, k1, (1, 1), "SAME", dimension_numbers=dn)
    h = jax.nn.relu(h)
    h = jax.lax.conv_general_dilated(h, k2, (2, 2), "VALID", dimension_numbers=dn)
    h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 1, 1, 1), "VALID")
    return jnp.mean(h, axis=(1, 2)) @ w


def mlp_bf16(x, w1, w2):
    return jax.nn.gelu(x @ w1, approximate=True) @ w2


def models(rng):
    f32 = np.float32

    def normal(*shape, dtype=f32, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(dtype)

    yield "mlp", mlp, [normal(4, 8), normal(8, 16, scale=0.3), normal(16), normal(16, 3, scale=0.3), normal(3)]
    yield "layernorm", layernorm, [normal(3, 32), normal(32), normal(32)]
    yield "softmax", softmax, [normal(4, 10, scale=3.0)]
    yield "attention", attention, [normal(2, 5, 8), normal(2, 6, 8), normal(2, 6, 8)]
    yield "conv_net", conv_net, [normal(2, 8, 8, 3), normal(3, 3, 3, 4, scale=0.3),
                                 normal(2, 2, 4, 6, scale=0.3), normal(6, 5)]
    bf16 = jnp.bfloat16
    yield "mlp_bf16", mlp_bf16, [normal(2, 8, dtype=bf16), normal(8, 8, dtype=bf16, scale=0.3),
                                 normal(8, 4, dtype=bf16, scale=0.3)]


def main():
    out_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "fixtures")
    rng = np.random.default_rng(0)
    for name, fn, args in models(rng):
        folder = os.path.join(out_root, name)
        os.makedirs(folder, exist_ok=True)
        jitted = jax.jit(fn)
        text = jitted.lower(*args).as_text()
        with open(os.path.join(folder, name + ".mlir"), "w") as f:
            f.write(text)
        results = jitted(*args)
        if not isinstance(results, (tuple, list)):
            results = [results]
        for k, a in enumerate(args):
            np.save(os.path.join(folder, f"input_{k}.npy"), np.asarray(a))
        for k, r in enumerate(results):
            np.save(os.path.join(folder, f"expected_{k}.npy"), np.asarray(r))
        print(f"{name}: {len(args)} inputs, {len(results)} results -> {folder}")


if __name__ == "__main__":
    main()
