"""What bench/control_flow.py and bench/fft.py share: XLA's timing of a jitted function, one
`nvgpu bench` run, and one `nvgpu run` on given inputs (GPU machine only)."""
import json
import os
import subprocess
import time

import numpy as np
import jax


def xla_time(fn, args, runs):
    """XLA's result, median host time of one call + block_until_ready (ms), and the per-call
    time of `runs` calls back to back (ms)."""
    f = jax.jit(fn)
    dev = [jax.device_put(a) for a in args]
    out = jax.block_until_ready(f(*dev))
    for _ in range(10):
        jax.block_until_ready(f(*dev))
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        jax.block_until_ready(f(*dev))
        samples.append((time.perf_counter_ns() - t0) / 1e6)
    t0 = time.perf_counter_ns()
    r = None
    for _ in range(runs):
        r = f(*dev)
    jax.block_until_ready(r)
    return out, float(np.median(samples)), (time.perf_counter_ns() - t0) / 1e6 / runs


def nvgpu_bench(nvgpu, path, out_dir, runs, env, extra=(), timeout=600):
    """`nvgpu bench PATH --random-inputs`: dict(host_ms, event_ms, b2b_ms, stdout), or
    dict(error=...)."""
    j = os.path.join(out_dir, "tmp.json")
    p = subprocess.run([nvgpu, "bench", path, "--random-inputs", *extra, "--runs", str(runs), "--json", j],
                       capture_output=True, text=True, env=dict(os.environ, **env), timeout=timeout)
    if p.returncode != 0:
        return dict(error=(p.stderr or p.stdout).strip()[-400:])
    rec = json.load(open(j))
    host = None
    for l in p.stdout.splitlines():
        if l.startswith("single call on the host"):
            host = float(l.split("median ")[1].split(" ms")[0])
    return dict(host_ms=host, event_ms=rec["ms"], b2b_ms=rec.get("ms_loop"), stdout=p.stdout)


def nvgpu_run(nvgpu, path, out_dir, name, args, outputs, timeout=600):
    """`nvgpu run PATH --device=cuda` on `args` (saved as .npy): (results, None) or
    (None, error text)."""
    files = []
    for k, a in enumerate(args):
        fp = os.path.join(out_dir, f"{name}_in{k}.npy")
        np.save(fp, a)
        files.append(f"--input=@{fp}")
    outs = [os.path.join(out_dir, f"{name}_out{k}.npy") for k in range(outputs)]
    p = subprocess.run([nvgpu, "run", path, "--device=cuda", *files, *[f"--output=@{o}" for o in outs],
                        "--print-max-elements", "0"], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        return None, (p.stderr or p.stdout).strip()[-300:]
    return [np.load(o) for o in outs], None
