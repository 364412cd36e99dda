"""Checks nvgpu's cuBLASLt paths against PyTorch (f32 accumulation) on small bf16 programs.

  python3 scripts/gpu/verify_against_torch.py PATH/TO/nvgpu PROGRAMS_DIR

PROGRAMS_DIR holds small versions of the workloads (matmul_bf16.mlir 256x256x256,
mlp_gelu_bf16.mlir 128x256 -> 512 -> 256, attention_bf16.mlir 1x4x64x128). The reference
backend accumulates bf16 dot_general in bf16 (like the StableHLO interpreter), so for long
contractions this, not `nvgpu bench --check`, is the meaningful check of the GPU result.
"""
import subprocess, numpy as np, torch, torch.nn.functional as F, os, sys
out = os.environ.get("OUT", "/tmp")
B = sys.argv[1]
programs = sys.argv[2]
def raw(t, path): t.contiguous().view(torch.int16).cpu().numpy().tofile(path)
def load(path, shape): return torch.from_numpy(np.fromfile(path, dtype=np.int16)).view(torch.bfloat16).reshape(shape).float()
torch.manual_seed(0)
def check(name, program, tensors, expected, tolerance=2e-2):
    args = []
    for i, t in enumerate(tensors):
        p = f"{out}/{name}.in{i}.bin"; raw(t, p)
        args.append(f"--input={'x'.join(map(str, t.shape))}xbf16=@{p}")
    res = subprocess.run([B, "run", program, "--device=cuda", f"--output=@{out}/{name}.out.bin", "--print-max-elements=0"] + args, capture_output=True, text=True)
    if res.returncode: print(name, "FAILED", res.stderr[-400:]); return
    got = load(f"{out}/{name}.out.bin", expected.shape)
    err = ((got - expected).abs() / expected.abs().clamp(min=1)).max().item()
    verdict = "ok" if err <= tolerance else "FAILED"
    print(f"{name}: max error vs torch (f32 accumulation) {err:.4g} (tolerance {tolerance}) {verdict}")
a, b = torch.randn(256, 256, dtype=torch.bfloat16, device="cuda"), torch.randn(256, 256, dtype=torch.bfloat16, device="cuda")
check("matmul", f"{programs}/matmul_bf16.mlir", [a, b], (a.float() @ b.float()).bfloat16().float().cpu())
x, w1, b1, w2 = [torch.randn(*s, dtype=torch.bfloat16, device="cuda") for s in [(128, 256), (256, 512), (512,), (512, 256)]]
h = (x @ w1 + b1)
check("mlp", f"{programs}/mlp_gelu_bf16.mlir", [x, w1, b1, w2], (F.gelu(h, approximate="tanh") @ w2).float().cpu(), 1e-1)
q, k, v = [torch.randn(1, 4, 64, 128, dtype=torch.bfloat16, device="cuda") for _ in range(3)]
s = torch.einsum("bhqd,bhkd->bhqk", q, k) / 128 ** 0.5
p = torch.softmax(s.float(), -1).to(torch.bfloat16)
check("attention", f"{programs}/attention_bf16.mlir", [q, k, v], torch.einsum("bhqk,bhkd->bhqd", p, v).float().cpu())
