#!/usr/bin/env bash
# The whole test suite, as CI runs it: one release build (with testable imports, so the
# tests reuse it), the Swift tests, then the StableHLO conformance suite on the reference
# backend (it runs even when a Swift test failed, so the table always prints). Fails when
# a test fails or when fewer conformance cases pass than conformance/expected_pass_count
# says (known failures do not fail it; regressions do).
#
# Environment: NVGPU_CONFORMANCE_DIR (default ../shared/conformance), JOBS (default: cores).
# Needs no Python: the JAX fixtures are committed (tools/export_fixtures.py remakes them).
set -euo pipefail
cd "$(dirname "$0")/.."

FLAGS=(-c release -Xswiftc -enable-testing)
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
t0=$(date +%s)
step() { echo; echo "== $1 ($(( $(date +%s) - t0 ))s)"; }

step "build (release)"
swift build "${FLAGS[@]}" --build-tests
BIN_DIR="$(swift build "${FLAGS[@]}" --show-bin-path)"
export NVGPU_BIN="$BIN_DIR/nvgpu"
t_build=$(( $(date +%s) - t0 ))

step "swift test"
set +e
swift test "${FLAGS[@]}" --skip-build
test_status=$?
set -e
t_test=$(( $(date +%s) - t0 - t_build ))

step "conformance"
set +e
"$NVGPU_BIN" conformance --jobs "$JOBS" --json .build/conformance.json \
    --min-passed-file conformance/expected_pass_count | tee .build/conformance.txt
status=${PIPESTATUS[0]}
set -e
t_all=$(( $(date +%s) - t0 ))
echo "timing: build ${t_build}s, swift test ${t_test}s, conformance $(( t_all - t_build - t_test ))s, total ${t_all}s"
if [ "$test_status" -ne 0 ]; then echo "swift test failed (exit $test_status); see above"; fi
tail -n 1 .build/conformance.txt
if [ "$test_status" -ne 0 ]; then exit "$test_status"; fi
exit "$status"
