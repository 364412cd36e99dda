/// A floating-point format: IEEE binary16/32/64, bfloat16 and the OCP/ml_dtypes minifloats.
///
/// `encode` rounds a `Double` to the nearest representable value (ties to even) and
/// returns its bit pattern; `decode` is exact. Overflow follows ml_dtypes: infinity where
/// the format has one, NaN where it has NaN but no infinity, saturation otherwise.
public enum FloatFormat: String, Hashable, Sendable, CaseIterable {
    case f4E2M1FN, f6E2M3FN, f6E3M2FN, f8E3M4, f8E4M3, f8E4M3FN, f8E4M3FNUZ
    case f8E4M3B11FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU, bf16, f16, f32, f64

    /// How a format encodes its special values.
    public enum Specials: Sendable {
        /// All-ones exponent: infinity (zero mantissa) or NaN.
        case ieee
        /// No infinity; all-ones exponent and mantissa is NaN.
        case finiteWithNaN
        /// No infinity, no negative zero; the negative-zero pattern is NaN.
        case finiteUnsignedZero
        /// No infinity and no NaN.
        case finiteOnly
        /// Unsigned, exponent only (E8M0): 0xFF is NaN.
        case exponentOnly
    }

    public var exponentBits: Int {
        switch self {
        case .f4E2M1FN, .f6E2M3FN: return 2
        case .f6E3M2FN, .f8E3M4: return 3
        case .f8E4M3, .f8E4M3FN, .f8E4M3FNUZ, .f8E4M3B11FNUZ: return 4
        case .f8E5M2, .f8E5M2FNUZ, .f16: return 5
        case .f8E8M0FNU, .bf16, .f32: return 8
        case .f64: return 11
        }
    }
    public var mantissaBits: Int {
        switch self {
        case .f4E2M1FN: return 1
        case .f6E2M3FN: return 3
        case .f6E3M2FN, .f8E5M2, .f8E5M2FNUZ: return 2
        case .f8E3M4: return 4
        case .f8E4M3, .f8E4M3FN, .f8E4M3FNUZ, .f8E4M3B11FNUZ: return 3
        case .f8E8M0FNU: return 0
        case .bf16: return 7
        case .f16: return 10
        case .f32: return 23
        case .f64: return 52
        }
    }
    public var bias: Int {
        switch self {
        case .f4E2M1FN, .f6E2M3FN: return 1
        case .f6E3M2FN, .f8E3M4: return 3
        case .f8E4M3, .f8E4M3FN: return 7
        case .f8E4M3FNUZ: return 8
        case .f8E4M3B11FNUZ: return 11
        case .f8E5M2, .f16: return 15
        case .f8E5M2FNUZ: return 16
        case .f8E8M0FNU, .bf16, .f32: return 127
        case .f64: return 1023
        }
    }
    public var specials: Specials {
        switch self {
        case .f8E3M4, .f8E4M3, .f8E5M2, .bf16, .f16, .f32, .f64: return .ieee
        case .f8E4M3FN: return .finiteWithNaN
        case .f8E4M3FNUZ, .f8E4M3B11FNUZ, .f8E5M2FNUZ: return .finiteUnsignedZero
        case .f4E2M1FN, .f6E2M3FN, .f6E3M2FN: return .finiteOnly
        case .f8E8M0FNU: return .exponentOnly
        }
    }
    /// Width in bits as the spec counts it.
    public var bitWidth: Int {
        switch self {
        case .f8E8M0FNU: return 8
        default: return 1 + exponentBits + mantissaBits
        }
    }
    /// Bytes per element in flat storage.
    public var storageBytes: Int {
        switch self {
        case .f64: return 8
        case .f32: return 4
        case .f16, .bf16: return 2
        default: return 1
        }
    }
    private var hasSign: Bool { specials != .exponentOnly }
    private var magnitudeMask: UInt64 { (UInt64(1) << UInt64(exponentBits + mantissaBits)) - 1 }
    private var signBit: UInt64 { UInt64(1) << UInt64(exponentBits + mantissaBits) }

