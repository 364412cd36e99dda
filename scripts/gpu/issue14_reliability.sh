#!/usr/bin/env bash
# Issue 14 on the GPU, in one call: (1) the fault drill through PJRT (device out of memory,
# illegal-address and trap faults with a new client after, NVRTC failure, a missing and a
# wrong cuBLASLt, a corrupted kernel cache); (2) the CLI with the same faults: a program larger
# than the card, a truncated and a tampered .nvx; (3) the soak at full size: 8 threads x 1000
# executions through PJRT on the GPU, device memory and RSS read at checkpoints.
# Carry .build-gpu (nvgpu.gz, nvgpu-soak.gz).   OUT=DIR scripts/gpu/issue14_reliability.sh
set -u
out=${OUT:?set OUT}
mkdir -p "$out"
gunzip -c .build-gpu/nvgpu.gz > /tmp/nvgpu && chmod +x /tmp/nvgpu
gunzip -c .build-gpu/nvgpu-soak.gz > /tmp/nvgpu-soak && chmod +x /tmp/nvgpu-soak
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; cat .build-gpu/commit; } > "$out/machine.txt"
cat "$out/machine.txt"
export NVGPU_CACHE_DIR=/tmp/nvgpu-issue14-cache

echo "== 1. fault drill (PJRT)"
wrong=$(python3 -c "import nvidia.cudnn, os; print(os.path.join(os.path.dirname(nvidia.cudnn.__file__), 'lib', 'libcudnn.so.9'))" 2>/dev/null)
[[ -f "$wrong" ]] || wrong=$(find / -name 'libcudnn.so.9*' -type f 2>/dev/null | head -n 1)
echo "wrong library: $wrong"
timeout 300 /tmp/nvgpu-soak faults --wrong-library "$wrong" --json "$out/faults.json" 2>&1 | tee "$out/faults.log"
echo "drill exit status: ${PIPESTATUS[0]}" | tee -a "$out/faults.log"

echo "== 2. the CLI: a program larger than the card, a truncated and a tampered .nvx"
cat > /tmp/big.mlir <<'MLIR'
func.func @main(%x: tensor<f32>) -> (tensor<15000000000xf32>, tensor<15000000000xf32>, tensor<15000000000xf32>) {
  %0 = stablehlo.broadcast_in_dim %x, dims = [] : (tensor<f32>) -> tensor<15000000000xf32>
  %1 = stablehlo.negate %0 : tensor<15000000000xf32>
  %2 = stablehlo.abs %0 : tensor<15000000000xf32>
  return %0, %1, %2 : tensor<15000000000xf32>, tensor<15000000000xf32>, tensor<15000000000xf32>
}
MLIR
cat > /tmp/small.mlir <<'MLIR'
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = stablehlo.multiply %x, %x : tensor<4xf32>
  %1 = stablehlo.add %0, %x : tensor<4xf32>
  return %1 : tensor<4xf32>
}
MLIR
{
    timeout 120 /tmp/nvgpu run /tmp/big.mlir --device cuda --input f32=1 2>&1 | tail -n 3; echo "exit status ${PIPESTATUS[0]} (a signal would be >= 128)"
    /tmp/nvgpu compile /tmp/small.mlir -o /tmp/small.nvx && chmod 600 /tmp/small.nvx
    /tmp/nvgpu run /tmp/small.nvx --input 4xf32=1,2,3,4 2>&1; echo "exit status $? (intact)"
    size=$(stat -c %s /tmp/small.nvx)
    head -c $((size / 2)) /tmp/small.nvx > /tmp/truncated.nvx && chmod 600 /tmp/truncated.nvx
    /tmp/nvgpu run /tmp/truncated.nvx --input 4xf32=1,2,3,4 2>&1; echo "exit status $? (truncated)"
    cp /tmp/small.nvx /tmp/tampered.nvx && chmod 600 /tmp/tampered.nvx
    python3 -c "import sys; p='/tmp/tampered.nvx'; b=bytearray(open(p,'rb').read()); b[len(b)*3//4] ^= 0xFF; open(p,'wb').write(b)"
    /tmp/nvgpu run /tmp/tampered.nvx --input 4xf32=1,2,3,4 2>&1; echo "exit status $? (one byte changed)"
    /tmp/nvgpu run /tmp/small.mlir --device cuda --input 4xf32=1,2,3,4 2>&1; echo "exit status $? (the next program)"
} 2>&1 | tee "$out/cli-faults.log"

echo "== 3. soak at full size on the GPU"
timeout 400 /tmp/nvgpu-soak --backend cuda --threads 8 --executions 1000 --scale full --json "$out/soak-cuda.json" 2>&1 | tee "$out/soak-cuda.log"
echo "soak exit status: ${PIPESTATUS[0]}" | tee -a "$out/soak-cuda.log"
rm -rf /tmp/nvgpu-issue14-cache
