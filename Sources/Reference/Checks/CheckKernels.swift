import StableHLO

/// The `check` dialect (test assertions), its `stablehlo.custom_call @check.*` form as
/// JAX-exported test programs write it, and `interpreter.probe`.
///
/// Semantics and default tolerances are those of the StableHLO reference interpreter:
/// - `expect_eq`: exact (IEEE equality for floats: NaN never equals, -0 = +0);
/// - `expect_almost_eq`: |actual - expected| ≤ tolerance per component, NaN matches NaN
///   (tolerance attribute, default 1e-4; the custom-call form uses 1e-3);
/// - `expect_close`: the ULP distance in the element type lies in
///   [min_ulp_difference, max_ulp_difference] (defaults 0 and 1; the custom-call form
///   uses 0 and 3);
/// - `custom_call @check.eq`: exact for integers, almost-equal (1e-4) otherwise; yields
///   an i1 scalar.
/// A failed check throws `InterpreterError.checkFailed`; each check run increments
/// `Interpreter.checkCount`.
enum CheckKernels {
    static let table: [String: Kernel] = [
        "check.expect_eq": { call in try expect(call, .exact, actual: call.tensor(0), expected: call.tensor(1)) },
        "check.expect_eq_const": { call in try expect(call, .exact, actual: call.tensor(0), expected: constant(call)) },
        "check.expect_almost_eq": { call in
            try expect(call, .almostEqual(tolerance(call)), actual: call.tensor(0), expected: call.tensor(1))
        },
        "check.expect_almost_eq_const": { call in
            try expect(call, .almostEqual(tolerance(call)), actual: call.tensor(0), expected: constant(call))
        },
        "check.expect_close": { call in
            let maxULP = call.op[attribute: "max_ulp_difference"]?.intValue ?? 1
            let minULP = call.op[attribute: "min_ulp_difference"]?.intValue ?? 0
            return try expect(call, .ulp(min: UInt64(bitPattern: minULP), max: UInt64(bitPattern: maxULP)),
                              actual: call.tensor(0), expected: call.tensor(1))
        },
        "check.expect_serialized_eq": expectSerializedEqual,
        "interpreter.probe": probe,
        "interpreter.print": InterpreterPrint.print,
        "stablehlo.custom_call": customCall,
    ]

    /// How two elements are compared.
    enum Comparison: CustomStringConvertible {
        case exact
        case almostEqual(Double)
        case ulp(min: UInt64, max: UInt64)

        var description: String {
            switch self {
            case .exact: return "exact equality"
            case .almostEqual(let t): return "tolerance \(t)"
            case .ulp(let lo, let hi): return "ULP difference in [\(lo), \(hi)]"
            }
        }
    }

    /// Runs one check and returns no results (the check ops have none).
    static func expect(_ call: KernelCall, _ comparison: Comparison, actual: Tensor, expected: Tensor) throws -> [RuntimeValue] {
        try verify(call, comparison, actual: actual, expected: expected)
        return []
    }

    /// Throws `checkFailed` naming the first mismatching index, both values and the
    /// tolerance; counts the check when it passes.
    static func verify(_ call: KernelCall, _ comparison: Comparison, actual: Tensor, expected: Tensor) throws {
        guard actual.shape == expected.shape else {
            throw failure(call, "shapes differ: \(actual.type) (actual) vs \(expected.type) (expected)")
        }
        if let i = try firstMismatch(call, comparison, actual, expected) {
            let index = multiIndex(i, actual.shape)
            var message = "element values don't match at index \(index): \(describe(actual, i)) (actual) vs \(describe(expected, i)) (expected), \(comparison)"
            if case .ulp = comparison, let d = ulpDistance(actual, expected, i) { message += ", ULP difference \(d)" }
            throw failure(call, message)
        }
        call.interpreter.checkCount += 1
    }

    static func failure(_ call: KernelCall, _ message: String) -> InterpreterError {
        .checkFailed(message: "\(call.op.name): \(message)", location: call.op.location)
    }

