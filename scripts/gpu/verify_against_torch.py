"""Checks nvgpu's cuBLASLt paths against PyTorch (f32 accumulation) on small bf16 programs.

  python3 scripts/gpu/verify_against_torch.py PATH/TO/nvgpu PROGRAMS_DIR

PROGRAMS_DIR holds small versions of the workloads (tools/shrink_workloads.py); the input
shapes are read from each program's @main signature. The reference
backend accumulates bf16 dot_general in bf16 (like the StableHLO interpreter), so for long
contractions this, not `nvgpu bench --check`, is the meaningful check of the GPU result.
"""
import re, subprocess, numpy as np, torch, torch.nn.functional as F, os, sys
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
    # Like `nvgpu bench --check`: per element |got-ref| / max(|ref|, rms(ref)), and normwise.
    rms = expected.pow(2).mean().sqrt().clamp(min=1e-30)
    err = ((got - expected).abs() / torch.maximum(expected.abs(), rms)).max().item()
    normwise = ((got - expected).norm() / expected.norm().clamp(min=1e-30)).item()
    verdict = "ok" if err <= tolerance and normwise <= 1e-2 else "FAILED"
    print(f"{name}: max error vs torch (f32 accumulation) {err:.4g} (tolerance {tolerance}), "
          f"normwise {normwise:.3g} (tolerance 0.01) {verdict}")
def shapes(program):
    """The argument shapes of @main, e.g. [(256, 4096), (4096, 512)]."""
    signature = re.search(r"@main\((.*?)\)\s*->", open(program).read()).group(1)
    return [tuple(int(d) for d in m.split("x")) for m in re.findall(r"tensor<((?:\d+x)*\d+)xbf16>", signature)]
def randn(*shape): return torch.randn(*shape, dtype=torch.bfloat16, device="cuda")
program = f"{programs}/matmul_bf16.mlir"
a, b = [randn(*s) for s in shapes(program)]
check("matmul", program, [a, b], (a.float() @ b.float()).bfloat16().float().cpu())
program = f"{programs}/mlp_gelu_bf16.mlir"
x, w1, b1, w2 = [randn(*s) for s in shapes(program)]
h = (x @ w1 + b1)
check("mlp", program, [x, w1, b1, w2], (F.gelu(h, approximate="tanh") @ w2).float().cpu(), 1e-1)
program = f"{programs}/attention_bf16.mlir"
q, k, v = [randn(*s) for s in shapes(program)]
scale = torch.tensor(q.shape[-1] ** 0.5, dtype=torch.bfloat16).item()  # the program's bf16 constant
s = torch.einsum("bhqd,bhkd->bhqk", q, k) / scale
p = torch.softmax(s.float(), -1).to(torch.bfloat16)
check("attention", program, [q, k, v], torch.einsum("bhqk,bhkd->bhqd", p, v).float().cpu())
