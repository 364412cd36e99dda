#!/usr/bin/env python3
"""Writes small stablehlo.convolution programs for checking the GPU paths (cuDNN and the
generated kernel) against the reference backend on random inputs (`nvgpu bench --check`).

    tools/conv_check_cases.py CONFORMANCE_TESTDATA_DIR OUT_DIR

Cases: every convolution of the conformance programs with its operands turned into
arguments (the files compute them from constants, which the compiler folds away), and a set
covering what the spec allows (f32 at precision HIGHEST, plus one at DEFAULT, which may use
TF32): layouts, strides, padding (also negative and asymmetric),
lhs/rhs dilation, reversal, feature and batch groups, 1-D/2-D/3-D, f32/f16/bf16/f64/i32.
"""
import pathlib
import re
import sys

NHWC = "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"
CASES = [
    # name, lhs, rhs, result, dims, window, feature groups, batch groups, types
    ("nhwc_hwio_pad", "2x8x8x4", "3x3x4x6", "2x8x8x6", NHWC, "stride = [1, 1], pad = [[1, 1], [1, 1]]", 1, 1, "f32 f16 bf16"),
    ("nhwc_ohwi_stride", "2x8x8x4", "6x3x3x4", "2x4x4x6", "[b, 0, 1, f]x[o, 0, 1, i]->[b, 0, 1, f]",
     "stride = [2, 2], pad = [[1, 1], [1, 1]]", 1, 1, "f32 bf16"),
    ("nchw_oihw_rhs_dilate", "2x4x9x9", "6x4x3x3", "2x6x5x5", "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
     "rhs_dilate = [2, 2]", 1, 1, "f32 f16"),
    ("nchw_hwio", "2x4x9x9", "3x3x4x6", "2x6x7x7", "[b, f, 0, 1]x[0, 1, i, o]->[b, f, 0, 1]", "", 1, 1, "f32 bf16"),
    ("grouped", "2x8x8x4", "3x3x2x6", "2x6x6x6", NHWC, "", 2, 1, "f32 bf16"),
    ("depthwise", "2x8x8x4", "3x3x1x4", "2x8x8x4", NHWC, "pad = [[1, 1], [1, 1]]", 4, 1, "f32 bf16"),
    ("reversed", "1x8x8x2", "3x3x2x2", "1x6x6x2", NHWC, "reverse = [true, true]", 1, 1, "f32"),
    ("conv1d_nwc", "2x16x3", "3x3x5", "2x16x5", "[b, 0, f]x[0, i, o]->[b, 0, f]", "pad = [[1, 1]]", 1, 1, "f32 bf16"),
    ("asymmetric_pad_unused", "1x7x7x2", "3x3x2x2", "1x4x4x2", NHWC, "stride = [2, 2], pad = [[1, 2], [1, 2]]", 1, 1, "f32"),
    ("asymmetric_pad", "1x8x8x2", "3x3x2x2", "1x7x9x2", NHWC, "pad = [[0, 1], [2, 1]]", 1, 1, "f32"),
    ("mixed_layouts", "2x3x9x10", "4x5x3x3", "2x6x6x3", "[b, f, 0, 1]x[0, 1, i, o]->[b, 0, 1, f]", "", 1, 1, "f32"),
    ("lhs_dilate", "1x16x16x2", "2x3x2x2", "1x32x33x2", NHWC, "pad = [[1, 1], [2, 2]], lhs_dilate = [2, 2]", 1, 1, "f32 bf16"),
    ("batch_groups", "4x6x6x2", "3x3x2x4", "2x4x4x4", NHWC, "", 1, 2, "f32"),
    ("negative_pad", "1x8x8x2", "3x3x2x2", "1x5x5x2", NHWC, "pad = [[-1, 0], [0, -1]]", 1, 1, "f32"),
    ("partial_reverse", "1x8x8x2", "3x3x2x2", "1x6x6x2", NHWC, "reverse = [true, false]", 1, 1, "f32"),
    ("conv3d", "1x4x4x4x2", "2x2x2x2x3", "1x3x3x3x3", "[b, 0, 1, 2, f]x[0, 1, 2, i, o]->[b, 0, 1, 2, f]", "", 1, 1, "f32"),
    ("transposed_layout", "4x2x6x6", "3x3x4x2", "2x2x4x4", "[f, b, 0, 1]x[0, 1, i, o]->[b, f, 0, 1]", "", 1, 1, "f32"),
    ("integer", "1x5x5x2", "3x3x2x2", "1x3x2x2", NHWC, "stride = [1, 2]", 1, 1, "i32 f64"),
]


def program(lhs, rhs, result, dims, window, groups, batch_groups, precision="HIGHEST"):
    # f32 at precision DEFAULT may run on TF32 tensor cores (as XLA does), which the f32
    # tolerance of --check (1e-4) does not cover: the cases ask for HIGHEST, but one.
    config = f", precision_config = [#stablehlo<precision {precision}>, #stablehlo<precision {precision}>]"
    return (f"func.func @main(%lhs: tensor<{lhs}>, %rhs: tensor<{rhs}>) -> tensor<{result}> {{\n"
            f"  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = {dims}, window = {{{window}}} "
            f"{{batch_group_count = {batch_groups} : i64, feature_group_count = {groups} : i64{config}}} : "
            f"(tensor<{lhs}>, tensor<{rhs}>) -> tensor<{result}>\n"
            f"  return %0 : tensor<{result}>\n}}\n")


def conformance_cases(folder):
    pattern = re.compile(r"stablehlo\.convolution\(\S+, \S+\) dim_numbers = (.*?), window = \{(.*?)\} \{(.*?)\} : "
                         r"\(tensor<([^>]*)>, tensor<([^>]*)>\) -> tensor<([^>]*)>")
    for path in sorted(pathlib.Path(folder).glob("*.mlir")):
        for m in pattern.finditer(path.read_text()):
            dims, window, attrs, lhs, rhs, result = m.groups()
            fg = re.search(r"feature_group_count = (\d+)", attrs)
            bg = re.search(r"batch_group_count = (\d+)", attrs)
            if 0 in [int(d) for d in result.split("x")[:-1]]:
                continue  # an empty result runs no step
            yield path.stem, program(lhs, rhs, result, dims, window, fg.group(1) if fg else 1, bg.group(1) if bg else 1)


def main():
    source, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, text in conformance_cases(source):
        (out / f"{name}.mlir").write_text(text)
        count += 1
    for name, lhs, rhs, result, dims, window, fg, bg, types in CASES:
        for t in types.split():
            (out / f"{name}_{t}.mlir").write_text(
                program(f"{lhs}x{t}", f"{rhs}x{t}", f"{result}x{t}", dims, window, fg, bg))
            count += 1
    tf32 = CASES[0]
    (out / f"{tf32[0]}_f32_tf32.mlir").write_text(
        program(f"{tf32[1]}xf32", f"{tf32[2]}xf32", f"{tf32[3]}xf32", tf32[4], tf32[5], 1, 1, precision="DEFAULT"))
    print(f"{count + 1} convolution programs in {out}")


if __name__ == "__main__":
    main()
