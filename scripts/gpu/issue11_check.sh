#!/usr/bin/env bash
# One device call for issue 11's last items: GPU conformance (the run_parallel grids now run
# on the device; erf_inv refined), where each case's ops ran, then bench/control_flow.py
# (counted loops, in-place carried state, stacked scan outputs) against XLA. Carry
# .build-gpu with nvgpu.gz, conformance.tar.gz and commit.
#
#   OUT=DIR [RUNS=100] [SUITE=1: also the whole bench/suite] scripts/gpu/issue11_check.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
mkdir -p /tmp/conf && tar xzf .build-gpu/conformance.tar.gz -C /tmp/conf
echo "nvgpu $(cat .build-gpu/commit) on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
OUT=$out/conformance JOBS=16 bash scripts/gpu/conformance.sh /tmp/nv /tmp/conf/conformance > "$out/conformance-tail.log" 2>&1
echo "conformance exit $?"
grep -E "passed|now passes|unexpected|not listed|random_gamma|exit " "$out/conformance/conf.log" | tail -n 12
python3 - "$out/conformance/conf.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
cases = data.get("cases", data) if isinstance(data, dict) else data
for c in cases:
    name = c.get("name", "")
    if any(k in name for k in ("partition_id", "replica_id", "collective_reduce", "outfeed", "random_gamma_float64")):
        print(name, c.get("status"), c.get("placement"), c.get("hostFallbacks"), (c.get("message") or "")[:200])
PY
python3 bench/control_flow.py --nvgpu /tmp/nv --out /tmp/cfb --runs "${RUNS:-100}" > "$out/control_flow.log" 2>&1
echo "control_flow exit $?"
sed -n '/^| program/,$p' "$out/control_flow.log"
cp /tmp/cfb/control_flow.json "$out/" 2>/dev/null || true
if [[ -n ${SUITE:-} ]]; then
    OUT=$out/suite COMMIT=$(cat .build-gpu/commit) RUNS=20 bash scripts/gpu/suite.sh 2>&1 | tail -64
fi
