import Foundation
import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// The complex device functions are the reference interpreter's formulas: the complex
/// prelude of a generated kernel, compiled as host C++ (CUDA's intrinsics mapped to plain
/// IEEE double operations, no contraction) against the same libm as the reference, gives
/// the interpreter's results bit for bit for every complex op on random and special inputs.
/// On the GPU only CUDA's own double functions (`exp`, `sin`, ...) can differ. Skips (loudly)
/// without a C++ compiler (`CXX`, else `clang++` or `g++` on the PATH).
@Suite struct ComplexPreludeHostTests {
    /// (op, operand count, whether the result is real).
    static let ops: [(String, Int, Bool)] = [
        ("stablehlo.negate", 1, false), ("stablehlo.exponential", 1, false), ("stablehlo.exponential_minus_one", 1, false),
        ("stablehlo.log", 1, false), ("stablehlo.log_plus_one", 1, false), ("stablehlo.logistic", 1, false),
        ("stablehlo.sqrt", 1, false), ("stablehlo.rsqrt", 1, false), ("stablehlo.cbrt", 1, false),
        ("stablehlo.sine", 1, false), ("stablehlo.cosine", 1, false), ("stablehlo.tan", 1, false),
        ("stablehlo.tanh", 1, false), ("stablehlo.sign", 1, false), ("stablehlo.abs", 1, true),
        ("chlo.acos", 1, false), ("chlo.acosh", 1, false), ("chlo.asin", 1, false), ("chlo.asinh", 1, false),
        ("chlo.atan", 1, false), ("chlo.atanh", 1, false), ("chlo.cosh", 1, false), ("chlo.sinh", 1, false),
        ("chlo.tan", 1, false), ("chlo.conj", 1, false),
        ("stablehlo.add", 2, false), ("stablehlo.subtract", 2, false), ("stablehlo.multiply", 2, false),
        ("stablehlo.divide", 2, false), ("stablehlo.power", 2, false), ("stablehlo.atan2", 2, false),
        ("stablehlo.maximum", 2, false), ("stablehlo.minimum", 2, false),
    ]

    /// CUDA spellings the host build maps to plain C++.
    static let shim = """
    #include <math.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #define __device__
    #define __forceinline__ inline
    #define __align__(n) alignas(n)
    static inline double __longlong_as_double(long long x) { double d; memcpy(&d, &x, 8); return d; }
    static inline long long __double_as_longlong(double d) { long long x; memcpy(&x, &d, 8); return x; }
    static inline double __dmul_rn(double a, double b) { return a * b; }
    static inline double __dadd_rn(double a, double b) { return a + b; }
    static inline double __dsub_rn(double a, double b) { return a - b; }
    static inline float __double2float_rn(double a) { return (float)a; }
    static inline double __shfl_xor_sync(unsigned, double v, int) { return v; }
    """

    /// The expression computing each op on `$0` (and `$1`), in `ops` order.
    static let expressions = [
        "-$0", "nv_cexp($0)", "nv_cexpm1($0)", "nv_clog($0)", "nv_clog1p($0)", "nv_clogistic($0)", "nv_csqrt($0)",
        "nv_crsqrt($0)", "nv_ccbrt($0)", "nv_csin($0)", "nv_ccos($0)", "nv_ctan($0)", "nv_ctanh($0)", "nv_csign($0)",
        "nv_c128(nv_cabs($0), 0.0)", "nv_cacos($0)", "nv_cacosh($0)", "nv_casin($0)", "nv_casinh($0)", "nv_catan($0)",
        "nv_catanh($0)", "nv_ccosh($0)", "nv_csinh($0)", "nv_ctan($0)", "nv_conj($0)",
        "$0 + $1", "$0 - $1", "$0 * $1", "$0 / $1", "nv_cpow($0, $1)", "nv_catan2($0, $1)", "nv_cmax($0, $1)", "nv_cmin($0, $1)",
    ]

