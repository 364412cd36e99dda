/// Element-wise ops: operand and result shapes agree, and each op's element types are
/// the ones its spec entry allows.
enum ElementwiseRules {
    static let table: [String: VerificationRule] = {
        var t: [String: VerificationRule] = [:]
        let floatOrComplex: ElementClass = [.float, .complex]
        let numeric: ElementClass = [.integer, .float, .complex]
        let logical: ElementClass = [.bool, .integer]
        let unary: [(String, ElementClass)] = [
            ("cbrt", floatOrComplex), ("ceil", .float), ("cosine", floatOrComplex),
            ("count_leading_zeros", .integer), ("exponential", floatOrComplex),
            ("exponential_minus_one", floatOrComplex), ("floor", .float), ("log", floatOrComplex),
            ("log_plus_one", floatOrComplex), ("logistic", floatOrComplex), ("negate", numeric),
            ("not", logical), ("popcnt", .integer), ("round_nearest_afz", .float),
            ("round_nearest_even", .float), ("rsqrt", floatOrComplex),
            ("sign", [.signedInteger, .float, .complex]), ("sine", floatOrComplex),
            ("sqrt", floatOrComplex), ("tan", floatOrComplex), ("tanh", floatOrComplex),
        ]
        for (name, allowed) in unary {
            t["stablehlo." + name] = { try sameTypeUnary($0, allowed) }
        }
        let binary: [(String, ElementClass)] = [
            ("add", .any), ("and", logical), ("atan2", floatOrComplex), ("divide", numeric),
            ("maximum", .any), ("minimum", .any), ("multiply", .any), ("or", logical),
            ("power", numeric), ("remainder", numeric), ("shift_left", .integer),
            ("shift_right_arithmetic", .integer), ("shift_right_logical", .integer),
            ("subtract", numeric), ("xor", logical),
        ]
        for (name, allowed) in binary {
            t["stablehlo." + name] = { try sameTypeBinary($0, allowed) }
        }
        t["stablehlo.abs"] = abs
        t["stablehlo.real"] = { try complexPart($0) }
        t["stablehlo.imag"] = { try complexPart($0) }
        t["stablehlo.complex"] = complex
        t["stablehlo.is_finite"] = isFinite
        t["stablehlo.reduce_precision"] = reducePrecision
        t["stablehlo.compare"] = compare
        t["stablehlo.select"] = select
        t["stablehlo.clamp"] = clamp
        return t
    }()

