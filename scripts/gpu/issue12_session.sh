#!/usr/bin/env bash
# One device call for a session of issue 12 work: GPU conformance, the listed programs
# checked against the reference on random inputs (8 at a time), then the whole bench/suite
# timed against XLA (and PyTorch with TORCH=1). Carry .build-gpu with nvgpu.gz,
# conformance.tar.gz and commit.
#
# PROFILE="a.mlir ..." adds each program's per-kernel times from Nsight Compute (ncu,
# clocks left alone) before the suite.
#
#   OUT=DIR [CHECKS="a.mlir b.mlir"] [PROFILE="..."] [TORCH=1] [CHECK=1] [RUNS=20] [ONLY=a,b] [SKIP_CONFORMANCE=1] [SKIP_SUITE=1] scripts/gpu/issue12_session.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out/checks"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
echo "nvgpu $(cat .build-gpu/commit) on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
if [[ -z ${SKIP_CONFORMANCE:-} ]]; then
    mkdir -p /tmp/conf && tar xzf .build-gpu/conformance.tar.gz -C /tmp/conf
    OUT=$out/conformance JOBS=16 bash scripts/gpu/conformance.sh /tmp/nv /tmp/conf/conformance > "$out/conformance-tail.log" 2>&1
    grep -E "passed:|known failures|unexpected" "$out/conformance/conf.log" | tail -n 4
fi
checks=${CHECKS:-"tests/sibling_reductions/*.mlir tests/lane_vectors/*.mlir bench/suite/many_tiny_ops_f32.mlir bench/suite/transpose*.mlir bench/suite/softmax_1Mrows_bf16.mlir bench/suite/layernorm_1Mrows_bf16.mlir bench/suite/rmsnorm_bf16.mlir bench/suite/cross_entropy_bf16.mlir bench/suite/batchnorm_stats_bf16.mlir bench/suite/top1_row_f32.mlir"}
check_one() {
    local f=$1 log=$2/checks/$(basename "$1" .mlir).log
    timeout 120 /tmp/nv bench "$f" --random-inputs --runs 5 --check --check-time-limit 90 > "$log" 2>&1
    echo "$(basename "$f"): $(grep -E '^check: (passed|FAIL|failed|SKIPPED)' "$log" | head -1) $(grep -E '^check:.*max' "$log" | head -1)"
}
export -f check_one
[[ $checks == none ]] || ls $checks 2>/dev/null | xargs -P 8 -I{} bash -c 'check_one "$@"' _ {} "$out" | sort
for f in ${PROFILE:-}; do
    log=$out/checks/$(basename "$f" .mlir).ncu.log
    timeout 120 ncu --clock-control none --metrics gpu__time_duration.sum --print-summary per-kernel \
        /tmp/nv bench "$f" --random-inputs --runs 2 --warmup 1 > "$log" 2>&1
    echo "ncu $(basename "$f"): exit $?, $(grep -c gpu__time_duration "$log") kernel summaries in $(basename "$log")"
done
[[ -n ${SKIP_SUITE:-} ]] && exit 0
OUT=$out/suite COMMIT=$(cat .build-gpu/commit) RUNS=${RUNS:-20} TORCH=${TORCH:-0} CHECK=${CHECK:-0} ONLY=${ONLY:-} bash scripts/gpu/suite.sh 2>&1 | tail -n 72
