import Compiler
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// `nvgpu-convolution-layout`: convolutions in other layouts get transposes to channels-last
/// around them and then take cuDNN; f16/bf16 channels-last convolutions with an odd input
/// feature count of 16 or more get zero-padded features. Each rewrite is checked for meaning on the
/// reference interpreter (the program before and after, on the same random inputs, equal bit
/// for bit: padding adds exact zeros and transposes move values).
@Suite struct ConvolutionLayoutPassTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        /// Ops of the rewritten program, by name, that must appear.
        var expects: [String]
        var description: String { name }
    }

    static func conv(_ type: String, _ lhs: String, _ rhs: String, _ out: String, dims: String, window: String = "stride = [1, 1], pad = [[1, 1], [1, 1]]", groups: Int = 1) -> String {
        """
        func.func @main(%x: tensor<\(lhs)x\(type)>, %w: tensor<\(rhs)x\(type)>) -> tensor<\(out)x\(type)> {
          %0 = stablehlo.convolution(%x, %w) dim_numbers = \(dims), window = {\(window)} {batch_group_count = 1 : i64, feature_group_count = \(groups) : i64} : (tensor<\(lhs)x\(type)>, tensor<\(rhs)x\(type)>) -> tensor<\(out)x\(type)>
          return %0 : tensor<\(out)x\(type)>
        }
        """
    }

    static let cases: [Case] = [
        // The weight gradient of a 3x3 convolution, as JAX emits it: cuDNN's backward filter
        // takes it as it is.
        Case(name: "weight_gradient_bf16",
             text: conv("bf16", "2x6x6x4", "2x6x6x8", "3x3x4x8", dims: "[f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f]"),
             expects: []),
        Case(name: "mixed_layout_f32",
             text: conv("f32", "2x5x7x3", "3x3x3x4", "2x4x7x5", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, f, 1, 0]",
                        window: "stride = [1, 1], pad = [[1, 1], [1, 1]]"),
             expects: ["stablehlo.transpose"]),
        // 17 features, padded to 24 (fewer than 16 take the implicit-GEMM kernel unpadded).
        Case(name: "odd_features_bf16",
             text: conv("bf16", "2x9x9x17", "3x3x17x16", "2x5x5x16", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                        window: "stride = [2, 2], pad = [[1, 1], [1, 1]]"),
             expects: ["stablehlo.pad"]),
        Case(name: "odd_channels_weight_gradient_f16",
             text: conv("f16", "5x6x6x4", "5x6x6x8", "3x3x4x8", dims: "[f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f]"),
             expects: []),
        // Channels-first f16/bf16: cuDNN's tensor cores want channels-last.
        Case(name: "channels_first_bf16",
             text: conv("bf16", "2x16x6x6", "16x16x3x3", "2x16x6x6", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]"),
             expects: ["stablehlo.transpose"]),
        // A weight gradient in a layout no cuDNN direction takes.
        Case(name: "weight_gradient_mixed_layout_f32",
             text: conv("f32", "2x6x6x4", "2x8x6x6", "3x3x4x8", dims: "[f, 0, 1, b]x[i, o, 0, 1]->[0, 1, b, f]"),
             expects: ["stablehlo.transpose"]),
    ]

    static func rewritten(_ text: String) throws -> Module {
        var module = try Module.parse(text, file: "conv.mlir")
        try ConvolutionLayoutPass(entry: "main", isEnabled: true).run(on: &module)
        try module.verify()
        return module
    }

    @Test(arguments: cases)
    func rewriteKeepsTheResultAndTakesCuDNN(_ c: Case) throws {
        let original = try Module.parse(c.text, file: "conv.mlir")
        let module = try Self.rewritten(c.text)
        let names = module.functions[0].body.blocks[0].operations.map(\.name)
        for name in c.expects { #expect(names.contains(name), "\(names)") }
        let conv = try #require(module.functions[0].body.blocks[0].operations.first { $0.name == "stablehlo.convolution" })
        guard case .vendor = ConvolutionLowering.path(conv, useVendorLibraries: true) else {
            Issue.record("\(c.name): the rewritten convolution does not take cuDNN")
            return
        }
        var numbers = LinalgHostEmulationTests.Numbers(state: 77)
        let inputs = original.functions[0].inputTypes.compactMap(\.tensorType).map { t in
            Tensor(type: t, storage: .floats((0..<t.elementCount).map { _ in (numbers.next() * 8).rounded() / 4 }))
        }
        let before = try Interpreter(module: original).run("main", inputs: inputs)
        let after = try Interpreter(module: module).run("main", inputs: inputs)
        #expect(before.map(\.hostTensor.bytes) == after.map(\.hostTensor.bytes))
    }

    @Test func standardLayoutsAndOtherTypesAreLeftAlone() throws {
        for text in [
            Self.conv("bf16", "2x6x6x8", "3x3x8x16", "2x6x6x16", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"),
            Self.conv("bf16", "2x6x6x4", "3x3x4x3", "2x6x6x3", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"),  // even C
            Self.conv("f32", "2x3x6x6", "16x3x3x3", "2x16x6x6", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]"),
            Self.conv("f32", "2x6x6x3", "3x3x3x16", "2x6x6x16", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"),  // f32: no padding
            Self.conv("i32", "2x6x6x4", "2x6x6x8", "3x3x4x8", dims: "[f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f]"),
        ] {
            let module = try Self.rewritten(text)
            #expect(module.text == (try Module.parse(text, file: "conv.mlir")).text)
        }
    }

    @Test func weightGradientLowersToCuDNNBackwardFilter() throws {
        let (e, _) = try TestPrograms.lower(Self.cases[0].text)
        let convolutions = e.steps.compactMap { step -> ConvolutionCall? in
            if case .convolution(let call) = step { return call }
            return nil
        }
        #expect(convolutions.map(\.direction) == [.backwardFilter])
        #expect(TestPrograms.hostSteps(e).isEmpty)
    }
}
