#!/usr/bin/env bash
# Issue 13 on the GPU machine: fused attention through cuDNN's backend graph API.
# (1) Every small attention variant (tests/attention/*.mlir, suite_small, small) checked against
#     the reference with cuDNN forced (NVGPU_ATTENTION_ENGINE=cudnn; the engine line says whether
#     cuDNN took it); (2) every bench/suite/attention workload timed with the default choice
#     with NVGPU_ATTENTION_ENGINE=auto (cuDNN or the kernel, timed on the first run) and with the
#     kernel alone (the default until this script has passed), in one process
#     set on one warm GPU; (3) the attention suite against the peers timed earlier on this
#     machine kind (PEERS=FILE.json) with checks, when time is left.
# Carry .build-gpu.   OUT=DIR [PEERS=FILE.json] scripts/gpu/issue13_cudnn.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv-cudnn && chmod +x /tmp/nv-cudnn
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; cat .build-gpu/commit;
  ls /usr/lib/x86_64-linux-gnu/libcudnn.so.9.* 2>/dev/null | head -n 1; python3 -m pip show nvidia-cudnn-cu13 2>/dev/null | grep -i '^version'; } \
    | tee "$out/machine.txt"
export NVGPU_ATTENTION_VERBOSE=1

echo "== 1. small variants, cuDNN forced, checked against the reference"
check() {
    local log verdict engine
    log=$(NVGPU_ATTENTION_ENGINE=cudnn timeout 170 /tmp/nv-cudnn bench "$1" --random-inputs --check --runs 3 --warmup 1 --check-time-limit 150 2>&1)
    verdict=$(echo "$log" | grep -E "^check: (passed|FAIL|SKIPPED)|error:" | head -n 1)
    engine=$(echo "$log" | grep -E "^attention: " | head -n 1 | sed 's/^attention: //')
    echo "$(basename "$1" .mlir): ${verdict:-no verdict} | ${engine:-no attention step}"
}
export -f check
ls tests/attention/*.mlir tests/attention/suite_small/*.mlir tests/attention/small/*.mlir | xargs -P 8 -I{} bash -c 'check {}' \
    | sort | tee "$out/small-checks.log"
echo "passed $(grep -c 'check: passed' "$out/small-checks.log") of $(wc -l < "$out/small-checks.log"); cuDNN took $(grep -c ': cuDNN (' "$out/small-checks.log")"

echo "== 2. workloads: auto (cuDNN or kernel) vs the kernel alone (back-to-back ms, ${RUNS:-20} runs, random inputs)"
time_of() { timeout 90 env "$1" /tmp/nv-cudnn bench "$2" --random-inputs --runs "${RUNS:-20}" 2>&1; }
for program in bench/suite/attention/*.mlir; do
    name=$(basename "$program" .mlir)
    auto=$(time_of NVGPU_ATTENTION_ENGINE=auto "$program")
    kernel=$(time_of NVGPU_ATTENTION_ENGINE=kernel "$program")
    a=$(echo "$auto" | grep -oE 'back-to-back: [0-9.]+ ms' | grep -oE '[0-9.]+')
    k=$(echo "$kernel" | grep -oE 'back-to-back: [0-9.]+ ms' | grep -oE '[0-9.]+')
    choice=$(echo "$auto" | grep -E "^attention: " | head -n 1 | sed 's/^attention: //')
    echo "$name: auto ${a:-failed} ms, kernel ${k:-failed} ms | ${choice:-no attention step}"
    [[ -z $a ]] && echo "$auto" | tail -n 3
done | tee "$out/workloads.log"

if [[ -n ${PEERS:-} ]]; then
    echo "== 3. the attention suite against the peers ($PEERS)"
    NVGPU_ATTENTION_ENGINE=auto PEERS=$PEERS OUT=$out/attention NVGPU_LIMIT=${NVGPU_LIMIT:-230} bash scripts/gpu/issue13_attention_suite.sh 2>&1 | tail -n 30
fi
