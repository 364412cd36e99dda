#!/usr/bin/env bash
# Convolution directions and the depthwise kernel on the GPU machine: every
# tests/conv_directions program checked against the reference backend (nvgpu bench --check,
# random inputs), then timed with cuDNN's backward directions and the depthwise kernel on and
# off (NVGPU_CONV_DIRECTIONS=0 NVGPU_DEPTHWISE_KERNEL=0) in the same run, plus the
# bench/suite convolutions. Carry .build-gpu with nvgpu.gz.
#
#   OUT=DIR [SUITE_PROGRAMS="a b"] [RUNS=50] scripts/gpu/conv_directions.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:?set OUT}
mkdir -p "$out" /tmp/convcheck
gunzip -c "$root/.build-gpu/nvgpu.gz" > /tmp/convcheck/nvgpu && chmod +x /tmp/convcheck/nvgpu
nvgpu=/tmp/convcheck/nvgpu
export NVGPU_CACHE_DIR=/tmp/nvgpu-conv-cache
failed=0
for f in "$root"/tests/conv_directions/*.mlir; do
    n=$(basename "$f" .mlir)
    if $nvgpu bench "$f" --random-inputs --runs 5 --check --check-time-limit 200 > "$out/check_$n.log" 2>&1 \
        && grep -q "^check: passed" "$out/check_$n.log"; then
        echo "check $n: passed"
    else
        echo "check $n: FAILED"; tail -n 5 "$out/check_$n.log"; failed=1
    fi
done
programs=("$root"/tests/conv_directions/*.mlir)
for w in ${SUITE_PROGRAMS:-conv3x3_s2_bwd_input_bf16 conv3x3_bwd_filter_bf16 conv_depthwise3x3_bf16 conv_depthwise7x7_nchw_f16 \
         conv3x3_bwd_input_bf16 conv_grouped3x3_bf16}; do
    [[ -f "$root/bench/suite/$w.mlir" ]] && programs+=("$root/bench/suite/$w.mlir")
done
for f in "${programs[@]}"; do
    n=$(basename "$f" .mlir)
    on=$($nvgpu bench "$f" --random-inputs --runs "${RUNS:-50}" --json "$out/on_$n.json" 2>&1 | grep -m1 "back-to-back")
    off=$(NVGPU_CONV_DIRECTIONS=0 NVGPU_DEPTHWISE_KERNEL=0 timeout 120 $nvgpu bench "$f" --random-inputs --runs "${RUNS:-50}" --json "$out/off_$n.json" 2>&1 | grep -m1 "back-to-back")
    echo "$n | on: $on | off: $off"
done
exit $failed
