#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StableHLO

/// Unary elementwise ops: math functions, rounding, sign, bit counting and the
/// complex-part extractors.
extension ElementwiseKernels {
    static let unaryTable: [String: Kernel] = [
        "stablehlo.abs": absolute,
        "stablehlo.ceil": unary(floats: { $0.rounded(.up) }),
        "stablehlo.floor": unary(floats: { $0.rounded(.down) }),
        "stablehlo.round_nearest_afz": unary(floats: { $0.rounded(.toNearestOrAwayFromZero) }),
        "stablehlo.round_nearest_even": unary(floats: { $0.rounded(.toNearestOrEven) }),
        "stablehlo.sign": unary(ints: IntegerArithmetic.sign, floats: FloatArithmetic.sign, complexes: ComplexMath.sign),
        "stablehlo.negate": unary(ints: IntegerArithmetic.negate, floats: { -$0 }, complexes: { -$0 }),
        "stablehlo.not": unary(ints: IntegerArithmetic.not),
        "stablehlo.sqrt": unary(floats: { $0.squareRoot() }, complexes: ComplexMath.squareRoot),
        "stablehlo.rsqrt": unary(floats: { 1 / $0.squareRoot() }, complexes: ComplexMath.reciprocalSquareRoot),
        "stablehlo.cbrt": unary(floats: { cbrt($0) }, complexes: ComplexMath.cubeRoot),
        "stablehlo.exponential": unary(floats: { exp($0) }, complexes: ComplexMath.exponential),
        "stablehlo.exponential_minus_one": unary(floats: { expm1($0) }, complexes: ComplexMath.exponentialMinusOne),
        "stablehlo.log": unary(floats: { log($0) }, complexes: ComplexMath.logarithm),
        "stablehlo.log_plus_one": unary(floats: { log1p($0) }, complexes: ComplexMath.logarithmOnePlus),
        "stablehlo.logistic": unary(floats: FloatArithmetic.logistic, complexes: ComplexMath.logistic),
        "stablehlo.sine": unary(floats: { sin($0) }, complexes: ComplexMath.sine),
        "stablehlo.cosine": unary(floats: { cos($0) }, complexes: ComplexMath.cosine),
        "stablehlo.tan": unary(floats: { tan($0) }, complexes: ComplexMath.tangent),
        "stablehlo.tanh": unary(floats: { tanh($0) }, complexes: ComplexMath.hyperbolicTangent),
        "stablehlo.count_leading_zeros": unary(ints: IntegerArithmetic.countLeadingZeros),
        "stablehlo.popcnt": unary(ints: IntegerArithmetic.populationCount),
        "stablehlo.is_finite": isFinite,
        "stablehlo.real": { call in try complexPart(call, imaginary: false) },
        "stablehlo.imag": { call in try complexPart(call, imaginary: true) },
        "stablehlo.reduce_precision": reducePrecision,
    ]

    /// `abs`: integers and floats keep their type; a complex operand gives its modulus.
    static func absolute(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        guard case .complexes(let v) = operand.storage else {
            return try unary(ints: IntegerArithmetic.abs, floats: { Swift.abs($0) })(call)
        }
        let type = try resultType(call, shapeOf: operand)
        let round = rounding(type.elementType)
        let out = (0..<operand.elementCount).map { i in round(hypot(v[2 * i], v[2 * i + 1])) }
        return [.tensor(try storing(out, as: type, call))]
    }

    static func isFinite(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let type = try resultType(call, shapeOf: operand)
        guard case .floats(let v) = operand.storage else { throw unsupported(call, operand.elementType) }
        return [.tensor(Tensor(type: type, storage: .ints(v.map { $0.isFinite ? 1 : 0 })))]
    }

    /// `real` and `imag`: the component of a complex operand; for a float operand, the
    /// value itself (`real`) or zero (`imag`).
    static func complexPart(_ call: KernelCall, imaginary: Bool) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let type = try resultType(call, shapeOf: operand)
        switch operand.storage {
        case .complexes(let v):
            let n = operand.elementCount
            let out = (0..<n).map { i in v[2 * i + (imaginary ? 1 : 0)] }
            return [.tensor(try storing(out, as: type, call))]
        case .floats(let v):
            return [.tensor(try storing(imaginary ? v.map { _ in 0 } : v, as: type, call))]
        case .ints:
            throw unsupported(call, operand.elementType)
        }
    }

    /// `reduce_precision`: rounds each value to a format with `exponent_bits` and
    /// `mantissa_bits` (ties to even), overflowing to infinity and flushing values below
    /// that format's normal range to zero, as the reference implementation does.
    static func reducePrecision(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        guard let e = call.op[attribute: "exponent_bits"]?.intValue,
              let m = call.op[attribute: "mantissa_bits"]?.intValue
        else { throw call.error("missing exponent_bits or mantissa_bits") }
        guard e >= 1, m >= 0 else { throw call.error("exponent_bits must be >= 1 and mantissa_bits >= 0, got \(e), \(m)") }
        guard case .float(let format) = operand.elementType, case .floats(let v) = operand.storage else {
            throw unsupported(call, operand.elementType)
        }
        let type = try resultType(call, shapeOf: operand)
        let out = v.map { FloatArithmetic.reducePrecision($0, format: format, exponentBits: Int(e), mantissaBits: Int(m)) }
        return [.tensor(Tensor(type: type, storage: .floats(out)))]
    }
}
