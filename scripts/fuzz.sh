#!/usr/bin/env bash
# Fuzzes one target of nvgpu-fuzz with libFuzzer and AddressSanitizer for SECONDS seconds.
#
#   scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags...]
#   scripts/fuzz.sh text 600 -jobs=2 -workers=2
#
# TARGET: text, bytecode, input, npy, nvx, pinfile, pjrt (see Sources/nvgpu-fuzz/main.swift).
# Builds `nvgpu-fuzz` with -sanitize=fuzzer,address into .build-fuzz (the first build takes
# several minutes), then runs it on a working corpus (.build-fuzz/corpus/TARGET, kept between
# runs) seeded from fuzz/seeds/TARGET, fuzz/regressions/TARGET and, where present, the
# conformance programs (text) and the StableHLO bytecode exports of scripts/test.sh
# (bytecode, pjrt). A crash, sanitizer report, leak-free timeout (over 20 s) or out-of-memory
# (over 6 GiB) writes the input to fuzz/crashes/TARGET-*: add it to fuzz/regressions/TARGET
# with the fix, so the test command replays it. The last lines print libFuzzer's final stats
# (executions, exec/s, coverage) for docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2
# lld: gold fails with an internal error linking the instrumented binary.
swift build -c release --product nvgpu-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --scratch-path .build-fuzz 2>&1 | tail -n 1
corpus=.build-fuzz/corpus/$target
mkdir -p "$corpus" fuzz/crashes
seeds=("fuzz/seeds/$target")
[[ -d fuzz/regressions/$target ]] && seeds+=("fuzz/regressions/$target")
conformance=${NVGPU_CONFORMANCE_DIR:-../shared/conformance}
case $target in
    text) [[ -d $conformance/testdata ]] && seeds+=("$conformance/testdata") ;;
    bytecode|pjrt) [[ -d .build/bytecode-1.17.0 ]] && seeds+=(.build/bytecode-1.17.0) ;;
esac
# Swift's runtime keeps metadata caches for the process's life: leak reports would be noise.
# Small host budgets: a shape the fuzzer makes up should be refused, not allocated.
export NVGPU_HOST_MEMORY_LIMIT=${NVGPU_HOST_MEMORY_LIMIT:-1073741824}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
NVGPU_FUZZ_TARGET=$target .build-fuzz/release/nvgpu-fuzz "$corpus" "${seeds[@]}" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=6144 -max_len=65536 \
    -artifact_prefix="fuzz/crashes/$target-" -print_final_stats=1 "$@"
