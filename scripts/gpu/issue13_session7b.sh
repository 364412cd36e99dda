#!/usr/bin/env bash
# Seventh session, second call: every attention variant checked at small shapes
# (attention_small_checks.sh), then issue 12's whole suite against every peer with checks.
# Carry .build-gpu.   OUT=DIR scripts/gpu/issue13_session7b.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
OUT=$out/attention-small timeout 150 bash scripts/gpu/attention_small_checks.sh | tail -n 20
OUT=$out/suite TORCH=1 CHECK=1 PEER_TIMEOUT=150 RUNS=20 COMMIT=$(cat .build-gpu/commit) timeout 420 bash scripts/gpu/suite.sh | tail -n 75
