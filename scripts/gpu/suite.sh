#!/usr/bin/env bash
# The broad workload suite (bench/suite) on the GPU machine: bench/compare.py with XLA and
# nvgpu (PyTorch and the --no-vendor-libs column when asked), one run. Carry .build-gpu with
# nvgpu.gz (see control_flow.sh).
#
# PEERS_ONLY=1 times only the peers; PEERS_FROM=JSON (that call's JSON, carried back) times
# nvgpu against them: one run split over two calls of the per-call limit.
# CHECK=1 also checks every workload against the reference on the same inputs (8 at once).
#
# SUITE_DIR=bench/suite/attention runs another folder (default bench/suite).
#
#   OUT=DIR [COMMIT=HASH] [TORCH=1] [GENERIC=1] [CHECK=1] [ONLY=a,b] [PEERS_ONLY=1 | PEERS_FROM=JSON] scripts/gpu/suite.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:?set OUT}
mkdir -p "$out" /tmp/suite
gunzip -c "$root/.build-gpu/nvgpu.gz" > /tmp/suite/nvgpu && chmod +x /tmp/suite/nvgpu
export NVGPU_CACHE_DIR=/tmp/nvgpu-suite-cache
args=(--nvgpu /tmp/suite/nvgpu --workloads "$root/${SUITE_DIR:-bench/suite}" --out "$out" --runs "${RUNS:-20}")
[[ ${TORCH:-0} == 1 ]] || args+=(--skip-torch)
[[ ${GENERIC:-0} == 1 ]] || args+=(--skip-generic)
[[ -n ${ONLY:-} ]] && args+=(--only "$ONLY")
[[ ${PEERS_ONLY:-0} == 1 ]] && args+=(--skip-nvgpu)
[[ -n ${PEER_TIMEOUT:-} ]] && args+=(--timeout "$PEER_TIMEOUT")
[[ -n ${PEERS_FROM:-} ]] && args+=(--peers-from "$PEERS_FROM")
[[ ${CHECK:-0} == 1 ]] && args+=(--check --check-jobs "${CHECK_JOBS:-8}" --check-time-limit "${CHECK_TIME_LIMIT:-60}")
BENCH_COMMIT=${COMMIT:-unknown} python3 "$root/bench/compare.py" "${args[@]}" 2>"$out/compare.stderr.log"
status=$?
# The kernel caches are deep folders; without them the run's folder comes back from the device.
rm -rf "$out"/compare-*/cache-*
echo "compare.py exit $status"
tail -n 5 "$out/compare.stderr.log"
cat "$out"/*.md 2>/dev/null | head -n 90
exit $status
