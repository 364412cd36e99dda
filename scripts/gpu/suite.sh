#!/usr/bin/env bash
# The broad workload suite (bench/suite) on the GPU machine: bench/compare.py with XLA and
# nvgpu (PyTorch and the --no-vendor-libs column when asked), one run. Carry .build-gpu with
# nvgpu.gz (see control_flow.sh).
#
#   OUT=DIR [COMMIT=HASH] [TORCH=1] [GENERIC=1] [ONLY=a,b] scripts/gpu/suite.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:?set OUT}
mkdir -p "$out" /tmp/suite
gunzip -c "$root/.build-gpu/nvgpu.gz" > /tmp/suite/nvgpu && chmod +x /tmp/suite/nvgpu
export NVGPU_CACHE_DIR=/tmp/nvgpu-suite-cache
args=(--nvgpu /tmp/suite/nvgpu --workloads "$root/bench/suite" --out "$out" --runs "${RUNS:-20}")
[[ ${TORCH:-0} == 1 ]] || args+=(--skip-torch)
[[ ${GENERIC:-0} == 1 ]] || args+=(--skip-generic)
[[ -n ${ONLY:-} ]] && args+=(--only "$ONLY")
BENCH_COMMIT=${COMMIT:-unknown} python3 "$root/bench/compare.py" "${args[@]}" 2>"$out/compare.stderr.log"
status=$?
echo "compare.py exit $status"
tail -n 5 "$out/compare.stderr.log"
cat "$out"/*.md 2>/dev/null | head -n 90
exit $status
