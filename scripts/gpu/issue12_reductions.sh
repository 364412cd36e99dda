#!/usr/bin/env bash
# One device call for issue 12's reduction merges (sibling reductions in one kernel, a
# selecting reduce merged with its sibling): GPU conformance, the affected bench/suite
# programs checked against the reference on random inputs, then the whole suite timed
# against XLA (and PyTorch with TORCH=1). Carry .build-gpu with nvgpu.gz,
# conformance.tar.gz and commit.
#
#   OUT=DIR [TORCH=1] [RUNS=20] scripts/gpu/issue12_reductions.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
mkdir -p /tmp/conf && tar xzf .build-gpu/conformance.tar.gz -C /tmp/conf
echo "nvgpu $(cat .build-gpu/commit) on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
OUT=$out/conformance JOBS=16 bash scripts/gpu/conformance.sh /tmp/nv /tmp/conf/conformance > "$out/conformance-tail.log" 2>&1
grep -E "passed:|known failures|unexpected" "$out/conformance/conf.log" | tail -n 4
for f in tests/sibling_reductions/*.mlir bench/suite/many_tiny_ops_f32.mlir; do
    echo "$(basename $f): $(timeout 45 /tmp/nv bench $f --random-inputs --runs 5 --check --check-time-limit 30 2>&1 | grep -E '^check: ' | head -1)"
done
OUT=$out/suite COMMIT=$(cat .build-gpu/commit) RUNS=${RUNS:-20} TORCH=${TORCH:-0} bash scripts/gpu/suite.sh 2>&1 | tail -n 72
