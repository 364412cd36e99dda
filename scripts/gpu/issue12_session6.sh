#!/usr/bin/env bash
# Issue 12, sixth session, on the GPU machine: the channels-first depthwise kernel's aligned
# 16-byte column chunks checked against the f64 oracle and A/B-timed (NVGPU_DEPTHWISE_CHUNKS=0),
# the implicit-GEMM stem A/B again, then the whole suite against every peer (grouped narrow
# convolutions back on cuDNN, bounds-check-free tiled transposes, single-rounding stores).
# Carry .build-gpu.   OUT=DIR [SUITE=0] scripts/gpu/issue12_session6.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
nvidia-smi --query-gpu=name --format=csv,noheader
{
for p in tests/conv_narrow/depthwise*.mlir tests/conv_narrow/grouped3x3_g32_bf16.mlir tests/conv_narrow/stem7x7_s2_bf16.mlir; do
    echo "== $p"
    timeout 120 /tmp/nv bench "$p" --random-inputs --check --runs 3 --warmup 1 --check-time-limit 100 2>&1 | grep -E "^check|error:" | head -3
done
} | tee "$out/checks.log"
RUNS=30 bash scripts/gpu/ab.sh \
    "NVGPU_DEPTHWISE_CHUNKS=0 bench/suite/conv_depthwise7x7_nchw_f16.mlir" \
    "NVGPU_DEPTHWISE_CHUNKS=0 tests/conv_narrow/depthwise5x5_nchw_chunks_bf16.mlir" \
    "NVGPU_IMPLICIT_GEMM_CONV=0 bench/suite/conv7x7_s2_stem_bf16.mlir" \
    "NVGPU_TRANSPOSE_PAIRS=1 bench/suite/transpose3d_gelu_bf16.mlir" \
    "NVGPU_TRANSPOSE_PAIRS=1 bench/suite/transpose4d_0231_f16.mlir" | tee "$out/ab.log"
[[ ${SUITE:-1} == 1 ]] && OUT=$out/suite TORCH=1 CHECK=1 RUNS=20 COMMIT=$(cat .build-gpu/commit) PEER_TIMEOUT=150 \
    timeout 470 bash scripts/gpu/suite.sh | tail -8
