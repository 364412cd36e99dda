import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// `complex<f32>` and `complex<f64>` on the GPU: elementwise ops (the reference interpreter's
/// formulas in `ComplexPrelude`), `real`/`imag`/`complex`, conversions, comparisons, views,
/// reductions and `dot_general` lower to kernels with no host step, and the kernels compile
/// with NVRTC for sm_90 for both complex types.
@Suite struct ComplexKernelTests {
    static let complexTypes = ["complex<f32>", "complex<f64>"]

    static let unaryOps = [
        "stablehlo.negate", "stablehlo.exponential", "stablehlo.exponential_minus_one", "stablehlo.log",
        "stablehlo.log_plus_one", "stablehlo.logistic", "stablehlo.sqrt", "stablehlo.rsqrt", "stablehlo.cbrt",
        "stablehlo.sine", "stablehlo.cosine", "stablehlo.tan", "stablehlo.tanh", "stablehlo.sign",
        "chlo.acos", "chlo.acosh", "chlo.asin", "chlo.asinh", "chlo.atan", "chlo.atanh", "chlo.cosh",
        "chlo.sinh", "chlo.tan", "chlo.conj", "chlo.square",
    ]

    static let binaryOps = [
        "stablehlo.add", "stablehlo.subtract", "stablehlo.multiply", "stablehlo.divide", "stablehlo.power",
        "stablehlo.maximum", "stablehlo.minimum", "stablehlo.atan2",
    ]

    /// The lowered program; fails the test when any op stayed on the host.
    static func onDevice(_ text: String) throws -> Executable {
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(!e.kernels.isEmpty)
        return e
    }

    /// Compiles every kernel of `e` with NVRTC for sm_90 (skipped without NVRTC, unless required).
    static func expectCompiles(_ e: Executable, label: String) throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        let programs = e.kernels.map { (name: $0.entryPoint, source: $0.source) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        for (program, result) in zip(programs, results) {
            if case .failure(let error) = result { Issue.record("\(label) \(program.name): \(error.log.prefix(2000))") }
        }
    }

    static func unary(_ op: String, _ type: String) -> String {
        """
        func.func @main(%x: tensor<4x5x\(type)>) -> tensor<4x5x\(type)> {
          %0 = "\(op)"(%x) : (tensor<4x5x\(type)>) -> tensor<4x5x\(type)>
          return %0 : tensor<4x5x\(type)>
        }
        """
    }

    static func binary(_ op: String, _ type: String) -> String {
        """
        func.func @main(%x: tensor<4x5x\(type)>, %y: tensor<4x5x\(type)>) -> tensor<4x5x\(type)> {
          %0 = "\(op)"(%x, %y) : (tensor<4x5x\(type)>, tensor<4x5x\(type)>) -> tensor<4x5x\(type)>
          return %0 : tensor<4x5x\(type)>
        }
        """
    }

