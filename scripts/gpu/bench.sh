#!/usr/bin/env bash
# Correctness, then performance, of nvgpu on the GPU machine (which has no Swift: build the
# binary with `swift build -c release --static-swift-stdlib` and pass it).
#
#   OUT=DIR scripts/gpu/bench.sh PATH/TO/nvgpu [WORKLOADS_DIR]
#
# Stages (each logs to $OUT; one failing workload or stage never stops the others):
#   1. nvgpu devices                                   -> devices.log
#   2. per workload: compile -o NAME.nvx --report       -> compile-NAME.log
#      bench --check on small versions made by tools/shrink_workloads.py (GPU vs the reference backend on
#      the same random inputs; skipped, saying so, when the reference would take over
#      NVGPU_CHECK_SECONDS)                            -> check-NAME.log, check-NAME.json
#      (NVGPU_FULL_CHECK=1 also checks the full-size workloads: slow, mostly skipped)
#      scripts/gpu/verify_against_torch.py (cuBLASLt paths vs PyTorch's f32 accumulation)
#                                                      -> verify-torch.log
#      scripts/gpu/verify_matmul_epilogues.py (every .matmul form: types, transposes,
#      batches, epilogues, as one-step executables)    -> verify-matmul.log
#   3. nvgpu conformance --device=cuda, when the binary supports it -> conformance.log
#   4. bench/compare.py: XLA, PyTorch eager/Inductor and nvgpu timed in one run
#                                                      -> compare.log, results/DATE-DEVICE.{md,json,png|svg}
# NVGPU_COMPARE=0 skips stage 4 (to fit the device tool's 10-minute calls: run
# bench/compare.py in a call of its own).
# Ends with a summary (also in $OUT/summary.txt). Exit status 0 only if every stage passed.
set -u

