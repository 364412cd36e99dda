import StableHLO

/// C expression templates for elementwise ops, tinygrad-style: `$0`, `$1`, `$2` are the
/// operands (already in the compute type), `{f}` is the math-function suffix (`f` for
/// float, empty for double), `{T}` is the compute type.
enum ExpressionTable {
    /// Templates by op for float compute types.
    static let float: [String: String] = [
        "stablehlo.add": "($0 + $1)", "stablehlo.subtract": "($0 - $1)",
        "stablehlo.multiply": "($0 * $1)", "stablehlo.divide": "($0 / $1)",
        "stablehlo.remainder": "fmod{f}($0, $1)", "stablehlo.power": "pow{f}($0, $1)",
        "stablehlo.maximum": "nv_fmax($0, $1)", "stablehlo.minimum": "nv_fmin($0, $1)",
        "stablehlo.atan2": "atan2{f}($0, $1)",
        "stablehlo.abs": "fabs{f}($0)", "stablehlo.negate": "(-$0)",
        "stablehlo.exponential": "exp{f}($0)", "stablehlo.exponential_minus_one": "expm1{f}($0)",
        "stablehlo.log": "log{f}($0)", "stablehlo.log_plus_one": "log1p{f}($0)",
        "stablehlo.logistic": "(({T})1 / (({T})1 + exp{f}(-$0)))",
        "stablehlo.sqrt": "sqrt{f}($0)", "stablehlo.rsqrt": "rsqrt{f}($0)", "stablehlo.cbrt": "cbrt{f}($0)",
        "stablehlo.sine": "sin{f}($0)", "stablehlo.cosine": "cos{f}($0)", "stablehlo.tan": "tan{f}($0)",
        "stablehlo.tanh": "tanh{f}($0)", "stablehlo.floor": "floor{f}($0)", "stablehlo.ceil": "ceil{f}($0)",
        "stablehlo.round_nearest_afz": "round{f}($0)", "stablehlo.round_nearest_even": "rint{f}($0)",
        "stablehlo.sign": "nv_fsign($0)",
        "stablehlo.clamp": "nv_fmin(nv_fmax($1, $0), $2)",
    ]

    /// Templates by op for integer compute types.
    static let integer: [String: String] = [
        "stablehlo.add": "nv_iadd($0, $1)", "stablehlo.subtract": "nv_isub($0, $1)",
        "stablehlo.multiply": "nv_imul($0, $1)", "stablehlo.divide": "nv_idiv($0, $1)",
        "stablehlo.remainder": "nv_irem($0, $1)", "stablehlo.power": "nv_ipow($0, $1)",
        "stablehlo.maximum": "nv_imax($0, $1)", "stablehlo.minimum": "nv_imin($0, $1)",
        "stablehlo.and": "(({T})($0 & $1))", "stablehlo.or": "(({T})($0 | $1))", "stablehlo.xor": "(({T})($0 ^ $1))",
        "stablehlo.shift_left": "nv_shl($0, $1)", "stablehlo.shift_right_logical": "nv_shr_logical($0, $1)",
        "stablehlo.shift_right_arithmetic": "nv_shr_arith($0, $1)",
        "stablehlo.abs": "nv_iabs($0)", "stablehlo.negate": "nv_ineg($0)", "stablehlo.sign": "nv_isign($0)",
        "stablehlo.not": "(({T})~$0)", "stablehlo.popcnt": "nv_popcnt($0)",
        "stablehlo.count_leading_zeros": "nv_clz($0)",
        "stablehlo.clamp": "nv_imin(nv_imax($1, $0), $2)",
    ]

    /// Templates by op for `i1` (computed as `bool`).
    static let boolean: [String: String] = [
        "stablehlo.add": "($0 || $1)", "stablehlo.subtract": "($0 && !$1)", "stablehlo.multiply": "($0 && $1)",
        "stablehlo.maximum": "($0 || $1)", "stablehlo.minimum": "($0 && $1)",
        "stablehlo.and": "($0 && $1)", "stablehlo.or": "($0 || $1)", "stablehlo.xor": "($0 != $1)",
        "stablehlo.not": "(!$0)", "stablehlo.abs": "$0", "stablehlo.negate": "$0", "stablehlo.sign": "$0",
        "stablehlo.clamp": "(($1 || $0) && $2)",
    ]

    /// CHLO unary functions, by op, and the CUDA double-precision function computing them.
    /// Narrower floats are computed in double and rounded once (CUDA's float versions are
    /// up to 4 ULP off; the conformance checks allow 3).
    static let doublePrecisionFunctions: [String: String] = [
        "chlo.acosh": "acosh", "chlo.asin": "asin", "chlo.asinh": "asinh", "chlo.atan": "atan",
        "chlo.atanh": "atanh", "chlo.cosh": "cosh", "chlo.sinh": "sinh", "chlo.tan": "tan",
        "chlo.erf": "erf", "chlo.erfc": "erfc", "chlo.erf_inv": "erfinv", "chlo.lgamma": "lgamma",
        "chlo.digamma": "nv_digamma",
    ]

