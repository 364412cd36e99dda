#!/usr/bin/env bash
# Issue 12's layout kernels on the GPU machine: every tests/layout_kernels program checked
# against the reference backend (nvgpu bench --check, random inputs), then timed with the
# tiled transpose / column reduction / split-row kernels, duplicated producers and the
# convolution layout pass on and off (NVGPU_TILED_TRANSPOSE=0, NVGPU_COLUMN_REDUCTION=0,
# NVGPU_DUPLICATE_PRODUCERS=0, NVGPU_SPLIT_ROWS=0, NVGPU_CONV_LAYOUT=0, NVGPU_FUSED_ARG_REDUCE=0)
# in the same run.
# Carry .build-gpu with nvgpu.gz.
#
#   OUT=DIR [SUITE_PROGRAMS="a b"] scripts/gpu/layout_check.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:?set OUT}
mkdir -p "$out" /tmp/layout
gunzip -c "$root/.build-gpu/nvgpu.gz" > /tmp/layout/nvgpu && chmod +x /tmp/layout/nvgpu
export NVGPU_CACHE_DIR=/tmp/nvgpu-layout-cache
failed=0
for f in "$root"/tests/layout_kernels/*.mlir; do
    n=$(basename "$f" .mlir)
    if /tmp/layout/nvgpu bench "$f" --random-inputs --runs 5 --check --check-time-limit 120 > "$out/check_$n.log" 2>&1 \
        && grep -q "^check: passed" "$out/check_$n.log"; then
        echo "check $n: passed"
    else
        echo "check $n: FAILED"; tail -n 5 "$out/check_$n.log"; failed=1
    fi
done
# On and off, the same binary, back to back.
programs=("$root"/tests/layout_kernels/*.mlir)
for w in ${SUITE_PROGRAMS:-transpose2d_f32 transpose2d_add_f32 transpose3d_021_f32 transpose3d_210_f32 transpose4d_0312_f32 \
         transpose4d_0231_f16 transpose4d_3210_f32 transpose3d_gelu_bf16 reduce_col_f32 reduce_col_f16 \
         reduce_middle_f32 reduce_outer2_f32 batchnorm_stats_bf16}; do
    [[ -f "$root/bench/suite/$w.mlir" ]] && programs+=("$root/bench/suite/$w.mlir")
done
for f in "${programs[@]}"; do
    n=$(basename "$f" .mlir)
    on=$(/tmp/layout/nvgpu bench "$f" --random-inputs --runs "${RUNS:-50}" --json "$out/on_$n.json" 2>&1 | grep -m1 "back-to-back")
    off=$(NVGPU_TILED_TRANSPOSE=0 NVGPU_COLUMN_REDUCTION=0 NVGPU_DUPLICATE_PRODUCERS=0 NVGPU_SPLIT_ROWS=0 NVGPU_CONV_LAYOUT=0 NVGPU_FUSED_ARG_REDUCE=0 /tmp/layout/nvgpu bench "$f" --random-inputs --runs "${RUNS:-50}" --json "$out/off_$n.json" 2>&1 | grep -m1 "back-to-back")
    echo "$n | on: $on | off: $off"
done
exit $failed
