#!/usr/bin/env python3
"""Writes scaled-down copies of the benchmark workloads, for checking GPU results against
the reference backend (whose CPU interpreter cannot run an 8192^3 matmul in reasonable time).

    tools/shrink_workloads.py SRC_DIR DST_DIR

Every dimension size listed in SIZES is replaced consistently in the program text and the
shape file; the sizes are chosen so that reshapes (gpt_block's 4x2048 = 8192 tokens) and
fixed constants (layernorm's 1/4096, attention's sqrt(128)) stay valid.
"""
import json
import pathlib
import re
import sys

SIZES = {268435456: 262144, 67108864: 65536, 16384: 512, 8192: 256, 2048: 64}
CONV_BATCH = ("32x56x56", "2x8x8")  # the convolution runs on the host for now


def shrink_text(text: str) -> str:
    text = text.replace(*CONV_BATCH)

    def dims(match: re.Match) -> str:
        parts = match.group(1).split("x")
        return "tensor<" + "x".join(str(SIZES.get(int(p), int(p))) if p.isdigit() else p for p in parts)

    text = re.sub(r"tensor<((?:\d+x)+)", dims, text)
    # Sizes in attributes (slice limits, reshape targets) outside dense literals.
    pieces = re.split(r"(dense<[^>]*>)", text)
    for i in range(0, len(pieces), 2):
        pieces[i] = re.sub(r"(?<![\w.#%])(\d+)(?![\w.])",
                           lambda m: str(SIZES.get(int(m.group(1)), int(m.group(1)))), pieces[i])
    return "".join(pieces)


def main() -> None:
    src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    for mlir in sorted(src.glob("*.mlir")):
        (dst / mlir.name).write_text(shrink_text(mlir.read_text()))
        shapes = mlir.with_suffix(".json")
        if shapes.exists():
            spec = json.loads(shapes.read_text())
            for arg in spec.get("args", []):
                if arg[0][:3] == [32, 56, 56]:
                    arg[0][:3] = [2, 8, 8]
                arg[0] = [SIZES.get(d, d) for d in arg[0]]
            (dst / shapes.name).write_text(json.dumps(spec))
        print(f"{mlir.name}: shrunk")


if __name__ == "__main__":
    main()