    /// Float ops computed on the element format's bit pattern (prelude functions per format).
    static let bitPatternFunctions: [String: String] = [
        "stablehlo.reduce_precision": "nv_reduce_precision", "chlo.next_after": "nv_next_after",
    ]

    /// The prelude's suffix for a float format (`f32`, `bf16`, ...).
    static func formatSuffix(_ type: KernelElementType) -> String? {
        switch type.elementType {
        case .float(.f32): return "f32"
        case .float(.f64): return "f64"
        case .float(.bf16): return "bf16"
        case .float(.f16): return "f16"
        default: return nil
        }
    }

    /// The prelude function giving a float's IEEE totalOrder key (`compare` in `TOTALORDER`).
    static func totalOrderKey(_ type: KernelElementType) -> String? {
        switch type.elementType {
        case .float(.f64): return "nv_total_order_f64"
        case .float(.f32): return "nv_total_order_f32"
        case .float(.bf16), .float(.f16): return "nv_total_order_half"
        default: return nil
        }
    }

    /// C spelling of a `comparison_direction`.
    static let comparisons: [String: String] = [
        "EQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=",
    ]

    /// The expression for elementwise `op` applied to `operands`, or nil when the emitter
    /// has no template for this op and type.
    static func expression(for op: Operation, operands: [String], operandType: KernelElementType,
                           resultType: KernelElementType) -> String? {
        switch op.name {
        case "stablehlo.select":
            guard operands.count == 3 else { return nil }
            return "(\(operands[0]) ? \(operands[1]) : \(operands[2]))"
        case "stablehlo.compare":
            guard operands.count == 2, case .enumCase(_, _, let direction)? = op[attribute: "comparison_direction"],
                  let symbol = comparisons[direction] else { return nil }
            if case .enumCase(_, _, "TOTALORDER")? = op[attribute: "compare_type"] {
                guard let key = totalOrderKey(operandType) else { return nil }
                return "(\(key)(\(operands[0])) \(symbol) \(key)(\(operands[1])))"
            }
            return "(\(operands[0]) \(symbol) \(operands[1]))"
        case "stablehlo.is_finite":
            guard operandType.isFloat else { return nil }
            return "((\(operands[0]) - \(operands[0])) == (\(operands[0]) - \(operands[0])))"
        case "stablehlo.convert":
            return conversion(operands[0], from: operandType, to: resultType)
        case "stablehlo.bitcast_convert":
            return BitcastConvertKernel.sameWidthExpression(operands[0], from: operandType, to: resultType)
        default: break
        }
        if let function = bitPatternFunctions[op.name] {
            guard let suffix = formatSuffix(operandType) else { return nil }
            if op.name == "chlo.next_after" {
                guard operands.count == 2 else { return nil }
                return "\(function)_\(suffix)(\(operands[0]), \(operands[1]))"
            }
            guard operands.count == 1, let e = op[attribute: "exponent_bits"]?.intValue,
                  let m = op[attribute: "mantissa_bits"]?.intValue, e >= 1, m >= 0 else { return nil }
            return "\(function)_\(suffix)(\(operands[0]), \(e), \(m))"
        }
        if op.name == "chlo.cosh", operandType.compute == "float", operands.count == 1 {
            // CHLO's decomposition e^(x + log ½) + e^(log ½ - x) in f32, as the reference and
            // the exported programs' expected values compute it (each exp correctly rounded).
            let x = operands[0], half = "__int_as_float(0xbf317218)"
            return "((float)exp((double)(\(x) + \(half))) + (float)exp((double)(\(half) - \(x))))"
        }
        if let function = doublePrecisionFunctions[op.name] {
            guard operandType.isFloat, operands.count == 1 else { return nil }
            return operandType.compute == "double" ? "\(function)(\(operands[0]))"
                : "((\(operandType.compute))\(function)((double)\(operands[0])))"
        }
        let table = operandType.isBool ? boolean : operandType.isFloat ? float : integer
        guard var text = table[op.name] else { return nil }
        for (i, operand) in operands.enumerated().reversed() {
            text = text.replacingOccurrences(of: "$\(i)", with: operand)
        }
        return text.replacingOccurrences(of: "{f}", with: operandType.mathSuffix)
            .replacingOccurrences(of: "{T}", with: operandType.compute)
    }

    /// `convert` between compute types: float → integer truncates and saturates (NaN → 0),
    /// anything → bool is `!= 0`, bool → number is 0/1.
    static func conversion(_ x: String, from source: KernelElementType, to target: KernelElementType) -> String {
        if target.isBool { return "(\(x) != 0)" }
        if source.isBool { return "((\(target.compute))(\(x) ? 1 : 0))" }
        if source.isFloat && target.isInteger {
            return "nv_float_to_int<\(target.compute)>((double)\(x))"
        }
        return "((\(target.compute))\(x))"
    }
}
