#!/usr/bin/env bash
# One device call for issue 12's convolution and row-kernel work: GPU conformance (known
# failures list), tests/conv_directions checked and timed on/off, tests/row_kernels and the
# 1M-row suite programs checked against the reference, and the affected bench/suite
# workloads timed against XLA. Carry .build-gpu with nvgpu.gz, conformance.tar.gz and
# commit (the short hash the binary was built from).
#
#   OUT=DIR [FULL=1: the whole bench/suite] scripts/gpu/issue12_check.sh
set -u
gunzip -c .build-gpu/nvgpu.gz > /tmp/nv && chmod +x /tmp/nv
mkdir -p /tmp/conf && tar xzf .build-gpu/conformance.tar.gz -C /tmp/conf
OUT=$OUT/conformance bash scripts/gpu/conformance.sh /tmp/nv /tmp/conf/conformance 2>&1 | tail -8
OUT=$OUT/conv RUNS=30 bash scripts/gpu/conv_directions.sh 2>&1 | tail -24
for f in tests/row_kernels/*.mlir bench/suite/softmax_1Mrows_bf16.mlir bench/suite/layernorm_1Mrows_bf16.mlir; do echo "$(basename $f): $(timeout 100 /tmp/nv bench $f --random-inputs --runs 5 --check --check-time-limit 90 2>&1 | grep -E '^check: (passed|FAILED|failed|SKIPPED)' | head -1)"; done
[[ -n ${FULL:-} ]] && ONLY_LIST="" || ONLY_LIST=conv3x3_s2_bwd_input_bf16,conv3x3_bwd_filter_bf16,conv_depthwise3x3_bf16,conv_depthwise7x7_nchw_f16,conv3x3_bwd_input_bf16,conv_grouped3x3_bf16,conv3x3_nchw_bf16,conv7x7_s2_stem_bf16,softmax_1Mrows_bf16,layernorm_1Mrows_bf16,softmax_3rows_f32,rmsnorm_bf16,cross_entropy_bf16,layernorm_4095_f32,variance_row_f32
OUT=$OUT/suite COMMIT=$(cat .build-gpu/commit) RUNS=20 ONLY=$ONLY_LIST bash scripts/gpu/suite.sh 2>&1 | tail -64
