#!/usr/bin/env python3
"""Times the workload suite on one GPU with every system in the same run and compares.

  python3 bench/compare.py --nvgpu PATH/TO/nvgpu [--workloads DIR] [--out DIR] [--only a,b]
  python3 bench/compare.py --nvgpu PATH/TO/nvgpu --workloads bench/suite   # the broad suite

Systems, each timed two ways (median of single calls; per-call time of back-to-back calls):
  * XLA      -- `export_and_time_jax.py bench-jax` from the workloads folder (jax.jit of the
                JAX function that exported the program; also gives XLA's compile time);
  * Inductor and eager PyTorch -- `peers_torch.py` from the workloads folder;
  * fused-attention libraries, where a folder's peer scripts time them (bench/suite/attention):
                SDPA (`sdpa_ms` rows of peers_torch.py) and cuDNN through JAX (`cudnn_ms` rows
                of export_and_time_jax.py); their columns appear when some row has them, and
                they count as peers like the others;
  * nvgpu    -- `nvgpu bench NAME.mlir --random-inputs --json` (compiles in memory, so the
                record holds our compile time too);
  * nvgpu generic -- the same with `--no-vendor-libs` (no cuBLASLt/cuDNN: our own generated
                kernels only), the upstream path beside the vendor (downstream) one;
                --skip-generic leaves it out.
A system that is not installed or fails is recorded as such (one failing workload of a peer
script is a row with an error; the rest still run). --only a,b reaches the peer scripts as
BENCH_ONLY=a,b (the bench/suite scripts honour it; the shared ones time everything).

Every run appends one line per workload to bench/history.jsonl (--history; --no-history
skips): commit (`git rev-parse HEAD`, and whether the tree was dirty), date, device, suite
folder, workload, each system's times and nvgpu's ratio to the best peer; the same lines go
to OUT/DATE-DEVICE.history.jsonl (BENCH_COMMIT=HASH names the commit where there is no .git).
bench/history_chart.py draws those ratios over commits.

A run too long for one call splits in two on the same machine: `--skip-nvgpu` times only the
peers (their records go to the JSON), then `--peers-from THAT.json` times nvgpu against them.

Exit status: 0 all ran, 2 some nvgpu workload failed, 3 a peer (XLA or PyTorch) failed.
Writes OUT/DATE-DEVICE.md (the table), OUT/DATE-DEVICE.json (every number) and a bar chart
OUT/DATE-DEVICE.png (matplotlib) or .svg (hand-written when matplotlib is absent).
Floors: the workload's bytes at the measured copy bandwidth (nvgpu's 1 GiB device-to-device
copy) or its flops at 739 TFLOP/s (bf16 cuBLAS on an H100), whichever is larger.
"""
import argparse
import concurrent.futures
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_WORKLOADS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "workloads"))
MATRIX_RATE = 739e12
DEFAULT_BANDWIDTH = 2.89e12


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def run_logged(command, log_path, timeout, env=None):
    """Runs `command`, teeing output to log_path; returns (exit status or None on timeout, output)."""
    log("$", " ".join(command))
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                              env=env)
        output, status = done.stdout, done.returncode
    except subprocess.TimeoutExpired as e:
        partial = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        output, status = partial + f"\n[timed out after {timeout} s]\n", None
    except OSError as e:
        output, status = f"[could not start: {e}]\n", 127
    with open(log_path, "w") as f:
        f.write(" ".join(command) + "\n" + output)
    return status, output


def workloads(folder, only):
    names = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".mlir"))
    if only:
        wanted = set(only.split(","))
        names = [n for n in names if n in wanted]
    result = []
    for name in names:
        spec_path = os.path.join(folder, name + ".json")
        spec = json.load(open(spec_path)) if os.path.exists(spec_path) else {}
        result.append({"name": name, "mlir": os.path.join(folder, name + ".mlir"),
                       "flops": spec.get("flops", 0), "bytes": spec.get("bytes", 0)})
    return result


