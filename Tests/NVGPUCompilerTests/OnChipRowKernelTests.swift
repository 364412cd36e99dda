import CUDA
import Foundation
@testable import NVGPUCompiler
import Runtime
import Testing

/// Row reductions kept on chip (`OnChipRowKernel`): the geometry, one read and one write of
/// each row through 16-byte accesses, the fallback for rows that do not fit, and NVRTC
/// compiling every shape of `tests/row_kernels` (the programs the GPU check runs).
@Suite struct OnChipRowKernelTests {
    struct GeometryCase: CustomStringConvertible, Sendable {
        var columns: Int
        var bytes: Int
        var width: Int
        var threads: Int
        var chunks: Int
        var ragged: Bool
        var description: String { "\(columns)x\(bytes)B" }
    }

    @Test(arguments: [
        GeometryCase(columns: 8192, bytes: 4, width: 4, threads: 512, chunks: 4, ragged: false),
        GeometryCase(columns: 4096, bytes: 2, width: 8, threads: 128, chunks: 4, ragged: false),
        GeometryCase(columns: 1000, bytes: 4, width: 4, threads: 64, chunks: 4, ragged: true),
        GeometryCase(columns: 96, bytes: 8, width: 2, threads: 16, chunks: 3, ragged: false),
        GeometryCase(columns: 128, bytes: 2, width: 8, threads: 4, chunks: 4, ragged: false),
        GeometryCase(columns: 96, bytes: 2, width: 8, threads: 4, chunks: 3, ragged: false),
        GeometryCase(columns: 4, bytes: 4, width: 4, threads: 1, chunks: 1, ragged: false),
        GeometryCase(columns: 7, bytes: 4, width: 1, threads: 1, chunks: 7, ragged: false),
        GeometryCase(columns: 4095, bytes: 4, width: 1, threads: 256, chunks: 16, ragged: true),
        GeometryCase(columns: 4094, bytes: 2, width: 2, threads: 128, chunks: 16, ragged: true),
        GeometryCase(columns: 768, bytes: 2, width: 8, threads: 32, chunks: 3, ragged: false),
        GeometryCase(columns: 32768, bytes: 4, width: 4, threads: 1024, chunks: 8, ragged: false),
        GeometryCase(columns: 1024, bytes: 2, width: 8, threads: 32, chunks: 4, ragged: false),
        GeometryCase(columns: 4000, bytes: 1, width: 16, threads: 128, chunks: 2, ragged: true),
    ])
    func geometry(_ c: GeometryCase) throws {
        let g = try #require(OnChipRowKernel.geometry(columns: c.columns, widestBytes: c.bytes))
        #expect(g.vectorWidth == c.width)
        #expect(g.threads == c.threads)
        #expect(g.chunks == c.chunks)
        #expect(g.isRagged == c.ragged)
        #expect(g.rowsPerBlock == (c.threads <= 32 ? 256 / c.threads : 1))
        #expect(g.chunks * g.threads * g.vectorWidth >= c.columns)
        #expect((g.chunks - 1) * g.threads * g.vectorWidth < c.columns)
        #expect(g.elementsPerThread <= OnChipRowKernel.maxElementsPerThread)
    }

    @Test(arguments: [40000, 65536, 1 << 20])
    func rowsTooLongForRegistersDecline(_ columns: Int) {
        #expect(OnChipRowKernel.geometry(columns: columns, widestBytes: 4) == nil)
    }

    static var programsDirectory: URL { TestPrograms.packageRoot.appendingPathComponent("tests/row_kernels") }

    static func program(_ name: String) throws -> String {
        try String(contentsOf: programsDirectory.appendingPathComponent(name + ".mlir"), encoding: .utf8)
    }

    /// Lines of the kernel that read or write `parameter` one element at a time.
    static func scalarAccesses(_ source: String, _ parameter: String) -> [Substring] {
        source.split(separator: "\n").filter { $0.contains("\(parameter)[") && !$0.contains("nv_v") }
    }

