#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StableHLO

/// Float element functions whose semantics need more than one libm call: IEEE
/// `maximum`/`minimum` (NaN-propagating, -0 < +0), `sign`, the truncating remainder,
/// `reduce_precision`, `nextafter` in a given format and the total-order key.
enum FloatArithmetic {
    static func maximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == b { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    static func minimum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == b { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    /// -1, +1, ±0 (kept) or NaN.
    static func sign(_ x: Double) -> Double {
        if x.isNaN || x == 0 { return x }
        return x < 0 ? -1 : 1
    }

    /// `lhs - trunc(lhs / rhs) * rhs`, exact (C `fmod`): the sign follows the dividend.
    static func remainder(_ a: Double, _ b: Double) -> Double { fmod(a, b) }

    static func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// The IEEE total-order key of `x`: comparing keys as unsigned integers orders
    /// -NaN < -inf < ... < -0 < +0 < ... < +inf < +NaN.
    static func totalOrderKey(_ x: Double) -> UInt64 {
        let bits = x.bitPattern
        return bits & (UInt64(1) << 63) != 0 ? ~bits : bits | (UInt64(1) << 63)
    }

    /// `reduce_precision` on the bit pattern of `x` in `format`: round the mantissa to
    /// `mantissaBits` (ties to even), then overflow to ±inf or underflow to ±0 when the
    /// exponent does not fit `exponentBits`.
    static func reducePrecision(_ x: Double, format: FloatFormat, exponentBits: Int, mantissaBits: Int) -> Double {
        if x.isNaN { return mantissaBits > 0 ? x : .infinity }
        let width = format.bitWidth
        let srcMantissa = format.mantissaBits
        let srcExponent = format.exponentBits
        var v = format.encode(x)
        if mantissaBits < srcMantissa {
            let dropped = UInt64(srcMantissa - mantissaBits)
            let lastBit = UInt64(1) << dropped
            let baseBias = (lastBit >> 1) &- 1
            let keptLowBit = (v & lastBit) >> dropped
            v = (v &+ keptLowBit &+ baseBias) & ~(lastBit - 1)
        }
        if exponentBits < srcExponent {
            let signMask = UInt64(1) << UInt64(width - 1)
            let expMask = ((UInt64(1) << UInt64(srcExponent)) - 1) << UInt64(srcMantissa)
            let bias = (UInt64(1) << UInt64(srcExponent - 1)) - 1
            let reducedBias = (UInt64(1) << UInt64(exponentBits - 1)) - 1
            let maxExponent = bias + reducedBias
            let minExponent = bias - reducedBias
            let exponent = v & expMask
            let signedZero = v & signMask
            if exponent > maxExponent << UInt64(srcMantissa) {
                v = signedZero | expMask
            } else if exponent <= minExponent << UInt64(srcMantissa) {
                v = signedZero
            }
        }
        return format.decode(v)
    }

    /// The next value after `x` toward `y` in `format` (NaN if either is NaN; `y` if
    /// they are equal; the smallest subnormal with `y`'s sign from zero).
    static func nextAfter(_ x: Double, _ y: Double, format: FloatFormat) -> Double {
        if x.isNaN || y.isNaN { return .nan }
        if x == y { return y }
        let signBit = UInt64(1) << UInt64(format.bitWidth - 1)
        if x == 0 {
            let tiny = format.decode(1)
            return y < 0 ? -tiny : tiny
        }
        let bits = format.encode(x)
        let awayFromZero = (x < y) == (x > 0)
        let magnitude = bits & ~signBit
        let next = awayFromZero ? magnitude + 1 : magnitude - 1
        return format.decode((bits & signBit) | next)
    }
}
