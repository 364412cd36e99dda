#!/usr/bin/env bash
# The unit tests under a sanitizer: AddressSanitizer (default) or ThreadSanitizer.
#
#   scripts/sanitize.sh [address|thread] [--filter REGEX]
#   scripts/sanitize.sh thread --filter 'PJRTPlugin|KernelCache|WorkerPool'
#
# Builds the tests in debug with -sanitize=... into .build-sanitize-MODE (lld links them) and
# runs them; a sanitizer report fails the run. The environment of scripts/test.sh applies
# (NVRTC from the venv when present; no GPU needed). Leak reports are off for the address
# mode: the Swift runtime keeps metadata caches for the life of the process.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-address}
shift || true
case $mode in address|thread) ;; *) echo "usage: scripts/sanitize.sh [address|thread] [swift test flags]"; exit 2 ;; esac
scratch=.build-sanitize-$mode
swift build --build-tests -Xswiftc -sanitize="$mode" -Xswiftc -use-ld=lld --scratch-path "$scratch" 2>&1 | tail -n 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}
# Conformance workers cap their address space at 8 GiB, which AddressSanitizer cannot start in.
export NVGPU_WORKER_ADDRESS_LIMIT=0
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
nvrtc=$(ls -d .venv/lib/python3*/site-packages/nvidia/cu13/lib 2>/dev/null | head -n 1 || true)
[[ -n $nvrtc ]] && export NVGPU_NVRTC_PATH=${NVGPU_NVRTC_PATH:-$PWD/$nvrtc}
swift test --skip-build --scratch-path "$scratch" -Xswiftc -sanitize="$mode" "$@"
