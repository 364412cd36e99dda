import Foundation
@testable import NVGPUCompiler
@testable import Reference
import StableHLO
import Testing

/// The narrow-type device functions (`NarrowPrelude`) compiled as host C++ give exactly what
/// `FloatFormat`'s Swift decode/encode (the reference interpreter's) give: every byte pattern
/// of every 8/6/4-bit float format decodes to the same value, and a large set of doubles
/// (every representable value, every midpoint between neighbours, one ULP either side of
/// those, overflow, subnormals, inf, NaN, random values) encodes to the same pattern. The
/// 2/4-bit integer helpers wrap, shift, count and convert as the reference does for every
/// value. Skips (loudly) without a C++ compiler.
@Suite struct NarrowPreludeHostTests {
    static let formats: [FloatFormat] = FloatFormat.allCases.filter(NarrowPrelude.isNarrow)

    /// Modes: `decode e m bias sp out` writes 256 floats; `encode e m bias sp in out` reads
    /// doubles and writes one unsigned int per input; `round ...` the same through
    /// `nv_fp_round_f` of the input rounded to float; `ints out` writes the integer table.
    static let main = """
    int main(int argc, char** argv) {
      if (argc < 2) return 2;
      if (!strcmp(argv[1], "ints")) {
        FILE* o = fopen(argv[2], "wb"); if (!o) return 2;
        for (int w = 2; w <= 4; w += 2) for (int a = -128; a < 128; ++a) {
          int r[6] = {nv_wrap_s(a, w), nv_wrap_u((unsigned int)a, w), nv_n_clz(a, w), nv_n_popcnt(a, w), 0, 0};
          fwrite(r, 4, 4, o);
          for (int b = -8; b < 8; ++b) {
            int s[3] = {nv_n_shl(a, b, w), nv_n_shr_logical(a, b, w), nv_n_shr_arith(a, b, w)};
            fwrite(s, 4, 3, o);
          }
        }
        const double xs[] = {NAN, -INFINITY, INFINITY, -1e9, -9.5, -8.5, -8.0, -7.9, -2.5, -2.0, -1.5, -0.7, -0.0, 0.0,
                             0.3, 1.0, 1.9, 3.0, 3.99, 4.0, 7.0, 7.99, 8.0, 15.5, 16.0, 255.0, 1e9};
        for (int w = 2; w <= 4; w += 2) for (unsigned k = 0; k < sizeof(xs) / sizeof(xs[0]); ++k) {
          int r[2] = {nv_n_from_float(xs[k], w, true), nv_n_from_float(xs[k], w, false)};
          fwrite(r, 4, 2, o);
        }
        fclose(o);
        return 0;
      }
      const int e = atoi(argv[2]), m = atoi(argv[3]), bias = atoi(argv[4]), sp = atoi(argv[5]);
      if (!strcmp(argv[1], "decode")) {
        FILE* o = fopen(argv[6], "wb"); if (!o) return 2;
        for (unsigned b = 0; b < 256; ++b) { const float v = nv_fp_decode(b, e, m, bias, sp); fwrite(&v, 4, 1, o); }
        fclose(o);
        return 0;
      }
      FILE* f = fopen(argv[6], "rb"); if (!f) return 2;
      fseek(f, 0, SEEK_END); const long n = ftell(f) / 8; fseek(f, 0, SEEK_SET);
      double* x = (double*)malloc(8 * (n + 1));
      if (fread(x, 8, n, f) != (size_t)n) return 2;
      fclose(f);
      FILE* o = fopen(argv[7], "wb"); if (!o) return 2;
      const bool round = !strcmp(argv[1], "round");
      for (long i = 0; i < n; ++i) {
        if (round) { const float r = nv_fp_round_f((float)x[i], e, m, bias, sp); fwrite(&r, 4, 1, o); }
        else { const unsigned int p = nv_fp_encode(x[i], e, m, bias, sp); fwrite(&p, 4, 1, o); }
      }
      fclose(o);
      return 0;
    }
    """

