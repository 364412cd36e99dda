"""The attention workloads of the broad suite (issue 13), one table shared by
export_and_time_jax.py (export, XLA, cuDNN through JAX) and peers_torch.py (eager, Inductor,
SDPA), so that every system computes the same function on the same shapes.

Each entry: batch, query heads, K/V heads (fewer: grouped-query; 1: multi-query), query and
key lengths, head dim, dtype, layout of q/k/v and the result ("BHSD" or "BSHD"), and what the
scores get:
  causal   -- keep key j for query i when j <= i + (keys - queries) (bottom-right aligned);
  mask     -- a [batch, keys] boolean key-padding input; masked scores take JAX's finite
              fill -0.7 * f32 max (jax.nn.dot_product_attention's), so no row is NaN;
  bias     -- a [heads, queries, keys] additive input of the workload's dtype;
  spelling -- "einsum": jnp.einsum + jax.nn.softmax in f32, scaled after the first matmul
              (`scale_first`: the query is scaled before it); "dpa":
              jax.nn.dot_product_attention(implementation="xla") (BSHD only).
"""

BF16, F16 = "bfloat16", "float16"


def w(b, hq, sq, skv, d, dtype=BF16, hkv=None, layout="BHSD", causal=False, mask=False, bias=False,
      spelling="einsum", scale_first=False):
    return dict(b=b, hq=hq, hkv=hkv or hq, sq=sq, skv=skv, d=d, dtype=dtype, layout=layout, causal=causal,
                mask=mask, bias=bias, spelling=spelling, scale_first=scale_first)


WORKLOADS = {
    "attn_s128_d64_bf16": w(64, 12, 128, 128, 64),                       # short sequences, many of them
    "attn_s1024_d64_bf16": w(8, 16, 1024, 1024, 64, scale_first=True),
    "attn_s4096_d64_bf16": w(2, 16, 4096, 4096, 64),
    "attn_s2048_d128_f16": w(4, 16, 2048, 2048, 128, dtype=F16),
    "attn_bshd_s2048_d128_bf16": w(4, 16, 2048, 2048, 128, layout="BSHD"),
    "attn_s2048_d256_bf16": w(2, 8, 2048, 2048, 256),
    "attn_causal_s2048_d128_bf16": w(4, 16, 2048, 2048, 128, causal=True),
    "attn_causal_s16k_d128_bf16": w(1, 8, 16384, 16384, 128, causal=True),
    "attn_gqa_s2048_d128_bf16": w(4, 32, 2048, 2048, 128, hkv=8),
    "attn_mqa_causal_s2048_d64_f16": w(4, 16, 2048, 2048, 64, dtype=F16, hkv=1, causal=True),
    "attn_decode_s8k_d128_bf16": w(8, 32, 1, 8192, 128),                 # one new token over an 8k cache
    "attn_decode_gqa_s8k_d128_bf16": w(8, 32, 1, 8192, 128, hkv=8),
    "attn_mask_s1024_d64_bf16": w(8, 16, 1024, 1024, 64, mask=True),
    "attn_bias_s1024_d64_bf16": w(4, 16, 1024, 1024, 64, bias=True),
    "attn_dpa_causal_s2048_d64_bf16": w(4, 16, 2048, 2048, 64, layout="BSHD", causal=True, spelling="dpa"),
}

ITEMSIZE = {BF16: 2, F16: 2}


def shapes(c):
    """[(shape, dtype)] of the program's arguments: q, k, v, then the mask or the bias."""
    def qkv(h, s):
        return (c["b"], s, h, c["d"]) if c["layout"] == "BSHD" else (c["b"], h, s, c["d"])
    args = [(qkv(c["hq"], c["sq"]), c["dtype"]), (qkv(c["hkv"], c["skv"]), c["dtype"]),
            (qkv(c["hkv"], c["skv"]), c["dtype"])]
    if c["mask"]:
        args.append(((c["b"], c["skv"]), "bool"))
    if c["bias"]:
        args.append(((c["hq"], c["sq"], c["skv"]), c["dtype"]))
    return args


def flops(c):
    """Matrix flops of the two products; a causal square problem does about half of them."""
    full = 4 * c["b"] * c["hq"] * c["sq"] * c["skv"] * c["d"]
    return full // 2 if c["causal"] and c["sq"] == c["skv"] else full


def min_bytes(c):
    total = 0
    for shape, dtype in shapes(c):
        n = 1
        for e in shape:
            n *= e
        total += n * ITEMSIZE.get(dtype, 1)
    return total + c["b"] * c["hq"] * c["sq"] * c["d"] * ITEMSIZE[c["dtype"]]
