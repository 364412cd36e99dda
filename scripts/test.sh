#!/usr/bin/env bash
# The whole test suite, as CI runs it: one release build (with testable imports, so the
# tests reuse it), the Swift tests, then the StableHLO conformance suite on the reference
# backend (it runs even when a Swift test failed, so the table always prints). Fails when
# a test fails or when fewer conformance cases pass than conformance/expected_pass_count
# says (known failures do not fail it; regressions do).
#
# Environment: NVGPU_CONFORMANCE_DIR (default ../shared/conformance), JOBS (default: cores).
# Installs NVRTC (the `nvidia-cuda-nvrtc` wheel) into .venv so that every generated CUDA
# kernel is compiled for sm_90 by the tests (no GPU needed); the JAX fixtures are committed
# (tools/export_fixtures.py remakes them). Exports every conformance/workload program as a
# StableHLO portable artifact with jaxlib (1.17.0 and 1.0.0) and checks the bytecode reader
# reads each to the module its text gives; installs the PJRT plugin with `pip install ./python`
# into a fresh venv and runs the JAX suite (tests/jax) on it. Also builds and runs the
# out-of-tree example plugin.
set -euo pipefail
cd "$(dirname "$0")/.."

FLAGS=(-c release -Xswiftc -enable-testing)
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
t0=$(date +%s)
step() { echo; echo "== $1 ($(( $(date +%s) - t0 ))s)"; }

step "python venv with NVRTC and JAX"
if [[ ! -x .venv/bin/python ]]; then python3 -m venv .venv; fi
.venv/bin/pip install --quiet --disable-pip-version-check 'nvidia-cuda-nvrtc==13.0.*' 'jax[cpu]' numpy pytest
export NVGPU_REQUIRE_NVRTC=1
CONFORMANCE_DIR="${NVGPU_CONFORMANCE_DIR:-../shared/conformance}"

step "StableHLO portable artifacts (MLIR bytecode of VHLO) of every program, at the newest and oldest version we accept"
BYTECODE_SOURCES=(tests/fixtures/*)
[[ -d "$CONFORMANCE_DIR/testdata" ]] && BYTECODE_SOURCES+=("$CONFORMANCE_DIR/testdata")
[[ -d ../shared/workloads ]] && BYTECODE_SOURCES+=(../shared/workloads)
for version in 1.17.0 1.0.0; do
    rm -rf ".build/bytecode-$version"
    .venv/bin/python tools/export_bytecode.py "${BYTECODE_SOURCES[@]}" --out ".build/bytecode-$version" \
        --version "$version" | tail -n 1
done

step "build (release)"
swift build "${FLAGS[@]}" --build-tests
BIN_DIR="$(swift build "${FLAGS[@]}" --show-bin-path)"
export NVGPU_BIN="$BIN_DIR/nvgpu"
t_build=$(( $(date +%s) - t0 ))

step "swift test"
set +e
swift test "${FLAGS[@]}" --skip-build
test_status=$?
for version in 1.17.0 1.0.0; do
    echo "bytecode corpus at StableHLO $version:"
    NVGPU_BYTECODE_DIR=".build/bytecode-$version" swift test "${FLAGS[@]}" --skip-build --filter BytecodeCorpus \
        2>&1 | grep -E "artifacts|passed|failed|error" | tail -n 4
    [[ ${PIPESTATUS[0]} -eq 0 ]] || test_status=1
done
set -e
t_test=$(( $(date +%s) - t0 - t_build ))

step "conformance"
set +e
"$NVGPU_BIN" conformance --device=cpu --jobs "$JOBS" --json .build/conformance.json --allow-missing \
    --min-passed-file conformance/expected_pass_count | tee .build/conformance.txt
status=${PIPESTATUS[0]}
set -e
if [[ $status -eq 0 ]]; then
    step "conformance programs compiled for the GPU (sm_90, every kernel through NVRTC; nothing runs)"
    "$NVGPU_BIN" conformance --compile-only --jobs "$JOBS" --allow-missing | tail -n 3 || status=1
fi
if [[ $status -eq 0 ]]; then
    step "bench/suite programs compiled for the GPU (sm_90, every kernel through NVRTC; nothing runs)"
    suite_out="$(mktemp -d)"
    if ls bench/suite/*.mlir bench/suite/attention/*.mlir | xargs -P "$JOBS" -I{} sh -c 'n=$(basename "$1" .mlir)
        "$2" compile "$1" --report -o "$3/$n.nvx" > "$3/$n.log" 2>&1 || { echo "FAILED: $1"; tail -n 5 "$3/$n.log"; exit 1; }' \
        _ {} "$NVGPU_BIN" "$suite_out"; then
        echo "$(ls bench/suite/*.mlir bench/suite/attention/*.mlir | wc -l) bench/suite programs compiled (attention included)"
    else
        status=1
    fi
    rm -rf "$suite_out"
fi
if [[ $status -eq 0 ]]; then
    step "fuzz seeds and regressions replayed through every nvgpu-fuzz target (scripts/fuzz.sh fuzzes)"
    for target in text bytecode input npy nvx pinfile pjrt; do
        dirs=("fuzz/seeds/$target")
        [[ -d fuzz/regressions/$target ]] && dirs+=("fuzz/regressions/$target")
        NVGPU_HOST_MEMORY_LIMIT=1073741824 NVGPU_FUZZ_TARGET=$target "$BIN_DIR/nvgpu-fuzz" "${dirs[@]}" | sed "s/^/$target: /" || status=1
    done
fi
if [[ $status -eq 0 ]]; then
    step "PJRT soak on the reference backend: 8 threads x 1000 executions, memory held flat (nvgpu-soak)"
    "$BIN_DIR/nvgpu-soak" --backend cpu --threads 8 --executions 1000 --scale small --json .build/soak-cpu.json || status=1
fi
if [[ $status -eq 0 ]]; then
    step "PJRT plugin: pip install ./python into a fresh venv with the newest jax, then the JAX suite on the reference backend"
    rm -rf .build/jax-venv
    python3 -m venv .build/jax-venv
    .build/jax-venv/bin/pip install --quiet --disable-pip-version-check 'jax[cpu]' numpy pytest
    NVGPU_SWIFT_PACKAGE_DIR="$PWD" NVGPU_SWIFT_SCRATCH_PATH="$PWD/.build-wheel" \
        .build/jax-venv/bin/pip install --quiet --disable-pip-version-check ./python || status=1
    if [[ $status -eq 0 ]]; then
        (cd tests/jax && NVGPU_DEVICE=cpu NVGPU_TEST_REQUIRE_PLUGIN=1 ../../.build/jax-venv/bin/python -m pytest -q \
            -p no:cacheprovider . 2>&1 | tail -n 5; exit "${PIPESTATUS[0]}") || status=1
    fi
fi
if [[ $status -eq 0 ]]; then
    step "example plugin (out-of-tree package)"
    ./scripts/test-example-plugin.sh || status=1
fi
t_all=$(( $(date +%s) - t0 ))
echo "timing: build ${t_build}s, swift test ${t_test}s, conformance + example plugin $(( t_all - t_build - t_test ))s, total ${t_all}s"
if [ "$test_status" -ne 0 ]; then echo "swift test failed (exit $test_status); see above"; fi
tail -n 1 .build/conformance.txt
if [ "$test_status" -ne 0 ]; then exit "$test_status"; fi
exit "$status"
