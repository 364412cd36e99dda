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
        "chlo.conj": "$0", "chlo.square": "($0 * $0)",
    ]

    /// Transcendental functions of bf16 values through the hardware's approximations
    /// (`tanh.approx.f32`, `ex2.approx`): their relative errors (under 2^-10) are a fraction
    /// of a bf16 ULP (2^-8 to 2^-7), so results stay within one ULP of correctly rounded,
    /// where the accurate f32 functions cost several times as many instructions and made
    /// bf16 elementwise kernels compute-bound.
    static let bf16Functions: [String: String] = [
        "stablehlo.tanh": "nv_tanh_approx($0)", "stablehlo.exponential": "nv_exp_fast($0)",
        "stablehlo.logistic": "(1.0f / (1.0f + nv_exp_fast(-$0)))",
    ]

    /// Templates by op for complex operands (`nv_c128`, see `ComplexPrelude`): each the
    /// reference interpreter's formula. `abs`, `real`, `imag` (real results) and `complex`
    /// (real operands) are written in `expression`.
    static let complex: [String: String] = [
        "stablehlo.add": "($0 + $1)", "stablehlo.subtract": "($0 - $1)",
        "stablehlo.multiply": "($0 * $1)", "stablehlo.divide": "($0 / $1)",
        "stablehlo.power": "nv_cpow($0, $1)", "stablehlo.atan2": "nv_catan2($0, $1)",
        "stablehlo.maximum": "nv_cmax($0, $1)", "stablehlo.minimum": "nv_cmin($0, $1)",
        "stablehlo.negate": "(-$0)", "stablehlo.sign": "nv_csign($0)",
        "stablehlo.exponential": "nv_cexp($0)", "stablehlo.exponential_minus_one": "nv_cexpm1($0)",
        "stablehlo.log": "nv_clog($0)", "stablehlo.log_plus_one": "nv_clog1p($0)",
        "stablehlo.logistic": "nv_clogistic($0)",
        "stablehlo.sqrt": "nv_csqrt($0)", "stablehlo.rsqrt": "nv_crsqrt($0)", "stablehlo.cbrt": "nv_ccbrt($0)",
        "stablehlo.sine": "nv_csin($0)", "stablehlo.cosine": "nv_ccos($0)", "stablehlo.tan": "nv_ctan($0)",
        "stablehlo.tanh": "nv_ctanh($0)",
        "stablehlo.clamp": "nv_cmin(nv_cmax($1, $0), $2)",
        "chlo.acos": "nv_cacos($0)", "chlo.acosh": "nv_cacosh($0)", "chlo.asin": "nv_casin($0)",
        "chlo.asinh": "nv_casinh($0)", "chlo.atan": "nv_catan($0)", "chlo.atanh": "nv_catanh($0)",
        "chlo.cosh": "nv_ccosh($0)", "chlo.sinh": "nv_csinh($0)", "chlo.tan": "nv_ctan($0)",
        "chlo.conj": "nv_conj($0)", "chlo.square": "($0 * $0)",
    ]

    /// Ops on complex numbers beyond the templates: parts, construction and modulus.
    static let complexParts: Set<String> = ["stablehlo.real", "stablehlo.imag", "stablehlo.complex"]

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
        "chlo.square": "nv_imul($0, $0)",
    ]

    /// Templates by op for `i1` (computed as `bool`).
    static let boolean: [String: String] = [
        "stablehlo.add": "($0 || $1)", "stablehlo.subtract": "($0 && !$1)", "stablehlo.multiply": "($0 && $1)",
        "stablehlo.maximum": "($0 || $1)", "stablehlo.minimum": "($0 && $1)",
        "stablehlo.and": "($0 && $1)", "stablehlo.or": "($0 || $1)", "stablehlo.xor": "($0 != $1)",
        "stablehlo.not": "(!$0)", "stablehlo.abs": "$0", "stablehlo.negate": "$0", "stablehlo.sign": "$0",
        "stablehlo.clamp": "(($1 || $0) && $2)",
        "chlo.square": "$0",
    ]

    /// CHLO unary functions, by op, and the CUDA double-precision function computing them.
    /// Narrower floats are computed in double and rounded once (CUDA's float versions are
    /// up to 4 ULP off; the conformance checks allow 3).
    static let doublePrecisionFunctions: [String: String] = [
        "chlo.acos": "acos", "chlo.acosh": "acosh", "chlo.asin": "asin", "chlo.asinh": "asinh", "chlo.atan": "atan",
        "chlo.atanh": "atanh", "chlo.cosh": "cosh", "chlo.sinh": "sinh", "chlo.tan": "tan",
        "chlo.erf": "erf", "chlo.erfc": "erfc", "chlo.erf_inv": "nv_erfinv", "chlo.lgamma": "lgamma",
        "chlo.digamma": "nv_digamma", "chlo.bessel_i1e": "nv_bessel_i1e",
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
        default: return narrowTotalOrderKey(type)
        }
    }

    /// C spelling of a `comparison_direction`.
    static let comparisons: [String: String] = [
        "EQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=",
    ]

    /// Ops `expression(for:...)` writes by a rule of their own rather than from a table.
    static let specialForms: Set<String> = [
        "stablehlo.select", "stablehlo.compare", "stablehlo.is_finite", "stablehlo.convert",
        "stablehlo.bitcast_convert", "stablehlo.abs", "chlo.cosh",
    ]

    /// Every op some element type has an expression for: the elementwise op set of the
    /// CUDA target (`OperationClass.elementwiseNames`) derives from it.
    static let operationNames: Set<String> = specialForms.union(float.keys).union(integer.keys).union(boolean.keys)
        .union(complex.keys).union(complexParts).union(doublePrecisionFunctions.keys).union(bitPatternFunctions.keys)

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
        case "stablehlo.real", "stablehlo.imag":
            guard operands.count == 1 else { return nil }
            return part(operands[0], imaginary: op.name == "stablehlo.imag", of: operandType, as: resultType)
        case "stablehlo.complex":
            guard operands.count == 2, operandType.isFloat, resultType.isComplex else { return nil }
            return "nv_c128((double)\(operands[0]), (double)\(operands[1]))"
        case "stablehlo.abs" where operandType.isComplex:
            guard operands.count == 1, resultType.isFloat else { return nil }
            return "((\(resultType.compute))nv_cabs(\(operands[0])))"
        case "stablehlo.is_finite":
            guard operandType.isFloat else { return nil }
            return "((\(operands[0]) - \(operands[0])) == (\(operands[0]) - \(operands[0])))"
        case "stablehlo.convert":
            return conversion(operands[0], from: operandType, to: resultType)
        case "stablehlo.bitcast_convert":
            return BitcastConvertKernel.sameWidthExpression(operands[0], from: operandType, to: resultType)
        default: break
        }
        if operandType.isComplex { return complex[op.name].map { substituting(operands, into: $0) } }
        if let narrow = narrowBitPatternExpression(op, operands: operands, operandType: operandType) { return narrow }
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
        if op.name == "chlo.cosh", operandType.compute == "float" || operandType.narrowFloatFormat != nil, operands.count == 1 {
            // CHLO's decomposition e^(x + log ½) + e^(log ½ - x) in f32, as the reference and
            // the exported programs' expected values compute it (each exp correctly rounded).
            let x = operandType.compute == "float" ? operands[0] : "((float)\(operands[0]))", half = "__int_as_float(0xbf317218)"
            return "((float)exp((double)(\(x) + \(half))) + (float)exp((double)(\(half) - \(x))))"
        }
        if let function = doublePrecisionFunctions[op.name] {
            guard operandType.isFloat, operands.count == 1 else { return nil }
            if operandType.narrowFloatFormat != nil { return "\(function)((double)(\(operands[0])))" }
            return operandType.compute == "double" ? "\(function)(\(operands[0]))"
                : "((\(operandType.compute))\(function)((double)\(operands[0])))"
        }
        if let narrow = subByteIntegerExpression(op, operands: operands, operandType: operandType) { return narrow }
        let table = operandType.isBool ? boolean : operandType.isFloat ? float : integer
        if resultType.elementType == .float(.bf16), operandType.elementType == .float(.bf16),
           let template = bf16Functions[op.name] {
            return substituting(operands, into: template)
        }
        guard let template = table[op.name] else { return nil }
        if operandType.narrowFloatFormat != nil { return narrowFloatExpression(template, operands: operands) }
        return substituting(operands, into: template).replacingOccurrences(of: "{f}", with: operandType.mathSuffix)
            .replacingOccurrences(of: "{T}", with: operandType.compute)
    }

    /// `template` with `$0`, `$1`, ... replaced by `operands`.
    static func substituting(_ operands: [String], into template: String) -> String {
        var text = template
        for (i, operand) in operands.enumerated().reversed() {
            text = text.replacingOccurrences(of: "$\(i)", with: operand)
        }
        return text
    }

    /// `real`/`imag` of a complex value in the result's compute type; of a float, the value
    /// itself or zero.
    static func part(_ x: String, imaginary: Bool, of source: KernelElementType, as target: KernelElementType) -> String? {
        guard target.isFloat else { return nil }
        if source.isComplex { return "((\(target.compute))(\(x)).\(imaginary ? "im" : "re"))" }
        guard source.isFloat else { return nil }
        return imaginary ? "((\(target.compute))0)" : x
    }

    /// `convert` between compute types: float → integer truncates and saturates (NaN → 0),
    /// anything → bool is `!= 0`, bool → number is 0/1; complex → real takes the real part
    /// and real → complex has a zero imaginary part, its real part converted as to the
    /// component type.
    static func conversion(_ x: String, from source: KernelElementType, to target: KernelElementType) -> String {
        if source.isComplex, target.isComplex { return x }
        if source.isComplex, let real = KernelElementType(.float(.f64)) {
            return conversion("(\(x)).re", from: real, to: target)
        }
        if let component = target.componentType {
            return "nv_c128((double)\(conversion(x, from: source, to: component)), 0.0)"
        }
        if target.isBool { return "(\(x) != 0)" }
        if let narrow = narrowConversion(x, from: source, to: target) { return narrow }
        if source.isBool { return "((\(target.compute))(\(x) ? 1 : 0))" }
        if source.isFloat && target.isInteger {
            return "nv_float_to_int<\(target.compute)>((double)\(x))"
        }
        return "((\(target.compute))\(x))"
    }
}
