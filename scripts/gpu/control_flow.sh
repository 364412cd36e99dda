#!/usr/bin/env bash
# Issue 11 on the GPU machine, in one call: the conformance suite on the GPU (every case,
# with where each op ran), then bench/control_flow.py (loops, branches and graph replay
# against XLA). Carry .build-gpu with nvgpu.gz and conformance.tar.gz (see below).
#
#   OUT=DIR [STAGES="conformance bench jax"] scripts/gpu/control_flow.sh
#
# STAGES picks what runs (default: conformance and bench); `fft` runs bench/fft.py (cuFFT and
# the exact DFT kernels against XLA); `jax` runs the JAX suite through the PJRT plugin
# (.build-gpu/libopenxla_nvgpu_pjrt.so.gz) on the CUDA backend.
#
# .build-gpu/nvgpu.gz: `swift build -c release --product nvgpu --static-swift-stdlib`,
# stripped and gzipped; .build-gpu/conformance.tar.gz: ../shared/conformance.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:?set OUT}
mkdir -p "$out" /tmp/cf
gunzip -c "$root/.build-gpu/nvgpu.gz" > /tmp/cf/nvgpu && chmod +x /tmp/cf/nvgpu
tar -xzf "$root/.build-gpu/conformance.tar.gz" -C /tmp/cf
export NVGPU_CACHE_DIR=/tmp/nvgpu-cf-cache
stages=" ${STAGES:-conformance bench} "
if [[ $stages == *" conformance "* ]]; then
    OUT="$out" JOBS=16 "$here/conformance.sh" /tmp/cf/nvgpu /tmp/cf/conformance "$@" > "$out/conformance-tail.log" 2>&1
    echo "conformance exit $?"
    grep -E "passed|failed" "$out/conf.log" | tail -n 4
fi
if [[ $stages == *" bench "* ]]; then
    python3 "$root/bench/control_flow.py" --nvgpu /tmp/cf/nvgpu --out /tmp/cf/bench --runs "${RUNS:-200}" 2>&1 | tee "$out/control_flow.log" | tail -n 40
    cp /tmp/cf/bench/control_flow.json "$out/" 2>/dev/null || true
fi
if [[ $stages == *" fft "* ]]; then
    python3 "$root/bench/fft.py" --nvgpu /tmp/cf/nvgpu --out /tmp/cf/fft --runs "${RUNS:-100}" 2>&1 | tee "$out/fft.log" | tail -n 30
    cp /tmp/cf/fft/fft.json "$out/" 2>/dev/null || true
fi
if [[ $stages == *" jax "* ]]; then
    gunzip -c "$root/.build-gpu/libopenxla_nvgpu_pjrt.so.gz" > /tmp/cf/libopenxla_nvgpu_pjrt.so
    OUT="$out" "$here/jax_plugin.sh" /tmp/cf/libopenxla_nvgpu_pjrt.so 2>&1 | tail -n 30
fi
