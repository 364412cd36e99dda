#!/usr/bin/env python3
"""SASS of a program's generated kernels, offline: no GPU needed.

  tools/kernel_sass.py PROGRAM.mlir [--nvgpu PATH] [--kernel NAME] [--listing] [-- nvgpu inspect args]

Runs `nvgpu inspect PROGRAM --source`, compiles each kernel's CUDA C++ for sm_90 with NVRTC
(the `nvidia-cuda-nvrtc` wheel) and disassembles the cubin with nvdisasm (the
`nvidia-cuda-nvdisasm` wheel), then prints per kernel: instructions, and the instruction
mix (memory, SFU, float, integer, control). Use it
to see what a code-generation change costs per element before spending GPU time on it.
"""
import argparse
import collections
import ctypes
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def wheel_dir():
    found = glob.glob(os.path.join(ROOT, ".venv/lib/python3*/site-packages/nvidia/cu13"))
    if not found:
        sys.exit("no nvidia/cu13 in .venv: pip install nvidia-cuda-nvrtc nvidia-cuda-nvdisasm")
    return found[0]


def nvrtc_cubin(source, name, arch="sm_90"):
    for builtins in glob.glob(os.path.join(wheel_dir(), "lib", "libnvrtc-builtins.so.*")):
        ctypes.CDLL(builtins, mode=ctypes.RTLD_GLOBAL)  # NVRTC dlopens it by name
    lib = ctypes.CDLL(os.path.join(wheel_dir(), "lib", "libnvrtc.so.13"))
    program = ctypes.c_void_p()
    status = lib.nvrtcCreateProgram(ctypes.byref(program), source.encode(), f"{name}.cu".encode(), 0, None, None)
    if status:
        raise RuntimeError(f"nvrtcCreateProgram: {status}")
    options = [f"--gpu-architecture={arch}".encode(), b"--std=c++17", b"--ptxas-options=-v"]
    array = (ctypes.c_char_p * len(options))(*options)
    status = lib.nvrtcCompileProgram(program, len(options), array)
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(program, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(program, log)
    if status:
        raise RuntimeError(f"NVRTC failed for {name}:\n{log.value.decode(errors='replace')}")
    lib.nvrtcGetCUBINSize(program, ctypes.byref(size))
    cubin = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetCUBIN(program, cubin)
    used = re.search(r"Used (\d+) registers", log.value.decode(errors="replace"))
    REGISTERS[name] = int(used.group(1)) if used else None
    return cubin.raw


REGISTERS = {}


CLASSES = [
    ("memory", re.compile(r"^(LDG|STG|LDS|STS|LD|ST|LDGSTS|ATOM|ATOMG|RED|LDC|ULDC)")),
    ("sfu", re.compile(r"^MUFU")),
    ("shuffle", re.compile(r"^(SHFL|BAR|VOTE)")),
    ("float", re.compile(r"^(FADD|FMUL|FFMA|FMNMX|FSETP|FSEL|FCHK|FRND|F2F|F2I|I2F|HADD2|HMUL2|HFMA2|FSWZADD)")),
    ("integer", re.compile(r"^(IADD3|IMAD|LEA|SHF|LOP3|ISETP|SEL|PRMT|IABS|IMNMX|POPC|FLO|BREV|MOV|S2R|S2UR|CS2R|P2R|R2P|PLOP3|UMOV|UIADD3|ULEA|USHF|UIMAD|ULOP3|UISETP|USEL|UPRMT)")),
    ("control", re.compile(r"^(BRA|EXIT|BSSY|BSYNC|CALL|RET|WARPSYNC|NOP|YIELD|BMOV|JMP)")),
]


def classify(opcode):
    for name, pattern in CLASSES:
        if pattern.match(opcode):
            return name
    return "other"


def disassemble(cubin):
    with tempfile.NamedTemporaryFile(suffix=".cubin", delete=False) as f:
        f.write(cubin)
        path = f.name
    try:
        tool = os.path.join(wheel_dir(), "bin", "nvdisasm")
        return subprocess.run([tool, "-c", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    finally:
        os.unlink(path)


INSTRUCTION = re.compile(r"/\*[0-9a-f]{4,}\*/\s+(@!?U?P\w+\s+)?([A-Z][A-Z0-9_]*)(\.[A-Z0-9_.]+)?")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("program")
    parser.add_argument("--nvgpu", default=os.environ.get("NVGPU_BIN") or os.path.join(ROOT, ".build/release/nvgpu"))
    parser.add_argument("--kernel", help="only this kernel")
    parser.add_argument("--listing", action="store_true", help="print the SASS too")
    parser.add_argument("inspect_args", nargs="*", help="extra arguments for nvgpu inspect (after --)")
    args = parser.parse_args()
    output = subprocess.run([args.nvgpu, "inspect", args.program, "--source"] + args.inspect_args,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    parts = re.split(r"^// ----- kernel \d+: (\S+) \((\w+)[^\n]*\n", output, flags=re.M)
    if len(parts) < 4:
        print(output)
        sys.exit("no kernel sources in the inspect output")
    for i in range(1, len(parts) - 2, 3):
        name, kind, source = parts[i], parts[i + 1], parts[i + 2]
        if args.kernel and name != args.kernel:
            continue
        if kind != "cubin":
            print(f"{name}: {kind}, not an NVRTC kernel")
            continue
        sass = disassemble(nvrtc_cubin(source, name))
        counts = collections.Counter()
        opcodes = collections.Counter()
        for line in sass.splitlines():
            m = INSTRUCTION.search(line)
            if m:
                counts[classify(m.group(2))] += 1
                opcodes[m.group(2)] += 1
        total = sum(counts.values())
        mix = ", ".join(f"{k} {v}" for k, v in counts.most_common())
        top = ", ".join(f"{k} {v}" for k, v in opcodes.most_common(12))
        registers = REGISTERS.get(name)
        print(f"{name}: {total} instructions ({mix}), {registers if registers is not None else '?'} registers\n  top: {top}")
        if args.listing:
            print(sass)


if __name__ == "__main__":
    main()
