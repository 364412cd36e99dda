#!/usr/bin/env bash
# Row reductions on the GPU machine (docs/row-kernels.md): correctness, then timing.
#
#   OUT=DIR scripts/gpu/row_kernels.sh PATH/TO/nvgpu WORKLOADS_DIR [CONFORMANCE_DIR]
#
# 1. bench --random-inputs --check (f64 oracle) on every tests/row_kernels program and on the
#    scaled-down workloads that hold row reductions                        -> checks.log
# 2. nvgpu conformance --device=cuda, when CONFORMANCE_DIR is given        -> conf.log
# 3. full-size softmax/layernorm: on-chip (default, 16 positions per thread, no launch-bound
#    hint) vs strided shape
#                                                                          -> ab.log
# 4. bench/compare.py: XLA, Inductor, eager and nvgpu on softmax_f32, layernorm_bf16,
#    ew_chain_f32, reduce_sum_f32 in one run                               -> compare.log, results/
# Exit status 0 only when every check passed.
set -u
nvgpu=${1:?usage: OUT=DIR row_kernels.sh PATH/TO/nvgpu WORKLOADS_DIR [CONFORMANCE_DIR]}
workloads=${2:?usage: OUT=DIR row_kernels.sh PATH/TO/nvgpu WORKLOADS_DIR [CONFORMANCE_DIR]}
suite=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
export NVGPU_CACHE_DIR=${NVGPU_CACHE_DIR:-/tmp/nvgpu-rows-cache}
failed=0

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | tee "$out/machine.log"

small=/tmp/rows-small
python3 "$root/tools/shrink_workloads.py" "$workloads" "$small" >/dev/null
{
    for mlir in "$root"/tests/row_kernels/*.mlir "$small"/{softmax_f32,layernorm_bf16,attention_bf16,gpt_block_bf16}.mlir; do
        echo "=== $(basename "$mlir" .mlir)"
        if ! timeout 300 "$nvgpu" bench "$mlir" --random-inputs --check --runs 3 --warmup 1 \
                --check-time-limit 60 2>&1 | grep -E "^check|error:"; then
            echo "FAILED: no check output"
        fi
    done
} >"$out/checks.log" 2>&1
cat "$out/checks.log"
if grep -q "FAIL" "$out/checks.log" || ! grep -q "check: passed" "$out/checks.log"; then
    failed=1
fi

if [[ -n $suite ]]; then
    start=$(date +%s)
    "$nvgpu" conformance "$suite" --device=cuda --jobs "$(nproc)" --timeout 60 \
        --known-failures "$root/conformance/cuda_known_failures.txt" >"$out/conf.log" 2>&1 || failed=1
    echo "conformance exit $? after $(( $(date +%s) - start )) s" >>"$out/conf.log"
    tail -n 30 "$out/conf.log"
fi

{
    for name in softmax_f32 layernorm_bf16; do
        for mode in "NVGPU_ROW_ON_CHIP=0" "NVGPU_ROW_ON_CHIP=1" "NVGPU_ROW_ELEMENTS=16" "NVGPU_ROW_MIN_BLOCKS=0"; do
            echo "=== $name $mode"
            env "$mode" "$nvgpu" bench "$workloads/$name.mlir" --random-inputs --runs 50 --warmup 5 2>&1 | grep -E "back-to-back|single call|floor"
        done
    done
} >"$out/ab.log" 2>&1
cat "$out/ab.log"

python3 "$root/bench/compare.py" --nvgpu "$nvgpu" --workloads "$workloads" --out "$out/results" \
    --only softmax_f32,layernorm_bf16,ew_chain_f32,reduce_sum_f32 >"$out/compare.log" 2>&1 || failed=1
cat "$out/compare.log"
exit $failed
