#!/usr/bin/env bash
# Runs one JAX test (or -k expression) through the PJRT plugin on the GPU repeatedly, with
# CUDA graphs on and off, under gdb when the machine has it (a native backtrace of a crash).
#
#   OUT=DIR scripts/gpu/jax_crash.sh PLUGIN.so "-k test_name" [REPEATS]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
select=$2
repeats=${3:-5}
out=${OUT:?set OUT}
mkdir -p "$out"
cd "$root/tests/jax"
for graphs in 1 0; do
    for i in $(seq 1 "$repeats"); do
        NVGPU_CRASH_BACKTRACE=1 NVGPU_CUDA_GRAPHS=$graphs NVGPU_PJRT_LIBRARY="$lib" NVGPU_DEVICE=cuda NVGPU_TEST_REQUIRE_PLUGIN=1 \
            python -m pytest -q -s -p no:cacheprovider -p no:faulthandler $select > "$out/crash_g${graphs}_$i.log" 2>&1
        echo "graphs=$graphs run $i: exit $? $(tail -n 1 "$out/crash_g${graphs}_$i.log")"
    done
done
if command -v gdb >/dev/null; then
    NVGPU_PJRT_LIBRARY="$lib" NVGPU_DEVICE=cuda NVGPU_TEST_REQUIRE_PLUGIN=1 \
        gdb -q -batch -ex "set pagination off" -ex run -ex bt -ex "info threads" -ex "thread apply all bt 12" \
        --args python -m pytest -q -p no:cacheprovider $select > "$out/gdb.log" 2>&1
    grep -n -A40 "SIGSEGV" "$out/gdb.log" | head -n 80
else
    echo "no gdb on this machine"
fi
