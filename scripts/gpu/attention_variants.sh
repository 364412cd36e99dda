#!/usr/bin/env bash
# Issue 13 on the GPU machine: every program of tests/attention (JAX's own exports: causal,
# bottom-right decode, grouped-query, padding mask, bf16 bias, head dim 256) checked against
# the f64 oracle, then timed fused against unfused (NVGPU_FUSED_ATTENTION=0).
# Carry .build-gpu.   OUT=DIR scripts/gpu/attention_variants.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
nvidia-smi --query-gpu=name --format=csv,noheader
{
for p in tests/attention/*.mlir; do
    echo "== $p"
    timeout 200 /tmp/nv bench "$p" --random-inputs --check --runs 3 --warmup 1 --check-time-limit 180 2>&1 | grep -E "^check|error:" | head -3
done
} | tee "$out/checks.log"
RUNS=20 bash scripts/gpu/ab.sh $(for p in tests/attention/*.mlir; do echo "NVGPU_FUSED_ATTENTION=0 $p"; done) | tee "$out/ab.log"
