import StableHLO

/// The binary ops of `BinaryReducer` on one computation domain, as the reduction fast
/// paths apply them.
///
/// Integer ops wrap in 64 bits (callers truncate to the element width at the end, which
/// gives the same result as wrapping at every step); float ops round to the element
/// format at every step, as the region would; `maximum`/`minimum` propagate NaN.
enum ScalarOps {
    static func intOp(_ r: BinaryReducer, _ type: ElementType, _ call: KernelCall) throws -> (Int64, Int64) -> Int64 {
        let isBool = type == .i1
        switch r {
        case .add: return isBool ? { $0 | $1 } : { $0 &+ $1 }
        case .multiply: return isBool ? { $0 & $1 } : { $0 &* $1 }
        case .and: return { $0 & $1 }
        case .or: return { $0 | $1 }
        case .xor: return { $0 ^ $1 }
        case .maximum:
            if type.isUnsigned { return { UInt64(bitPattern: $0) >= UInt64(bitPattern: $1) ? $0 : $1 } }
            return { max($0, $1) }
        case .minimum:
            if type.isUnsigned { return { UInt64(bitPattern: $0) <= UInt64(bitPattern: $1) ? $0 : $1 } }
            return { min($0, $1) }
        }
    }

    static func floatOp(_ r: BinaryReducer, _ type: ElementType, _ call: KernelCall) throws -> (Double, Double) -> Double {
        guard case .float(let format) = type else { throw call.error("\(r.rawValue) on non-float type \(type)") }
        let round = rounding(format)
        switch r {
        case .add: return { round($0 + $1) }
        case .multiply: return { round($0 * $1) }
        case .maximum: return maximum
        case .minimum: return minimum
        case .and, .or, .xor: throw call.error("\(r.rawValue) is not defined on \(type)")
        }
    }

    /// Complex ops on (re, im) pairs; `maximum`/`minimum` order lexicographically.
    static func complexOp(_ r: BinaryReducer, _ type: ElementType, _ call: KernelCall) throws
        -> (Double, Double, Double, Double) -> (Double, Double) {
        guard case .complex(let format) = type else { throw call.error("\(r.rawValue) on non-complex type \(type)") }
        let round = rounding(format)
        switch r {
        case .add: return { a, b, c, d in (round(a + c), round(b + d)) }
        case .multiply:
            return { a, b, c, d in
                let re: Double = a * c - b * d
                let im: Double = a * d + b * c
                return (round(re), round(im))
            }
        case .maximum: return { a, b, c, d in (a > c || (a == c && b >= d)) ? (a, b) : (c, d) }
        case .minimum: return { a, b, c, d in (a < c || (a == c && b <= d)) ? (a, b) : (c, d) }
        case .and, .or, .xor: throw call.error("\(r.rawValue) is not defined on \(type)")
        }
    }

    /// Rounds a `Double` to `format` (identity for f64).
    static func rounding(_ format: FloatFormat) -> @Sendable (Double) -> Double {
        switch format {
        case .f64: return { $0 }
        case .f32: return { Double(Float($0)) }
        default: return { format.round($0) }
        }
    }

    /// IEEE-754 maximum: NaN if either is NaN, and +0 above -0.
    static func maximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == b { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    /// IEEE-754 minimum: NaN if either is NaN, and -0 below +0.
    static func minimum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == b { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }
}