    /// The built host program, or nil without a C++ compiler (built once for the suite).
    static let program: Result<String, HostBuildError>? = {
        guard let cxx = ComplexPreludeHostTests.compiler() else { return nil }
        let directory = Self.buildDirectory
        // Removed when the test process exits (the suite's tests share the binary).
        atexit { try? FileManager.default.removeItem(at: NarrowPreludeHostTests.buildDirectory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let source = directory.appendingPathComponent("narrow.cpp").path
            let binary = directory.appendingPathComponent("narrow").path
            // The narrow prelude needs the kernel prelude (nv_u64, nv_reduce_precision_bits).
            let text = [NarrowHostEmulationTests.shim, try NarrowHostEmulationTests.hostPrelude(), NarrowPrelude.source, main]
            try text.joined(separator: "\n").write(toFile: source, atomically: true, encoding: .utf8)
            let (status, log) = try ComplexPreludeHostTests.run(cxx, ["-std=c++20", "-O1", "-ffp-contract=off", "-pthread", source,
                                                                      "-o", binary, "-lm"])
            return status == 0 ? .success(binary) : .failure(HostBuildError(log: log))
        } catch {
            return .failure(HostBuildError(log: "\(error)"))
        }
    }()

    struct HostBuildError: Error { var log: String }

    static var buildDirectory: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-narrow-prelude-\(getpid())")
    }

    /// The program's path, or nil (printing why) when the test should skip.
    static func binary() throws -> String? {
        guard let program else {
            print("SKIPPED: no C++ compiler (set CXX) to build the narrow-type prelude for the host")
            return nil
        }
        return try program.get()
    }

    static func arguments(_ format: FloatFormat) -> [String] {
        NarrowPrelude.arguments(format).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-narrow-\(getpid())-\(name)").path
    }