def rows_by_name(path):
    try:
        return {row["name"]: row for row in json.load(open(path))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def peer_script(folder, name):
    """The peer script beside the workloads, else the one in the shared workloads folder."""
    for candidate in (os.path.join(folder, name), os.path.join(DEFAULT_WORKLOADS, name)):
        if os.path.exists(candidate):
            return candidate
    return os.path.join(folder, name)


def peer_env(only):
    return dict(os.environ, BENCH_ONLY=only) if only else None


def time_xla(folder, scratch, timeout, only=None):
    script = peer_script(folder, "export_and_time_jax.py")
    status, output = run_logged([sys.executable, script, "bench-jax", scratch], os.path.join(scratch, "xla.log"), timeout,
                                peer_env(only))
    rows = rows_by_name(os.path.join(scratch, "jax.json"))
    if not rows:  # keep the rows printed before a failure
        for line in output.splitlines():
            if line.startswith("{"):
                try:
                    row = json.loads(line)
                    rows[row["name"]] = row
                except (ValueError, KeyError):
                    pass
    last = [line for line in output.strip().splitlines() if line.strip()][-1:] or ["no output"]
    return rows, (None if status == 0 else f"exit {status}: {last[0][:200]}")


def time_torch(folder, scratch, timeout, only=None):
    script = peer_script(folder, "peers_torch.py")
    status, output = run_logged([sys.executable, script, scratch], os.path.join(scratch, "torch.log"), timeout,
                                peer_env(only))
    rows = rows_by_name(os.path.join(scratch, "torch.json"))
    if not rows:
        for line in output.splitlines():
            if line.startswith("{"):
                try:
                    row = json.loads(line)
                    rows[row["name"]] = row
                except (ValueError, KeyError):
                    pass
    return rows, (None if status == 0 else f"exit {status}")


def time_nvgpu(nvgpu, workload, scratch, runs, timeout, extra, variant="nvgpu"):
    """One `nvgpu bench` run; variant "nvgpu-generic" adds --no-vendor-libs."""
    stem = os.path.join(scratch, workload["name"] + "." + variant)
    record_path = stem + ".json"
    command = [nvgpu, "bench", workload["mlir"], "--random-inputs", "--runs", str(runs),
               "--name", workload["name"], "--json", record_path] + extra
    if variant == "nvgpu-generic":
        command.append("--no-vendor-libs")
    # A fresh kernel cache per workload, so the recorded compile time is a cold compile like XLA's.
    env = dict(os.environ, NVGPU_CACHE_DIR=os.path.join(scratch, f"cache-{variant}-" + workload["name"]))
    status, output = run_logged(command, stem + ".log", timeout, env)
    if status == 0 and os.path.exists(record_path):
        return json.load(open(record_path)), None
    last = [line for line in output.strip().splitlines() if line.strip()][-1:] or ["no output"]
    return None, ("timed out" if status is None else f"exit {status}: {last[0][:200]}")


def check_nvgpu(nvgpu, workload, scratch, time_limit):
    """`nvgpu bench --check` (one run against the reference on the same random inputs):
    "passed", "FAILED: ...", "skipped: ..." or "error: ..."."""
    log_path = os.path.join(scratch, workload["name"] + ".check.log")
    command = [nvgpu, "bench", workload["mlir"], "--random-inputs", "--runs", "1", "--warmup", "0",
               "--check", "--check-time-limit", str(time_limit)]
    env = dict(os.environ, NVGPU_CACHE_DIR=os.path.join(scratch, "cache-check-" + workload["name"]))
    status, output = run_logged(command, log_path, time_limit + 120, env)
    lines = [line for line in (output or "").splitlines() if line.startswith("check: ")]
    verdict = next((line for line in lines if line.startswith(("check: passed", "check: FAIL", "check: SKIPPED"))), None)
    if verdict and verdict.startswith("check: passed"):
        return "passed"
    if verdict and verdict.startswith("check: SKIPPED"):
        return "skipped: " + verdict[len("check: SKIPPED"):].strip(" ()")[:120]
    if verdict:
        return "FAILED: " + " ".join(lines)[:200]
    return "error: " + ("timed out" if status is None else f"exit {status}")


def device_name():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=30).stdout
        return out.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown GPU"


