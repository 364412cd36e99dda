import CUDA
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Loop fusions that read an input across its memory order become `TiledTransposeKernel`s:
/// which programs are tiled (any permutation moving the minor dimension, with producers and
/// consumers fused) and which are not (the minor dimension kept, dimensions too short),
/// every output equal bit for bit to the reference when the kernels run as host C++ (the
/// `LinalgHostEmulationTests` harness), and NVRTC compiling them for sm_90.
@Suite struct TiledTransposeKernelTests {
    struct Program: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        var tiled: Bool
        /// 16-bit elements with even tiled extents: pairs through 64-wide tiles.
        var pairs = false
        var description: String { name }
    }

    static func transpose(_ element: String, _ input: [Int], _ permutation: [Int], extra: String = "") -> String {
        let output = permutation.map { input[$0] }
        let i = input.map(String.init).joined(separator: "x"), o = output.map(String.init).joined(separator: "x")
        let p = permutation.map(String.init).joined(separator: ", ")
        if extra.isEmpty {
            return """
            func.func @main(%x: tensor<\(i)x\(element)>) -> tensor<\(o)x\(element)> {
              %0 = stablehlo.transpose %x, dims = [\(p)] : (tensor<\(i)x\(element)>) -> tensor<\(o)x\(element)>
              return %0 : tensor<\(o)x\(element)>
            }
            """
        }
        // `extra`: an elementwise op applied with a second input in the output's own order.
        return """
        func.func @main(%x: tensor<\(i)x\(element)>, %y: tensor<\(o)x\(element)>) -> tensor<\(o)x\(element)> {
          %0 = stablehlo.transpose %x, dims = [\(p)] : (tensor<\(i)x\(element)>) -> tensor<\(o)x\(element)>
          %1 = stablehlo.\(extra) %0, %y : tensor<\(o)x\(element)>
          return %1 : tensor<\(o)x\(element)>
        }
        """
    }

    /// A transposed input plus a bias broadcast along the output's minor dimension, two
    /// outputs (the sum and its negation), in bf16.
    static let biasTwoOutputs = """
    func.func @main(%x: tensor<2x40x36xbf16>, %b: tensor<36xbf16>) -> (tensor<2x36x40xbf16>, tensor<2x36x40xbf16>) {
      %0 = stablehlo.transpose %x, dims = [0, 2, 1] : (tensor<2x40x36xbf16>) -> tensor<2x36x40xbf16>
      %1 = stablehlo.broadcast_in_dim %b, dims = [1] : (tensor<36xbf16>) -> tensor<2x36x40xbf16>
      %2 = stablehlo.add %0, %1 : tensor<2x36x40xbf16>
      %3 = stablehlo.negate %2 : tensor<2x36x40xbf16>
      return %2, %3 : tensor<2x36x40xbf16>, tensor<2x36x40xbf16>
    }
    """

    /// A producer (convert) before the transpose, and a unit dimension in the output.
    static let convertUnit = """
    func.func @main(%x: tensor<33x1x70xf16>) -> tensor<70x1x33xf32> {
      %0 = stablehlo.convert %x : (tensor<33x1x70xf16>) -> tensor<33x1x70xf32>
      %1 = stablehlo.transpose %0, dims = [2, 1, 0] : (tensor<33x1x70xf32>) -> tensor<70x1x33xf32>
      return %1 : tensor<70x1x33xf32>
    }
    """

    static let programs: [Program] = [
        Program(name: "2d_f32", text: transpose("f32", [64, 48], [1, 0]), tiled: true),
        // Extents that are whole multiples of the tile: no bounds checks are emitted.
        Program(name: "2d_exact_f32", text: transpose("f32", [64, 96], [1, 0]), tiled: true),
        Program(name: "3d_021_exact_add_bf16", text: transpose("bf16", [2, 64, 128], [0, 2, 1], extra: "add"), tiled: true),
        Program(name: "2d_ragged_i32", text: transpose("i32", [37, 45], [1, 0]), tiled: true),
        Program(name: "3d_021_add_f32", text: transpose("f32", [3, 40, 50], [0, 2, 1], extra: "add"), tiled: true),
        Program(name: "3d_210_f64", text: transpose("f64", [20, 3, 33], [2, 1, 0]), tiled: true),
        Program(name: "4d_0312_mul_f32", text: transpose("f32", [2, 5, 9, 40], [0, 3, 1, 2], extra: "multiply"), tiled: true),
        Program(name: "4d_0231_f16", text: transpose("f16", [2, 24, 3, 10], [0, 2, 3, 1]), tiled: true, pairs: true),
        Program(name: "4d_3210_i8", text: transpose("i8", [9, 2, 3, 17], [3, 2, 1, 0]), tiled: true),
        Program(name: "bias_two_outputs_bf16", text: biasTwoOutputs, tiled: true, pairs: true),
        // 16-bit pairs (64-wide tiles, 32-bit accesses): even extents, ragged edges, a batch.
        Program(name: "2d_pairs_bf16", text: transpose("bf16", [70, 96], [1, 0]), tiled: true, pairs: true),
        Program(name: "3d_pairs_add_f16", text: transpose("f16", [3, 130, 66], [0, 2, 1], extra: "add"), tiled: true, pairs: true),
        Program(name: "4d_0231_pairs_bf16", text: transpose("bf16", [2, 24, 3, 10], [0, 2, 3, 1]), tiled: true, pairs: true),
        Program(name: "convert_unit_f16", text: convertUnit, tiled: true),
        // NCHW → NHWC: H and W stay adjacent, one tiled extent of 63 (ragged at 32).
        Program(name: "4d_0231_group_f32", text: transpose("f32", [2, 40, 7, 9], [0, 2, 3, 1]), tiled: true),
        Program(name: "5d_03412_group_add_f32", text: transpose("f32", [2, 33, 3, 4, 5], [0, 2, 3, 4, 1], extra: "add"), tiled: true),
        // The minor dimension stays minor: reads are already in order.
        Program(name: "3d_102_f32", text: transpose("f32", [16, 24, 40], [1, 0, 2]), tiled: false),
        Program(name: "4d_0213_f32", text: transpose("f32", [2, 16, 24, 40], [0, 2, 1, 3]), tiled: false),
        // The tiled dimensions are too short to gain from 32×32 tiles.
        Program(name: "2d_short_f32", text: transpose("f32", [4, 1000], [1, 0]), tiled: false),
    ]

    @Test(arguments: programs)
    func tiledExactlyWhereAnInputIsReadAcrossItsOrder(_ p: Program) throws {
        let (e, _) = try TestPrograms.lower(p.text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(TestPrograms.launches(e) == 1)
        let kernel = try #require(e.kernels.first)
        #expect(kernel.source.contains(" tiles of") == p.tiled, "\(kernel.source.prefix(600))")
        // 16-bit elements with even tiled extents move in pairs through 64-wide tiles when
        // `NVGPU_TRANSPOSE_PAIRS=1` (run the suite with it to check the paired kernels too).
        #expect(kernel.source.contains("64×64 tiles of") == (p.pairs && TiledTransposeKernel.pairsEnabled))
        if p.tiled {
            #expect(kernel.source.contains("__shared__"))
            guard case .launch(let launch)? = e.steps.first else { Issue.record("no launch"); return }
            #expect(launch.block == [TiledTransposeKernel.baseTile, TiledTransposeKernel.rows, 1])
        }
    }

    /// The input's minor dimensions that stay adjacent and in order in the output are tiled
    /// as one extent (NCHW → NHWC: H·W), not the last of them alone.
    @Test func adjacentMinorDimensionsTileAsOne() throws {
        let source = { (text: String) in try #require(try TestPrograms.lower(text).0.kernels.first?.source) }
        #expect(try source(Self.transpose("f16", [2, 24, 3, 10], [0, 2, 3, 1])).contains("over dims [1, 2] and 3"))
        #expect(try source(Self.transpose("f32", [2, 33, 3, 4, 5], [0, 2, 3, 4, 1])).contains("over dims [1, 2, 3] and 4"))
        // Reversed order breaks the run: only the last dimension is tiled with the minor one.
        #expect(try source(Self.transpose("f32", [2, 40, 7, 9], [0, 3, 2, 1])).contains("over dims 1 and 3"))
    }

    /// Elements of two bytes or less take tiles twice as tall along the output's minor
    /// dimension (eight accesses a thread in flight, as f32's 32×32); wider ones stay square.
    @Test func narrowElementsTakeTallTiles() throws {
        let source = { (text: String) in try #require(try TestPrograms.lower(text).0.kernels.first?.source) }
        #expect(try source(Self.transpose("bf16", [70, 96], [1, 0])).contains("32×64 tiles of") != TiledTransposeKernel.pairsEnabled)
        #expect(try source(Self.transpose("i8", [130, 40], [1, 0])).contains("32×64 tiles of"))
        #expect(try source(Self.transpose("f32", [70, 96], [1, 0])).contains("32×32 tiles of"))
        // Too short along m for two 32-wide halves.
        #expect(try source(Self.transpose("f16", [40, 50], [1, 0])).contains("32×32 tiles of"))
    }

    /// Bounds checks are emitted only along a tiled extent that is not a whole number of tiles.
    @Test func boundsChecksOnlyForPartialTiles() throws {
        let source = { (text: String) in try #require(try TestPrograms.lower(text).0.kernels.first?.source) }
        let exact = try source(Self.transpose("f32", [64, 96], [1, 0]))
        #expect(!exact.contains("< (idx_t)96") && !exact.contains("< (idx_t)64"))
        let raggedA = try source(Self.transpose("f32", [64, 90], [1, 0]))
        #expect(raggedA.contains("pa < (idx_t)90") && !raggedA.contains("< (idx_t)64"))
        let raggedM = try source(Self.transpose("f32", [70, 96], [1, 0]))
        #expect(raggedM.contains("pm < (idx_t)70") && !raggedM.contains("< (idx_t)96"))
    }

    static func cases() -> [LinalgHostEmulationTests.Case] {
        LinalgHostEmulationTests.exactCases(programs.map { ($0.name, $0.text) }, seed: 4242, range: 8)
    }

    @Test func kernelsMatchTheReferenceBitForBit() throws {
        try LinalgHostEmulationTests.expectBitForBit(Self.cases(), label: "tiled transpose")
    }

    @Test func kernelsCompileWithNVRTC() throws {
        for p in Self.programs {
            try ComplexKernelTests.expectCompiles(try TestPrograms.lower(p.text).0, label: p.name)
        }
    }
}
