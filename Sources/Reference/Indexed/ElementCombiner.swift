import StableHLO

/// How an update region (`scatter`'s `update_computation`, `select_and_scatter`'s `scatter`)
/// combines the current value with an update, when the region is a single elementwise op of
/// its two arguments or just returns the update. Kernels then apply it directly instead of
/// evaluating the region once per element.
enum ElementCombiner: Sendable, Equatable {
    /// `stablehlo.return %update`.
    case replace
    case add, subtract, multiply, maximum, minimum, and, or, xor

    private static let byOpName: [String: ElementCombiner] = [
        "stablehlo.add": .add, "stablehlo.subtract": .subtract, "stablehlo.multiply": .multiply,
        "stablehlo.maximum": .maximum, "stablehlo.minimum": .minimum,
        "stablehlo.and": .and, "stablehlo.or": .or, "stablehlo.xor": .xor,
    ]

    private var isCommutative: Bool { self != .subtract && self != .replace }

    /// One combiner per result of `region` (which takes `n` current values then `n` updates),
    /// when every result `k` is `op(current_k, update_k)` or `update_k` and every argument has
    /// element type `types[k]`; nil when the region needs general evaluation.
    static func recognize(_ region: Region, elementTypes types: [ElementType]) -> [ElementCombiner]? {
        let n = types.count
        guard region.blocks.count == 1, let block = region.entry, block.arguments.count == 2 * n,
              let terminator = block.operations.last,
              terminator.name == "stablehlo.return" || terminator.name == "func.return",
              terminator.operands.count == n
        else { return nil }
        for (i, a) in block.arguments.enumerated() {
            guard let t = a.type.tensorType, t.shape.isEmpty, t.elementType == types[i % n], !t.isQuantized else { return nil }
        }
        var definitions: [Int: (ElementCombiner, lhs: Int, rhs: Int)] = [:]
        for op in block.operations.dropLast() {
            guard let c = byOpName[op.name], op.operands.count == 2, op.results.count == 1,
                  op.regions.isEmpty
            else { return nil }
            definitions[op.results[0].id] = (c, op.operands[0].id, op.operands[1].id)
        }
        var out: [ElementCombiner] = []
        for k in 0..<n {
            let returned = terminator.operands[k].id
            let current = block.arguments[k].id
            let update = block.arguments[n + k].id
            if returned == update {
                out.append(.replace)
                continue
            }
            guard let (c, lhs, rhs) = definitions[returned] else { return nil }
            if lhs == current && rhs == update {
                out.append(c)
            } else if lhs == update && rhs == current && c.isCommutative {
                out.append(c)
            } else {
                return nil
            }
            guard c.supports(types[k]) else { return nil }
        }
        return out
    }

    /// Whether the combiner is defined for `type` (bitwise ops need integers or booleans).
    func supports(_ type: ElementType) -> Bool {
        switch self {
        case .replace, .add, .multiply, .maximum, .minimum: return true
        case .subtract: return !type.isBool
        case .and, .or, .xor: return type.isInteger || type.isBool
        }
    }

    /// `target[to] = combine(target[to], source[from])` for every `(to, from)` pair in order.
    /// Returns false when the storages do not match `type`'s domain.
    func apply(
        into target: inout Tensor.Storage, from source: Tensor.Storage, pairs: [(Int, Int)],
        elementType type: ElementType
    ) -> Bool {
        if self == .replace { return target.copyElements(from: source, pairs: pairs) }
        // Switch on `target` alone and clear it before writing, so its array is updated in place.
        switch target {
        case .ints(var v):
            guard case .ints(let s) = source, let f = integerOperation(type) else { return false }
            target = .ints([])
            for (to, from) in pairs { v[to] = f(v[to], s[from]) }
            target = .ints(v)
        case .floats(var v):
            guard case .floats(let s) = source, case .float(let format) = type else { return false }
            target = .floats([])
            defer { target = .floats(v) }
            return applyFloats(&v, s, pairs, format)
        case .complexes(var v):
            guard case .complexes(let s) = source, case .complex(let format) = type,
                  let f = complexOperation(format)
            else { return false }
            target = .complexes([])
            for (to, from) in pairs {
                let r = f((v[2 * to], v[2 * to + 1]), (s[2 * from], s[2 * from + 1]))
                v[2 * to] = r.0
                v[2 * to + 1] = r.1
            }
            target = .complexes(v)
        }
        return true
    }

