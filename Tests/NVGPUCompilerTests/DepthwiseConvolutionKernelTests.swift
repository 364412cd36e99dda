import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Grouped convolutions with few input features per group run `DepthwiseConvolutionKernel`
/// rather than cuDNN: which ones do, every f32/f64 output equal bit for bit to the reference
/// as host C++ (products and sums rounded in the reference's order), in every layout,
/// stride, dilation, padding and window reversal, and NVRTC compiling it for each float type.
@Suite struct DepthwiseConvolutionKernelTests {
    static func conv(_ type: String, _ lhs: String, _ rhs: String, _ result: String, dims: String, window: String = "",
                     groups: Int) -> String {
        ConvolutionCase(name: "c", lhs: "\(lhs)x\(type)", rhs: "\(rhs)x\(type)", result: "\(result)x\(type)",
                        dimensions: dims, window: window, featureGroups: groups).text
    }

    static func programs(_ type: String) -> [(name: String, text: String)] {
        [
            ("nhwc_3x3", conv(type, "2x6x6x8", "3x3x1x8", "2x6x6x8", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                              window: "pad = [[1, 1], [1, 1]]", groups: 8)),
            ("nchw_7x7_stride2", conv(type, "1x4x9x12", "4x1x7x7", "1x4x5x6", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
                                      window: "stride = [2, 2], pad = [[3, 3], [3, 3]]", groups: 4)),
            ("multiplier2_dilated_asymmetric", conv(type, "2x7x7x3", "3x3x1x6", "2x6x5x6", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                                                    window: "pad = [[2, 1], [0, 2]], rhs_dilate = [2, 2]", groups: 3)),
            ("two_per_group_reversed_1d", conv(type, "2x10x4", "3x2x6", "2x8x6", dims: "[b, 0, f]x[0, i, o]->[b, 0, f]",
                                               window: "reverse = [true]", groups: 2)),
            ("channels_first_1d", conv(type, "2x3x9", "12x1x3", "2x12x7", dims: "[b, f, 0]x[o, i, 0]->[b, f, 0]", groups: 3)),
            // Channels-last spans of 4 positions along W: strided, and dilated.
            ("nhwc_5x5_stride2_span", conv(type, "1x9x8x8", "5x5x1x8", "1x5x4x8", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                                          window: "stride = [2, 2], pad = [[2, 2], [2, 2]]", groups: 8)),
            ("nhwc_dilated_span", conv(type, "2x8x8x8", "3x3x1x8", "2x8x8x8", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                                      window: "pad = [[2, 2], [2, 2]], rhs_dilate = [2, 2]", groups: 8)),
            // Channels-first rows: 4 output rows a thread (5×5, padded), and 2 (strided, dilated, reversed).
            ("nchw_5x5_rows", conv(type, "2x3x8x10", "3x1x5x5", "2x3x8x10", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
                                   window: "pad = [[2, 2], [2, 2]]", groups: 3)),
            ("nchw_strided_dilated_rows", conv(type, "1x2x12x9", "4x1x3x3", "1x4x6x5", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
                                               window: "stride = [2, 2], pad = [[2, 1], [2, 2]], rhs_dilate = [2, 2], reverse = [true, true]", groups: 2)),
            // Channels-first columns a whole number of 16-byte chunks wide: aligned chunk loads.
            ("nchw_3x3_chunks", conv(type, "2x3x6x16", "3x1x3x3", "2x3x6x16", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
                                     window: "pad = [[1, 1], [1, 1]]", groups: 3)),
            ("channels_first_1d_chunks", conv(type, "2x3x24", "6x1x5", "2x6x24", dims: "[b, f, 0]x[o, i, 0]->[b, f, 0]",
                                              window: "pad = [[2, 2]]", groups: 3)),
            ("mixed_layouts_negative_padding", conv(type, "2x4x8x8", "4x3x3x1", "2x7x6x4", dims: "[b, f, 0, 1]x[o, 0, 1, i]->[b, 0, 1, f]",
                                                    window: "pad = [[0, 1], [-1, 1]]", groups: 4)),
        ]
    }