def best_peer(row):
    """The smallest back-to-back time of any peer, and who."""
    candidates = [(row.get(k), label) for k, label in
                  (("xla_ms_loop", "XLA"), ("inductor_ms_loop", "Inductor"), ("eager_ms_loop", "eager"),
                   ("sdpa_ms_loop", "SDPA"), ("cudnn_ms_loop", "cuDNN"))]
    candidates = [(t, label) for t, label in candidates if isinstance(t, (int, float))]
    return min(candidates) if candidates else (None, None)


def fmt(value, digits=3):
    return "—" if value is None else f"{value:.{digits}f}"


def pair(single, loop):
    return "—" if single is None and loop is None else f"{fmt(single)} / {fmt(loop)}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def build_rows(suite, xla, torch_rows, nvgpu_records, nvgpu_errors, generic_records=None, generic_errors=None,
               checks=None):
    generic_records, generic_errors, checks = generic_records or {}, generic_errors or {}, checks or {}
    rows = []
    for w in suite:
        name = w["name"]
        x, t, n = xla.get(name, {}), torch_rows.get(name, {}), nvgpu_records.get(name) or {}
        g = generic_records.get(name) or {}
        bandwidth = (n.get("floor") or {}).get("bandwidth") or DEFAULT_BANDWIDTH
        floor = max(w["bytes"] / bandwidth, w["flops"] / MATRIX_RATE) * 1e3 if (w["bytes"] or w["flops"]) else None
        row = {
            "name": name, "floor_ms": floor, "bandwidth": bandwidth,
            "xla_ms": x.get("ms"), "xla_ms_loop": x.get("ms_loop"), "xla_compile_s": x.get("compile_s"),
            "xla_error": x.get("error"), "eager_error": t.get("eager_error"), "torch_note": t.get("note"),
            "inductor_ms": t.get("inductor_ms"), "inductor_ms_loop": t.get("inductor_ms_loop"),
            "inductor_compile_s": t.get("compile_s"), "inductor_error": t.get("inductor_error"),
            "eager_ms": t.get("eager_ms"), "eager_ms_loop": t.get("eager_ms_loop"),
            "nvgpu_ms": n.get("ms"), "nvgpu_ms_loop": n.get("ms_loop"), "nvgpu_p10": n.get("p10"),
            "nvgpu_p90": n.get("p90"), "nvgpu_compile_s": n.get("compile_s"), "nvgpu_kernels": n.get("kernels"),
            "nvgpu_host_steps": n.get("host_steps"), "nvgpu_error": nvgpu_errors.get(name),
            "generic_ms": g.get("ms"), "generic_ms_loop": g.get("ms_loop"), "generic_compile_s": g.get("compile_s"),
            "generic_kernels": g.get("kernels"), "generic_error": generic_errors.get(name),
            "check": checks.get(name),
            "sdpa_ms": t.get("sdpa_ms"), "sdpa_ms_loop": t.get("sdpa_ms_loop"), "sdpa_error": t.get("sdpa_error"),
            "cudnn_ms": x.get("cudnn_ms"), "cudnn_ms_loop": x.get("cudnn_ms_loop"), "cudnn_error": x.get("cudnn_error"),
        }
        peer, who = best_peer(row)
        row["best_peer_ms_loop"], row["best_peer"] = peer, who
        row["vs_xla"] = ratio(row["nvgpu_ms_loop"], row["xla_ms_loop"])
        row["vs_best_peer"] = ratio(row["nvgpu_ms_loop"], peer)
        row["generic_vs_best_peer"] = ratio(row["generic_ms_loop"], peer)
        row["generic_vs_nvgpu"] = ratio(row["generic_ms_loop"], row["nvgpu_ms_loop"])
        row["fraction_of_floor"] = ratio(floor, row["nvgpu_ms_loop"])
        fused = [v for v in (row["sdpa_ms_loop"], row["cudnn_ms_loop"]) if isinstance(v, (int, float))]
        row["vs_fused_attention"] = ratio(row["nvgpu_ms_loop"], min(fused)) if fused else None
        rows.append(row)
    return rows


