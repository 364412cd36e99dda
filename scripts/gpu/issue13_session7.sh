#!/usr/bin/env bash
# Issue 13, seventh session, on the GPU machine (one call): nvgpu on the attention workloads
# timed against the peers already timed this session (bench/results/...-issue13-attention-peers.json,
# same machine kind) and checked against the reference; the decode schedule A/B
# (NVGPU_ATTENTION_DECODE=0); cuDNN through JAX re-timed on the padding-mask workload (its mask
# now spelled [batch, 1, queries, keys]); then issue 12's checks and A/B pairs (SUITE=0).
# Carry .build-gpu.   OUT=DIR scripts/gpu/issue13_session7.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
PEERS=bench/results/2026-12-07-NVIDIA-H100-80GB-HBM3-issue13-attention-peers.json OUT=$out/attention NVGPU_LIMIT=230 \
    bash scripts/gpu/issue13_attention_suite.sh
RUNS=30 bash scripts/gpu/ab.sh \
    "NVGPU_ATTENTION_DECODE=0 bench/suite/attention/attn_decode_s8k_d128_bf16.mlir" \
    "NVGPU_ATTENTION_DECODE=0 bench/suite/attention/attn_decode_gqa_s8k_d128_bf16.mlir" \
    "NVGPU_ATTENTION_DECODE=0 tests/attention/causal_decode_bf16_d128.mlir" | tee "$out/decode-ab.log"
mkdir -p "$out/mask-peer"
BENCH_ONLY=attn_mask_s1024_d64_bf16 timeout 60 python3 bench/suite/attention/export_and_time_jax.py bench-jax "$out/mask-peer" 2>&1 | tail -n 2
SUITE=0 OUT=$out/issue12 timeout 200 bash scripts/gpu/issue12_session6.sh | tail -n 30
