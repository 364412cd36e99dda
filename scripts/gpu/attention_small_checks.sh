#!/usr/bin/env bash
# Every attention variant checked on the GPU against the reference backend (f64 oracle) at
# check-sized shapes: tests/attention/suite_small (the bench/suite/attention workloads from
# `export_and_time_jax.py export-small`) and tests/attention/small (dot_product_attention,
# BSHD scale-first), 8 at once (the reference runs on the CPU).
# Carry .build-gpu.   OUT=DIR scripts/gpu/attention_small_checks.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv-small && chmod +x /tmp/nv-small
check() {
    local verdict
    verdict=$(timeout 170 /tmp/nv-small bench "$1" --random-inputs --check --runs 3 --warmup 1 --check-time-limit 150 2>&1 \
        | grep -E "^check: (passed|FAIL|SKIPPED)|error:" | head -n 1)
    echo "$(basename "$1" .mlir): ${verdict:-no verdict}"
}
export -f check
ls tests/attention/suite_small/*.mlir tests/attention/small/*.mlir | xargs -P 8 -I{} bash -c 'check {}' | sort | tee "$out/small-checks.log"
echo "passed $(grep -c 'check: passed' "$out/small-checks.log") of $(wc -l < "$out/small-checks.log")"
