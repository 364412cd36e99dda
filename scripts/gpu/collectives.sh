#!/usr/bin/env bash
# Collectives over NCCL on every GPU of a multi-GPU device kind (nvidia-h100-x2/x4/x8, ...):
#   1. nvgpu devices (the NCCL version it found),
#   2. every collective on random inputs on N GPUs vs numpy and the reference backend,
#   3. all_reduce bus bandwidth 1 MiB .. 1 GiB next to jax.lax.psum in the same run,
#   4. a data-parallel MLP training step on N GPUs vs the one-GPU step.
# Usage (on the device, from the repository root):
#   gunzip -c .gpu-carry-nccl/nvgpu.gz > /tmp/nvgpu && chmod +x /tmp/nvgpu
#   scripts/gpu/collectives.sh [/tmp/nvgpu] [N] [OUT]
# Writes OUT/collectives.log (default $OUT or /tmp/collectives); exit 1 when a check fails.
set -uo pipefail
NVGPU=${1:-/tmp/nvgpu}
N=${2:-$(nvidia-smi -L | wc -l)}
DIR=${3:-${OUT:-/tmp/collectives}}
mkdir -p "$DIR"
LOG="$DIR/collectives.log"
# NVLink multicast stays off on shared hosts (see the device notes): NCCL must not use NVLS.
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
exec > >(tee "$LOG") 2>&1
echo "== $(date -u +%FT%TZ) collectives on $N GPU(s)"
nvidia-smi -L
nvidia-smi topo -m 2>/dev/null || true
echo "libnccl: $(ldconfig -p | grep -c nccl) system entries; wheel: $(python3 -c 'import nvidia.nccl as m; print(list(m.__path__))' 2>&1)"
"$NVGPU" devices
echo "== correctness"
python3 "$HERE/collectives_check.py" correctness --nvgpu "$NVGPU" --gpus "$N" --out "$DIR/correctness" || status=1
echo "== all_reduce bandwidth"
python3 "$HERE/collectives_check.py" bandwidth --nvgpu "$NVGPU" --gpus "$N" --out "$DIR/bandwidth" || status=1
echo "== data-parallel MLP step"
python3 "$HERE/collectives_check.py" mlp --nvgpu "$NVGPU" --gpus "$N" --out "$DIR/mlp" || status=1
echo "== exit $status"
exit $status
