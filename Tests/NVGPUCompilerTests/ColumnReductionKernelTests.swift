import CUDA
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Reductions that keep the input's minor dimension become `ColumnReductionKernel`s: the
/// `[outer, reduced, inner]` view, the geometry and its split of the reduced axis, which
/// programs take it (with producers and consumers fused) and which do not, every output
/// equal bit for bit to the reference as host C++ (inputs are multiples of 1/8, so sums are
/// exact in any order), and NVRTC compiling the kernels for sm_90.
@Suite struct ColumnReductionKernelTests {
    struct ViewCase: CustomStringConvertible, Sendable {
        var shape: [Int], dims: [Int], view: [Int]?
        var description: String { "\(shape) over \(dims)" }
    }

    @Test(arguments: [
        ViewCase(shape: [16384, 4096], dims: [0], view: [1, 16384, 4096]),
        ViewCase(shape: [64, 1024, 1024], dims: [1], view: [64, 1024, 1024]),
        ViewCase(shape: [128, 512, 1024], dims: [0, 1], view: [1, 65536, 1024]),
        ViewCase(shape: [64, 56, 56, 256], dims: [0, 1, 2], view: [1, 200704, 256]),
        ViewCase(shape: [1, 50, 1, 40], dims: [1], view: [1, 50, 40]),
        ViewCase(shape: [7, 1, 9, 5], dims: [0, 2], view: [1, 63, 5]),  // unit dim between
        ViewCase(shape: [8, 16, 8, 32], dims: [0, 2], view: nil),  // a kept dim between
        ViewCase(shape: [16, 4096], dims: [1], view: nil),  // a row reduction
        ViewCase(shape: [16, 40, 1], dims: [1], view: nil),  // nothing kept is minor
    ])
    func view(_ c: ViewCase) {
        let v = ColumnReductionKernel.view(c.shape, reducing: c.dims)
        #expect(v.map { [$0.outer, $0.reduced, $0.inner] } == c.view)
    }

