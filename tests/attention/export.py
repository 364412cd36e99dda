"""Exports attention programs in the spellings JAX users write (einsum + softmax with causal
masks, key padding masks, additive biases, grouped-query heads, head dim 256) to
tests/attention/*.mlir, for `scripts/gpu/attention_variants.sh` to check and time on the GPU.

  .venv/bin/python tests/attention/export.py
"""
import math
import os
import jax
import jax.numpy as jnp

HERE = os.path.dirname(os.path.abspath(__file__))
BF16 = jnp.bfloat16


def attention(q, k, v, mask=None, bias=None, causal=False):
    d = q.shape[-1]
    s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / jnp.sqrt(d).astype(q.dtype)
    s = s.astype(jnp.float32)
    if bias is not None:
        s = s + bias.astype(jnp.float32)
    if causal:
        keep = jnp.tril(jnp.ones((q.shape[2], k.shape[2]), bool), k.shape[2] - q.shape[2])
        s = jnp.where(keep, s, -jnp.inf)
    if mask is not None:
        s = jnp.where(mask[:, None, None, :], s, -0.7 * jnp.finfo(jnp.float32).max)
    p = jax.nn.softmax(s, axis=-1).astype(q.dtype)
    return jnp.einsum("bhqk,bhkd->bhqd", p, v)


def bshd_attention(q, k, v):
    """BSHD einsums with the query scaled first: the second einsum ("bhqk,bkhd->bqhd")
    exports as V·P, a (batch, head, head dim, query) product transposed to BSHD."""
    q = q * jnp.asarray(1 / math.sqrt(q.shape[-1]), q.dtype)
    s = jnp.einsum("bqhd,bkhd->bhqk", q, k).astype(jnp.float32)
    p = jax.nn.softmax(s, axis=-1).astype(q.dtype)
    return jnp.einsum("bhqk,bkhd->bqhd", p, v)


def spec(*shape, dtype=BF16):
    return jax.ShapeDtypeStruct(shape, dtype)


PROGRAMS = {
    "causal_bf16_d64": (lambda q, k, v: attention(q, k, v, causal=True), [spec(4, 16, 2048, 64)] * 3),
    "causal_decode_bf16_d128": (lambda q, k, v: attention(q, k, v, causal=True),
                                [spec(8, 32, 16, 128), spec(8, 32, 4096, 128), spec(8, 32, 4096, 128)]),
    "gqa_bf16_d128": (lambda q, k, v: attention(q, jnp.repeat(k, 4, axis=1), jnp.repeat(v, 4, axis=1), causal=True),
                      [spec(4, 32, 2048, 128), spec(4, 8, 2048, 128), spec(4, 8, 2048, 128)]),
    "padding_mask_bf16_d64": (lambda q, k, v, m: attention(q, k, v, mask=m),
                              [spec(8, 16, 1024, 64)] * 3 + [spec(8, 1024, dtype=jnp.bool_)]),
    "head_bias_bf16_d64": (lambda q, k, v, b: attention(q, k, v, bias=b),
                           [spec(4, 16, 1024, 64)] * 3 + [spec(16, 1024, 1024)]),
    "plain_bf16_d256": (lambda q, k, v: attention(q, k, v), [spec(2, 8, 2048, 256)] * 3),
    "bshd_scale_first_bf16_d128": (bshd_attention, [spec(4, 2048, 16, 128)] * 3),
}

# Small shapes of the same spellings, for the host emulation of the kernel (AttentionHostEmulationTests).
SMALL = {
    "bshd_scale_first_bf16_d64": (bshd_attention, [spec(2, 80, 2, 64), spec(2, 96, 2, 64), spec(2, 96, 2, 64)]),
    # jax.nn.dot_product_attention's own spelling: a unit group axis on the query, moved by transposes.
    "dpa_causal_bf16_d64": (lambda q, k, v: jax.nn.dot_product_attention(q, k, v, is_causal=True, implementation="xla"),
                            [spec(2, 80, 2, 64)] * 3),
}

if __name__ == "__main__":
    for name, (fn, args) in PROGRAMS.items():
        text = jax.jit(fn).lower(*args).as_text()
        with open(os.path.join(HERE, f"{name}.mlir"), "w") as f:
            f.write(text)
        print("exported", name)
    os.makedirs(os.path.join(HERE, "small"), exist_ok=True)
    for name, (fn, args) in SMALL.items():
        with open(os.path.join(HERE, "small", f"{name}.mlir"), "w") as f:
            f.write(jax.jit(fn).lower(*args).as_text())
        print("exported small/" + name)
