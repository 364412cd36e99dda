import Compiler
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// The `nvgpu-matmul-epilogue-fusion` pass: a `dot_general` with a bias add and ReLU/GELU
/// becomes one `nvgpu.matmul_epilogue` op, in the entry block and in control-flow regions,
/// only with vendor libraries; its printed form parses back.
@Suite struct MatmulEpilogueFusionPassTests {
    static let name = "nvgpu-matmul-epilogue-fusion"
    typealias Programs = MatmulEpilogueFusionTests

    static func biasRelu(_ t: String) -> String {
        Programs.program(t, tail: Programs.biasAdd.replacingOccurrences(of: "%T", with: t) + "\n" + Programs.relu(t),
                         results: "%2", resultTypes: "tensor<4x16x\(t)>")
    }

    @Test(arguments: Programs.floatTypes)
    func rewritesTheChainIntoOneOp(_ t: String) throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.biasRelu(t))
        let ops = TargetPassSupport.operations(in: module)
        let fused = try #require(ops.first { $0.name == MatmulEpilogueMatcher.operationName })
        #expect(fused.operands.count == 3)
        #expect(fused[attribute: "epilogue"]?.stringValue == "biasRelu")
        #expect(fused[attribute: "dot_dimension_numbers"] != nil)
        for gone in ["stablehlo.dot_general", "stablehlo.add", "stablehlo.maximum"] {
            #expect(!ops.contains { $0.name == gone }, "\(gone) left: \(module.text)")
        }
        let (epilogue, bias, product) = try #require(try MatmulEpilogueMatcher.fusedEpilogue(of: fused))
        #expect(epilogue == .biasRelu && bias == fused.operands[2])
        #expect(product.name == "stablehlo.dot_general" && product.operands.count == 2 && product[attribute: "epilogue"] == nil)
    }

    @Test func printedModuleParsesBack() throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.biasRelu("bf16"))
        let reparsed = try TargetPassSupport.roundTrip(module)
        let op = try #require(TargetPassSupport.operations(in: reparsed).first { $0.name == MatmulEpilogueMatcher.operationName })
        #expect(try MatmulEpilogueMatcher.fusedEpilogue(of: op)?.epilogue == .biasRelu)
    }

    @Test func leavesSharedProductsAndIsOffWithoutVendorLibraries() throws {
        // The product is also returned: nothing to fold.
        let shared = Programs.program("f32", tail: Programs.biasAdd.replacingOccurrences(of: "%T", with: "f32"),
                                      results: "%0, %1", resultTypes: "tensor<4x16xf32>, tensor<4x16xf32>")
        #expect(try TargetPassSupport.run(Self.name, on: shared).text == Module.parse(shared, file: "s.mlir").text)
        let off = try TargetPassSupport.run(Self.name, on: Self.biasRelu("f32"), options: CompileOptions(useVendorLibraries: false))
        #expect(off.text == (try Module.parse(Self.biasRelu("f32"), file: "o.mlir").text))
    }

    @Test func fusesInsideControlFlowRegions() throws {
        let text = try TargetPassSupport.insideCase(Self.biasRelu("f32"))
        let module = try TargetPassSupport.run(Self.name, on: text)
        let selection = try #require(module.function(named: "main")?.body.entry?.operations.first { $0.name == "stablehlo.case" })
        #expect(selection.regions.first?.entry?.operations.contains { $0.name == MatmulEpilogueMatcher.operationName } == true)
        try TargetPassSupport.roundTrip(module)
        let (executable, _) = try TestPrograms.lower(text)
        let calls = executable.allSteps.compactMap { step -> MatmulCall? in
            if case .matmul(let call) = step { return call }
            return nil
        }
        #expect(calls.map(\.epilogue) == [.biasRelu])
    }

    @Test func malformedOpsAreCodeGenErrors() throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.biasRelu("f32"))
        let op = try #require(TargetPassSupport.operations(in: module).first { $0.name == MatmulEpilogueMatcher.operationName })
        var unknown = op
        unknown[attribute: "epilogue"] = .string("swish")
        var noBias = op
        noBias.operands.removeLast()
        for bad in [unknown, noBias] {
            #expect(throws: CodeGenError.self) { try MatmulEpilogueMatcher.fusedEpilogue(of: bad) }
        }
    }
}
