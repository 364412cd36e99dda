#!/usr/bin/env bash
# Issue 13 on the GPU machine: the attention workloads (bench/suite/attention) against every
# peer in one call of the per-call limit, split in two like suite.sh's PEERS_ONLY/PEERS_FROM:
# first XLA, cuDNN through JAX, eager, Inductor and SDPA; then nvgpu timed against them and
# every workload checked against the reference on the same inputs (the largest are skipped
# by the check's time limit).   Carry .build-gpu.   OUT=DIR scripts/gpu/issue13_attention_suite.sh
set -u
out=${OUT:?set OUT}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
nvidia-smi --query-gpu=name --format=csv,noheader
# PEERS=FILE.json (an earlier call's peer timings on the same kind of machine) skips the first step.
peers=${PEERS:-}
if [[ -z $peers ]]; then
    OUT=$out/peers PEERS_ONLY=1 TORCH=1 PEER_TIMEOUT=${PEER_TIMEOUT:-150} SUITE_DIR=bench/suite/attention \
        timeout 330 bash "$here/suite.sh" > "$out/peers.log" 2>&1
    tail -n 4 "$out/peers.log"
    peers=$(ls "$out"/peers/*.json 2>/dev/null | head -n 1)
fi
env OUT="$out/suite" PEERS_FROM="$peers" CHECK=1 CHECK_JOBS=12 CHECK_TIME_LIMIT="${CHECK_TIME_LIMIT:-60}" \
    SUITE_DIR=bench/suite/attention COMMIT="$(cat .build-gpu/commit)" timeout "${NVGPU_LIMIT:-250}" bash "$here/suite.sh" | tail -n 40
