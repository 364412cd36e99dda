import CUDA
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Selecting reductions (argmax, argmin: JAX's bodies) fuse with their producers — the
/// index `iota` is computed in the kernel, never written — as row or column kernels whose
/// results equal the reference bit for bit as host C++ on inputs full of ties and NaNs, and
/// whose kernels NVRTC compiles for sm_90.
@Suite struct VariadicReductionKernelTests {
    /// `jnp.argmax`/`argmin` of `x` over `dim`, as JAX exports it (NaN wins, ties go to the
    /// lower index).
    static func arg(_ type: String, _ shape: [Int], dim: Int, max: Bool) -> String {
        let s = shape.map(String.init).joined(separator: "x")
        let kept = shape.enumerated().filter { $0.offset != dim }.map { String($0.element) }.joined(separator: "x")
        let initial = max ? (type == "bf16" ? "0xFF80" : "0xFF800000") : (type == "bf16" ? "0x7F80" : "0x7F800000")
        return """
        func.func @main(%x: tensor<\(s)x\(type)>) -> tensor<\(kept)xi32> {
          %0 = stablehlo.iota dim = \(dim) : tensor<\(s)xi32>
          %cst = stablehlo.constant dense<\(initial)> : tensor<\(type)>
          %c = stablehlo.constant dense<0> : tensor<i32>
          %1:2 = stablehlo.reduce(%x init: %cst), (%0 init: %c) across dimensions = [\(dim)] : (tensor<\(s)x\(type)>, tensor<\(s)xi32>, tensor<\(type)>, tensor<i32>) -> (tensor<\(kept)x\(type)>, tensor<\(kept)xi32>)
           reducer(%a: tensor<\(type)>, %b: tensor<\(type)>) (%i: tensor<i32>, %j: tensor<i32>)  {
            %2 = stablehlo.compare \(max ? "GT" : "LT"), %a, %b, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            %3 = stablehlo.compare NE, %a, %a, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            %4 = stablehlo.or %2, %3 : tensor<i1>
            %5 = stablehlo.compare EQ, %a, %b, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            %6 = stablehlo.compare LT, %i, %j, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            %7 = stablehlo.and %5, %6 : tensor<i1>
            %8 = stablehlo.or %4, %7 : tensor<i1>
            %9 = stablehlo.select %4, %a, %b : tensor<i1>, tensor<\(type)>
            %10 = stablehlo.select %8, %i, %j : tensor<i1>, tensor<i32>
            stablehlo.return %9, %10 : tensor<\(type)>, tensor<i32>
          }
          return %1#1 : tensor<\(kept)xi32>
        }
        """
    }

    struct Program: CustomStringConvertible, Sendable {
        var name: String, text: String, layout: String
        var description: String { name }
    }

    static let programs: [Program] = [
        Program(name: "argmax_rows_warp_f32", text: arg("f32", [37, 300], dim: 1, max: true), layout: "rows of 300, 32 threads"),
        Program(name: "argmax_rows_block_f32", text: arg("f32", [3, 2500], dim: 1, max: true), layout: "rows of 2500, 256 threads"),
        Program(name: "argmax_rows_vector_f32", text: arg("f32", [5, 4096], dim: 1, max: true), layout: "rows of 4096, 256 threads"),
        Program(name: "argmin_rows_vector_bf16", text: arg("bf16", [6, 1024], dim: 1, max: false), layout: "rows of 1024"),
        Program(name: "argmin_columns_bf16", text: arg("bf16", [300, 70], dim: 0, max: false), layout: "column reduction of [1, 300, 70]"),
        Program(name: "argmin_middle_f32", text: arg("f32", [3, 50, 40], dim: 1, max: false), layout: "column reduction of [3, 50, 40]"),
        Program(name: "argmax_long_rows_f32", text: arg("f32", [2, 40000], dim: 1, max: true), layout: "rows of 40000 in 7 chunks of 6144"),
        Program(name: "argmin_long_rows_bf16", text: arg("bf16", [3, 33000], dim: 1, max: false), layout: "in 5 chunks"),
        Program(name: "argmax_columns_split_f32", text: arg("f32", [2100, 40], dim: 0, max: true), layout: "column reduction of [1, 2100, 40] over the middle, 32×16 threads, 4 split(s)"),
        Program(name: "argmin_columns_vector_bf16", text: arg("bf16", [2100, 256], dim: 0, max: false), layout: "× 8 columns, 4 split(s)"),
    ]

    @Test(arguments: programs)
    func fusedWithTheIndexIota(_ p: Program) throws {
        let (e, _) = try TestPrograms.lower(p.text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        // One kernel, or a column split's partials and their fold.
        #expect((1...2).contains(e.kernels.count))
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains("selecting") && source.contains(p.layout), "\(source.prefix(400))")
        // Only the input, the indices and split partials (one per kept element and split):
        // the index iota is never written.
        let inputCount = try #require(try Module.parse(p.text, file: "p.mlir").functions.first?.inputTypes.first?.tensorType?.elementCount)
        let full = e.buffers.filter { $0.shape.reduce(1, *) == inputCount }
        #expect(e.inputs.count == 1 && full.count == 1, "only the input has the input's size: \(e.buffers.map(\.name))")
    }

    @Test func otherBodiesStayOnTheReferenceOrderKernel() throws {
        // A sum and a product in one reduce: arithmetic, not a selection.
        let text = """
        func.func @main(%x: tensor<4x300xf32>, %y: tensor<4x300xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %o = stablehlo.constant dense<1.0> : tensor<f32>
          %1:2 = stablehlo.reduce(%x init: %z), (%y init: %o) across dimensions = [1] : (tensor<4x300xf32>, tensor<4x300xf32>, tensor<f32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
           reducer(%a: tensor<f32>, %b: tensor<f32>) (%c: tensor<f32>, %d: tensor<f32>)  {
            %2 = stablehlo.add %a, %b : tensor<f32>
            %3 = stablehlo.multiply %c, %d : tensor<f32>
            stablehlo.return %2, %3 : tensor<f32>, tensor<f32>
          }
          return %1#0, %1#1 : tensor<4xf32>, tensor<4xf32>
        }
        """
        let module = try Module.parse(text, file: "sumprod.mlir")
        let op = try #require(module.functions[0].body.blocks[0].operations.first { $0.name == "stablehlo.reduce" })
        #expect(!VariadicReductionKernel.isCandidate(op))
        let (e, _) = try TestPrograms.lower(text)
        #expect(e.kernels.first?.source.contains("with a 2-value body") == true)
    }

    @Test func kernelsMatchTheReferenceBitForBit() throws {
        var numbers = LinalgHostEmulationTests.Numbers(state: 2024)
        let cases = Self.programs.map { p -> LinalgHostEmulationTests.Case in
            let module = try? Module.parse(p.text, file: "\(p.name).mlir")
            let t = module?.functions.first?.inputTypes.first?.tensorType ?? TensorType(shape: [], elementType: .float(.f32))
            // Halves in [-2, 2]: many ties; every 97th element NaN.
            let values = (0..<t.elementCount).map { i in i % 97 == 13 ? Double.nan : (numbers.next() * 4).rounded() / 2 }
            return LinalgHostEmulationTests.Case(name: p.name, text: p.text, inputs: [Tensor(type: t, storage: .floats(values))])
        }
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "selecting reduction")
    }

    @Test func kernelsCompileWithNVRTC() throws {
        for p in Self.programs {
            try ComplexKernelTests.expectCompiles(try TestPrograms.lower(p.text).0, label: p.name)
        }
    }
}
