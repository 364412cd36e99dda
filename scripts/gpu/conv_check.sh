#!/usr/bin/env bash
# Convolution on the GPU machine: where cuDNN is and what it exports, then every case
# written by tools/conv_check_cases.py checked against the reference backend (f64 oracle)
# on fresh random inputs through cuDNN and through the generated kernel, then the
# conv3x3_relu_bf16 workload timed against XLA (bench/compare.py) and on the generated path.
#
#   OUT=DIR scripts/gpu/conv_check.sh PATH/TO/nvgpu CASES_DIR WORKLOADS_DIR
set -u
nvgpu=$1; cases=$2; workloads=$3
out=${OUT:-$(mktemp -d)}
mkdir -p "$out/logs"
export NVGPU_CACHE_DIR=$out/cache
here=$(cd "$(dirname "$0")" && pwd)

echo "== cuDNN on this machine"
ldconfig -p | grep -i cudnn || echo "(not on the loader path)"
site=$(python3 -c 'import nvidia.cudnn, os; print(os.path.dirname(nvidia.cudnn.__file__) + "/lib")' 2>/dev/null)
echo "nvidia-cudnn wheel lib: ${site:-none}"; ls "$site" 2>/dev/null | head -20
lib=$(ls "$site"/libcudnn.so.9 2>/dev/null || true)
if [[ -n $lib ]]; then
    for s in cudnnConvolutionForward cudnnFindConvolutionForwardAlgorithmEx cudnnGetConvolutionForwardAlgorithm_v7 cudnnSetConvolutionGroupCount cudnnGetVersion; do
        printf '%-45s %s\n' "$s" "$(nm -D --defined-only "$lib" 2>/dev/null | grep -cw "$s")"
    done
fi

echo "== correctness: GPU vs the reference backend (f64 oracle), seed 11"
pass=0; fail=0
printf '%-62s %-10s %-10s %s\n' case cuDNN-path generated path > "$out/conv-check.txt"
for f in "$cases"/*.mlir; do
    name=$(basename "$f" .mlir)
    path=$(timeout 120 "$nvgpu" compile "$f" -o "$out/logs/$name.nvx" --report 2>&1 | grep -A1 '^convolutions' | tail -1 | sed 's/^ *//' | cut -c1-60)
    verdicts=()
    for mode in vendor generated; do
        extra=(); [[ $mode == generated ]] && extra=(--no-vendor-libs)
        log="$out/logs/$name-$mode.log"
        timeout 180 "$nvgpu" bench "$f" --random-inputs --seed 11 --check --runs 2 --warmup 1 "${extra[@]}" >"$log" 2>&1
        if grep -q "check: passed" "$log"; then
            verdicts+=("ok:$(grep -o 'max error [^ ]*' "$log" | head -1 | cut -d' ' -f3)"); pass=$((pass + 1))
        else
            verdicts+=("FAIL:$(grep -o 'max error [^ ]*' "$log" | head -1 | cut -d' ' -f3)"); fail=$((fail + 1))
            tail -3 "$log" | sed "s/^/    $name $mode: /"
        fi
    done
    printf '%-62s %-10s %-10s %s\n' "$name" "${verdicts[0]}" "${verdicts[1]}" "$path" | tee -a "$out/conv-check.txt"
done
echo "checks: $pass passed, $fail failed" | tee -a "$out/conv-check.txt"

echo "== workload: cuDNN path vs XLA"
PYTHONUNBUFFERED=1 timeout 420 python3 "${COMPARE:-$here/../../bench/compare.py}" --nvgpu "$nvgpu" --workloads "$workloads" \
    --out "$out" --only conv3x3_relu_bf16 --skip-torch --nvgpu-timeout 200 2>&1 | tail -25
echo "== workload: cuDNN with the bias add and ReLU as a generated kernel (NVGPU_CONV_EPILOGUE=0)"
NVGPU_CONV_EPILOGUE=0 timeout 200 "$nvgpu" bench "$workloads/conv3x3_relu_bf16.mlir" --random-inputs --runs 20 2>&1 | tail -6
echo "== workload: cuDNN with bias+ReLU folded, again (same binary, same card)"
timeout 200 "$nvgpu" bench "$workloads/conv3x3_relu_bf16.mlir" --random-inputs --runs 20 2>&1 | tail -6
echo "== workload: generated kernel (--no-vendor-libs)"
timeout 200 "$nvgpu" bench "$workloads/conv3x3_relu_bf16.mlir" --random-inputs --runs 3 --warmup 1 --no-vendor-libs 2>&1 | tail -8