    /// Empty tensors (a zero kept or reduced extent) take the generic kernels: lowering them
    /// gives an executable, never a division by zero.
    @Test(arguments: [("0x3x5", [1], "0x5"), ("4x0x5", [1], "4x5"), ("0x40000", [1], "0"), ("3x0", [1], "3")])
    func emptyTensorsLowerWithoutTrapping(_ shape: String, _ dims: [Int], _ kept: String) throws {
        let text = """
        func.func @main(%x: tensor<\(shape)xf32>) -> tensor<\(kept)xf32> {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = \(dims) : (tensor<\(shape)xf32>, tensor<f32>) -> tensor<\(kept)xf32>
          return %0 : tensor<\(kept)xf32>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(ColumnReductionKernel.view([0, 3, 5], reducing: [1]) == nil)
        #expect(SplitRowReduction.chunks(rows: 0, columns: 40000) >= 1 && !SplitRowReduction.applies(rows: 0, columns: 40000))
    }

    @Test func geometrySplitsOnlyWhenTheColumnsLeaveTheGPUIdle() {
        let wide = ColumnReductionKernel.geometry(outer: 64, reduced: 1024, inner: 1024)
        #expect(wide.x == 32 && wide.y == 16 && wide.splits == 1)
        let tall = ColumnReductionKernel.geometry(outer: 1, reduced: 16384, inner: 4096)
        #expect(tall.splits > 1 && tall.splits * 128 >= ColumnReductionKernel.targetBlocks)
        #expect(16384 / tall.splits >= tall.y * ColumnReductionKernel.minimumPerThread)
        let narrow = ColumnReductionKernel.geometry(outer: 1, reduced: 200704, inner: 8)
        #expect(narrow.x == 8 && narrow.y == 64 && narrow.splits > 100)
        let short = ColumnReductionKernel.geometry(outer: 1, reduced: 100, inner: 3)
        #expect(short.x == 4 && short.splits == 1)
    }

    struct Program: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        /// Kernels expected: 1 (no split), 2 (split) or 0 (not a column kernel).
        var columnKernels: Int
        var description: String { name }
    }

    static func reduce(_ element: String, _ shape: [Int], _ dims: [Int], _ body: String, initial: String) -> String {
        let kept = shape.indices.filter { !dims.contains($0) }.map { shape[$0] }
        let s = shape.map(String.init).joined(separator: "x"), k = kept.map(String.init).joined(separator: "x")
        let keptType = kept.isEmpty ? "tensor<\(element)>" : "tensor<\(k)x\(element)>"
        return """
        func.func @main(%x: tensor<\(s)x\(element)>) -> \(keptType) {
          %init = stablehlo.constant dense<\(initial)> : tensor<\(element)>
          %0 = stablehlo.reduce(%x init: %init) applies stablehlo.\(body) across dimensions = [\(dims.map(String.init).joined(separator: ", "))] : (tensor<\(s)x\(element)>, tensor<\(element)>) -> \(keptType)
          return %0 : \(keptType)
        }
        """
    }

    /// Mean and variance per channel of bf16 activations (sum and sum of squares, f32).
    static let channelStatistics = """
    func.func @main(%x: tensor<96x6x6x8xbf16>) -> (tensor<8xf32>, tensor<8xf32>) {
      %0 = stablehlo.convert %x : (tensor<96x6x6x8xbf16>) -> tensor<96x6x6x8xf32>
      %1 = stablehlo.multiply %0, %0 : tensor<96x6x6x8xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %2 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<96x6x6x8xf32>, tensor<f32>) -> tensor<8xf32>
      %3 = stablehlo.reduce(%1 init: %z) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<96x6x6x8xf32>, tensor<f32>) -> tensor<8xf32>
      %n = stablehlo.constant dense<0.25> : tensor<8xf32>
      %4 = stablehlo.multiply %2, %n : tensor<8xf32>
      %5 = stablehlo.multiply %3, %n : tensor<8xf32>
      %6 = stablehlo.multiply %4, %4 : tensor<8xf32>
      %7 = stablehlo.subtract %5, %6 : tensor<8xf32>
      return %4, %7 : tensor<8xf32>, tensor<8xf32>
    }
    """

    /// A column sum of f16 in f32, converted back, reshaped to keep a unit dimension.
    static let halfSumUnit = """
    func.func @main(%x: tensor<1x300x1x70xf16>) -> tensor<1x70xf16> {
      %0 = stablehlo.convert %x : (tensor<1x300x1x70xf16>) -> tensor<1x300x1x70xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %1 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [1] : (tensor<1x300x1x70xf32>, tensor<f32>) -> tensor<1x1x70xf32>
      %2 = stablehlo.reshape %1 : (tensor<1x1x70xf32>) -> tensor<1x70xf32>
      %3 = stablehlo.convert %2 : (tensor<1x70xf32>) -> tensor<1x70xf16>
      return %3 : tensor<1x70xf16>
    }
    """

    /// Batch-norm statistics as JAX writes them: the mean, then the variance about it (the
    /// mean read back per channel), over 64 bf16 channels: vector reads of the activations
    /// and of the mean. (The mean is scaled by zero so that every sum stays exact in f32 and
    /// the order partials meet in cannot show; the per-channel read is the same.)
    static let channelVariance = """
    func.func @main(%x: tensor<40x3x3x64xbf16>) -> (tensor<64xf32>, tensor<64xf32>) {
      %0 = stablehlo.convert %x : (tensor<40x3x3x64xbf16>) -> tensor<40x3x3x64xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %1 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<40x3x3x64xf32>, tensor<f32>) -> tensor<64xf32>
      %n = stablehlo.constant dense<0.0> : tensor<64xf32>
      %2 = stablehlo.multiply %1, %n : tensor<64xf32>
      %3 = stablehlo.broadcast_in_dim %2, dims = [3] : (tensor<64xf32>) -> tensor<40x3x3x64xf32>
      %4 = stablehlo.subtract %0, %3 : tensor<40x3x3x64xf32>
      %5 = stablehlo.multiply %4, %4 : tensor<40x3x3x64xf32>
      %6 = stablehlo.reduce(%5 init: %z) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<40x3x3x64xf32>, tensor<f32>) -> tensor<64xf32>
      return %2, %6 : tensor<64xf32>, tensor<64xf32>
    }
    """

    static let programs: [Program] = [
        Program(name: "col_sum_split_f32", text: reduce("f32", [300, 70], [0], "add", initial: "0.0"), columnKernels: 2),
        Program(name: "middle_max_f32", text: reduce("f32", [5, 40, 33], [1], "maximum", initial: "0xFF800000"), columnKernels: 1),
        Program(name: "col_sum_i32", text: reduce("i32", [100, 17], [0], "add", initial: "3"), columnKernels: 1),
        Program(name: "outer2_min_f64", text: reduce("f64", [40, 30, 20], [0, 1], "minimum", initial: "0x7FF0000000000000"), columnKernels: 2),
        Program(name: "channel_statistics_bf16", text: channelStatistics, columnKernels: 2),
        Program(name: "half_sum_unit_f16", text: halfSumUnit, columnKernels: 2),
        Program(name: "channel_variance_bf16", text: channelVariance, columnKernels: 4),
        // Not column reductions: a kept dimension between reduced ones; a row reduction.
        Program(name: "split_dims_f32", text: reduce("f32", [8, 16, 8, 32], [0, 2], "add", initial: "0.0"), columnKernels: 0),
        Program(name: "row_sum_f32", text: reduce("f32", [16, 300], [1], "add", initial: "0.0"), columnKernels: 0),
    ]

    @Test(arguments: programs)
    func columnKernelExactlyWhereTheMinorDimensionIsKept(_ p: Program) throws {
        let (e, _) = try TestPrograms.lower(p.text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        let column = e.kernels.filter { $0.source.contains("column reduction") }
        #expect(column.count == p.columnKernels, "\(e.kernels.map { $0.source.split(separator: "\n").first { $0.hasPrefix("//") } ?? "" })")
        if p.columnKernels > 0 { #expect(TestPrograms.launches(e) == p.columnKernels) }
    }

    static func cases() -> [LinalgHostEmulationTests.Case] {
        // The column kernels (the others are other kernel shapes, tested where they are built).
        LinalgHostEmulationTests.exactCases(programs.filter { $0.columnKernels > 0 }.map { ($0.name, $0.text) }, seed: 9001, range: 2)
    }

    @Test func kernelsMatchTheReferenceBitForBit() throws {
        try LinalgHostEmulationTests.expectBitForBit(Self.cases(), label: "column reduction", prelude: ["nv_fmax", "nv_fmin", "nv_iadd"])
    }

    @Test func kernelsCompileWithNVRTC() throws {
        for p in Self.programs {
            try ComplexKernelTests.expectCompiles(try TestPrograms.lower(p.text).0, label: p.name)
        }
    }
}
