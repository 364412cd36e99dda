import StableHLO

/// Integer and boolean element arithmetic on the interpreter's `Int64` form (signed
/// types sign-extended, unsigned zero-extended, `i1` as 0/1).
///
/// Results are raw two's-complement bits; the caller re-normalizes them to the element
/// type's width, which is how wrap-around at the type's width happens. Division by zero
/// and overflow follow XLA: `x / 0` is all ones (-1 signed, the maximum unsigned),
/// `MIN / -1` is `MIN`, `x % 0` is `x` and `MIN % -1` is 0.
enum IntegerArithmetic {
    /// The low `bitWidth` bits of `v`.
    @inline(__always)
    static func bits(_ v: Int64, _ type: ElementType) -> UInt64 {
        let w = type.bitWidth
        let raw = UInt64(bitPattern: v)
        return w >= 64 ? raw : raw & ((UInt64(1) << UInt64(w)) - 1)
    }

    /// `v`'s low bits read as a signed number of the type's width.
    @inline(__always)
    static func signExtended(_ v: Int64, _ type: ElementType) -> Int64 {
        let w = type.bitWidth
        if w >= 64 { return v }
        let shift = Int64(64 - w)
        return (v << shift) >> shift
    }

    static func add(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        t.isBool ? (a | b) : a &+ b
    }

    static func subtract(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        t.isBool ? (a & ~b) & 1 : a &- b
    }

    static func multiply(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        t.isBool ? (a & b) : a &* b
    }

    static func divide(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        if b == 0 { return -1 }
        if t.isUnsigned || t.isBool {
            return Int64(bitPattern: UInt64(bitPattern: a) / UInt64(bitPattern: b))
        }
        let (q, overflow) = a.dividedReportingOverflow(by: b)
        return overflow ? a : q
    }

    static func remainder(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        if b == 0 { return a }
        if t.isUnsigned || t.isBool {
            return Int64(bitPattern: UInt64(bitPattern: a) % UInt64(bitPattern: b))
        }
        let (r, overflow) = a.remainderReportingOverflow(dividingBy: b)
        return overflow ? 0 : r
    }

    /// Exponentiation by squaring; a negative signed exponent gives 0 unless |base| = 1.
    static func power(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        var base = a
        var exponent = UInt64(bitPattern: b)
        if t.isSigned && b < 0 {
            if a == 1 || a == -1 { exponent = UInt64(bitPattern: 0 &- b) } else { return 0 }
        }
        var result: Int64 = 1
        while exponent != 0 {
            if exponent & 1 == 1 { result = result &* base }
            base = base &* base
            exponent >>= 1
        }
        return t.isBool ? (b == 0 ? 1 : a) : result
    }

    static func maximum(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        if t.isUnsigned { return UInt64(bitPattern: a) >= UInt64(bitPattern: b) ? a : b }
        return max(a, b)
    }

    static func minimum(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        if t.isUnsigned { return UInt64(bitPattern: a) <= UInt64(bitPattern: b) ? a : b }
        return min(a, b)
    }

    /// Shift amounts are read as unsigned: any amount of at least the width shifts all
    /// bits out (a negative amount is a huge unsigned one).
    static func shiftLeft(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        let amount = bits(b, t)
        if amount >= UInt64(t.bitWidth) { return 0 }
        return Int64(bitPattern: bits(a, t) << amount)
    }

    static func shiftRightLogical(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        let amount = bits(b, t)
        if amount >= UInt64(t.bitWidth) { return 0 }
        return Int64(bitPattern: bits(a, t) >> amount)
    }

    static func shiftRightArithmetic(_ a: Int64, _ b: Int64, _ t: ElementType) -> Int64 {
        let amount = bits(b, t)
        let value = signExtended(a, t)
        if amount >= UInt64(t.bitWidth) { return value < 0 ? -1 : 0 }
        return value >> Int64(amount)
    }

    static func abs(_ a: Int64, _ t: ElementType) -> Int64 {
        if t.isUnsigned || t.isBool { return a }
        return a < 0 ? 0 &- a : a
    }

    static func negate(_ a: Int64, _ t: ElementType) -> Int64 {
        t.isBool ? a : 0 &- a
    }

    static func not(_ a: Int64, _ t: ElementType) -> Int64 {
        t.isBool ? a ^ 1 : ~a
    }

    static func sign(_ a: Int64, _ t: ElementType) -> Int64 {
        if t.isUnsigned || t.isBool { return a == 0 ? 0 : 1 }
        return a.signum()
    }

    static func countLeadingZeros(_ a: Int64, _ t: ElementType) -> Int64 {
        let w = t.bitWidth
        return Int64(bits(a, t).leadingZeroBitCount - (64 - w))
    }

    static func populationCount(_ a: Int64, _ t: ElementType) -> Int64 {
        Int64(bits(a, t).nonzeroBitCount)
    }
}