    static func compiler() -> String? {
        if let cxx = ProcessInfo.processInfo.environment["CXX"], !cxx.isEmpty { return cxx }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for name in ["clang++", "g++"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// `count` components: uniform, huge/tiny magnitudes, moderate, near 1, and specials.
    static func components(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, 0.5, 30, -30, 1e-310, 22.5]
        return (0..<count).map { _ in
            let sign: Double = next() & 1 == 0 ? 1 : -1
            switch next() % 5 {
            case 0: return 10 * unit() - 5
            case 1: return sign * pow(10, 600 * unit() - 300)
            case 2: return sign * pow(10, 16 * unit() - 8)
            case 3: return 1 + sign * 1e-3 * unit()
            default: return specials[Int(next() % UInt64(specials.count))]
            }
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func preludeMatchesTheReferenceBitForBit() throws {
        guard let cxx = Self.compiler() else {
            print("SKIPPED: no C++ compiler (set CXX) to build the complex prelude for the host")
            return
        }
        // The prelude exactly as kernels get it.
        let (e, _) = try TestPrograms.lower(ComplexKernelTests.unary("stablehlo.exponential", "complex<f64>"))
        let source = try #require(e.kernels.first?.source)
        let start = try #require(source.range(of: "#ifndef NVGPU_COMPLEX"))
        let end = try #require(source.range(of: "#endif", range: start.upperBound..<source.endIndex))
        let prelude = String(source[start.lowerBound..<end.upperBound])

        let n = 2000
        let x = Self.components(2 * n, seed: 1), y = Self.components(2 * n, seed: 2)
        let calls = Self.expressions.map { "  for (long i = 0; i < n; ++i) { const nv_c128 r = \($0.replacingOccurrences(of: "$0", with: "X[i]").replacingOccurrences(of: "$1", with: "Y[i]")); fwrite(&r, 16, 1, o); }" }
        let main = """
        int main(int argc, char** argv) {
          const long n = \(n);
          nv_c128* X = (nv_c128*)malloc(16 * n); nv_c128* Y = (nv_c128*)malloc(16 * n);
          FILE* f = fopen(argv[1], "rb"); if (!f || fread(X, 16, n, f) != (size_t)n) return 2; fclose(f);
          f = fopen(argv[2], "rb"); if (!f || fread(Y, 16, n, f) != (size_t)n) return 2; fclose(f);
          FILE* o = fopen(argv[3], "wb"); if (!o) return 2;
        \(calls.joined(separator: "\n"))
          fclose(o);
          return 0;
        }
        """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-complex-prelude-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        try [Self.shim, prelude, main].joined(separator: "\n").write(toFile: file("prelude.cpp"), atomically: true, encoding: .utf8)
        for (values, name) in [(x, "x.bin"), (y, "y.bin")] {
            try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: file(name)))
        }
        let (built, log) = try Self.run(cxx, ["-std=c++17", "-O1", "-ffp-contract=off", file("prelude.cpp"), "-o", file("prelude"), "-lm"])
        try #require(built == 0, "\(cxx) could not build the prelude:\n\(log.prefix(3000))")
        let (ran, output) = try Self.run(file("prelude"), [file("x.bin"), file("y.bin"), file("out.bin")])
        try #require(ran == 0, "the host build of the prelude failed: \(output)")
        let data = try Data(contentsOf: URL(fileURLWithPath: file("out.bin")))
        let results = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        try #require(results.count == Self.ops.count * 2 * n)

        let type = TensorType(shape: [n], elementType: .complex(.f64))
        let inputs = [Tensor(type: type, storage: .complexes(x)), Tensor(type: type, storage: .complexes(y))]
        for (k, (op, arity, realResult)) in Self.ops.enumerated() {
            let t = "tensor<\(n)xcomplex<f64>>", r = realResult ? "tensor<\(n)xf64>" : t
            let arguments = arity == 1 ? "%x" : "%x, %y"
            let text = """
            func.func @main(%x: \(t), %y: \(t)) -> \(r) {
              %0 = "\(op)"(\(arguments)) : (\(Array(repeating: t, count: arity).joined(separator: ", "))) -> \(r)
              return %0 : \(r)
            }
            """
            let reference = try Interpreter(module: Module.parse(text, file: "\(op).mlir")).run("main", inputs: inputs)
            let expected = try #require(realResult ? reference.first?.floats : reference.first?.complexes)
            var mismatches: [String] = []
            for i in 0..<n {
                let got = Array(results[(k * n + i) * 2..<(k * n + i) * 2 + 2])
                let want = realResult ? [expected[i]] : [expected[2 * i], expected[2 * i + 1]]
                for (a, b) in zip(got, want) where !(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)) {
                    mismatches.append("(\(x[2 * i]), \(x[2 * i + 1])) (\(y[2 * i]), \(y[2 * i + 1])): \(got) vs \(want)")
                    break
                }
            }
            #expect(mismatches.isEmpty, "\(op): \(mismatches.count) of \(n) differ, e.g. \(mismatches.prefix(3))")
        }
    }
}
