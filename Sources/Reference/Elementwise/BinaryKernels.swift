#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StableHLO

/// Binary elementwise ops: arithmetic, min/max, bitwise logic, shifts, `atan2` and
/// `complex`.
extension ElementwiseKernels {
    static let binaryTable: [String: Kernel] = [
        "stablehlo.add": binary(ints: IntegerArithmetic.add, floats: { $0 + $1 }, complexes: { $0 + $1 }),
        "stablehlo.subtract": binary(ints: IntegerArithmetic.subtract, floats: { $0 - $1 }, complexes: { $0 - $1 }),
        "stablehlo.multiply": binary(ints: IntegerArithmetic.multiply, floats: { $0 * $1 }, complexes: { $0 * $1 }),
        "stablehlo.divide": binary(ints: IntegerArithmetic.divide, floats: { $0 / $1 }, complexes: { $0 / $1 }),
        "stablehlo.remainder": binary(ints: IntegerArithmetic.remainder, floats: FloatArithmetic.remainder),
        "stablehlo.power": binary(ints: IntegerArithmetic.power, floats: { pow($0, $1) }, complexes: ComplexMath.power),
        "stablehlo.maximum": binary(ints: IntegerArithmetic.maximum, floats: FloatArithmetic.maximum, complexes: complexMaximum),
        "stablehlo.minimum": binary(ints: IntegerArithmetic.minimum, floats: FloatArithmetic.minimum, complexes: complexMinimum),
        "stablehlo.atan2": binary(floats: { atan2($0, $1) }, complexes: ComplexMath.arcTangent2),
        "stablehlo.and": binary(ints: { a, b, _ in a & b }),
        "stablehlo.or": binary(ints: { a, b, _ in a | b }),
        "stablehlo.xor": binary(ints: { a, b, _ in a ^ b }),
        "stablehlo.shift_left": binary(ints: IntegerArithmetic.shiftLeft),
        "stablehlo.shift_right_arithmetic": binary(ints: IntegerArithmetic.shiftRightArithmetic),
        "stablehlo.shift_right_logical": binary(ints: IntegerArithmetic.shiftRightLogical),
        "stablehlo.complex": makeComplex,
    ]

    /// Lexicographic (real, imaginary) maximum, as the reference interpreter orders
    /// complex numbers.
    @Sendable static func complexMaximum(_ a: Complex, _ b: Complex) -> Complex {
        let aWins = a.re == b.re ? a.im > b.im : a.re > b.re
        return aWins ? a : b
    }

    @Sendable static func complexMinimum(_ a: Complex, _ b: Complex) -> Complex {
        let aWins = a.re == b.re ? a.im < b.im : a.re < b.re
        return aWins ? a : b
    }

    /// `complex(lhs, rhs)`: pairs two float tensors into one complex tensor.
    static func makeComplex(_ call: KernelCall) throws -> [RuntimeValue] {
        let lhs = try call.tensor(0), rhs = try call.tensor(1)
        guard let re = lhs.floats, let im = rhs.floats else {
            throw call.error("operands must be floating-point tensors, got \(lhs.type) and \(rhs.type)")
        }
        guard lhs.shape == rhs.shape else { throw call.error("operand shapes differ: \(lhs.type) vs \(rhs.type)") }
        let type = try resultType(call, shapeOf: lhs)
        guard type.elementType.isComplex else { throw call.error("result type \(type) is not complex") }
        let round = rounding(type.elementType)
        var out = [Double](repeating: 0, count: 2 * re.count)
        for i in 0..<re.count {
            out[2 * i] = round(re[i])
            out[2 * i + 1] = round(im[i])
        }
        return [.tensor(Tensor(type: type, storage: .complexes(out)))]
    }
}