    private var maxFinitePattern: UInt64 {
        let e = UInt64(exponentBits), m = UInt64(mantissaBits)
        let allExp = (UInt64(1) << e) - 1, allMant = (UInt64(1) << m) - 1
        switch specials {
        case .ieee: return ((allExp - 1) << m) | allMant
        case .finiteWithNaN: return (allExp << m) | (allMant - 1)
        case .finiteUnsignedZero, .finiteOnly: return (allExp << m) | allMant
        case .exponentOnly: return 0xFE
        }
    }
    /// The canonical quiet-NaN pattern (for `.finiteOnly`, the largest finite value).
    public var nanPattern: UInt64 {
        let m = UInt64(mantissaBits)
        switch specials {
        case .ieee: return (((UInt64(1) << UInt64(exponentBits)) - 1) << m) | (UInt64(1) << (m - 1))
        case .finiteWithNaN: return magnitudeMask
        case .finiteUnsignedZero: return signBit
        case .finiteOnly: return maxFinitePattern
        case .exponentOnly: return 0xFF
        }
    }

    /// The exact value of a bit pattern.
    public func decode(_ bits: UInt64) -> Double {
        switch self {
        case .f64: return Double(bitPattern: bits)
        case .f32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        default: break
        }
        if specials == .exponentOnly {
            let e = Int(bits & 0xFF)
            return e == 0xFF ? .nan : Double(sign: .plus, exponent: e - bias, significand: 1)
        }
        let m = mantissaBits
        let negative = bits & signBit != 0
        let magnitude = bits & magnitudeMask
        let expField = Int(magnitude >> UInt64(m))
        let mant = magnitude & ((UInt64(1) << UInt64(m)) - 1)
        let allExp = (1 << exponentBits) - 1
        switch specials {
        case .ieee where expField == allExp:
            return mant == 0 ? (negative ? -.infinity : .infinity) : .nan
        case .finiteWithNaN where magnitude == magnitudeMask:
            return .nan
        case .finiteUnsignedZero where negative && magnitude == 0:
            return .nan
        default: break
        }
        let value: Double
        if expField == 0 {
            value = Double(sign: .plus, exponent: 1 - bias - m, significand: Double(mant))
        } else {
            value = Double(sign: .plus, exponent: expField - bias - m, significand: Double(mant | (UInt64(1) << UInt64(m))))
        }
        return negative ? -value : value
    }

    /// The bit pattern of the value nearest to `x` (ties to even).
    public func encode(_ x: Double) -> UInt64 {
        switch self {
        case .f64: return x.bitPattern
        case .f32: return UInt64(Float(x).bitPattern)
        default: break
        }
        if x.isNaN { return nanPattern }
        let negative = x.sign == .minus
        let a = abs(x)
        var pattern: UInt64
        if specials == .exponentOnly {
            if negative && a != 0 { return 0xFF }
            if a == 0 || a.isInfinite { return a == 0 ? 0 : 0xFF }
            let e = a.exponent
            let frac = a.significand  // in [1, 2)
            var exp = Int(e) + (frac > 1.5 || (frac == 1.5 && ((Int(e) + bias) & 1) == 1) ? 1 : 0)
            exp = min(max(exp, -bias), 0xFE - bias)
            return UInt64(exp + bias)
        }
        let m = mantissaBits
        if a.isInfinite {
            pattern = maxFinitePattern + 1
        } else if a == 0 {
            pattern = 0
        } else {
            let minNormalExp = 1 - bias
            var e = Int(a.exponent)
            if e < minNormalExp {
                let scaled = (a * Double(sign: .plus, exponent: -(minNormalExp - m), significand: 1))
                pattern = UInt64(scaled.rounded(.toNearestOrEven))
            } else {
                let scaled = a * Double(sign: .plus, exponent: -(e - m), significand: 1)
                var n = UInt64(scaled.rounded(.toNearestOrEven))
                if n == UInt64(1) << UInt64(m + 1) { n >>= 1; e += 1 }
                let expField = UInt64(e + bias)
                if expField > UInt64(1 << exponentBits) - 1 {
                    pattern = maxFinitePattern + 1
                } else {
                    pattern = (expField << UInt64(m)) | (n - (UInt64(1) << UInt64(m)))
                }
            }
        }
        if pattern > maxFinitePattern {
            switch specials {
            case .ieee: pattern = maxFinitePattern + 1  // infinity
            case .finiteWithNaN, .finiteUnsignedZero: return nanPattern
            case .finiteOnly: pattern = maxFinitePattern
            case .exponentOnly: return 0xFF
            }
        }
        if specials == .finiteUnsignedZero && pattern == 0 { return 0 }
        return negative ? (pattern | signBit) : pattern
    }

    /// `x` rounded to this format, as a `Double`.
    public func round(_ x: Double) -> Double { decode(encode(x)) }
}