    @Test(arguments: ["softmax_f32_16x8192", "softmax_f32_64x1000", "softmax_f64_32x96",
                      "layernorm_bf16_64x768", "rowstats_f16_4x8x96", "rowmax_i32_33x7", "rowany_i1_16x64"])
    func rowStaysOnChip(_ name: String) throws {
        let (e, _) = try TestPrograms.lower(try Self.program(name))
        #expect(TestPrograms.launches(e) == 1)
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains(" on chip, "))
        #expect(!source.contains("for (idx_t col"), "no strided pass over the row")
        // Every row-shaped input and every full output moves through whole vectors.
        #expect(Self.scalarAccesses(source, "in0").isEmpty)
        let fullOutput = name.hasPrefix("row") ? "out1" : "out0"  // rowmax/rowstats: out0 is per row
        #expect(Self.scalarAccesses(source, fullOutput).isEmpty)
    }

    @Test func softmaxReadsEachVectorOnceAndWritesItOnce() throws {
        let (e, _) = try TestPrograms.lower(try Self.program("softmax_f32_16x8192"))
        let source = try #require(e.kernels.first?.source)
        let loads = source.split(separator: "\n").filter { $0.contains("(in0 + rb + cb") }
        let stores = source.split(separator: "\n").filter { $0.contains("(out0 + rb + cb") }
        #expect(loads.count == 4, "4 float4 per thread: \(loads)")
        #expect(stores.count == 4, "\(stores)")
        #expect(loads.allSatisfy { $0.contains("nv_v16") })
        // exp is computed once per element (the sum and the division share it).
        let body = source.replacingOccurrences(of: KernelPrelude.source, with: "")
        #expect(body.components(separatedBy: "expf(").count - 1 == 16)
    }

    /// Scale and bias load as vectors after the row's own data; before the row loop only
    /// when blocks loop over several rows (more rows than a grid holds).
    @Test(arguments: [64, 600_000])
    func layernormLoadsScaleAndBiasAsVectors(_ rows: Int) throws {
        let text = try Self.program("layernorm_bf16_64x768").replacingOccurrences(of: "tensor<64x", with: "tensor<\(rows)x")
            .replacingOccurrences(of: "tensor<64xf32>", with: "tensor<\(rows)xf32>")
        let (e, _) = try TestPrograms.lower(text)
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains(" on chip, "))
        let lines = source.split(separator: "\n").map(String.init)
        let loop = try #require(lines.firstIndex { $0.contains("for (idx_t row") })
        let scale = try #require(lines.firstIndex { $0.contains("(in1 + cb0)") })
        let data = try #require(lines.firstIndex { $0.contains("(in0 + rb + cb0)") })
        #expect((scale < loop) == (rows > 65535))
        if rows <= 65535 { #expect(data < scale) }
        #expect(Self.scalarAccesses(source, "in1").isEmpty && Self.scalarAccesses(source, "in2").isEmpty)
    }

    /// A bool `or` must not put the shuffle inside `||`: lanes that short-circuit would skip
    /// it, and a __shfl_xor_sync missing lanes of its mask is undefined (seen on an H100).
    @Test(arguments: [true, false])
    func boolReductionShufflesInEveryLane(_ onChip: Bool) throws {
        let text = try Self.program("rowany_i1_16x64")
        let source: String
        if onChip {
            source = try #require(try TestPrograms.lower(text).0.kernels.first?.source)
        } else {
            // The strided shape: a row too long for registers, and rows enough not to be
            // split over blocks (`SplitRowReduction`).
            let long = text.replacingOccurrences(of: "16x64x", with: "300x65536x")
                .replacingOccurrences(of: "tensor<16xi1>", with: "tensor<300xi1>")
            source = try #require(try TestPrograms.lower(long).0.kernels.first?.source)
            #expect(!source.contains(" on chip, "))
        }
        #expect(source.contains("const bool other = nv_shfl_xor(acc0, o); acc0 = (acc0 || other);"))
        #expect(!source.contains("|| nv_shfl_xor"))
    }

    @Test func longRowsKeepTheStridedShape() throws {
        // 300 rows: enough not to be split over blocks (`SplitRowReductionTests` takes 2);
        // `tanh` for `exp`, so the statistics are no softmax's (`nvgpu-online-softmax`).
        let text = try Self.program("softmax_f32_2x40000").replacingOccurrences(of: "2x40000", with: "300x40000")
            .replacingOccurrences(of: "tensor<2xf32>", with: "tensor<300xf32>")
            .replacingOccurrences(of: "stablehlo.exponential", with: "stablehlo.tanh")
        let (e, _) = try TestPrograms.lower(text)
        let source = try #require(e.kernels.first?.source)
        #expect(!source.contains(" on chip, "))
        #expect(source.contains("for (idx_t col"))
    }

    @Test func everyProgramCompilesWithNVRTC() throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        let files = TestPrograms.mlirFiles(in: Self.programsDirectory)
        #expect(files.count >= 8)
        let result = try NVRTCCompileTests.compileKernels(of: files, label: "row kernels", compiler: nvrtc)
        #expect(result.programs == files.count)
        #expect(result.failures.isEmpty, "\(result.failures.joined(separator: "\n\n"))")
    }

    /// Rows of one warp or less, run as host C++: several rows per warp, a ragged last chunk,
    /// and row counts that leave a warp's last lanes past the end (they run on the last row
    /// and store nothing). Inputs are multiples of 1/8, so every sum is exact in any order
    /// and the outputs equal the reference bit for bit.
    @Test func subWarpRowsMatchTheReferenceBitForBit() throws {
        func rows(_ type: String, _ rows: Int, _ columns: Int) -> String {
            """
            func.func @main(%x: tensor<\(rows)x\(columns)x\(type)>) -> (tensor<\(rows)xf32>, tensor<\(rows)x\(columns)x\(type)>) {
              %f = stablehlo.convert %x : (tensor<\(rows)x\(columns)x\(type)>) -> tensor<\(rows)x\(columns)xf32>
              %zero = stablehlo.constant dense<0.0> : tensor<f32>
              %low = stablehlo.constant dense<0xFF800000> : tensor<f32>
              %s = stablehlo.reduce(%f init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(rows)xf32>
              %m = stablehlo.reduce(%f init: %low) applies stablehlo.maximum across dimensions = [1] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(rows)xf32>
              %mb = stablehlo.broadcast_in_dim %m, dims = [0] : (tensor<\(rows)xf32>) -> tensor<\(rows)x\(columns)xf32>
              %d = stablehlo.subtract %f, %mb : tensor<\(rows)x\(columns)xf32>
              %r = stablehlo.convert %d : (tensor<\(rows)x\(columns)xf32>) -> tensor<\(rows)x\(columns)x\(type)>
              return %s, %r : tensor<\(rows)xf32>, tensor<\(rows)x\(columns)x\(type)>
            }
            """
        }
        let programs: [(name: String, text: String)] = [
            ("bf16_37x128", rows("bf16", 37, 128)),  // 4 threads a row, 8 rows a warp
            ("bf16_19x96", rows("bf16", 19, 96)),
            ("f32_45x12", rows("f32", 45, 12)),  // 1 thread a row
            ("f32_23x28", rows("f32", 23, 28)),  // 2 threads a row, ragged
            ("f64_13x96", rows("f64", 13, 96)),
        ]
        for p in programs {
            let source = try #require(try TestPrograms.lower(p.text).0.kernels.first?.source)
            #expect(source.contains(" on chip, ") && source.contains("const bool live"), "\(p.name)")
        }
        let cases = LinalgHostEmulationTests.exactCases(programs, seed: 3, range: 3)
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "sub-warp rows", prelude: ["nv_fmax"])
    }
}
