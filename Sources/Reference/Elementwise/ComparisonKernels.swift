import StableHLO

/// `compare`, `select` and `clamp`.
extension ElementwiseKernels {
    static let comparisonTable: [String: Kernel] = [
        "stablehlo.compare": compare,
        "stablehlo.select": select,
        "stablehlo.clamp": clamp,
    ]

    /// A comparison direction (`EQ`, `NE`, `GE`, `GT`, `LE`, `LT`).
    enum Direction: String {
        case eq = "EQ", ne = "NE", ge = "GE", gt = "GT", le = "LE", lt = "LT"

        /// The direction applied to an ordering result (-1, 0, 1); `nil` means
        /// unordered (a NaN under `FLOAT`), which only `NE` accepts.
        func holds(_ order: Int?) -> Bool {
            guard let order else { return self == .ne }
            switch self {
            case .eq: return order == 0
            case .ne: return order != 0
            case .ge: return order >= 0
            case .gt: return order > 0
            case .le: return order <= 0
            case .lt: return order < 0
            }
        }
    }

    @inline(__always)
    static func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    /// Float ordering under `FLOAT` (IEEE quiet comparisons: NaN unordered, -0 = +0).
    @inline(__always)
    static func floatOrder(_ a: Double, _ b: Double) -> Int? {
        if a.isNaN || b.isNaN { return nil }
        return order(a, b)
    }

    /// Lexicographic (real, imaginary) ordering; nil (unordered) when a part is NaN.
    static func complexOrder(_ x: Complex, _ y: Complex) -> Int? {
        if x.isNaN || y.isNaN { return nil }
        let byReal = order(x.re, y.re)
        return byReal != 0 ? byReal : order(x.im, y.im)
    }

    static func compare(_ call: KernelCall) throws -> [RuntimeValue] {
        let lhs = try call.tensor(0), rhs = try call.tensor(1)
        guard lhs.shape == rhs.shape else { throw call.error("operand shapes differ: \(lhs.type) vs \(rhs.type)") }
        guard case .enumCase(_, _, let d)? = call.op[attribute: "comparison_direction"],
              let direction = Direction(rawValue: d)
        else { throw call.error("missing or invalid comparison_direction") }
        var compareType: String?
        if case .enumCase(_, _, let c)? = call.op[attribute: "compare_type"] { compareType = c }
        let type = try resultType(call, shapeOf: lhs)
        let n = lhs.elementCount
        var out = [Int64](repeating: 0, count: n)
        switch (lhs.storage, rhs.storage) {
        case (.ints(let a), .ints(let b)):
            let et = lhs.elementType
            let unsigned = compareType == "UNSIGNED" || (compareType == nil && (et.isUnsigned || et.isBool))
            for i in 0..<n {
                let o = unsigned ? order(UInt64(bitPattern: a[i]), UInt64(bitPattern: b[i])) : order(a[i], b[i])
                out[i] = direction.holds(o) ? 1 : 0
            }
        case (.floats(let a), .floats(let b)):
            if compareType == "TOTALORDER" {
                for i in 0..<n {
                    let o = order(FloatArithmetic.totalOrderKey(a[i]), FloatArithmetic.totalOrderKey(b[i]))
                    out[i] = direction.holds(o) ? 1 : 0
                }
            } else {
                for i in 0..<n { out[i] = direction.holds(floatOrder(a[i], b[i])) ? 1 : 0 }
            }
        case (.complexes(let a), .complexes(let b)):
            for i in 0..<n {
                let x = complex(a, i), y = complex(b, i)
                out[i] = direction.holds(complexOrder(x, y)) ? 1 : 0
            }
        default:
            throw call.error("operand types differ: \(lhs.type) vs \(rhs.type)")
        }
        return [.tensor(Tensor(type: type, storage: .ints(out)))]
    }

