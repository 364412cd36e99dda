#!/usr/bin/env bash
# The StableHLO conformance suite on the GPU machine (no Swift there: build the binary with
# `swift build -c release --static-swift-stdlib` and carry it with the suite).
#
#   OUT=DIR scripts/gpu/conformance.sh PATH/TO/nvgpu SUITE_DIR [extra conformance flags...]
#
# Runs `nvgpu conformance --device=cuda` with one kernel cache shared by the workers and
# the known-failures list of the repository; writes conf.json and conf.log to $OUT.
# Exit status: the command's (0 when every failure is a listed one).
set -uo pipefail

nvgpu=${1:?usage: OUT=DIR conformance.sh PATH/TO/nvgpu SUITE_DIR [flags...]}
suite=${2:?usage: OUT=DIR conformance.sh PATH/TO/nvgpu SUITE_DIR [flags...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
export NVGPU_CACHE_DIR=${NVGPU_CACHE_DIR:-/tmp/nvgpu-conformance-cache}
jobs=${JOBS:-$(nproc)}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$out/machine.log"
start=$(date +%s)
"$nvgpu" conformance "$suite" --device=cuda --jobs "$jobs" --timeout "${CASE_TIMEOUT:-60}" \
    --json "$out/conf.json" --known-failures "$root/conformance/cuda_known_failures.txt" "$@" \
    >"$out/conf.log" 2>&1
status=$?
echo "exit $status after $(( $(date +%s) - start )) s" | tee -a "$out/conf.log"
tail -n 120 "$out/conf.log"
exit $status