def geomean(values):
    values = [v for v in values if isinstance(v, (int, float)) and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def markdown(rows, device, date, notes, generic=True):
    checked = any(r.get("check") for r in rows)
    attention = any(r.get(k) for r in rows for k in ("sdpa_ms_loop", "sdpa_error", "cudnn_ms_loop", "cudnn_error"))
    header = "| workload | XLA | Inductor | eager |" + (" SDPA | cuDNN (JAX) |" if attention else "")
    header += " nvgpu | nvgpu ÷ XLA | nvgpu ÷ best peer |"
    rule = "|---|---|---|---|---|---|---|" + ("---|---|" if attention else "")
    if attention:
        header += " nvgpu ÷ faster of SDPA, cuDNN |"
        rule += "---|"
    if checked:
        header += " check |"
        rule += "---|"
    if generic:
        header += " nvgpu generic (--no-vendor-libs) | generic ÷ best peer | generic ÷ nvgpu |"
        rule += "---|---|---|"
    header += " floor ms | floor ÷ nvgpu | compile s (nvgpu / XLA) |"
    rule += "---|---|---|"
    lines = [f"# Workload suite on {device}, {date}", "",
             "Each time cell: median single call / per-call time of back-to-back calls, in ms. "
             "Ratios use the back-to-back times (nvgpu ÷ other; below 1 means nvgpu is faster). "
             "XLA is timed with host clocks around `block_until_ready` (its single-call time includes host "
             "dispatch); PyTorch and nvgpu with CUDA events."
             + (" *nvgpu generic* is our build without vendor libraries (`--no-vendor-libs`: no cuBLASLt, "
                "no cuDNN), the generic path beside the vendor one." if generic else ""), "", header, rule]
    for r in rows:
        nv = pair(r["nvgpu_ms"], r["nvgpu_ms_loop"]) if r["nvgpu_error"] is None else f"failed ({r['nvgpu_error'][:60]})"
        best = f"{fmt(r['vs_best_peer'], 2)} ({r['best_peer']})" if r["best_peer"] else "—"
        frac = "—" if r["fraction_of_floor"] is None else f"{100 * r['fraction_of_floor']:.0f}%"
        xla = pair(r["xla_ms"], r["xla_ms_loop"]) if not r.get("xla_error") else "failed"
        eager = pair(r["eager_ms"], r["eager_ms_loop"]) if not r.get("eager_error") else "failed"
        inductor = pair(r["inductor_ms"], r["inductor_ms_loop"]) if not r.get("inductor_error") else "failed"
        line = f"| {r['name']} | {xla} | {inductor} | {eager} |"
        if attention:
            sdpa = pair(r.get("sdpa_ms"), r.get("sdpa_ms_loop")) if not r.get("sdpa_error") else "failed"
            cudnn = pair(r.get("cudnn_ms"), r.get("cudnn_ms_loop")) if not r.get("cudnn_error") else "failed"
            line += f" {sdpa} | {cudnn} |"
        line += f" {nv} | {fmt(r['vs_xla'], 2)} | {best} |"
        if attention:
            line += f" {fmt(r.get('vs_fused_attention'), 2)} |"
        if checked:
            line += f" {(r.get('check') or '—')[:70]} |"
        if generic:
            gen = (pair(r.get("generic_ms"), r.get("generic_ms_loop")) if r.get("generic_error") is None
                   else f"failed ({r['generic_error'][:60]})")
            line += f" {gen} | {fmt(r.get('generic_vs_best_peer'), 2)} | {fmt(r.get('generic_vs_nvgpu'), 2)} |"
        line += f" {fmt(r['floor_ms'])} | {frac} | {fmt(r['nvgpu_compile_s'], 2)} / {fmt(r['xla_compile_s'], 2)} |"
        lines.append(line)
    summary = []
    g = geomean(r["vs_best_peer"] for r in rows)
    if g is not None:
        n = sum(1 for r in rows if r["vs_best_peer"])
        worse = sum(1 for r in rows if r["vs_best_peer"] and r["vs_best_peer"] > 1.0)
        summary.append(f"nvgpu ÷ best peer: geometric mean {g:.3f} over {n} workloads; {worse} above 1.0")
    if attention:
        g4 = geomean(r.get("vs_fused_attention") for r in rows)
        over = [r["name"] for r in rows if (r.get("vs_fused_attention") or 0) > 1.1]
        if g4 is not None:
            summary.append(f"nvgpu ÷ faster of SDPA and cuDNN: geometric mean {g4:.3f}; above 1.1: "
                           + (", ".join(over) if over else "none"))
    if generic:
        g2 = geomean(r.get("generic_vs_best_peer") for r in rows)
        g3 = geomean(r.get("generic_vs_nvgpu") for r in rows)
        if g2 is not None:
            summary.append(f"nvgpu generic ÷ best peer: geometric mean {g2:.3f}; generic ÷ nvgpu: {fmt(g3, 3)}")
    if checked:
        passed = sum(1 for r in rows if r.get("check") == "passed")
        failed = [r["name"] for r in rows if (r.get("check") or "").startswith(("FAILED", "error"))]
        summary.append(f"checked against the reference on the same inputs: {passed} passed, "
                       f"{sum(1 for r in rows if (r.get('check') or '').startswith('skipped'))} skipped (too slow for the reference), "
                       f"{len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    if summary:
        lines += [""] + summary
    if notes:
        lines += ["", "Notes:"] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def chart(rows, path_stem, device):
    systems = [("xla_ms_loop", "XLA"), ("inductor_ms_loop", "Inductor"), ("eager_ms_loop", "eager"),
               ("nvgpu_ms_loop", "nvgpu"), ("generic_ms_loop", "nvgpu generic"), ("floor_ms", "floor"),
               ("sdpa_ms_loop", "SDPA"), ("cudnn_ms_loop", "cuDNN (JAX)")]
    colors = ["#4c72b0", "#dd8452", "#937860", "#55a868", "#8172b3", "#999999", "#c44e52", "#da8bc3"]
    present = [i for i, (key, _) in enumerate(systems) if key == "floor_ms" or any(r.get(key) for r in rows)]
    systems, colors = [systems[i] for i in present], [colors[i] for i in present]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(min(60, max(8, 1.4 * len(rows))), 5))
        width = 0.8 / len(systems)
        for i, ((key, label), color) in enumerate(zip(systems, colors)):
            xs = [j + i * width for j in range(len(rows))]
            ax.bar(xs, [r.get(key) or 0 for r in rows], width, label=label, color=color)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))])
        ax.set_xticklabels([r["name"] for r in rows], rotation=30, ha="right")
        ax.set_ylabel("ms per call (back-to-back)")
        ax.set_yscale("log")
        ax.set_title(f"Workload suite on {device}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path_stem + ".png", dpi=120)
        return path_stem + ".png"
    except ImportError:
        pass
    values = [r.get(k) for r in rows for k, _ in systems if r.get(k)]
    top = max(values) if values else 1.0
    bar_h, group_h, left, width = 10, 10 * len(systems) + 14, 170, 600
    height = group_h * len(rows) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="4" y="14" font-size="13">ms per call (back-to-back), {device}; bars scaled to {top:.3g} ms</text>']
    for j, r in enumerate(rows):
        y0 = 24 + j * group_h
        out.append(f'<text x="4" y="{y0 + group_h / 2}">{r["name"]}</text>')
        for i, ((key, label), color) in enumerate(zip(systems, colors)):
            v = r.get(key)
            y = y0 + i * bar_h
            w = 0 if not v else max(1, width * v / top)
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 3}">{label} {fmt(v)}</text>')
    out.append("</svg>")
    with open(path_stem + ".svg", "w") as f:
        f.write("\n".join(out))
    return path_stem + ".svg"


