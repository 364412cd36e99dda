#!/usr/bin/env bash
# Issue 12, fourth session, on the GPU machine: correctness of the new reduction shapes
# (f64-oracle checks), A/B of their knobs, and the touched workloads against every peer.
# Carry .build-gpu.   OUT=DIR scripts/gpu/issue12_session4.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
nvidia-smi --query-gpu=name --format=csv,noheader
{
for p in tests/row_kernels/*.mlir bench/suite/batchnorm_stats_bf16.mlir bench/suite/softmax_3rows_f32.mlir \
         bench/suite/logsoftmax_vocab_f32.mlir bench/suite/transpose4d_0231_f16.mlir; do
    echo "== $p"
    timeout 200 /tmp/nv bench "$p" --random-inputs --check --runs 3 --warmup 1 --check-time-limit 100 2>&1 | grep -E "^check|error:" | head -3
done
} | tee "$out/checks.log"
RUNS=30 bash scripts/gpu/ab.sh \
    "NVGPU_ONE_PASS_VARIANCE=0 bench/suite/batchnorm_stats_bf16.mlir" \
    "NVGPU_ONLINE_SOFTMAX=0 bench/suite/softmax_3rows_f32.mlir" \
    "NVGPU_ONLINE_SOFTMAX=0 tests/row_kernels/softmax_f32_2x40000.mlir" \
    "NVGPU_FUSED_ARG_REDUCE=0 bench/suite/argmin_col_bf16.mlir" \
    "NVGPU_FUSED_ARG_REDUCE=0 tests/row_kernels/argmax_f32_3x50000.mlir" \
    "NVGPU_TRANSPOSE_GROUP=0 bench/suite/transpose4d_0231_f16.mlir" \
    "NVGPU_TRANSPOSE_PAIRS=1 bench/suite/transpose4d_0231_f16.mlir" \
    "NVGPU_TRANSPOSE_PAIRS=1 bench/suite/transpose3d_gelu_bf16.mlir" | tee "$out/ab.log"
OUT=$out/suite TORCH=1 CHECK=1 RUNS=20 COMMIT=$(cat .build-gpu/commit) PEER_TIMEOUT=120 \
    ONLY=${ONLY:-batchnorm_stats_bf16,softmax_3rows_f32,argmin_col_bf16,argmax_row_f32,transpose4d_0231_f16,transpose3d_gelu_bf16,variance_row_f32} \
    timeout 300 bash scripts/gpu/suite.sh | tail -14