    /// `result = op(operand)` with one type throughout.
    static func sameTypeUnary(_ v: VerifiedOperation, _ allowed: ElementClass) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        try v.expectElementClass(x, allowed, "operand")
        try v.expectResult(0, x)
    }

    /// `result = op(lhs, rhs)` with one type throughout.
    static func sameTypeBinary(_ v: VerifiedOperation, _ allowed: ElementClass) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let lhs = try v.operand(0), rhs = try v.operand(1)
        guard lhs.isCompatible(with: rhs) else { throw v.error("operand types \(lhs) and \(rhs) differ") }
        try v.expectElementClass(lhs, allowed, "operands")
        try v.expectResult(0, lhs)
    }

    /// `abs`: signed integer, float or complex; a complex operand gives its component type.
    static func abs(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        try v.expectElementClass(x, [.signedInteger, .float, .complex], "operand")
        var inferred = x
        if case .complex(let part) = x.elementType { inferred.elementType = .float(part) }
        try v.expectResult(0, inferred)
    }

    /// `real`/`imag`: float or complex in, the (component) float type out.
    static func complexPart(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        try v.expectElementClass(x, [.float, .complex], "operand")
        var inferred = x
        if case .complex(let part) = x.elementType { inferred.elementType = .float(part) }
        try v.expectResult(0, inferred)
    }

    /// `complex(lhs, rhs)`: two f32 or f64 tensors of one type make a complex tensor.
    static func complex(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let lhs = try v.operand(0), rhs = try v.operand(1)
        guard lhs.isCompatible(with: rhs) else { throw v.error("operand types \(lhs) and \(rhs) differ") }
        guard case .float(let part) = lhs.elementType, part == .f32 || part == .f64 else {
            throw v.error("operands must be tensors of f32 or f64, got \(lhs)")
        }
        var inferred = lhs
        inferred.elementType = .complex(part)
        try v.expectResult(0, inferred)
    }

    /// `is_finite`: float in, same-shaped `i1` out.
    static func isFinite(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        try v.expectElementClass(x, .float, "operand")
        try v.expectResult(0, TensorType(shape: x.shape, elementType: .i1))
    }

    /// `reduce_precision`: float in and out, `exponent_bits >= 1`, `mantissa_bits >= 0`.
    static func reducePrecision(_ v: VerifiedOperation) throws {
        try sameTypeUnary(v, .float)
        let exponentBits = try v.int("exponent_bits")
        let mantissaBits = try v.int("mantissa_bits")
        guard exponentBits >= 1 else { throw v.error("exponent_bits \(exponentBits) must be at least 1") }
        guard mantissaBits >= 0 else { throw v.error("mantissa_bits \(mantissaBits) must not be negative") }
    }

    /// `compare`: operands of one type, an `i1` result of their shape, a direction, and a
    /// `compare_type` that fits the element type.
    static func compare(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let lhs = try v.operand(0), rhs = try v.operand(1)
        guard lhs.isCompatible(with: rhs) else { throw v.error("operand types \(lhs) and \(rhs) differ") }
        guard let direction = v.enumValue("comparison_direction") else {
            throw v.error("missing attribute 'comparison_direction'")
        }
        guard ["EQ", "NE", "GE", "GT", "LE", "LT"].contains(direction) else {
            throw v.error("unknown comparison_direction \(direction)")
        }
        if let compareType = v.enumValue("compare_type") {
            let allowed: [String]
            switch ElementClass(lhs.elementType) {
            case .signedInteger: allowed = ["SIGNED"]
            case .unsignedInteger, .bool: allowed = ["UNSIGNED"]
            case .float: allowed = ["FLOAT", "TOTALORDER"]
            default: allowed = ["FLOAT"]
            }
            guard allowed.contains(compareType) else {
                throw v.error("compare_type \(compareType) does not fit element type \(lhs.elementType) (expected \(allowed.joined(separator: " or ")))")
            }
        }
        try v.expectResult(0, TensorType(shape: lhs.shape, elementType: .i1))
    }

    /// `select(pred, on_true, on_false)`: `pred` is `i1`, scalar or of the operands' shape.
    static func select(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(3)
        try v.expectResultCount(1)
        let pred = try v.operand(0), onTrue = try v.operand(1), onFalse = try v.operand(2)
        guard pred.elementType == .i1 else { throw v.error("pred must be a tensor of i1, got \(pred)") }
        guard onTrue.isCompatible(with: onFalse) else {
            throw v.error("on_true type \(onTrue) and on_false type \(onFalse) differ")
        }
        guard pred.rank == 0 || TensorType.compatibleShapes(pred.shape, onTrue.shape) else {
            throw v.error("pred type \(pred) must be a scalar or have the shape of \(onTrue)")
        }
        try v.expectResult(0, onTrue)
    }

    /// `clamp(min, operand, max)`: bounds are scalars or of the operand's shape.
    static func clamp(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(3)
        try v.expectResultCount(1)
        let low = try v.operand(0), x = try v.operand(1), high = try v.operand(2)
        for (bound, name) in [(low, "min"), (high, "max")] {
            try v.expectSameElementType(bound, x, name, "operand")
            guard bound.rank == 0 || TensorType.compatibleShapes(bound.shape, x.shape) else {
                throw v.error("\(name) type \(bound) must be a scalar or have the shape of operand \(x)")
            }
        }
        try v.expectResult(0, x)
    }
}