    @Test func groupedConvolutionsWithFewFeaturesPerGroupTakeTheKernel() throws {
        for (name, text) in Self.programs("bf16") {
            let op = try ConvolutionLoweringTests.convolution(in: text)
            guard case .generated(let reason) = ConvolutionLowering.path(op, useVendorLibraries: true) else {
                Issue.record("\(name) went to cuDNN")
                continue
            }
            #expect(reason.contains("depthwise"), "\(name): \(reason)")
            for vendor in [true, false] {
                let (executable, _) = try TestPrograms.lower(text, vendor: vendor)
                #expect(executable.steps.count == 1 && TestPrograms.launches(executable) == 1, "\(name)")
                #expect(executable.kernels.first?.source.contains("depthwise convolution") == true, "\(name)")
            }
        }
        // Eight features per group, lhs dilation and integers keep their paths.
        let others = [
            Self.conv("bf16", "2x8x8x16", "3x3x8x4", "2x6x6x4", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", groups: 2),
            Self.conv("f32", "1x8x8x4", "3x3x1x4", "1x17x17x4", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                 window: "pad = [[2, 2], [2, 2]], lhs_dilate = [2, 2]", groups: 4),
            Self.conv("i32", "1x8x8x4", "3x3x1x4", "1x6x6x4", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", groups: 4),
        ]
        for text in others {
            let (executable, _) = try TestPrograms.lower(text)
            #expect(!executable.kernels.contains { $0.source.contains("depthwise convolution") }, "\(text)")
        }
    }

    /// Each program takes the thread shape its layout allows: vector loads of channels over
    /// spans of positions along W, a shared input span along columns, or the general
    /// per-output taps.
    @Test func threadShapesFollowTheLayout() throws {
        let expected: [String: String] = [
            "nhwc_3x3": "(2 positions ×", "nhwc_5x5_stride2_span": "(4 positions ×", "nhwc_dilated_span": "(4 positions ×",
            "nchw_7x7_stride2": "xin[", "channels_first_1d": "xin[",
            "nchw_5x5_rows": "(4 rows × 2 columns)", "nchw_strided_dilated_rows": "(2 rows × 1 columns)",
            "multiplier2_dilated_asymmetric": "const idx_t oc0", "two_per_group_reversed_1d": "const idx_t oc0",
            "mixed_layouts_negative_padding": "const idx_t oc0",
            "nchw_3x3_chunks": "nv_v16 xc[", "channels_first_1d_chunks": "nv_v16 xc[",
        ]
        for type in ["f32", "bf16"] {
            for (name, text) in Self.programs(type) {
                let source = try #require(try TestPrograms.lower(text).0.kernels.first?.source)
                #expect(source.contains(try #require(expected[name])), "\(name) \(type)")
            }
        }
    }

    /// 16-bit elements (the 16-byte chunk loads and word lanes of f16/bf16): within one
    /// rounding of the program computed in f64 (the reference itself accumulates in bf16).
    @Test(arguments: ["f16", "bf16"])
    func halfKernelMatchesTheReference(_ type: String) throws {
        let cases = LinalgHostEmulationTests.exactCases(Self.programs(type), seed: 5, range: 3)
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "depthwise \(type)", tolerance: type == "bf16" ? 0.008 : 0.001,
                                                     promoted: true)
    }

    @Test(arguments: ["f32", "f64"])
    func kernelMatchesTheReferenceBitForBit(_ type: String) throws {
        let cases = LinalgHostEmulationTests.exactCases(Self.programs(type), seed: 5, range: 3)
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "depthwise \(type)")
        // Inputs that are not multiples of 1/8: sums round, in the reference's order.
        var numbers = LinalgHostEmulationTests.Numbers(state: 9)
        let rounded = cases.map { c -> LinalgHostEmulationTests.Case in
            var copy = c
            copy.inputs = c.inputs.map { t in
                Tensor(type: t.type, storage: .floats((0..<t.elementCount).map { _ in
                    type == "f32" ? Double(Float(numbers.next() * 3.7)) : numbers.next() * 3.7 }))
            }
            return copy
        }
        try LinalgHostEmulationTests.expectBitForBit(rounded, label: "depthwise rounded \(type)")
    }

    @Test(arguments: ["f32", "f64", "f16", "bf16"])
    func kernelCompilesForSM90(_ type: String) throws {
        for (name, text) in Self.programs(type) {
            let (executable, _) = try TestPrograms.lower(text)
            try ComplexKernelTests.expectCompiles(executable, label: "depthwise \(name) \(type)")
        }
    }
}