def git_commit():
    """(commit hash, dirty?) of the checkout this script is in; (None, None) outside git.
    BENCH_COMMIT names the commit where the tree has no .git (a copy on a GPU machine)."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"], None
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, timeout=30)
        if head.returncode != 0:
            return None, None
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
        return head.stdout.strip(), bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None, None


HISTORY_TIMES = ["xla_ms", "xla_ms_loop", "inductor_ms", "inductor_ms_loop", "eager_ms", "eager_ms_loop",
                 "nvgpu_ms", "nvgpu_ms_loop", "generic_ms", "generic_ms_loop", "floor_ms",
                 "sdpa_ms", "sdpa_ms_loop", "cudnn_ms", "cudnn_ms_loop"]


def history_lines(rows, device, workloads_dir, commit, dirty, when):
    suite_name = os.path.basename(os.path.normpath(workloads_dir))
    lines = []
    for r in rows:
        entry = {"commit": commit, "dirty": dirty, "date": when, "device": device, "suite": suite_name,
                 "workload": r["name"], "times_ms": {k: r.get(k) for k in HISTORY_TIMES if r.get(k) is not None},
                 "best_peer": r.get("best_peer"), "best_peer_ms_loop": r.get("best_peer_ms_loop"),
                 "ratio_to_best_peer": r.get("vs_best_peer"), "generic_ratio_to_best_peer": r.get("generic_vs_best_peer"),
                 "errors": {k: r[k] for k in ("nvgpu_error", "generic_error", "xla_error", "eager_error", "inductor_error",
                                              "sdpa_error", "cudnn_error")
                            if r.get(k)}}
        lines.append(json.dumps(entry, sort_keys=True))
    return lines


def append_history(paths, rows, device, workloads_dir):
    """Appends this run's lines to each of paths (the history, and the run's own copy)."""
    commit, dirty = git_commit()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = history_lines(rows, device, workloads_dir, commit, dirty, when)
    for path in paths:
        with open(path, "a") as f:
            for line in lines:
                f.write(line + "\n")
    return len(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nvgpu", required=True, help="the nvgpu binary")
    parser.add_argument("--workloads", default=DEFAULT_WORKLOADS)
    parser.add_argument("--out", default=os.environ.get("OUT") or os.path.join(HERE, "results"))
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-xla", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--skip-nvgpu", action="store_true",
                        help="time only the peers (their records go to the JSON for a later --peers-from)")
    parser.add_argument("--peers-from", action="append", default=[], metavar="JSON",
                        help="take XLA and PyTorch times from an earlier run's JSON on the same machine instead of "
                             "timing them (repeat to merge runs; later files win); lets one session's run be "
                             "split over calls that each fit a time limit")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per peer script (XLA, PyTorch)")
    parser.add_argument("--nvgpu-timeout", type=int, default=900, help="seconds per nvgpu workload")
    parser.add_argument("--nvgpu-arg", action="append", default=[], help="extra argument for nvgpu bench (repeat)")
    parser.add_argument("--skip-generic", action="store_true",
                        help="leave out the nvgpu --no-vendor-libs column (halves nvgpu's time)")
    parser.add_argument("--history", default=os.path.join(HERE, "history.jsonl"),
                        help="append one JSON line per workload here (default bench/history.jsonl)")
    parser.add_argument("--no-history", action="store_true", help="do not append to the history")
    parser.add_argument("--check", action="store_true",
                        help="after timing, check every workload's results against the reference backend on the same inputs")
    parser.add_argument("--check-jobs", type=int, default=8, help="checks run at once (the reference runs on the CPU)")
    parser.add_argument("--check-time-limit", type=int, default=60, help="seconds the reference may take per workload")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="compare-", dir=args.out)
    suite = workloads(args.workloads, args.only)
    if not suite:
        log(f"no workloads (*.mlir) in {args.workloads}")
        return 1
    notes = []
    device = device_name()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    nvgpu_records, nvgpu_errors, generic_records, generic_errors = {}, {}, {}, {}
    variants = [] if args.skip_nvgpu else [("nvgpu", nvgpu_records, nvgpu_errors)]
    if not args.skip_generic and not args.skip_nvgpu:
        variants.append(("nvgpu-generic", generic_records, generic_errors))
    wall = {}
    for w in suite:
        for variant, records, errors in variants:
            started = time.monotonic()
            record, error = time_nvgpu(args.nvgpu, w, scratch, args.runs, args.nvgpu_timeout, args.nvgpu_arg, variant)
            wall[variant] = wall.get(variant, 0.0) + time.monotonic() - started
            records[w["name"]] = record
            if error:
                errors[w["name"]] = error
            log(w["name"], variant + ":", error or f"{record['ms']:.3f} / {record['ms_loop']:.3f} ms")
            if record and device == "unknown GPU":
                device = record.get("device", device)

    checks = {}
    if args.check and not args.skip_nvgpu:
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.check_jobs)) as pool:
            futures = {pool.submit(check_nvgpu, args.nvgpu, w, scratch, args.check_time_limit): w["name"] for w in suite}
            for future in concurrent.futures.as_completed(futures):
                checks[futures[future]] = future.result()
                log(futures[future], "check:", checks[futures[future]])
        wall["checks"] = time.monotonic() - started

    only = ",".join(w["name"] for w in suite) if args.only else None
    xla, torch_rows = {}, {}
    for path in args.peers_from:
        earlier = json.load(open(path))
        xla.update(earlier.get("xla_records") or {})
        torch_rows.update(earlier.get("torch_records") or {})
        notes.append(f"peer times (XLA, PyTorch) from {os.path.basename(path)}: an earlier call of this run on "
                     f"{earlier.get('device')}, {earlier.get('date')}")
        if earlier.get("device") != device:
            notes.append(f"warning: {os.path.basename(path)} was timed on {earlier.get('device')}, this run on {device}")
    if args.peers_from:
        args.skip_xla = args.skip_torch = True
    if not args.skip_xla:
        started = time.monotonic()
        xla, error = time_xla(args.workloads, scratch, args.timeout, only)
        wall["XLA"] = time.monotonic() - started
        if error:
            notes.append(f"XLA (export_and_time_jax.py bench-jax) failed: {error}; see {scratch}/xla.log")
    if not args.skip_torch:
        started = time.monotonic()
        torch_rows, error = time_torch(args.workloads, scratch, args.timeout, only)
        wall["PyTorch"] = time.monotonic() - started
        if error:
            notes.append(f"PyTorch (peers_torch.py) failed: {error}; see {scratch}/torch.log")

    rows = build_rows(suite, xla, torch_rows, nvgpu_records, nvgpu_errors, generic_records, generic_errors, checks)
    notes.append("wall time of this run: " + ", ".join(f"{k} {v:.0f} s" for k, v in wall.items())
                 + f", total {sum(wall.values()):.0f} s")
    for r in rows:
        if r["xla_error"]:
            notes.append(f"{r['name']}: XLA failed: {r['xla_error'][:120]}")
        if r["eager_error"]:
            notes.append(f"{r['name']}: PyTorch eager failed: {r['eager_error'][:120]}")
        if r["inductor_error"]:
            notes.append(f"{r['name']}: torch.compile failed: {r['inductor_error'][:120]}")
        for key, label in (("sdpa_error", "SDPA"), ("cudnn_error", "cuDNN through JAX")):
            if r.get(key):
                notes.append(f"{r['name']}: {label} failed: {r[key][:160]}")
        if r["torch_note"]:
            notes.append(f"{r['name']}: PyTorch: {r['torch_note'][:160]}")
    stem = os.path.join(args.out, f"{date}-{re.sub(r'[^A-Za-z0-9]+', '-', device).strip('-')}")
    table = markdown(rows, device, date, notes, generic=not args.skip_generic)
    with open(stem + ".md", "w") as f:
        f.write(table)
    with open(stem + ".json", "w") as f:
        json.dump({"device": device, "date": date, "rows": rows, "notes": notes,
                   "nvgpu_records": nvgpu_records, "xla_records": xla, "torch_records": torch_rows}, f, indent=1)
    picture = chart(rows, stem, device)
    print(table)
    print(f"wrote {stem}.md, {stem}.json, {picture}; logs in {scratch}")
    if not args.no_history and not args.skip_nvgpu:
        # The run's lines also go beside its table, so they come back from a GPU machine with it:
        # `cat OUT/*.history.jsonl >> bench/history.jsonl` merges them.
        appended = append_history([args.history, stem + ".history.jsonl"], rows, device, args.workloads)
        print(f"appended {appended} rows to {args.history} and {stem}.history.jsonl")
    if nvgpu_errors:
        return 2
    return 3 if any(n.startswith(("XLA", "PyTorch")) for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
