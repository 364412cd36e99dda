import CUDA
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Row reductions over a few long rows become `SplitRowReduction` kernel chains: which
/// programs take it, the chunking, and every output equal bit for bit to the reference as
/// host C++ (inputs are multiples of 1/8, so sums are exact in any order), and NVRTC
/// compiling the kernels for sm_90.
@Suite struct SplitRowReductionTests {
    @Test func chunksFillTheDeviceWithoutStarvingThreads() {
        #expect(SplitRowReduction.chunks(rows: 3, columns: 4_194_304) == 352)
        #expect(SplitRowReduction.chunks(rows: 3, columns: 40_000) == 9)
        #expect(SplitRowReduction.chunks(rows: 200, columns: 1 << 20) == 6)
        #expect(SplitRowReduction.applies(rows: 3, columns: 1 << 22) == SplitRowReduction.isEnabled)
        #expect(!SplitRowReduction.applies(rows: 4096, columns: 1 << 16))
        #expect(!SplitRowReduction.applies(rows: 3, columns: 4096))
    }

    struct Program: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        var kernels: Int
        var description: String { name }
    }

    static let programs: [Program] = [
        Program(name: "row_sum_f32", text: """
        func.func @main(%x: tensor<3x40000xf32>) -> tensor<3xf32> {
          %z = stablehlo.constant dense<0.5> : tensor<f32>
          %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<3x40000xf32>, tensor<f32>) -> tensor<3xf32>
          return %0 : tensor<3xf32>
        }
        """, kernels: 3),
        // Shifted by the row's max, then summed: dependent reductions, full and per-row outputs.
        Program(name: "max_shift_sum_f32", text: """
        func.func @main(%x: tensor<2x1x33000xf32>) -> (tensor<2x1x33000xf32>, tensor<2x1xf32>) {
          %m0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %0 = stablehlo.reduce(%x init: %m0) applies stablehlo.maximum across dimensions = [2] : (tensor<2x1x33000xf32>, tensor<f32>) -> tensor<2x1xf32>
          %1 = stablehlo.broadcast_in_dim %0, dims = [0, 1] : (tensor<2x1xf32>) -> tensor<2x1x33000xf32>
          %2 = stablehlo.subtract %x, %1 : tensor<2x1x33000xf32>
          %3 = stablehlo.reduce(%2 init: %z) applies stablehlo.add across dimensions = [2] : (tensor<2x1x33000xf32>, tensor<f32>) -> tensor<2x1xf32>
          %4 = stablehlo.multiply %3, %0 : tensor<2x1xf32>
          return %2, %4 : tensor<2x1x33000xf32>, tensor<2x1xf32>
        }
        """, kernels: 6),
        Program(name: "row_sum_i32", text: """
        func.func @main(%x: tensor<2x50000xi32>) -> tensor<2xi32> {
          %z = stablehlo.constant dense<7> : tensor<i32>
          %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<2x50000xi32>, tensor<i32>) -> tensor<2xi32>
          return %0 : tensor<2xi32>
        }
        """, kernels: 3),
    ]

    @Test(arguments: programs)
    func fewLongRowsAreSplit(_ p: Program) throws {
        let (e, _) = try TestPrograms.lower(p.text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(e.kernels.count == p.kernels, "\(e.kernels.map(\.entryPoint))")
        #expect(e.kernels.allSatisfy { $0.source.contains("split rows") })
    }

    /// The GPU row-kernel check's long softmax (`tests/row_kernels`): its maximum and sum
    /// are one online reduction split over blocks (partials, their fold), then the
    /// normalisation: three kernels. With `tanh` for `exp` (no softmax), two dependent split
    /// reductions and a full-size output: five.
    @Test func longSoftmaxIsSplit() throws {
        let url = TestPrograms.packageRoot.appendingPathComponent("tests/row_kernels/softmax_f32_2x40000.mlir")
        let text = try String(contentsOf: url, encoding: .utf8)
        let (e, _) = try TestPrograms.lower(text)
        #expect(e.kernels.map(\.entryPoint).count == 3)
        #expect(e.kernels.first?.source.contains("reassociable reduction of 2 rows of 40000 in") == true)
        let (other, _) = try TestPrograms.lower(text.replacingOccurrences(of: "stablehlo.exponential", with: "stablehlo.tanh"))
        #expect(other.kernels.map(\.entryPoint).count == 5)
        #expect(other.kernels.allSatisfy { $0.source.contains("split rows") })
    }

    @Test func manyRowsAreNotSplit() throws {
        let text = """
        func.func @main(%x: tensor<512x40000xf32>) -> tensor<512xf32> {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<512x40000xf32>, tensor<f32>) -> tensor<512xf32>
          return %0 : tensor<512xf32>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(e.kernels.count == 1)
        #expect(!(e.kernels.first?.source.contains("split rows") ?? true))
    }

    @Test func kernelsMatchTheReferenceBitForBit() throws {
        let cases = LinalgHostEmulationTests.exactCases(Self.programs.map { ($0.name, $0.text) }, seed: 31337, range: 2)
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "split row", prelude: ["nv_fmax", "nv_fmin", "nv_iadd"])
    }

    @Test func kernelsCompileWithNVRTC() throws {
        for p in Self.programs {
            try ComplexKernelTests.expectCompiles(try TestPrograms.lower(p.text).0, label: p.name)
        }
    }
}