    static func readAll<T>(_ path: String, as: T.Type) throws -> [T] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }

    /// Doubles around every representable value of `format`: the values, midpoints of
    /// neighbours (ties), one ULP either side of those, beyond the range, specials, and
    /// pseudo-random values over the whole double range.
    static func encodeInputs(_ format: FloatFormat) -> [Double] {
        let values = Set((0..<256).map { format.decode(UInt64($0)) }.filter { $0.isFinite }).sorted()
        var inputs: [Double] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-300, 1e300, 1e-40, 3e38, 1e39]
        for v in values {
            inputs += [v, v.nextUp, v.nextDown, 2 * v, v / 2, 1.5 * v, 0.75 * v]
        }
        for (a, b) in zip(values, values.dropFirst()) {
            let mid = (a + b) / 2
            inputs += [mid, mid.nextUp, mid.nextDown, -mid, -mid.nextUp, Double(Float(mid).nextUp), Double(Float(mid).nextDown)]
        }
        var state: UInt64 = 0x1234_5678
        for _ in 0..<20000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let bits = state
            // Half spread over every double, half within 2^-150 … 2^150 (the formats' range).
            if bits & 1 == 0 {
                inputs.append(Double(bitPattern: bits))
            } else {
                let exponent = Int((bits >> 8) % 300) - 150
                let significand = 1 + Double(bits >> 11 & 0xFFFFF) / Double(1 << 20)
                inputs.append(Double(sign: bits & 2 == 0 ? .plus : .minus, exponent: exponent, significand: significand))
            }
        }
        return inputs
    }

    @Test(arguments: formats) func decodeMatchesFloatFormatForEveryPattern(format: FloatFormat) throws {
        guard let binary = try Self.binary() else { return }
        let out = Self.scratch("decode-\(format.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, log) = try ComplexPreludeHostTests.run(binary, ["decode"] + Self.arguments(format) + [out])
        #expect(status == 0, "\(log)")
        let device = try Self.readAll(out, as: Float.self)
        try #require(device.count == 256)
        for bits in 0..<256 {
            let expected = format.decode(UInt64(bits))
            let got = Double(device[bits])
            if expected.isNaN {
                #expect(got.isNaN, "\(format) 0x\(String(bits, radix: 16)): \(got), expected NaN")
            } else {
                #expect(got == expected && got.sign == expected.sign,
                        "\(format) 0x\(String(bits, radix: 16)): \(got), expected \(expected)")
            }
        }
    }

    @Test(arguments: formats) func encodeMatchesFloatFormat(format: FloatFormat) throws {
        guard let binary = try Self.binary() else { return }
        let inputs = Self.encodeInputs(format)
        let input = Self.scratch("encode-in-\(format.rawValue)"), out = Self.scratch("encode-out-\(format.rawValue)")
        defer { for path in [input, out] { try? FileManager.default.removeItem(atPath: path) } }
        try inputs.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: input))
        let (status, log) = try ComplexPreludeHostTests.run(binary, ["encode"] + Self.arguments(format) + [input, out])
        #expect(status == 0, "\(log)")
        let device = try Self.readAll(out, as: UInt32.self)
        try #require(device.count == inputs.count)
        var mismatches: [String] = []
        for (x, got) in zip(inputs, device) where UInt64(got) != format.encode(x) {
            mismatches.append("\(x) (bits 0x\(String(x.bitPattern, radix: 16))): 0x\(String(got, radix: 16)), expected 0x\(String(format.encode(x), radix: 16))")
        }
        #expect(mismatches.isEmpty, "\(format): \(mismatches.count) of \(inputs.count) differ: \(mismatches.prefix(8))")

        // nv_fp_round_f (what kernels apply after every op) is decode(encode(x)) of the float.
        let (roundStatus, roundLog) = try ComplexPreludeHostTests.run(binary, ["round"] + Self.arguments(format) + [input, out])
        #expect(roundStatus == 0, "\(roundLog)")
        let rounded = try Self.readAll(out, as: Float.self)
        try #require(rounded.count == inputs.count)
        var roundMismatches = 0
        for (x, got) in zip(inputs, rounded) {
            let expected = format.round(Double(Float(x)))
            if expected.isNaN ? !got.isNaN : (Double(got) != expected || got.sign != expected.sign) { roundMismatches += 1 }
        }
        #expect(roundMismatches == 0, "\(format): nv_fp_round_f differs on \(roundMismatches) inputs")
    }

    @Test func subByteIntegerHelpersMatchTheReference() throws {
        guard let binary = try Self.binary() else { return }
        let out = Self.scratch("ints")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, log) = try ComplexPreludeHostTests.run(binary, ["ints", out])
        #expect(status == 0, "\(log)")
        let v = try Self.readAll(out, as: Int32.self).map(Int64.init)
        var k = 0
        for w in [2, 4] {
            let signed = ElementType.si(w), unsigned = ElementType.ui(w)
            let wrap = { (x: Int64) in Tensor.normalize(UInt64(bitPattern: x), signed) }
            for a in Int64(-128)..<128 {
                let sa = wrap(a), ua = Tensor.normalize(UInt64(bitPattern: a), unsigned)
                #expect(v[k] == sa && v[k + 1] == ua, "wrap \(a) to \(w) bits: \(v[k]), \(v[k + 1])")
                #expect(v[k + 2] == IntegerArithmetic.countLeadingZeros(sa, signed), "clz i\(w) \(a)")
                #expect(v[k + 3] == IntegerArithmetic.populationCount(sa, signed), "popcnt i\(w) \(a)")
                k += 4
                for b in Int64(-8)..<8 {
                    let sb = wrap(b)
                    // Compared after wrapping, as kernels store them (the reference normalizes).
                    let expected = [IntegerArithmetic.shiftLeft(sa, sb, signed), IntegerArithmetic.shiftRightLogical(sa, sb, signed),
                                    IntegerArithmetic.shiftRightArithmetic(sa, sb, signed)].map(wrap)
                    #expect([v[k], v[k + 1], v[k + 2]].map(wrap) == expected, "shifts i\(w) \(sa) by \(sb)")
                    let ub = Tensor.normalize(UInt64(bitPattern: b), unsigned)
                    let expectedUnsigned = [IntegerArithmetic.shiftLeft(ua, ub, unsigned),
                                            IntegerArithmetic.shiftRightLogical(ua, ub, unsigned),
                                            IntegerArithmetic.shiftRightArithmetic(ua, ub, unsigned)].map(wrap)
                    // The device helpers read only the low w bits, so ui operands give the same.
                    #expect([v[k], v[k + 1], v[k + 2]].map(wrap) == expectedUnsigned, "shifts ui\(w) \(ua) by \(ub)")
                    k += 3
                }
            }
        }
        for w in [2, 4] {
            for x in Self.conversionInputs {
                let signed = NumericConversion.floatToInteger(x, to: .si(w))
                let unsigned = NumericConversion.floatToInteger(x, to: .ui(w))
                #expect(v[k] == signed && v[k + 1] == unsigned, "convert \(x) to i\(w)/ui\(w): \(v[k]), \(v[k + 1])")
                k += 2
            }
        }
    }

    /// The doubles the host program converts to 2/4-bit integers (the same list as `main`).
    static let conversionInputs: [Double] = [.nan, -.infinity, .infinity, -1e9, -9.5, -8.5, -8.0, -7.9, -2.5, -2.0, -1.5, -0.7,
                                             -0.0, 0.0, 0.3, 1.0, 1.9, 3.0, 3.99, 4.0, 7.0, 7.99, 8.0, 15.5, 16.0, 255.0, 1e9]
}
