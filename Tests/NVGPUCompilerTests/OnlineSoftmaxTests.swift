import Compiler
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// `nvgpu-online-softmax`: the maximum and the sum of exponentials of a softmax,
/// log-softmax or logsumexp over columns or rows too long to stay on chip become one
/// reduction carrying (max, rescaled sum); the generated kernels, run as host C++, match
/// the reference's two-pass results within rounding, NaN for NaN, on inputs with `-inf`
/// entries, an all-`-inf` row and a row holding `+inf`.
@Suite struct OnlineSoftmaxTests {
    /// `jax.nn.softmax` (`output: "softmax"`), `log_softmax` or a logsumexp of `x` over `dims`,
    /// as JAX exports them (the maximum through `maximum(-inf, m)` when `clamp`).
    static func program(_ output: String, _ shape: [Int], dims: [Int], clamp: Bool = true, type: String = "f32") -> String {
        let s = shape.map(String.init).joined(separator: "x")
        let keptDims = shape.indices.filter { !dims.contains($0) }
        let kept = keptDims.map { String(shape[$0]) }.joined(separator: "x")
        let k = "tensor<\(kept)x\(type)>", full = "tensor<\(s)x\(type)>"
        let lowest = type == "f64" ? "0xFFF0000000000000" : "0xFF800000"
        let clamped = clamp ? """
          %ninf = stablehlo.constant dense<\(lowest)> : \(k)
          %mc = stablehlo.maximum %ninf, %m : \(k)
        """ : "  %mc = stablehlo.reshape %m : (\(k)) -> \(k)"
        let tail: String
        switch output {
        case "softmax":
            tail = """
              %sb = stablehlo.broadcast_in_dim %s, dims = \(keptDims) : (\(k)) -> \(full)
              %o = stablehlo.divide %e, %sb : \(full)
              return %o : \(full)
            """
        case "log_softmax":
            tail = """
              %l = stablehlo.log %s : \(k)
              %lb = stablehlo.broadcast_in_dim %l, dims = \(keptDims) : (\(k)) -> \(full)
              %o = stablehlo.subtract %d, %lb : \(full)
              return %o : \(full)
            """
        default:
            tail = """
              %l = stablehlo.log %s : \(k)
              %o = stablehlo.add %l, %mc : \(k)
              return %o : \(k)
            """
        }
        let result = output == "logsumexp" ? k : full
        return """
        func.func @main(%x: \(full)) -> \(result) {
          %lo = stablehlo.constant dense<\(lowest)> : tensor<\(type)>
          %z = stablehlo.constant dense<0.0> : tensor<\(type)>
          %m = stablehlo.reduce(%x init: %lo) applies stablehlo.maximum across dimensions = \(dims) : (\(full), tensor<\(type)>) -> \(k)
        \(clamped)
          %mb = stablehlo.broadcast_in_dim %mc, dims = \(keptDims) : (\(k)) -> \(full)
          %d = stablehlo.subtract %x, %mb : \(full)
          %e = stablehlo.exponential %d : \(full)
          %s = stablehlo.reduce(%e init: %z) applies stablehlo.add across dimensions = \(dims) : (\(full), tensor<\(type)>) -> \(k)
        \(tail)
        }
        """
    }

    struct Program: CustomStringConvertible, Sendable {
        var name: String, text: String
        /// Whether an all-`-inf` row may be among the inputs (not for logsumexp: −∞, not NaN).
        var allNegativeInfinityRow: Bool
        var description: String { name }
    }

    static let programs: [Program] = [
        Program(name: "softmax_long_rows", text: program("softmax", [3, 40000], dims: [1]), allNegativeInfinityRow: true),
        Program(name: "log_softmax_columns", text: program("log_softmax", [2600, 24], dims: [0]), allNegativeInfinityRow: true),
        Program(name: "logsumexp_middle", text: program("logsumexp", [3, 300, 24], dims: [1], clamp: false), allNegativeInfinityRow: false),
        Program(name: "softmax_columns_f64", text: program("softmax", [500, 12], dims: [0], type: "f64"), allNegativeInfinityRow: true),
    ]

    @Test(arguments: programs)
    func maximumAndSumBecomeOneReduction(_ p: Program) throws {
        let module = try CUDATarget.rewritten(Module.parse(p.text, file: "\(p.name).mlir"), options: CompileOptions())
        let reduces = module.functions[0].body.blocks[0].operations.filter { $0.name == "stablehlo.reduce" }
        #expect(reduces.count == 1)
        #expect(reduces.first?[attribute: VariadicReductionKernel.reassociableAttribute] != nil)
        let (e, _) = try TestPrograms.lower(p.text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(e.kernels.contains { $0.source.contains("reassociable reduction") })
    }

    @Test func rowsOnChipKeepTheirKernel() throws {
        let text = Self.program("softmax", [64, 4096], dims: [1])
        let module = try CUDATarget.rewritten(Module.parse(text, file: "rows.mlir"), options: CompileOptions())
        let reduces = module.functions[0].body.blocks[0].operations.filter { $0.name == "stablehlo.reduce" }
        #expect(reduces.count == 2 && reduces.allSatisfy { $0[attribute: VariadicReductionKernel.reassociableAttribute] == nil })
    }

    @Test func kernelsMatchTheTwoPassReference() throws {
        var numbers = LinalgHostEmulationTests.Numbers(state: 91)
        let cases = try Self.programs.map { p -> LinalgHostEmulationTests.Case in
            let module = try Module.parse(p.text, file: "\(p.name).mlir")
            let t = try #require(module.functions.first?.inputTypes.first?.tensorType)
            let dims = p.name.contains("rows") ? [1] : p.name.contains("middle") ? [1] : [0]
            // Index of the reduced group each element belongs to: rows (dims [1] of rank 2),
            // columns (dims [0]) or the middle of a rank-3 shape.
            let shape = t.shape
            func group(_ i: Int) -> Int {
                if shape.count == 2 { return dims == [1] ? i / shape[1] : i % shape[1] }
                return (i / (shape[1] * shape[2])) * shape[2] + i % shape[2]
            }
            var values = (0..<t.elementCount).map { _ in numbers.next() * 6 }
            for i in values.indices {
                if i % 37 == 5 { values[i] = -.infinity }  // masked entries
                if p.allNegativeInfinityRow, group(i) == 1 { values[i] = -.infinity }
                if group(i) == 2, i % 101 == 0 { values[i] = .infinity }
            }
            return LinalgHostEmulationTests.Case(name: p.name, text: p.text, inputs: [Tensor(type: t, storage: .floats(values))])
        }
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "online softmax", prelude: ["nv_fmax"], tolerance: 2e-5)
    }

    @Test func kernelsCompileWithNVRTC() throws {
        for p in Self.programs {
            try ComplexKernelTests.expectCompiles(try TestPrograms.lower(p.text).0, label: p.name)
        }
    }
}
