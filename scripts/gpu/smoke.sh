#!/usr/bin/env bash
# GPU smoke test for the CUDA runtime. Runs on the GPU machine, which has no Swift:
# build there-less with `swift build -c release --static-swift-stdlib` and pass the binary.
#
#   scripts/gpu/smoke.sh PATH/TO/nvgpu [OUT_DIR]
#
# 1. checks our hand-written CUDA/cuBLASLt constants against the vendor headers, when a
#    toolkit is installed (scripts/gpu/abi_check.cpp; skipped otherwise);
# 2. `nvgpu devices` (lists GPUs, never fails);
# 3. `nvgpu devices --self-test` twice with a fresh kernel cache: the first run compiles
#    the kernels with NVRTC, the second must load them from the cache.
# Exit status: 0 only if every step passed. Logs go to OUT_DIR (default: a temp folder).
set -uo pipefail

nvgpu=${1:?usage: smoke.sh PATH/TO/nvgpu [OUT_DIR]}
out=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
status=0

step() { echo; echo "== $*"; }

step "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || echo "nvidia-smi not available"

step "ABI check against the vendor headers"
cuda_home=${CUDA_HOME:-/usr/local/cuda}
compiler=$(command -v c++ || command -v g++ || command -v clang++ || true)
if [[ ! -f "$cuda_home/include/cuda.h" ]]; then
    echo "skipped: no $cuda_home/include/cuda.h"
elif [[ -z "$compiler" ]] && ! command -v nvcc >/dev/null; then
    echo "skipped: no C++ compiler"
else
    [[ -z "$compiler" ]] && compiler="nvcc -x cu"
    if $compiler -std=c++17 -I"$here/../../Sources/CCUDA/include" -I"$cuda_home/include" \
        -o "$out/abi_check" "$here/abi_check.cpp" 2>"$out/abi_check.log" && "$out/abi_check"; then
        :
    else
        cat "$out/abi_check.log"; echo "FAIL abi check"; status=1
    fi
fi

step "nvgpu devices"
"$nvgpu" devices 2>&1 | tee "$out/devices.txt" || status=1

export NVGPU_CACHE_DIR="$out/kernel-cache"
rm -rf "$NVGPU_CACHE_DIR"
step "nvgpu devices --self-test (cold kernel cache)"
"$nvgpu" devices --self-test 2>&1 | tee "$out/self-test-cold.txt"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

step "nvgpu devices --self-test (warm kernel cache, no GEMM timing)"
"$nvgpu" devices --self-test --gemm-size 0 2>&1 | tee "$out/self-test-warm.txt"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
if ! grep -q "kernel cache: .* 0 compiles)" "$out/self-test-warm.txt"; then
    echo "FAIL the warm run compiled kernels again instead of using the cache"; status=1
fi

step "result"
if [[ $status -eq 0 ]]; then echo "smoke test passed"; else echo "smoke test FAILED"; fi
exit $status
