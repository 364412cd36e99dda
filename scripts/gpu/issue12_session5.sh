#!/usr/bin/env bash
# Issue 12, fifth session, on the GPU machine: the implicit-GEMM convolution kernel checked
# against the f64 oracle (tests/conv_narrow), A/B against cuDNN (NVGPU_IMPLICIT_GEMM_CONV=0:
# the stem then runs padded to 16 features through cuDNN), 1x1 convolutions as cuBLASLt
# matmuls against cuDNN (NVGPU_CONV_AS_MATMUL=0), channels-first depthwise rows
# (NVGPU_DEPTHWISE_ROWS=0), and the touched suite workloads
# against every peer. Carry .build-gpu.   OUT=DIR [SUITE=0] [QUICK=1] scripts/gpu/issue12_session5.sh
# QUICK=1 (a short device budget): six checks, six A/B pairs, XLA as the only peer.
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
nvidia-smi --query-gpu=name --format=csv,noheader
{
checks=(tests/conv_narrow/[!t]*.mlir)
[[ ${QUICK:-0} == 1 ]] && checks=(tests/conv_narrow/{stem7x7_s2_bf16,grouped3x3_g32_bf16,depthwise7x7_nchw_rows_f16,pointwise1x1_bf16,conv3x3_c8_f16,stem3x3_nchw_f16}.mlir)
for p in "${checks[@]}"; do
    echo "== $p"
    timeout 120 /tmp/nv bench "$p" --random-inputs --check --runs 3 --warmup 1 --check-time-limit 100 2>&1 | grep -E "^check|error:" | head -3
done
} | tee "$out/checks.log"
args=()
timed=(bench/suite/conv7x7_s2_stem_bf16.mlir bench/suite/conv_grouped3x3_bf16.mlir tests/conv_narrow/time_*.mlir
       tests/conv_narrow/stem7x7_s2_bf16.mlir tests/conv_narrow/grouped3x3_g32_bf16.mlir)
[[ ${QUICK:-0} == 1 ]] && timed=(bench/suite/conv7x7_s2_stem_bf16.mlir bench/suite/conv_grouped3x3_bf16.mlir
                                  tests/conv_narrow/time_conv3x3_c8_k64_bf16.mlir tests/conv_narrow/time_stem5x5_s2_f16.mlir)
for p in "${timed[@]}"; do
    args+=("NVGPU_IMPLICIT_GEMM_CONV=0 $p")
done
args+=("NVGPU_CONV_AS_MATMUL=0 bench/suite/conv1x1_bf16.mlir")
args+=("NVGPU_DEPTHWISE_ROWS=0 bench/suite/conv_depthwise7x7_nchw_f16.mlir")
RUNS=30 bash scripts/gpu/ab.sh "${args[@]}" | tee "$out/ab.log"
[[ ${SUITE:-1} == 1 ]] && OUT=$out/suite TORCH=$((1 - ${QUICK:-0})) CHECK=$((1 - ${QUICK:-0})) RUNS=20 COMMIT=$(cat .build-gpu/commit) PEER_TIMEOUT=120 \
    ONLY=${ONLY:-conv7x7_s2_stem_bf16,conv_grouped3x3_bf16,conv1x1_bf16,conv_depthwise7x7_nchw_f16} \
    timeout 200 bash scripts/gpu/suite.sh | tail -8