    /// `select(pred, on_true, on_false)`; `pred` is a scalar or has the operands' shape.
    static func select(_ call: KernelCall) throws -> [RuntimeValue] {
        let pred = try call.tensor(0), onTrue = try call.tensor(1), onFalse = try call.tensor(2)
        guard let p = pred.ints else { throw call.error("pred must be an i1 tensor, got \(pred.type)") }
        guard onTrue.shape == onFalse.shape else {
            throw call.error("on_true and on_false shapes differ: \(onTrue.type) vs \(onFalse.type)")
        }
        let scalar = pred.shape.isEmpty
        guard scalar || pred.shape == onTrue.shape else {
            throw call.error("pred shape \(pred.type) must be scalar or match \(onTrue.type)")
        }
        let type = try resultType(call, shapeOf: onTrue)
        let n = onTrue.elementCount
        @inline(__always) func chooses(_ i: Int) -> Bool { p[scalar ? 0 : i] != 0 }
        if scalar, let first = p.first {
            let picked = first != 0 ? onTrue : onFalse
            return [.tensor(Tensor(type: type, storage: picked.storage))]
        }
        switch (onTrue.storage, onFalse.storage) {
        case (.ints(let a), .ints(let b)):
            return [.tensor(Tensor(type: type, storage: .ints((0..<n).map { chooses($0) ? a[$0] : b[$0] })))]
        case (.floats(let a), .floats(let b)):
            return [.tensor(Tensor(type: type, storage: .floats((0..<n).map { chooses($0) ? a[$0] : b[$0] })))]
        case (.complexes(let a), .complexes(let b)):
            var out = b
            for i in 0..<n where chooses(i) {
                out[2 * i] = a[2 * i]
                out[2 * i + 1] = a[2 * i + 1]
            }
            return [.tensor(Tensor(type: type, storage: .complexes(out)))]
        default:
            throw call.error("on_true and on_false types differ: \(onTrue.type) vs \(onFalse.type)")
        }
    }

    /// `clamp(min, operand, max)` = `min(max(operand, min), max)`; `min` and `max` may be
    /// scalars.
    static func clamp(_ call: KernelCall) throws -> [RuntimeValue] {
        let lo = try call.tensor(0), x = try call.tensor(1), hi = try call.tensor(2)
        for bound in [lo, hi] where !bound.shape.isEmpty && bound.shape != x.shape {
            throw call.error("bound shape \(bound.type) must be scalar or match \(x.type)")
        }
        let type = try resultType(call, shapeOf: x)
        let n = x.elementCount
        func at(_ t: Tensor, _ i: Int) -> Int { t.shape.isEmpty ? 0 : i }
        switch (lo.storage, x.storage, hi.storage) {
        case (.ints(let l), .ints(let v), .ints(let h)):
            let et = x.elementType
            let out = (0..<n).map { i in
                IntegerArithmetic.minimum(IntegerArithmetic.maximum(v[i], l[at(lo, i)], et), h[at(hi, i)], et)
            }
            return [.tensor(Tensor(type: type, storage: .ints(out)))]
        case (.floats(let l), .floats(let v), .floats(let h)):
            let out = (0..<n).map { i in
                FloatArithmetic.minimum(FloatArithmetic.maximum(v[i], l[at(lo, i)]), h[at(hi, i)])
            }
            return [.tensor(Tensor(type: type, storage: .floats(out)))]
        case (.complexes(let l), .complexes(let v), .complexes(let h)):
            var out = [Double](repeating: 0, count: 2 * n)
            for i in 0..<n {
                let r = complexMinimum(complexMaximum(complex(v, i), complex(l, at(lo, i))), complex(h, at(hi, i)))
                out[2 * i] = r.re
                out[2 * i + 1] = r.im
            }
            return [.tensor(Tensor(type: type, storage: .complexes(out)))]
        default:
            throw call.error("operand types differ: \(lo.type), \(x.type), \(hi.type)")
        }
    }
}
