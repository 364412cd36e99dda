import StableHLO

/// Float values written the way MLIR prints a float attribute (what the StableHLO
/// interpreter's `interpreter.print` shows): `%e`-style with 6 digits after the point when
/// that reads back to the same value (`1.000000e-01`), otherwise LLVM's shortest natural
/// form (`1.23456776`, `1.0E+20`), and the bit pattern in hex for values neither form can
/// carry (NaN, infinities, `0x4CEB79A3`).
enum MLIRFloatText {
    /// The text of `value` (already representable in `format`).
    static func text(_ value: Double, format: FloatFormat) -> String {
        if value.isFinite {
            let scientific = decimal(value, format: format, precision: 6, maximumPadding: 0, truncatingZeros: false)
            if let parsed = Double(scientific), format.encode(format.round(parsed)) == format.encode(value) {
                return scientific
            }
            let natural = decimal(value, format: format, precision: 0, maximumPadding: 3, truncatingZeros: true)
            if natural.contains(".") { return natural }
        }
        let bits = format.encode(value)
        return "0x" + String(bits, radix: 16, uppercase: true)
    }

    /// LLVM's `APFloat::toString` for a finite value: `precision` significant digits (0:
    /// enough to read the value back), rounded half up; scientific notation when more than
    /// `maximumPadding` zeros would be needed (0: always).
    static func decimal(_ value: Double, format: FloatFormat, precision requested: Int,
                        maximumPadding: Int, truncatingZeros: Bool) -> String {
        var out = value.sign == .minus ? "-" : ""
        if value == 0 {
            if maximumPadding == 0 {
                out += truncatingZeros ? "0.0E+0" : "0.0" + String(repeating: "0", count: max(requested - 1, 0)) + "e+00"
            } else {
                out += "0"
            }
            return out
        }
        let precision = requested > 0 ? requested : 2 + (format.mantissaBits + 1) * 59 / 196
        var (digits, exponent) = exactDigits(value.magnitude)
        roundHalfUp(&digits, &exponent, to: precision)
        let count = digits.count
        let scientific: Bool
        if maximumPadding == 0 {
            scientific = true
        } else if exponent >= 0 {
            scientific = exponent > maximumPadding || count + exponent > precision
        } else {
            let mostSignificant = exponent + count - 1
            scientific = mostSignificant >= 0 ? false : -mostSignificant > maximumPadding
        }
        let text = digits.map { Character(Unicode.Scalar($0 + 0x30)) }
        if scientific {
            var e = exponent + count - 1
            out.append(text[0])
            out += "."
            if count == 1 && truncatingZeros {
                out += "0"
            } else {
                out += String(text[1...])
            }
            if !truncatingZeros, precision > count - 1 { out += String(repeating: "0", count: precision - count + 1) }
            out += truncatingZeros ? "E" : "e"
            out += e >= 0 ? "+" : "-"
            e = abs(e)
            let exponentText = String(e)
            if !truncatingZeros && exponentText.count < 2 { out += "0" }
            return out + exponentText
        }
        if exponent >= 0 {
            return out + String(text) + String(repeating: "0", count: exponent)
        }
        let whole = exponent + count
        if whole > 0 {
            return out + String(text[..<whole]) + "." + String(text[whole...])
        }
        return out + "0." + String(repeating: "0", count: -whole) + String(text)
    }

    /// The exact decimal digits of a positive finite double (most significant first, no
    /// trailing zeros) and the power of ten of the last one.
    static func exactDigits(_ x: Double) -> (digits: [UInt8], exponent: Int) {
        var significand = x.significandBitPattern | (x.isNormal ? UInt64(1) << 52 : 0)
        var binaryExponent = Int(x.exponent) - 52
        if !x.isNormal { binaryExponent = -1074 }
        let zeros = significand.trailingZeroBitCount
        significand >>= UInt64(zeros)
        binaryExponent += zeros
        // Limbs of 10^9, least significant first.
        var limbs: [UInt64] = [significand % 1_000_000_000, significand / 1_000_000_000 % 1_000_000_000,
                               significand / 1_000_000_000_000_000_000]
        func multiply(by k: UInt64, times: Int) {
            for _ in 0..<times {
                var carry: UInt64 = 0
                for i in limbs.indices {
                    let product = limbs[i] * k + carry
                    limbs[i] = product % 1_000_000_000
                    carry = product / 1_000_000_000
                }
                while carry > 0 {
                    limbs.append(carry % 1_000_000_000)
                    carry /= 1_000_000_000
                }
            }
        }
        var exponent = 0
        if binaryExponent >= 0 {
            multiply(by: 2, times: binaryExponent)
        } else {
            multiply(by: 5, times: -binaryExponent)
            exponent = binaryExponent
        }
        while limbs.count > 1, limbs.last == 0 { limbs.removeLast() }
        var text = String(limbs[limbs.count - 1])
        for limb in limbs.dropLast().reversed() {
            let part = String(limb)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        var digits = text.utf8.map { $0 - 0x30 }
        while digits.count > 1, digits.last == 0 {
            digits.removeLast()
            exponent += 1
        }
        return (digits, exponent)
    }

    /// Keeps `precision` significant digits, rounding half up on the first dropped digit
    /// (as LLVM does), and drops trailing zeros.
    static func roundHalfUp(_ digits: inout [UInt8], _ exponent: inout Int, to precision: Int) {
        guard digits.count > precision else { return }
        let dropped = digits.count - precision
        let roundsUp = digits[precision] >= 5
        digits.removeLast(dropped)
        exponent += dropped
        if roundsUp {
            var i = digits.count - 1
            while i >= 0 {
                if digits[i] == 9 {
                    digits[i] = 0
                    i -= 1
                } else {
                    digits[i] += 1
                    break
                }
            }
            if i < 0 { digits.insert(1, at: 0) }
        }
        while digits.count > 1, digits.last == 0 {
            digits.removeLast()
            exponent += 1
        }
    }
}
