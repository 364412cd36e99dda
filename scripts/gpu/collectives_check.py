#!/usr/bin/env python3
"""Collectives on N GPUs through nvgpu (NCCL), for a multi-GPU device kind.

  collectives_check.py correctness --nvgpu /tmp/nvgpu --gpus N --out DIR
      every collective on random inputs, one input set per process: nvgpu on N GPUs
      against numpy's answer from the spec and against `nvgpu run --device=cpu` (the
      reference backend) when its output parses.
  collectives_check.py bandwidth --nvgpu /tmp/nvgpu --gpus N --out DIR
      all_reduce (f32, sum) bus bandwidth 1 MiB .. 1 GiB, nvgpu next to jax.lax.psum
      (pmap) in the same run: busbw = bytes * 2 (N - 1) / N / time.
  collectives_check.py mlp --nvgpu /tmp/nvgpu --gpus N --out DIR
      a data-parallel training step of the MLP fixture's shapes on N GPUs (JAX's per-shard
      gradient program, then all_reduce + 1/N: pmean, and the update) against the one-GPU
      step on the whole batch and against JAX.

Prints one line per check and exits 1 when any fails.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np


def run(cmd, timeout=600):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def parse_processes(text):
    """`process P (...):` blocks of `SHAPExTYPE=[...]` lines -> {P: [np.array]}."""
    blocks, current = {}, None
    for line in text.splitlines():
        m = re.match(r"process (\d+)", line)
        if m:
            current = int(m.group(1))
            blocks[current] = []
            continue
        m = re.match(r"^([0-9x]*)(?:x)?([a-z]+[0-9]+)=(.*)$", line.strip())
        if m and current is not None:
            dims = [int(d) for d in m.group(1).split("x") if d]
            numbers = re.findall(r"-?(?:inf|nan|[0-9.]+(?:e[-+]?[0-9]+)?)", m.group(3).replace("true", "1").replace("false", "0"))
            values = np.array([float(v) for v in numbers], dtype=np.float64)
            blocks[current].append(values.reshape(dims) if dims else values.reshape(()))
    if not blocks and current is None:
        return parse_processes("process 0:\n" + text)
    return blocks


def program(n, body, arguments, results):
    return f"""module @collectives attributes {{mhlo.num_replicas = {n} : i32, mhlo.num_partitions = 1 : i32}} {{
  func.func @main({arguments}) -> {results} {{
{body}
  }}
}}
"""


def region(op, t):
    return f"""({{
      ^bb0(%a: tensor<{t}>, %b: tensor<{t}>):
        %s = stablehlo.{op} %a, %b : tensor<{t}>
        stablehlo.return %s : tensor<{t}>
    }})"""


def all_group(n):
    return f"dense<[[{', '.join(str(i) for i in range(n))}]]> : tensor<1x{n}xi64>"


def cases(n, rng):
    """(name, mlir, per-process inputs, expected per-process results, tolerance). Results are
    read back from nvgpu's printed text, so moved floats get a 1e-6 relative tolerance."""
    out = []
    g = all_group(n)
    xs = [rng.standard_normal((64, 33)).astype(np.float32) for _ in range(n)]
    out.append(("all_reduce sum f32", program(n, f"""    %0 = "stablehlo.all_reduce"(%arg0) {region('add', 'f32')} {{replica_groups = {g}}} : (tensor<64x33xf32>) -> tensor<64x33xf32>
    return %0 : tensor<64x33xf32>""", "%arg0: tensor<64x33xf32>", "tensor<64x33xf32>"),
        [[x] for x in xs], [[sum(xs)]] * n, 1e-5))
    ks = [rng.integers(-1000, 1000, (17,)).astype(np.int32) for _ in range(n)]
    out.append(("all_reduce min i32", program(n, f"""    %0 = "stablehlo.all_reduce"(%arg0) {region('minimum', 'i32')} {{replica_groups = {g}}} : (tensor<17xi32>) -> tensor<17xi32>
    return %0 : tensor<17xi32>""", "%arg0: tensor<17xi32>", "tensor<17xi32>"),
        [[k] for k in ks], [[np.min(np.stack(ks), axis=0)]] * n, 0))
    gs = [rng.standard_normal((4, 5)).astype(np.float32) for _ in range(n)]
    out.append(("all_gather dim 1 f32", program(n, f"""    %0 = "stablehlo.all_gather"(%arg0) {{all_gather_dim = 1 : i64, replica_groups = {g}}} : (tensor<4x5xf32>) -> tensor<4x{5 * n}xf32>
    return %0 : tensor<4x{5 * n}xf32>""", "%arg0: tensor<4x5xf32>", f"tensor<4x{5 * n}xf32>"),
        [[x] for x in gs], [[np.concatenate(gs, axis=1)]] * n, 1e-6))
    rs = [rng.integers(-50, 50, (3, 2 * n)).astype(np.int32) for _ in range(n)]
    total = sum(rs)
    out.append(("reduce_scatter dim 1 i32", program(n, f"""    %0 = "stablehlo.reduce_scatter"(%arg0) {region('add', 'i32')} {{scatter_dimension = 1 : i64, replica_groups = {g}}} : (tensor<3x{2 * n}xi32>) -> tensor<3x2xi32>
    return %0 : tensor<3x2xi32>""", f"%arg0: tensor<3x{2 * n}xi32>", "tensor<3x2xi32>"),
        [[x] for x in rs], [[total[:, 2 * p:2 * p + 2]] for p in range(n)], 0))
    a2 = [rng.standard_normal((3, 2 * n)).astype(np.float32) for _ in range(n)]
    out.append(("all_to_all split 1 concat 0 f32", program(n, f"""    %0 = "stablehlo.all_to_all"(%arg0) {{split_dimension = 1 : i64, concat_dimension = 0 : i64, split_count = {n} : i64, replica_groups = {g}}} : (tensor<3x{2 * n}xf32>) -> tensor<{3 * n}x2xf32>
    return %0 : tensor<{3 * n}x2xf32>""", f"%arg0: tensor<3x{2 * n}xf32>", f"tensor<{3 * n}x2xf32>"),
        [[x] for x in a2], [[np.concatenate([a2[s][:, 2 * p:2 * p + 2] for s in range(n)], axis=0)] for p in range(n)], 1e-6))
    ps = [rng.standard_normal((6,)).astype(np.float32) for _ in range(n)]
    pairs = ", ".join(f"[{i}, {(i + 1) % n}]" for i in range(n))
    out.append(("collective_permute ring f32", program(n, f"""    %0 = "stablehlo.collective_permute"(%arg0) {{source_target_pairs = dense<[{pairs}]> : tensor<{n}x2xi64>}} : (tensor<6xf32>) -> tensor<6xf32>
    return %0 : tensor<6xf32>""", "%arg0: tensor<6xf32>", "tensor<6xf32>"),
        [[x] for x in ps], [[ps[(p - 1) % n]] for p in range(n)], 1e-6))
    bs = [rng.standard_normal((5,)).astype(np.float32) for _ in range(n)]
    order = list(range(n))
    root = n - 1
    order.remove(root)
    order = [root] + order
    out.append(("collective_broadcast from the last process", program(n, f"""    %0 = "stablehlo.collective_broadcast"(%arg0) {{replica_groups = dense<[[{', '.join(map(str, order))}]]> : tensor<1x{n}xi64>}} : (tensor<5xf32>) -> tensor<5xf32>
    return %0 : tensor<5xf32>""", "%arg0: tensor<5xf32>", "tensor<5xf32>"),
        [[x] for x in bs], [[bs[root]]] * n, 1e-6))
    out.append(("replica_id", program(n, """    %0 = stablehlo.replica_id : tensor<ui32>
    return %0 : tensor<ui32>""", "", "tensor<ui32>"), [[] for _ in range(n)], [[np.array(p)] for p in range(n)], 0))
    return out