    /// The linear index of the first mismatch, or nil.
    private static func firstMismatch(_ call: KernelCall, _ comparison: Comparison, _ a: Tensor, _ b: Tensor) throws -> Int? {
        switch (a.storage, b.storage) {
        case (.ints(let x), .ints(let y)):
            switch comparison {
            case .exact, .almostEqual: return x.indices.first { x[$0] != y[$0] }
            case .ulp: throw call.error("expect_close needs floating-point or complex operands, got \(a.type)")
            }
        case (.floats(let x), .floats(let y)):
            return x.indices.first { !matches(x[$0], y[$0], comparison, format: a.elementType) }
        case (.complexes(let x), .complexes(let y)):
            return (0..<a.elementCount).first { i in
                !(matches(x[2 * i], y[2 * i], comparison, format: a.elementType)
                    && matches(x[2 * i + 1], y[2 * i + 1], comparison, format: a.elementType))
            }
        default:
            throw failure(call, "element types differ: \(a.type) (actual) vs \(b.type) (expected)")
        }
    }

    /// One real component compared as `comparison` says.
    static func matches(_ x: Double, _ y: Double, _ comparison: Comparison, format type: ElementType) -> Bool {
        switch comparison {
        case .exact:
            return x == y
        case .almostEqual(let tolerance):
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
            if x == y { return true }
            if !x.isFinite || !y.isFinite { return false }
            return abs(x - y) <= tolerance
        case .ulp(let lo, let hi):
            let d = ulpDifference(x, y, type)
            return d >= lo && d <= hi
        }
    }

    /// The number of representable values of `type` between `x` and `y`; 0 for two
    /// NaNs or identical values, the maximum when exactly one side is not finite.
    static func ulpDifference(_ x: Double, _ y: Double, _ type: ElementType) -> UInt64 {
        guard case .float(let format) = type.componentType else { return x == y ? 0 : .max }
        if x.bitPattern == y.bitPattern { return 0 }
        if x.isNaN && y.isNaN { return 0 }
        guard x.isFinite && y.isFinite else { return x == y ? 0 : .max }
        let a = format.encode(abs(x)), b = format.encode(abs(y))
        if (x.sign == .minus) != (y.sign == .minus) { return a &+ b }
        return a > b ? a - b : b - a
    }

    private static func ulpDistance(_ a: Tensor, _ b: Tensor, _ i: Int) -> UInt64? {
        switch (a.storage, b.storage) {
        case (.floats(let x), .floats(let y)):
            return ulpDifference(x[i], y[i], a.elementType)
        case (.complexes(let x), .complexes(let y)):
            return max(ulpDifference(x[2 * i], y[2 * i], a.elementType),
                       ulpDifference(x[2 * i + 1], y[2 * i + 1], a.elementType))
        default:
            return nil
        }
    }

    /// Element `i` as text (unsigned types as unsigned, complex as `(re, im)`).
    static func describe(_ t: Tensor, _ i: Int) -> String {
        switch t.storage {
        case .ints(let v):
            if t.elementType.isBool { return v[i] != 0 ? "true" : "false" }
            return t.elementType.isUnsigned ? String(UInt64(bitPattern: v[i])) : String(v[i])
        case .floats(let v): return String(v[i])
        case .complexes(let v): return "(\(v[2 * i]), \(v[2 * i + 1]))"
        }
    }

    static func multiIndex(_ linear: Int, _ shape: [Int]) -> [Int] {
        let strides = Indexing.strides(shape)
        return zip(strides, shape).map { stride, size in (linear / stride) % max(size, 1) }
    }

    /// The `value` attribute of the `_const` forms as a tensor.
    static func constant(_ call: KernelCall) throws -> Tensor {
        let dense: DenseElements
        if case .dense(let d)? = call.op[attribute: "value"] {
            dense = d
        } else if let d = call.op.attributes.lazy.compactMap({ attribute -> DenseElements? in
            if case .dense(let d) = attribute.value { return d }
            return nil
        }).first {
            dense = d
        } else {
            throw call.error("expects a dense 'value' attribute")
        }
        return try ElementwiseKernels.constantTensor(dense, call)
    }

    /// The `tolerance` attribute, default 1e-4.
    static func tolerance(_ call: KernelCall) -> Double {
        switch call.op[attribute: "tolerance"] {
        case .float(let t, _)?: return t
        case .integer(let t, _)?: return Double(t)
        default: return 1e-4
        }
    }
}

extension ElementType {
    /// The float format of a float type or of a complex type's components.
    var componentType: ElementType {
        if case .complex(let f) = self { return .float(f) }
        return self
    }
}
