#!/usr/bin/env bash
# Indexed ops on the GPU machine (docs/indexed-kernels.md): every tests/indexed program with
# fresh random inputs (two seeds) against the reference backend (bench --check), then the
# per-call times, and the conformance suite when SUITE_DIR is given.
#
#   OUT=DIR scripts/gpu/indexed_check.sh PATH/TO/nvgpu [SUITE_DIR]
#
# Exit status 0 only when every check passed (and the suite has no unlisted failure).
set -u
nvgpu=${1:?usage: OUT=DIR indexed_check.sh PATH/TO/nvgpu [SUITE_DIR]}
suite=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
export NVGPU_CACHE_DIR=${NVGPU_CACHE_DIR:-/tmp/nvgpu-indexed-cache}
failed=0

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | tee "$out/machine.log"
{
    for mlir in "$root"/tests/indexed/*.mlir; do
        for seed in 1 2; do
            echo "=== $(basename "$mlir" .mlir) seed $seed"
            if ! timeout 120 "$nvgpu" bench "$mlir" --random-inputs --seed "$seed" --check --runs 20 --warmup 3 \
                    --check-time-limit 60 2>&1 | grep -E "^check|error:|back-to-back|single"; then
                echo "FAILED: no check output"
            fi
        done
    done
} >"$out/checks.log" 2>&1
cat "$out/checks.log"
if grep -q "FAIL" "$out/checks.log" || ! grep -q "check: passed" "$out/checks.log"; then
    failed=1
fi

if [[ -n $suite ]]; then
    start=$(date +%s)
    "$nvgpu" conformance "$suite" --device=cuda --jobs "$(nproc)" --timeout 60 --json "$out/conf.json" \
        --known-failures "$root/conformance/cuda_known_failures.txt" >"$out/conf.log" 2>&1 || failed=1
    echo "conformance exit after $(( $(date +%s) - start )) s" >>"$out/conf.log"
    tail -n 8 "$out/conf.log"
fi
exit $failed
