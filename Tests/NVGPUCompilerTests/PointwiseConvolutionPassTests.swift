import Compiler
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// `nvgpu-pointwise-convolution`: 1×1 channels-last convolutions become `dot_general` with
/// the filter reshaped to 2-D (then a cuBLASLt matmul); the program means the same on the
/// reference interpreter (inputs whose sums are exact, so both orders agree bit for bit);
/// windows, strides, padding, groups and other layouts are left alone.
@Suite struct PointwiseConvolutionPassTests {
    static func conv(_ type: String, _ lhs: String, _ rhs: String, _ out: String, dims: String = "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                     window: String = "", groups: Int = 1, result: String? = nil) -> String {
        ConvolutionCase(name: "c", lhs: "\(lhs)x\(type)", rhs: "\(rhs)x\(type)", result: "\(out)x\(result ?? type)", dimensions: dims,
                        window: window, featureGroups: groups).text
    }

    static let rewritten: [(String, String)] = [
        ("nhwc_hwio", conv("f32", "2x5x6x8", "1x1x8x12", "2x5x6x12")),
        ("nhwc_ohwi", conv("f32", "2x5x6x8", "12x1x1x8", "2x5x6x12", dims: "[b, 0, 1, f]x[o, 0, 1, i]->[b, 0, 1, f]")),
        ("nwc_1d", conv("f32", "3x7x4", "1x4x5", "3x7x5", dims: "[b, 0, f]x[0, i, o]->[b, 0, f]")),
        ("bf16_to_f32", conv("bf16", "2x4x4x8", "1x1x8x16", "2x4x4x16", result: "f32")),
    ]

    static func pass(_ text: String) throws -> Module {
        var module = try Module.parse(text, file: "conv.mlir")
        try PointwiseConvolutionPass(entry: "main", isEnabled: true).run(on: &module)
        try module.verify()
        return module
    }

    @Test(arguments: rewritten.map(\.0))
    func pointwiseConvolutionBecomesAMatmul(_ name: String) throws {
        let text = try #require(Self.rewritten.first { $0.0 == name }?.1)
        let module = try Self.pass(text)
        let names = module.functions[0].body.blocks[0].operations.map(\.name)
        #expect(names == ["stablehlo.reshape", "stablehlo.dot_general", "func.return"], "\(names)")
        let original = try Module.parse(text, file: "conv.mlir")
        var numbers = LinalgHostEmulationTests.Numbers(state: 31)
        let inputs = original.functions[0].inputTypes.compactMap(\.tensorType).map { t in
            Tensor(type: t, storage: .floats((0..<t.elementCount).map { _ in (numbers.next() * 8).rounded() / 4 }))
        }
        let before = try Interpreter(module: original).run("main", inputs: inputs)
        let after = try Interpreter(module: module).run("main", inputs: inputs)
        #expect(before.map(\.hostTensor.bytes) == after.map(\.hostTensor.bytes), "\(name)")
        // Through the CUDA target: one cuBLASLt matmul, no convolution.
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.contains { if case .matmul = $0 { return true } else { return false } }, "\(name)")
        #expect(!executable.steps.contains { if case .convolution = $0 { return true } else { return false } }, "\(name)")
    }

    @Test func otherConvolutionsAreLeftAlone() throws {
        for text in [
            Self.conv("f32", "2x6x6x8", "3x3x8x16", "2x4x4x16"),
            Self.conv("f32", "2x6x6x8", "1x1x8x16", "2x3x3x16", window: "stride = [2, 2]"),
            Self.conv("f32", "2x6x6x8", "1x1x8x16", "2x8x8x16", window: "pad = [[1, 1], [1, 1]]"),
            Self.conv("f32", "2x6x6x8", "1x1x4x16", "2x6x6x16", groups: 2),
            Self.conv("f32", "2x8x6x6", "16x8x1x1", "2x16x6x6", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]"),
        ] {
            #expect(try Self.pass(text).text == (try Module.parse(text, file: "conv.mlir")).text)
        }
    }
}