    /// The float loop, with the common f32/f64 additions and products written out so the
    /// per-element work is inlined.
    private func applyFloats(_ v: inout [Double], _ s: [Double], _ pairs: [(Int, Int)], _ format: FloatFormat) -> Bool {
        switch (self, format) {
        case (.add, .f32):
            for (to, from) in pairs { v[to] = Double(Float(v[to] + s[from])) }
        case (.add, .f64):
            for (to, from) in pairs { v[to] += s[from] }
        case (.multiply, .f32):
            for (to, from) in pairs { v[to] = Double(Float(v[to] * s[from])) }
        case (.multiply, .f64):
            for (to, from) in pairs { v[to] *= s[from] }
        default:
            guard let f = floatOperation(format) else { return false }
            for (to, from) in pairs { v[to] = f(v[to], s[from]) }
        }
        return true
    }

    /// The operation on integers or booleans held as `Int64` (wrapping at the type's width).
    private func integerOperation(_ type: ElementType) -> ((Int64, Int64) -> Int64)? {
        if type.isBool {
            switch self {
            case .add, .maximum, .or: return { $0 | $1 }
            case .multiply, .minimum, .and: return { $0 & $1 }
            case .xor: return { $0 ^ $1 }
            case .replace, .subtract: return nil
            }
        }
        guard type.isInteger else { return nil }
        let wrap: (Int64) -> Int64 = { Tensor.normalize(UInt64(bitPattern: $0), type) }
        let unsigned = type.isUnsigned
        switch self {
        case .add: return { wrap($0 &+ $1) }
        case .subtract: return { wrap($0 &- $1) }
        case .multiply: return { wrap($0 &* $1) }
        case .maximum:
            if unsigned { return { UInt64(bitPattern: $0) >= UInt64(bitPattern: $1) ? $0 : $1 } }
            return { max($0, $1) }
        case .minimum:
            if unsigned { return { UInt64(bitPattern: $0) <= UInt64(bitPattern: $1) ? $0 : $1 } }
            return { min($0, $1) }
        case .and: return { $0 & $1 }
        case .or: return { $0 | $1 }
        case .xor: return { $0 ^ $1 }
        case .replace: return nil
        }
    }

    /// The operation on floats, rounded to `format` after each step as IEEE-754 requires.
    private func floatOperation(_ format: FloatFormat) -> ((Double, Double) -> Double)? {
        let round = Self.rounding(format)
        switch self {
        case .add: return { round($0 + $1) }
        case .subtract: return { round($0 - $1) }
        case .multiply: return { round($0 * $1) }
        case .maximum: return Self.ieeeMaximum
        case .minimum: return Self.ieeeMinimum
        case .replace, .and, .or, .xor: return nil
        }
    }

    /// The operation on complex numbers as (re, im) pairs of `format` components.
    private func complexOperation(_ format: FloatFormat) -> (((Double, Double), (Double, Double)) -> (Double, Double))? {
        let round = Self.rounding(format)
        switch self {
        case .add: return { (round($0.0 + $1.0), round($0.1 + $1.1)) }
        case .subtract: return { (round($0.0 - $1.0), round($0.1 - $1.1)) }
        case .multiply:
            return { a, b in
                let re: Double = a.0 * b.0 - a.1 * b.1
                let im: Double = a.0 * b.1 + a.1 * b.0
                return (round(re), round(im))
            }
        case .maximum: return { a, b in (a.0 > b.0 || (a.0 == b.0 && a.1 >= b.1)) ? a : b }
        case .minimum: return { a, b in (a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1)) ? a : b }
        case .replace, .and, .or, .xor: return nil
        }
    }

    /// Rounds a `Double` to the nearest value of `format` (ties to even).
    static func rounding(_ format: FloatFormat) -> (Double) -> Double {
        switch format {
        case .f64: return { $0 }
        case .f32: return { Double(Float($0)) }
        default: return { format.round($0) }
        }
    }

    /// IEEE-754 `maximum`: NaN if either operand is NaN; +0 is greater than -0.
    static func ieeeMaximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN { return a }
        if b.isNaN { return b }
        if a == b { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    /// IEEE-754 `minimum`: NaN if either operand is NaN; -0 is less than +0.
    static func ieeeMinimum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN { return a }
        if b.isNaN { return b }
        if a == b { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }
}
