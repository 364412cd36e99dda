import StableHLO

/// Expressions for the narrow element types that differ from their compute type's
/// (see `NarrowPrelude`, `KernelElementType`).
extension ExpressionTable {
    /// Integer ops whose result depends on the type's bit width, for 2/4-bit integers
    /// (`{W}` is the width): shifts read the amount as a W-bit unsigned number, and
    /// `count_leading_zeros`/`popcnt` count in W bits. Every other integer op computes in
    /// the 8-bit compute type and is then wrapped to W bits, which gives the same result.
    static let subByteInteger: [String: String] = [
        "stablehlo.shift_left": "(({T})nv_n_shl($0, $1, {W}))",
        "stablehlo.shift_right_logical": "(({T})nv_n_shr_logical($0, $1, {W}))",
        "stablehlo.shift_right_arithmetic": "(({T})nv_n_shr_arith($0, $1, {W}))",
        "stablehlo.count_leading_zeros": "(({T})nv_n_clz($0, {W}))",
        "stablehlo.popcnt": "(({T})nv_n_popcnt($0, {W}))",
    ]

    /// The expression for `op` on a 2/4-bit integer operand when its template differs from
    /// the 8-bit type's, else nil.
    static func subByteIntegerExpression(_ op: Operation, operands: [String], operandType: KernelElementType) -> String? {
        guard let width = operandType.subByteIntegerWidth, let template = subByteInteger[op.name] else { return nil }
        return substituting(operands, into: template).replacingOccurrences(of: "{W}", with: "\(width)")
            .replacingOccurrences(of: "{T}", with: operandType.compute)
    }

    /// `convert` into a narrow type where the generic rule would round twice or saturate
    /// at the compute type's range: any real → narrow float rounds once from `double` (the
    /// reference rounds the `Double` value straight to the format); float → 2/4-bit integer
    /// truncates and saturates at the W-bit range. Nil for other conversions.
    static func narrowConversion(_ x: String, from source: KernelElementType, to target: KernelElementType) -> String? {
        if let format = target.narrowFloatFormat, !source.isComplex, !source.isBool {
            // Rounded once from double; the result is exact in the compute type.
            return "((\(target.compute))nv_fp_round_d((double)(\(x)), \(NarrowPrelude.arguments(format))))"
        }
        if let width = target.subByteIntegerWidth, source.isFloat {
            return "((\(target.compute))nv_n_from_float((double)(\(x)), \(width), \(target.isUnsigned ? "false" : "true")))"
        }
        return nil
    }

    /// `reduce_precision` and `chlo.next_after` on a narrow float (the format's bit
    /// pattern, as the reference), else nil.
    static func narrowBitPatternExpression(_ op: Operation, operands: [String], operandType: KernelElementType) -> String? {
        guard let format = operandType.narrowFloatFormat else { return nil }
        let tail = "\(NarrowPrelude.arguments(format)), \(format.bitWidth)"
        let t = operandType.compute
        switch op.name {
        case "chlo.next_after":
            guard operands.count == 2 else { return nil }
            return "((\(t))nv_fp_next_after((double)(\(operands[0])), (double)(\(operands[1])), \(tail)))"
        case "stablehlo.reduce_precision":
            guard operands.count == 1, let e = op[attribute: "exponent_bits"]?.intValue,
                  let m = op[attribute: "mantissa_bits"]?.intValue, e >= 1, m >= 0 else { return nil }
            return "((\(t))nv_fp_reduce_precision((double)(\(operands[0])), \(e), \(m), \(tail)))"
        default:
            return nil
        }
    }

    /// A float-table template evaluated for a narrow float: in `double` (operands widened
    /// exactly, double math functions), as the reference computes the op in `Double`; the
    /// caller rounds the double result once to the format.
    static func narrowFloatExpression(_ template: String, operands: [String]) -> String {
        substituting(operands.map { "((double)(\($0)))" }, into: template)
            .replacingOccurrences(of: "{f}", with: "").replacingOccurrences(of: "{T}", with: "double")
    }

    /// The totalOrder key function for a narrow float compute value (canonical NaN, exact
    /// values in `float`/`double`).
    static func narrowTotalOrderKey(_ type: KernelElementType) -> String? {
        guard type.narrowFloatFormat != nil else { return nil }
        return type.compute == "double" ? "nv_total_order_f64" : "nv_total_order_half"
    }
}
