"""Checks every `.matmul` step form nvgpu's executor supports on the GPU against PyTorch:
f32 and bf16, A and B stored transposed or not, batched or not, and each epilogue
(none, bias, relu, biasRelu, gelu (tanh), biasGelu). Each case is a hand-written
one-step executable (.nvx) run with `nvgpu run`.

  OUT=DIR python3 scripts/gpu/verify_matmul_epilogues.py PATH/TO/nvgpu

Prints one line per case and exits 1 if any case is off by more than its tolerance
(relative to max(|expected|, 1): f32 1e-4, bf16 2e-2).
"""
import base64, itertools, json, os, subprocess, sys

import numpy as np
import torch
import torch.nn.functional as F

nvgpu = sys.argv[1]
out = os.environ.get("OUT", "/tmp")
m, n, k = 64, 48, 40
dtypes = {"f32": (torch.float32, 4, 1e-4), "bf16": (torch.bfloat16, 2, 2e-2)}


def slot(name, shape, type_name, size, placement):
    count = int(np.prod(shape))
    return {"name": name, "shape": list(shape), "elementTypeName": type_name, "byteSize": count * size,
            "placement": placement}


def write_raw(tensor, path):
    tensor = tensor.contiguous().cpu()
    if tensor.dtype == torch.bfloat16:
        tensor.view(torch.int16).numpy().tofile(path)
    else:
        tensor.numpy().tofile(path)


def read_raw(path, dtype, shape):
    if dtype == torch.bfloat16:
        return torch.from_numpy(np.fromfile(path, dtype=np.int16)).view(torch.bfloat16).reshape(shape).float()
    return torch.from_numpy(np.fromfile(path, dtype=np.float32)).reshape(shape)


def case(type_name, transpose_a, transpose_b, batch, epilogue):
    dtype, size, tolerance = dtypes[type_name]
    a_shape = (batch, k, m) if transpose_a else (batch, m, k)
    b_shape = (batch, n, k) if transpose_b else (batch, k, n)
    c_shape = (batch, m, n)
    a = torch.randn(*a_shape).to(dtype)
    b = torch.randn(*b_shape).to(dtype)
    bias = torch.randn(n).to(dtype)
    uses_bias = epilogue.startswith("bias")
    buffers = [slot("a", a_shape, type_name, size, {"input": {"index": 0}}),
               slot("b", b_shape, type_name, size, {"input": {"index": 1}}),
               slot("c", c_shape, type_name, size, {"arena": {"offset": 0}})]
    inputs = [0, 1]
    if uses_bias:
        buffers.append(slot("bias", (n,), type_name, size, {"input": {"index": 2}}))
        inputs.append(3)
    call = {"a": 0, "b": 1, "c": 2, "m": m, "n": n, "k": k, "batch": batch, "transposeA": transpose_a,
            "transposeB": transpose_b, "inputType": type_name, "outputType": type_name, "epilogue": epilogue}
    if uses_bias:
        call["bias"] = 3
    executable = {"formatVersion": 1, "target": "cuda", "architecture": "sm_90", "entry": "main",
                  "arenaBytes": buffers[2]["byteSize"], "buffers": buffers, "inputs": inputs, "outputs": [2],
                  "constants": [], "kernels": [], "steps": [{"matmul": {"_0": call}}], "hostPrograms": []}
    label = f"{type_name} tA={int(transpose_a)} tB={int(transpose_b)} batch={batch} {epilogue}"
    stem = os.path.join(out, "mm")
    with open(stem + ".nvx", "wb") as f:
        f.write(b"NVX1" + json.dumps(executable).encode())
    arguments = []
    for i, t in enumerate([a, b] + ([bias] if uses_bias else [])):
        write_raw(t, f"{stem}.in{i}.bin")
        arguments.append(f"--input={'x'.join(map(str, t.shape))}x{type_name}=@{stem}.in{i}.bin")
    done = subprocess.run([nvgpu, "run", stem + ".nvx", f"--output=@{stem}.out.bin", "--print-max-elements=0"] + arguments,
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{label}: FAILED to run: {done.stderr.strip()[-300:]}")
        return False
    af = a.float().transpose(1, 2) if transpose_a else a.float()
    bf = b.float().transpose(1, 2) if transpose_b else b.float()
    expected = af @ bf
    if uses_bias:
        expected = expected + bias.float()
    if epilogue.lower().endswith("relu"):
        expected = torch.relu(expected)
    if epilogue.lower().endswith("gelu"):
        expected = F.gelu(expected, approximate="tanh")
    expected = expected.to(dtype).float()
    got = read_raw(stem + ".out.bin", dtype, c_shape)
    error = ((got - expected).abs() / expected.abs().clamp(min=1)).max().item()
    ok = error <= tolerance
    print(f"{label}: max error {error:.3g} (tolerance {tolerance}) {'ok' if ok else 'FAILED'}")
    return ok


torch.manual_seed(0)
results = [case(*c) for c in itertools.product(
    ["f32", "bf16"], [False, True], [False, True], [1, 3], ["none", "bias", "relu", "biasRelu", "gelu", "biasGelu"])]
print(f"{sum(results)} of {len(results)} matmul cases passed")
sys.exit(0 if all(results) else 1)
