import Testing
@testable import StableHLO

@Suite struct FloatFormatTests {
    static let eightBitFormats: [FloatFormat] = FloatFormat.allCases.filter { $0.storageBytes == 1 }

    /// Every bit pattern decodes to a value that encodes back to the same pattern
    /// (NaN patterns map to the canonical NaN, which decodes to NaN).
    @Test(arguments: eightBitFormats)
    func everyPatternRoundTrips(_ format: FloatFormat) {
        let patterns = UInt64(1) << UInt64(format.bitWidth)
        var mismatches: [String] = []
        for bits in 0..<patterns {
            let value = format.decode(bits)
            let encoded = format.encode(value)
            if value.isNaN {
                if !format.decode(encoded).isNaN { mismatches.append("NaN \(bits) -> \(encoded)") }
            } else if encoded != bits {
                // `.finiteUnsignedZero` has no -0: only +0 exists.
                if !(value == 0 && encoded == 0) { mismatches.append("\(bits) = \(value) -> \(encoded)") }
            }
        }
        #expect(mismatches.isEmpty, "\(format): \(mismatches.prefix(5))")
    }

    /// Values between two neighbours round to the nearest, ties to even.
    @Test(arguments: eightBitFormats)
    func midpointsRoundToEven(_ format: FloatFormat) {
        var failures: [String] = []
        let maxPattern = (UInt64(1) << UInt64(format.bitWidth - (format == .f8E8M0FNU ? 0 : 1))) - 1
        var previous: (bits: UInt64, value: Double)?
        for bits in 0...maxPattern {
            let v = format.decode(bits)
            guard v.isFinite else { continue }
            if let p = previous, v > p.value, format != .f8E8M0FNU {
                let mid = (p.value + v) / 2
                let expected = (p.bits & 1) == 0 ? p.bits : bits
                if format.encode(mid) != expected { failures.append("mid(\(p.value), \(v)) -> \(format.encode(mid))") }
            }
            previous = (bits, v)
        }
        #expect(failures.isEmpty, "\(format): \(failures.prefix(5))")
    }

    @Test(arguments: [
        (FloatFormat.f16, 1.0, UInt64(0x3C00)), (.f16, -2.0, 0xC000), (.f16, 65504.0, 0x7BFF),
        (.f16, 65520.0, 0x7C00), (.f16, 5.960464477539063e-08, 0x0001), (.f16, 0.1, 0x2E66),
        (.bf16, 1.0, 0x3F80), (.bf16, 0.1, 0x3DCD), (.bf16, -3.0e38, 0xFF62),
        (.bf16, Double.infinity, 0x7F80), (.f8E4M3FN, 448.0, 0x7E), (.f8E4M3FN, 1000.0, 0x7F),
        (.f8E5M2, 57344.0, 0x7B), (.f8E5M2, 1.0e6, 0x7C), (.f8E4M3FNUZ, -0.0, 0x00),
    ])
    func knownEncodings(_ format: FloatFormat, _ value: Double, _ bits: UInt64) {
        #expect(format.encode(value) == bits)
        if format.decode(bits).isFinite, value.magnitude <= format.decode(bits).magnitude {
            #expect(format.decode(format.encode(value)) == format.round(value))
        }
    }

    @Test func sixteenBitPatternsRoundTrip() {
        for format in [FloatFormat.f16, .bf16] {
            var bad = 0
            for bits in stride(from: UInt64(0), to: 0x10000, by: 7) {
                let v = format.decode(bits)
                if !v.isNaN, format.encode(v) != bits { bad += 1 }
            }
            #expect(bad == 0, "\(format): \(bad) patterns do not round-trip")
        }
    }
}
