import Compiler
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// `nvgpu-one-pass-variance`: a sum of squared deviations from the mean over column
/// dimensions becomes one Welford reduction, joined to the mean's sum, so one kernel pair
/// reads the input once; its results match the reference's two-pass ones within rounding
/// (host emulation of the generated kernels, inputs far from zero so a naive sum of
/// squares would lose digits); rows and other shapes keep the two-pass form.
@Suite struct OnePassVarianceTests {
    /// `jnp.var(x, axis=dims, ddof=ddof)` next to `jnp.mean`, as JAX exports them, with the
    /// mean scaled by `divide` or by `multiply` with 1/N and squared by `multiply` or `chlo.square`.
    static func variance(_ type: String, _ shape: [Int], dims: [Int], convertFrom narrow: String? = nil,
                         reciprocal: Bool = false, square: Bool = false, ddof: Int = 0) -> String {
        let s = shape.map(String.init).joined(separator: "x")
        let keptDims = shape.indices.filter { !dims.contains($0) }
        let kept = keptDims.map { String(shape[$0]) }.joined(separator: "x")
        let keptType = kept.isEmpty ? "tensor<\(type)>" : "tensor<\(kept)x\(type)>"
        let count = dims.map { shape[$0] }.reduce(1, *)
        let input = narrow.map { "%x0: tensor<\(s)x\($0)>" } ?? "%x: tensor<\(s)x\(type)>"
        let convert = narrow.map { "%x = stablehlo.convert %x0 : (tensor<\(s)x\($0)>) -> tensor<\(s)x\(type)>" } ?? ""
        let scale = reciprocal
            ? "%n = stablehlo.constant dense<\(Float(1) / Float(count))> : \(keptType)\n  %m = stablehlo.multiply %n, %s : \(keptType)"
            : "%n = stablehlo.constant dense<\(Double(count))> : \(keptType)\n  %m = stablehlo.divide %s, %n : \(keptType)"
        let squared = square ? "%q = \"chlo.square\"(%d) : (tensor<\(s)x\(type)>) -> tensor<\(s)x\(type)>"
            : "%q = stablehlo.multiply %d, %d : tensor<\(s)x\(type)>"
        return """
        func.func @main(\(input)) -> (\(keptType), \(keptType)) {
          \(convert)
          %z = stablehlo.constant dense<0.0> : tensor<\(type)>
          %s = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = \(dims) : (tensor<\(s)x\(type)>, tensor<\(type)>) -> \(keptType)
          \(scale)
          %b = stablehlo.broadcast_in_dim %m, dims = \(keptDims) : (\(keptType)) -> tensor<\(s)x\(type)>
          %d = stablehlo.subtract %x, %b : tensor<\(s)x\(type)>
          \(squared)
          %v = stablehlo.reduce(%q init: %z) applies stablehlo.add across dimensions = \(dims) : (tensor<\(s)x\(type)>, tensor<\(type)>) -> \(keptType)
          %c = stablehlo.constant dense<\(Double(count - ddof))> : \(keptType)
          %r = stablehlo.divide %v, %c : \(keptType)
          return %m, %r : \(keptType), \(keptType)
        }
        """
    }

    struct Program: CustomStringConvertible, Sendable {
        var name: String, text: String
        var description: String { name }
    }

    static let programs: [Program] = [
        Program(name: "batch_f32", text: variance("f32", [2600, 24], dims: [0], ddof: 1)),
        Program(name: "nhwc_bf16", text: variance("f32", [8, 10, 10, 16], dims: [0, 1, 2], convertFrom: "bf16")),
        Program(name: "middle_reciprocal", text: variance("f32", [3, 200, 24], dims: [1], reciprocal: true, square: true)),
        Program(name: "wide_f32", text: variance("f32", [300, 160], dims: [0])),
        Program(name: "batch_f64", text: variance("f64", [500, 12], dims: [0])),
        Program(name: "long_rows_f32", text: variance("f32", [2, 40000], dims: [1])),
    ]

    @Test(arguments: programs)
    func becomesOneWelfordReductionOfOneRead(_ p: Program) throws {
        let module = try CUDATarget.rewritten(Module.parse(p.text, file: "\(p.name).mlir"), options: CompileOptions())
        let reduces = module.functions[0].body.blocks[0].operations.filter { $0.name == "stablehlo.reduce" }
        #expect(reduces.count == 1, "the mean's sum and the Welford reduction joined: \(reduces.map(\.results.count))")
        #expect(reduces.first?[attribute: VariadicReductionKernel.reassociableAttribute] != nil)
        #expect(reduces.first?.results.count == 4)
        let (e, _) = try TestPrograms.lower(p.text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect((1...2).contains(e.kernels.count), "\(e.kernels.map(\.entryPoint))")
        #expect(e.kernels.allSatisfy { $0.source.contains("reassociable reduction") })
    }

    @Test func rowsAndUnrelatedMeansKeepTheTwoPassForm() throws {
        // Rows fit on chip (one read already); a mean over other dimensions is no deviation.
        let rows = Self.variance("f32", [16, 300], dims: [1])
        let other = Self.variance("f32", [20, 24], dims: [0]).replacingOccurrences(of: "dense<20.0>", with: "dense<21.0>")
        for text in [rows, other] {
            let module = try CUDATarget.rewritten(Module.parse(text, file: "rows.mlir"), options: CompileOptions())
            let reduces = module.functions[0].body.blocks[0].operations.filter { $0.name == "stablehlo.reduce" }
            #expect(reduces.allSatisfy { $0[attribute: VariadicReductionKernel.reassociableAttribute] == nil })
        }
    }

    @Test func offByEnvironmentNameListsThePass() {
        let names = CUDATarget.rewritePasses(options: CompileOptions()).map(\.name)
        let variance = names.firstIndex(of: "nvgpu-one-pass-variance"), merge = names.firstIndex(of: "nvgpu-merge-sibling-reduces")
        #expect(variance != nil && merge != nil && variance! < merge!)
    }

    @Test func kernelsMatchTheTwoPassReference() throws {
        var numbers = LinalgHostEmulationTests.Numbers(state: 77)
        let cases = try Self.programs.map { p -> LinalgHostEmulationTests.Case in
            let module = try Module.parse(p.text, file: "\(p.name).mlir")
            let t = try #require(module.functions.first?.inputTypes.first?.tensorType)
            // Far from zero (a mean of 50, spread 3), so a one-pass sum of squares would cancel.
            let values = (0..<t.elementCount).map { _ in 50 + numbers.next() * 3 }
            let rounded = t.elementType == .float(.bf16) ? values.map { FloatFormat.bf16.round($0) } : values
            return LinalgHostEmulationTests.Case(name: p.name, text: p.text, inputs: [Tensor(type: t, storage: .floats(rounded))])
        }
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "welford reduction", prelude: ["nv_fmax"], tolerance: 2e-5)
    }

    @Test func kernelsCompileWithNVRTC() throws {
        for p in Self.programs {
            try ComplexKernelTests.expectCompiles(try TestPrograms.lower(p.text).0, label: p.name)
        }
    }
}
