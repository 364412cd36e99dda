#!/usr/bin/env bash
# Everything the ninth session left for the GPU, in one call of the per-call limit (~8 min):
# (1) issue 14's drill with the sticky cases in child processes, the CLI faults and the soak;
# (2) issue 13's cuDNN attention check (small variants with cuDNN forced, workloads auto vs
#     kernel); (3) issue 12's GEMM algorithm timing A/B (NVGPU_TUNING=0 against the default)
#     on the GEMM workloads of bench/suite, each pair in one process set.
# Carry .build-gpu.   OUT=DIR scripts/gpu/next_session.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
OUT=$out/i14 timeout 170 bash scripts/gpu/issue14_reliability.sh > "$out/i14-console.txt" 2>&1
grep -E "^(PASS|FAIL)|faults:|soak:|exit status" "$out/i14-console.txt"
OUT=$out/i13 timeout 250 bash scripts/gpu/issue13_cudnn.sh > "$out/i13-console.txt" 2>&1
grep -E "^passed|: (auto|default) " "$out/i13-console.txt" | head -n 40
# Each pair: default (timed algorithm choice, a fresh cache) vs the heuristic's first choice.
export NVGPU_CACHE_DIR=/tmp/nvgpu-tuning-ab
pairs=()
for program in bench/suite/gemm_*.mlir bench/suite/conv1x1_bf16.mlir; do pairs+=("NVGPU_TUNING=0 $program"); done
RUNS=30 timeout 150 bash scripts/gpu/ab.sh "${pairs[@]}" | tee "$out/tuning-ab.log"
rm -rf /tmp/nvgpu-tuning-ab