def compare(name, got, expected, tolerance):
    if sorted(got) != list(range(len(expected))):
        return f"{name}: processes {sorted(got)} in the output, expected {len(expected)}"
    for p, tensors in enumerate(expected):
        if len(got[p]) != len(tensors):
            return f"{name}: process {p} printed {len(got[p])} results, expected {len(tensors)}"
        for k, want in enumerate(tensors):
            have = got[p][k]
            if have.shape != np.shape(want):
                return f"{name}: process {p} result {k} shape {have.shape}, expected {np.shape(want)}"
            error = np.max(np.abs(have - np.asarray(want, np.float64)) / (1 + np.abs(np.asarray(want, np.float64)))) if have.size else 0
            if error > tolerance:
                return f"{name}: process {p} result {k} off by {error:.3g} (tolerance {tolerance})"
    return None


def correctness(args):
    rng = np.random.default_rng(6)
    failures = 0
    for index, (name, text, inputs, expected, tolerance) in enumerate(cases(args.gpus, rng)):
        folder = os.path.join(args.out, f"case{index}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "program.mlir")
        open(path, "w").write(text)
        flags = []
        for p, tensors in enumerate(inputs):
            for k, tensor in enumerate(tensors):
                file = os.path.join(folder, f"p{p}_{k}.npy")
                np.save(file, tensor)
                flags.append(f"--input=@{file}")
        for device in ["cuda", "cpu"]:
            code, stdout, stderr = run([args.nvgpu, "run", path, f"--device={device}", "--print-max-elements=100000000"]
                                       + flags + [f"--replicas={args.gpus}"])
            if code != 0:
                print(f"FAIL {name} on {device}: exit {code}: {stderr.strip()[-400:]}")
                failures += device == "cuda"
                continue
            problem = compare(name, parse_processes(stdout), expected, tolerance)
            print(f"{'FAIL' if problem else 'ok  '} {name} on {device}" + (f": {problem}" if problem else ""))
            failures += bool(problem) and device == "cuda"
    return failures


def bandwidth(args):
    import jax
    import jax.numpy as jnp
    n = args.gpus
    print(f"all_reduce f32 sum on {n} GPUs: bus bandwidth = bytes * 2(n-1)/n / time; nvgpu (NCCL via nvgpu) vs jax.lax.psum (pmap)")
    print(f"{'size':>10} {'nvgpu ms':>10} {'nvgpu GB/s':>11} {'jax ms':>10} {'jax GB/s':>9} {'ratio':>6}")
    factor = 2 * (n - 1) / n if n > 1 else 1
    psum = jax.pmap(lambda x: jax.lax.psum(x, "i"), axis_name="i")
    from jax.sharding import NamedSharding, PartitionSpec
    mesh = jax.make_mesh((n,), ("i",), devices=jax.devices()[:n])
    for mib in [1, 4, 16, 64, 256, 1024]:
        count = mib * (1 << 20) // 4
        folder = os.path.join(args.out, f"bw{mib}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "program.mlir")
        open(path, "w").write(program(n, f"""    %0 = "stablehlo.all_reduce"(%arg0) {region('add', 'f32')} {{replica_groups = {all_group(n)}}} : (tensor<{count}xf32>) -> tensor<{count}xf32>
    return %0 : tensor<{count}xf32>""", f"%arg0: tensor<{count}xf32>", f"tensor<{count}xf32>"))
        zeros = os.path.join(folder, "zeros.bin")
        with open(zeros, "wb") as f:
            f.truncate(count * 4)
        code, stdout, stderr = run([args.nvgpu, "run", path, "--device=cuda", f"--replicas={n}", f"--input={count}xf32=@{zeros}", "--time-runs=20"])
        times = [float(m) for m in re.findall(r"([0-9.]+) ms per run back to back", stdout)]
        ours = max(times) if code == 0 and times else float("nan")
        if code != 0:
            print(f"nvgpu failed at {mib} MiB: {stderr.strip()[-300:]}")
        x = jax.device_put(np.zeros((n, count), np.float32), NamedSharding(mesh, PartitionSpec("i")))
        for _ in range(3):
            psum(x).block_until_ready()
        start = time.perf_counter()
        for _ in range(20):
            y = psum(x)
        y.block_until_ready()
        theirs = (time.perf_counter() - start) / 20 * 1e3
        size = count * 4
        ours_bw = size * factor / (ours * 1e-3) / 1e9
        theirs_bw = size * factor / (theirs * 1e-3) / 1e9
        print(f"{mib:>7} MiB {ours:>10.4f} {ours_bw:>11.1f} {theirs:>10.4f} {theirs_bw:>9.1f} {ours_bw / theirs_bw:>6.2f}")
    return 0


def mlir_type(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def data_parallel_step(grads_text, shapes, n, lr):
    """The per-shard gradient program JAX lowered (`@main`, num_replicas 1) turned into a
    data-parallel step for `n` replicas: a new `@main` calls it, all-reduces (sums) every
    gradient over all replicas, divides by `n` (pmean) and updates the parameters."""
    text = grads_text.replace("func.func public @main(", "func.func private @local_grads(", 1)
    text = re.sub(r"mhlo\.num_replicas = \d+ : i32", f"mhlo.num_replicas = {n} : i32", text, count=1)
    params, data = shapes[:4], shapes[4:]
    types = [mlir_type(s) for s in params + data]
    grads = [mlir_type(s) for s in params]
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
    lines = [f"  func.func public @main({args}) -> ({', '.join(grads)}) {{",
             f"    %g:4 = call @local_grads({', '.join(f'%a{i}' for i in range(len(types)))}) : ({', '.join(types)}) -> ({', '.join(grads)})"]
    group = ", ".join(str(i) for i in range(n))
    for k, t in enumerate(grads):
        lines += [f'    %s{k} = "stablehlo.all_reduce"(%g#{k}) ({{',
                  "      ^bb0(%l: tensor<f32>, %r: tensor<f32>):",
                  "        %t = stablehlo.add %l, %r : tensor<f32>",
                  "        stablehlo.return %t : tensor<f32>",
                  f"    }}) {{replica_groups = dense<[[{group}]]> : tensor<1x{n}xi64>}} : ({t}) -> {t}",
                  f"    %c{k} = stablehlo.constant dense<{lr / n:.9e}> : {t}",
                  f"    %d{k} = stablehlo.multiply %s{k}, %c{k} : {t}",
                  f"    %u{k} = stablehlo.subtract %a{k}, %d{k} : {t}"]
    lines += [f"    return {', '.join(f'%u{k}' for k in range(4))} : {', '.join(grads)}", "  }"]
    end = text.rstrip().rfind("}")
    return text[:end] + "\n".join(lines) + "\n}\n"


def mlp(args):
    import jax
    import jax.numpy as jnp
    n = args.gpus
    rng = np.random.default_rng(7)
    batch = 4 * n
    params = [rng.standard_normal(s).astype(np.float32) * 0.3 for s in [(8, 16), (16,), (16, 3), (3,)]]
    x = rng.standard_normal((batch, 8)).astype(np.float32)
    y = rng.standard_normal((batch, 3)).astype(np.float32)

    def loss(w1, b1, w2, b2, x, y):
        h = jnp.maximum(x @ w1 + b1, 0)
        return jnp.mean((h @ w2 + b2 - y) ** 2)

    def gradients(w1, b1, w2, b2, x, y):
        return jax.grad(loss, argnums=(0, 1, 2, 3))(w1, b1, w2, b2, x, y)

    def step(w1, b1, w2, b2, x, y):
        return tuple(p - 0.1 * g for p, g in zip((w1, b1, w2, b2), gradients(w1, b1, w2, b2, x, y)))

    folder = os.path.join(args.out, "mlp")
    os.makedirs(folder, exist_ok=True)
    shards_x, shards_y = np.split(x, n), np.split(y, n)
    single = jax.jit(step).lower(*params, x, y).as_text()
    shard_grads = jax.jit(gradients).lower(*params, shards_x[0], shards_y[0]).as_text()
    parallel = data_parallel_step(shard_grads, [p.shape for p in params] + [shards_x[0].shape, shards_y[0].shape], n, 0.1)
    open(os.path.join(folder, "single.mlir"), "w").write(single)
    open(os.path.join(folder, "parallel.mlir"), "w").write(parallel)
    flags_single, flags_parallel = [], []
    for k, a in enumerate(params + [x, y]):
        np.save(os.path.join(folder, f"s{k}.npy"), a)
        flags_single.append(f"--input=@{folder}/s{k}.npy")
    for p in range(n):
        for k, a in enumerate(params + [shards_x[p], shards_y[p]]):
            np.save(os.path.join(folder, f"p{p}_{k}.npy"), a)
            flags_parallel.append(f"--input=@{folder}/p{p}_{k}.npy")
    printing = "--print-max-elements=100000"
    code1, out1, err1 = run([args.nvgpu, "run", os.path.join(folder, "single.mlir"), f"--device={args.device}", printing] + flags_single)
    code2, out2, err2 = run([args.nvgpu, "run", os.path.join(folder, "parallel.mlir"), f"--device={args.device}",
                             f"--replicas={n}", printing] + flags_parallel)
    if code1 or code2:
        print(f"FAIL mlp step: single exit {code1} {err1.strip()[-300:]}; parallel exit {code2} {err2.strip()[-300:]}")
        return 1
    one = parse_processes(out1)[0]
    every = parse_processes(out2)
    want = [np.asarray(v) for v in jax.jit(step)(*params, x, y)]
    failures = 0
    for p in range(n):
        for k in range(4):
            error = float(np.max(np.abs(every[p][k] - one[k])))
            jax_error = float(np.max(np.abs(every[p][k] - want[k])))
            ok = error < 1e-4 and jax_error < 1e-3
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} mlp step on {args.device}, process {p} param {k}: max |N-GPU - 1-GPU| {error:.2e}, vs JAX {jax_error:.2e}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["correctness", "bandwidth", "mlp"])
    parser.add_argument("--nvgpu", default="/tmp/nvgpu")
    parser.add_argument("--gpus", type=int, required=True)
    parser.add_argument("--out", default="/tmp/collectives")
    parser.add_argument("--device", default="cuda", help="mlp: where nvgpu runs both steps (cpu checks the script without a GPU)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failures = {"correctness": correctness, "bandwidth": bandwidth, "mlp": mlp}[args.mode](args)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