nvgpu=${1:?usage: OUT=DIR bench.sh PATH/TO/nvgpu [WORKLOADS_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
workloads=${2:-${NVGPU_WORKLOADS:-$root/../shared/workloads}}
out=${OUT:-$(mktemp -d)}
check_seconds=${NVGPU_CHECK_SECONDS:-300}
python=${PYTHON:-python3}
mkdir -p "$out"
nvgpu=$(cd "$(dirname "$nvgpu")" && pwd)/$(basename "$nvgpu")
export NVGPU_CACHE_DIR=${NVGPU_CACHE_DIR:-$out/cache}

summary=()
failed=0
record() {  # record STAGE STATUS DETAIL
    summary+=("$(printf '%-34s %-8s %s' "$1" "$2" "${3:-}")")
    [[ $2 == ok || $2 == skipped ]] || failed=1
}
step() { echo; echo "== $*"; }

step "machine"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || echo "nvidia-smi not available"; } | tee "$out/machine.log"

step "nvgpu devices"
if "$nvgpu" devices >"$out/devices.log" 2>&1; then record devices ok; else record devices FAIL "see devices.log"; fi
cat "$out/devices.log"

if [[ ! -d $workloads ]]; then
    record workloads FAIL "no folder $workloads"
else
    for mlir in "$workloads"/*.mlir; do
        [[ -e $mlir ]] || continue
        name=$(basename "$mlir" .mlir)
        step "$name: compile"
        if timeout 1200 "$nvgpu" compile "$mlir" -o "$out/$name.nvx" --report >"$out/compile-$name.log" 2>&1; then
            record "compile $name" ok "$(tail -1 "$out/compile-$name.log")"
        else
            record "compile $name" FAIL "$(tail -1 "$out/compile-$name.log")"
        fi
        cat "$out/compile-$name.log"
    done
fi

check() {  # check LABEL PROGRAM
    local label=$1 mlir=$2
    step "$label: bench --check"
    timeout $((check_seconds + 900)) "$nvgpu" bench "$mlir" --random-inputs --runs 5 --check \
        --check-time-limit "$check_seconds" --json "$out/check-$label.json" >"$out/check-$label.log" 2>&1
    local status=$?
    cat "$out/check-$label.log"
    if grep -q "check: SKIPPED" "$out/check-$label.log"; then
        record "check $label" skipped "$(grep 'check: SKIPPED' "$out/check-$label.log" | head -1 | cut -c1-100)"
    elif [[ $status -eq 0 ]] && grep -q "check: passed" "$out/check-$label.log"; then
        record "check $label" ok "$(grep 'max error' "$out/check-$label.log" | head -1 | cut -c1-100)"
    else
        record "check $label" FAIL "exit $status: $(grep 'max error' "$out/check-$label.log" | head -1 | cut -c1-90)"
    fi
}
small="$out/small"
"$python" "$root/tools/shrink_workloads.py" "$workloads" "$small" >/dev/null
for mlir in "$small"/*.mlir; do
    [[ -e $mlir ]] && check "small-$(basename "$mlir" .mlir)" "$mlir"
done
if [[ ${NVGPU_FULL_CHECK:-0} == 1 ]]; then
    for mlir in "$workloads"/*.mlir; do
        [[ -e $mlir ]] && check "$(basename "$mlir" .mlir)" "$mlir"
    done
fi

step "cuBLASLt paths against PyTorch"
if OUT="$out/verify" "$python" -c "import torch" 2>/dev/null; then
    mkdir -p "$out/verify"
    OUT="$out/verify" timeout 600 "$python" "$here/verify_against_torch.py" "$nvgpu" "$small" >"$out/verify-torch.log" 2>&1
    status=$?
    cat "$out/verify-torch.log"
    if [[ $status -eq 0 ]] && ! grep -q FAILED "$out/verify-torch.log"; then
        record "verify vs torch" ok "$(tr '\n' ';' <"$out/verify-torch.log" | cut -c1-100)"
    else
        record "verify vs torch" FAIL "see verify-torch.log"
    fi
    mkdir -p "$out/verify"
    OUT="$out/verify" timeout 900 "$python" "$here/verify_matmul_epilogues.py" "$nvgpu" >"$out/verify-matmul.log" 2>&1
    status=$?
    tail -1 "$out/verify-matmul.log"
    if [[ $status -eq 0 ]]; then record "matmul step forms" ok "$(tail -1 "$out/verify-matmul.log")"
    else record "matmul step forms" FAIL "$(grep -c FAILED "$out/verify-matmul.log") failing (see verify-matmul.log)"; fi
    rm -rf "$out/verify"
else
    record "verify vs torch" skipped "no torch for $python"
fi

step "conformance on the GPU"
if "$nvgpu" conformance --help 2>/dev/null | grep -q -- "--device"; then
    suite=${NVGPU_CONFORMANCE_DIR:-$root/../shared/conformance}
    timeout 3600 "$nvgpu" conformance "$suite" --device=cuda --jobs "$(nproc)" \
        --known-failures "$root/conformance/cuda_known_failures.txt" >"$out/conformance.log" 2>&1
    status=$?
    tail -5 "$out/conformance.log"
    if [[ $status -eq 0 ]]; then record conformance ok "$(tail -1 "$out/conformance.log")"
    else record conformance FAIL "exit $status: $(tail -1 "$out/conformance.log" | cut -c1-100)"; fi
else
    record conformance skipped "this nvgpu has no 'conformance --device'"
fi

step "compare with XLA and PyTorch"
if [[ ${NVGPU_COMPARE:-1} == 0 ]]; then
    record compare skipped "NVGPU_COMPARE=0"
else
"$python" "$root/bench/compare.py" --nvgpu "$nvgpu" --workloads "$workloads" --out "$out/results" \
    --nvgpu-timeout "${NVGPU_BENCH_TIMEOUT:-300}" \
    >"$out/compare.log" 2>&1
status=$?
cat "$out/compare.log"
case $status in
    0) record compare ok "$(ls "$out"/results/*.md 2>/dev/null | head -1)";;
    2) record compare FAIL "some nvgpu workloads failed (see compare.log)";;
    3) record compare FAIL "a peer (XLA or PyTorch) failed; nvgpu ran (see compare.log)";;
    *) record compare FAIL "exit $status (see compare.log)";;
esac
fi

step "summary"
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
if [[ $failed -eq 0 ]]; then echo "all stages passed"; else echo "some stages FAILED"; fi | tee -a "$out/summary.txt"
exit $failed