    @Test(arguments: unaryOps, complexTypes)
    func unaryOpIsAKernel(_ op: String, type: String) throws {
        let e = try Self.onDevice(Self.unary(op, type))
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains("struct __align__(16) nv_c128"))
        if type == "complex<f32>" {
            #expect(source.contains("nv_round_c64(") && source.contains("nv_c64_store(") && source.contains("nv_c64_load("))
        }
    }

    @Test(arguments: binaryOps, complexTypes)
    func binaryOpIsAKernel(_ op: String, type: String) throws {
        _ = try Self.onDevice(Self.binary(op, type))
    }

    /// One fused kernel of every complex op for each type compiles with NVRTC.
    @Test(arguments: complexTypes)
    func everyOpFusedCompiles(_ type: String) throws {
        let t = "tensor<4x5x\(type)>"
        let part = type == "complex<f32>" ? "f32" : "f64"
        var lines = ["func.func @main(%x: \(t), %y: \(t)) -> (\(t), tensor<4x5xi1>, tensor<4x5x\(part)>) {"]
        var last = "%x"
        for (k, op) in Self.unaryOps.enumerated() {
            lines.append("  %u\(k) = \"\(op)\"(\(last)) : (\(t)) -> \(t)")
            last = "%u\(k)"
        }
        for (k, op) in Self.binaryOps.enumerated() {
            lines.append("  %b\(k) = \"\(op)\"(\(last), %y) : (\(t), \(t)) -> \(t)")
            last = "%b\(k)"
        }
        lines += [
            "  %c0 = stablehlo.compare EQ, \(last), %y, FLOAT : (\(t), \(t)) -> tensor<4x5xi1>",
            "  %c1 = stablehlo.compare NE, \(last), %x, FLOAT : (\(t), \(t)) -> tensor<4x5xi1>",
            "  %c2 = stablehlo.compare LT, \(last), %x, FLOAT : (\(t), \(t)) -> tensor<4x5xi1>",
            "  %c = stablehlo.and %c0, %c1 : tensor<4x5xi1>",
            "  %cc = stablehlo.or %c, %c2 : tensor<4x5xi1>",
            "  %s = stablehlo.select %cc, \(last), %x : tensor<4x5xi1>, \(t)",
            "  %cl = stablehlo.clamp %x, %s, %y : \(t)",
            "  %re = \"stablehlo.real\"(%cl) : (\(t)) -> tensor<4x5x\(part)>",
            "  %im = \"stablehlo.imag\"(%cl) : (\(t)) -> tensor<4x5x\(part)>",
            "  %ab = \"stablehlo.abs\"(%cl) : (\(t)) -> tensor<4x5x\(part)>",
            "  %sum = stablehlo.add %re, %im : tensor<4x5x\(part)>",
            "  %m = stablehlo.add %sum, %ab : tensor<4x5x\(part)>",
            "  %z = stablehlo.complex %m, %re : \(t)",
            "  return %z, %cc, %m : \(t), tensor<4x5xi1>, tensor<4x5x\(part)>",
            "}",
        ]
        let e = try Self.onDevice(lines.joined(separator: "\n"))
        #expect(TestPrograms.launches(e) == 1)
        try Self.expectCompiles(e, label: "fused \(type)")
    }

    @Test(arguments: ["f32", "f64", "bf16", "f16", "i1", "i8", "i32", "i64", "ui8", "ui64", "complex<f32>", "complex<f64>"],
          complexTypes)
    func convertsBetweenComplexAndOtherTypes(_ other: String, complex: String) throws {
        let text = """
        func.func @main(%x: tensor<3x\(other)>, %z: tensor<3x\(complex)>) -> (tensor<3x\(complex)>, tensor<3x\(other)>) {
          %0 = stablehlo.convert %x : (tensor<3x\(other)>) -> tensor<3x\(complex)>
          %1 = stablehlo.convert %z : (tensor<3x\(complex)>) -> tensor<3x\(other)>
          return %0, %1 : tensor<3x\(complex)>, tensor<3x\(other)>
        }
        """
        let e = try Self.onDevice(text)
        try Self.expectCompiles(e, label: "convert \(other) <-> \(complex)")
        let source = try #require(e.kernels.first?.source)
        if !other.hasPrefix("complex") {
            #expect(source.contains(".re"))
            #expect(source.contains(", 0.0)"))
        }
    }

    /// Views and data movement of complex values, fused with a constant (splat and array
    /// literals carry both components).
    @Test(arguments: complexTypes)
    func viewsAndLiteralsAreOneKernel(_ type: String) throws {
        let text = """
        func.func @main(%x: tensor<2x3x\(type)>) -> tensor<5x8x\(type)> {
          %k = stablehlo.constant dense<[(1.5, -2.0), (0.0, 3.25), (-1.0, 0.5)]> : tensor<3x\(type)>
          %b = stablehlo.broadcast_in_dim %k, dims = [1] : (tensor<3x\(type)>) -> tensor<2x3x\(type)>
          %i = stablehlo.iota dim = 1 : tensor<2x3x\(type)>
          %s = stablehlo.add %x, %b : tensor<2x3x\(type)>
          %t = stablehlo.add %s, %i : tensor<2x3x\(type)>
          %r = stablehlo.reverse %t, dims = [1] : tensor<2x3x\(type)>
          %c = stablehlo.concatenate %t, %r, dim = 1 : (tensor<2x3x\(type)>, tensor<2x3x\(type)>) -> tensor<2x6x\(type)>
          %sl = stablehlo.slice %c [0:2, 1:6] : (tensor<2x6x\(type)>) -> tensor<2x5x\(type)>
          %tr = stablehlo.transpose %sl, dims = [1, 0] : (tensor<2x5x\(type)>) -> tensor<5x2x\(type)>
          %pv = stablehlo.constant dense<(0.25, -0.75)> : tensor<\(type)>
          %p = stablehlo.pad %tr, %pv, low = [0, 1], high = [0, 2], interior = [0, 3] : (tensor<5x2x\(type)>, tensor<\(type)>) -> tensor<5x8x\(type)>
          return %p : tensor<5x8x\(type)>
        }
        """
        let e = try Self.onDevice(text)
        #expect(TestPrograms.launches(e) == 1)
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains("nv_c128(0.25, -0.75)"))
        // 1.5 and -2.0 as f32 (0x3FC00000, 0xC0000000) or f64 bit patterns.
        #expect(source.contains(type == "complex<f32>" ? "1069547520U, 3221225472U" : "4609434218613702656ULL, 13835058055282163712ULL"))
        try Self.expectCompiles(e, label: "views \(type)")
    }

    static func reduce(_ type: String, body: String, dims: [Int], shape: [Int]) -> String {
        let input = shape.map(String.init).joined(separator: "x")
        let kept = shape.indices.filter { !dims.contains($0) }.map { String(shape[$0]) }
        let result = (kept + [type]).joined(separator: "x")
        return """
        func.func @main(%x: tensor<\(input)x\(type)>, %init: tensor<\(type)>) -> tensor<\(result)> {
          %0 = stablehlo.reduce(%x init: %init) applies \(body) across dimensions = \(dims) : (tensor<\(input)x\(type)>, tensor<\(type)>) -> tensor<\(result)>
          return %0 : tensor<\(result)>
        }
        """
    }

    /// add/multiply/maximum/minimum reductions as row kernels, two-stage trees and generic
    /// per-output loops.
    @Test(arguments: ["stablehlo.add", "stablehlo.multiply", "stablehlo.maximum", "stablehlo.minimum"], complexTypes)
    func reductionsAreKernels(_ body: String, type: String) throws {
        for (dims, shape) in [([1], [6, 40]), ([0], [6, 40]), ([0], [70000])] {
            let e = try Self.onDevice(Self.reduce(type, body: body, dims: dims, shape: shape))
            try Self.expectCompiles(e, label: "reduce \(body) \(dims) \(shape) \(type)")
        }
    }

    /// A reduce fused with its complex producer and a real consumer (a row kernel).
    @Test(arguments: complexTypes)
    func rowReductionFusesProducersAndConsumers(_ type: String) throws {
        let part = type == "complex<f32>" ? "f32" : "f64"
        let text = """
        func.func @main(%x: tensor<8x64x\(type)>) -> tensor<8x\(part)> {
          %e = stablehlo.exponential %x : tensor<8x64x\(type)>
          %z = stablehlo.constant dense<(0.0, 0.0)> : tensor<\(type)>
          %s = stablehlo.reduce(%e init: %z) applies stablehlo.add across dimensions = [1] : (tensor<8x64x\(type)>, tensor<\(type)>) -> tensor<8x\(type)>
          %a = stablehlo.abs %s : (tensor<8x\(type)>) -> tensor<8x\(part)>
          return %a : tensor<8x\(part)>
        }
        """
        let e = try Self.onDevice(text)
        #expect(TestPrograms.launches(e) == 1)
        try Self.expectCompiles(e, label: "row reduce \(type)")
    }

    /// dot_general on complex (and real operands with a complex result) is the generated
    /// GEMM with the complex multiply-accumulate, never a cuBLASLt call.
    @Test(arguments: [("complex<f32>", "complex<f32>"), ("complex<f64>", "complex<f64>"), ("f32", "complex<f32>"),
                      ("i8", "complex<f64>"), ("bf16", "complex<f64>")])
    func dotGeneralIsAGeneratedGemm(_ operand: String, result: String) throws {
        let text = """
        func.func @main(%a: tensor<2x4x3x\(operand)>, %b: tensor<2x3x6x\(result)>) -> tensor<2x4x6x\(result)> {
          %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<2x4x3x\(operand)>, tensor<2x3x6x\(result)>) -> tensor<2x4x6x\(result)>
          return %0 : tensor<2x4x6x\(result)>
        }
        """
        let e = try Self.onDevice(text)
        #expect(TestPrograms.matmuls(e) == 0)
        let source = try #require(e.kernels.first?.source)
        // complex<f32> rounds each product, sum and accumulation to float, as the reference does.
        let accumulate = result == "complex<f32>" ? "nv_cmac_f32" : "nv_cmac"
        #expect(source.contains("acc = \(accumulate)(acc, As[ty][kk], Bs[kk][tx]);"))
        try Self.expectCompiles(e, label: "dot_general \(operand) -> \(result)")
    }

    /// `reduce_window` (cumulative sums/products/maxima as JAX exports them) on complex.
    @Test(arguments: ["stablehlo.add", "stablehlo.multiply", "stablehlo.maximum"], complexTypes)
    func reduceWindowIsADedicatedKernel(_ combiner: String, type: String) throws {
        let text = DedicatedKernelTests.reduceWindow(type, combiner: combiner, attributes: "window_dimensions = array<i64: 2, 2>",
                                                     input: "4x6", result: "3x5")
        let e = try Self.onDevice(text)
        try Self.expectCompiles(e, label: "reduce_window \(combiner) \(type)")
    }

    /// Ops the reference does not define on complex numbers stay on the host with a reason.
    @Test func remainderOnComplexStaysOnHost() throws {
        let (e, _) = try TestPrograms.lower(Self.binary("stablehlo.remainder", "complex<f32>"))
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("no CUDA expression for stablehlo.remainder") == true)
    }

    /// Every complex conformance program lowers with its complex ops on the device (only
    /// `fft`, `sort`, `bitcast_convert` and the `check.*` calls may stay on the host), and its kernels
    /// compile with NVRTC.
    @Test func conformanceComplexProgramsCompile() throws {
        let directory = TestPrograms.conformanceDirectory.appendingPathComponent("testdata")
        let files = TestPrograms.mlirFiles(in: directory).filter { url in
            (try? String(contentsOf: url, encoding: .utf8))?.contains("complex<") ?? false
        }
        guard !files.isEmpty else {
            print("SKIPPED: no conformance programs in \(directory.path) (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        let allowed = ["stablehlo.fft", "stablehlo.sort", "stablehlo.bitcast_convert", "stablehlo.custom_call", "check."]
        var unexpected: [String] = []
        var sources: [String: String] = [:]
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  let (e, _) = try? TestPrograms.lower(text) else { continue }
            for host in TestPrograms.hostSteps(e) where !allowed.contains(where: { host.reason.contains($0) }) {
                unexpected.append("\(file.lastPathComponent): \(host.reason)")
            }
            for kernel in e.kernels { sources[kernel.source] = file.lastPathComponent + "_" + kernel.entryPoint }
        }
        #expect(unexpected.isEmpty, "\(unexpected.prefix(10).joined(separator: "\n"))")
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        let programs = sources.map { (name: $0.value, source: $0.key) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        let failures = zip(programs, results).compactMap { program, result -> String? in
            if case .failure(let error) = result { return "\(program.name): \(error.log.prefix(1500))" }
            return nil
        }
        print("complex conformance: \(files.count) programs, \(programs.count) distinct kernels, \(failures.count) failed")
        #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
    }
}
