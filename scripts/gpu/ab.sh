#!/usr/bin/env bash
# A/B timings of code-generation knobs on the GPU machine, each pair in one process set on
# one warm GPU: for every "VAR=VALUE program.mlir" argument, the program's back-to-back time
# with the default build and with VAR=VALUE (RUNS each, random inputs). Carry .build-gpu.
#
#   RUNS=20 scripts/gpu/ab.sh "NVGPU_ROW_MIN_BLOCKS=0 bench/suite/cross_entropy_bf16.mlir" ...
set -u
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv-ab && chmod +x /tmp/nv-ab
time_of() { timeout 60 env "$1" /tmp/nv-ab bench "$2" --random-inputs --runs "${RUNS:-20}" 2>&1 | grep -oE 'back-to-back: [0-9.]+ ms' | grep -oE '[0-9.]+'; }
for pair in "$@"; do
    setting=${pair%% *}; program=${pair#* }
    default=$(time_of NVGPU_AB=default "$program"); knob=$(time_of "$setting" "$program")
    echo "$(basename "$program" .mlir): default ${default:-failed} ms, $setting ${knob:-failed} ms"
done
