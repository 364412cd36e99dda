import Compiler
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// The `nvgpu-convolution-epilogue-fusion` pass: `max(convolution + bias, 0)` in NHWC
/// becomes one `nvgpu.convolution_epilogue` op, in the entry block and in control-flow
/// regions, only with vendor libraries; its printed form parses back.
@Suite struct ConvolutionEpilogueFusionPassTests {
    static let name = "nvgpu-convolution-epilogue-fusion"

    /// `relu(conv + bias)`; `nchw` puts features second (not fused: cuDNN's fused call is NHWC).
    static func program(nchw: Bool = false) -> String {
        let (x, out) = nchw ? ("2x16x8x8", "2x6x8x8") : ("2x8x8x16", "2x8x8x6")
        let dims = nchw ? "[b, f, 0, 1]x[0, 1, i, o]->[b, f, 0, 1]" : "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"
        return """
        func.func @main(%x: tensor<\(x)xbf16>, %w: tensor<3x3x16x6xbf16>, %b: tensor<6xbf16>) -> tensor<\(out)xbf16> {
          %c = stablehlo.convolution(%x, %w) dim_numbers = \(dims), window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<\(x)xbf16>, tensor<3x3x16x6xbf16>) -> tensor<\(out)xbf16>
          %bb = stablehlo.broadcast_in_dim %b, dims = [\(nchw ? 1 : 3)] : (tensor<6xbf16>) -> tensor<\(out)xbf16>
          %s = stablehlo.add %c, %bb : tensor<\(out)xbf16>
          %zero = stablehlo.constant dense<0.0> : tensor<bf16>
          %z = stablehlo.broadcast_in_dim %zero, dims = [] : (tensor<bf16>) -> tensor<\(out)xbf16>
          %r = stablehlo.maximum %s, %z : tensor<\(out)xbf16>
          return %r : tensor<\(out)xbf16>
        }
        """
    }

    @Test func rewritesTheChainIntoOneOp() throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.program())
        let ops = TargetPassSupport.operations(in: module)
        let fused = try #require(ops.first { $0.name == ConvolutionEpilogueMatcher.operationName })
        #expect(fused.operands.count == 3 && fused[attribute: "epilogue"]?.stringValue == "bias_relu")
        for gone in ["stablehlo.convolution", "stablehlo.add", "stablehlo.maximum"] {
            #expect(!ops.contains { $0.name == gone }, "\(gone) left")
        }
        let (bias, plain) = try #require(try ConvolutionEpilogueMatcher.fusedEpilogue(of: fused))
        #expect(bias == fused.operands[2] && plain.name == "stablehlo.convolution" && plain.operands.count == 2)
        #expect((try? ConvolutionGeometry(plain)) != nil)
        #expect(OperationClass(fused) == .convolution)
    }

    @Test func printedModuleParsesBack() throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.program())
        let reparsed = try TargetPassSupport.roundTrip(module)
        let op = try #require(TargetPassSupport.operations(in: reparsed).first { $0.name == ConvolutionEpilogueMatcher.operationName })
        let plain = try #require(try ConvolutionEpilogueMatcher.fusedEpilogue(of: op)?.convolution)
        #expect((try? ConvolutionGeometry(plain)) != nil)
    }

    @Test func leavesOtherLayoutsAndIsOffWithoutVendorLibraries() throws {
        let nchw = Self.program(nchw: true)
        #expect(try TargetPassSupport.run(Self.name, on: nchw).text == Module.parse(nchw, file: "n.mlir").text)
        let off = try TargetPassSupport.run(Self.name, on: Self.program(), options: CompileOptions(useVendorLibraries: false))
        #expect(off.text == (try Module.parse(Self.program(), file: "o.mlir").text))
    }

    @Test func fusesInsideControlFlowRegions() throws {
        let text = try TargetPassSupport.insideCase(Self.program())
        let module = try TargetPassSupport.run(Self.name, on: text)
        let selection = try #require(module.function(named: "main")?.body.entry?.operations.first { $0.name == "stablehlo.case" })
        #expect(selection.regions.first?.entry?.operations.contains { $0.name == ConvolutionEpilogueMatcher.operationName } == true)
        try TargetPassSupport.roundTrip(module)
        let (executable, _) = try TestPrograms.lower(text)
        let calls = executable.allSteps.compactMap { step -> ConvolutionCall? in
            if case .convolution(let call) = step { return call }
            return nil
        }
        #expect(calls.count == 1 && calls.first?.reluBias != nil)
    }

    @Test func malformedOpsAreCodeGenErrors() throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.program())
        let op = try #require(TargetPassSupport.operations(in: module).first { $0.name == ConvolutionEpilogueMatcher.operationName })
        var noBias = op
        noBias.operands.removeLast()
        var other = op
        other[attribute: "epilogue"] = .string("bias_gelu")
        for bad in [noBias, other] {
            #expect(throws: CodeGenError.self) { try ConvolutionEpilogueMatcher.fusedEpilogue(of: bad) }
        }
    }
}
