#!/usr/bin/env bash
# The JAX suite (tests/jax) through the PJRT plugin on the GPU machine, CUDA backend.
# No Swift there: build the library here with
#   swift build -c release --product openxla_nvgpu_pjrt -Xswiftc -static-stdlib --scratch-path .build-wheel
# and carry .build-wheel/release/libopenxla_nvgpu_pjrt.so.
#
#   OUT=DIR scripts/gpu/jax_plugin.sh [PATH/TO/libopenxla_nvgpu_pjrt.so] [pytest args...]
#
# Writes jax_plugin_cuda.log (and machine.log) to $OUT. Exit status: pytest's.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=$(realpath "${1:-$root/.build-wheel/release/libopenxla_nvgpu_pjrt.so}")
shift || true
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
export NVGPU_CACHE_DIR=${NVGPU_CACHE_DIR:-/tmp/nvgpu-jax-cache}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$out/machine.log"
python -c "import jax, jaxlib; print('jax', jax.__version__, 'jaxlib', jaxlib.__version__)" 2>&1 | tee -a "$out/machine.log"
start=$(date +%s)
cd "$root/tests/jax"
NVGPU_PJRT_LIBRARY="$lib" NVGPU_DEVICE=cuda NVGPU_TEST_REQUIRE_PLUGIN=1 \
    python -m pytest -q -p no:cacheprovider -rfE . "$@" >"$out/jax_plugin_cuda.log" 2>&1
status=$?
echo "exit $status after $(( $(date +%s) - start )) s" | tee -a "$out/jax_plugin_cuda.log"
grep -E "^(FAILED|ERROR)" "$out/jax_plugin_cuda.log" | head -n 60
tail -n 5 "$out/jax_plugin_cuda.log"
exit $status
