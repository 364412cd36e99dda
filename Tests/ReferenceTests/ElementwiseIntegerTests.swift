import Reference
import StableHLO
import Testing

/// Integer semantics: wrap-around at the type's width, XLA's division by zero, shifts
/// of at least the width, bit counting on small widths, unsigned comparisons.
@Suite struct ElementwiseIntegerTests {
    static let signedTypes: [ElementType] = [.si(2), .si(4), .si(8), .si(16), .si(32), .si(64)]
    static let unsignedTypes: [ElementType] = [.ui(2), .ui(4), .ui(8), .ui(16), .ui(32), .ui(64)]

    static func range(_ t: ElementType) -> (min: Int64, max: Int64) {
        let w = t.bitWidth
        if t.isUnsigned { return (0, w >= 64 ? -1 : (Int64(1) << Int64(w)) - 1) }
        return (w >= 64 ? .min : -(Int64(1) << Int64(w - 1)), w >= 64 ? .max : (Int64(1) << Int64(w - 1)) - 1)
    }

    @Test(arguments: signedTypes + unsignedTypes)
    func additionWrapsAtTheWidth(type: ElementType) throws {
        let (lo, hi) = Self.range(type)
        let sum = try OneOp.binary("stablehlo.add", OneOp.ints([hi, lo], type), OneOp.ints([1, 0], type))
        #expect(sum?.ints == [lo, lo])
        let difference = try OneOp.binary("stablehlo.subtract", OneOp.ints([lo], type), OneOp.ints([1], type))
        #expect(difference?.ints == [hi])
        let product = try OneOp.binary("stablehlo.multiply", OneOp.ints([hi], type), OneOp.ints([2], type))
        // max·2 drops the top bit: all ones but the lowest bit, read at the type's width.
        #expect(product?.ints == [Tensor.normalize(UInt64(bitPattern: hi) << 1, type)])
        let negated = try OneOp.unary("stablehlo.negate", OneOp.ints([lo, 1], type))
        #expect(negated?.ints == [Tensor.normalize(UInt64(bitPattern: 0 &- lo), type), Tensor.normalize(UInt64(bitPattern: -1), type)])
    }

    // si2 cannot hold the operands; every other width can.
    @Test(arguments: signedTypes.dropFirst())
    func signedDivisionEdgeCases(type: ElementType) throws {
        let (lo, _) = Self.range(type)
        let quotient = try OneOp.binary("stablehlo.divide", OneOp.ints([7, lo, -7, 7], type), OneOp.ints([0, -1, 2, -2], type))
        #expect(quotient?.ints == [-1, lo, -3, -3].map { Tensor.normalize(UInt64(bitPattern: $0), type) })
        let remainder = try OneOp.binary("stablehlo.remainder", OneOp.ints([7, lo, -7, 7], type), OneOp.ints([0, -1, 2, -2], type))
        #expect(remainder?.ints == [7, 0, -1, 1].map { Tensor.normalize(UInt64(bitPattern: $0), type) })
    }

    @Test(arguments: unsignedTypes)
    func unsignedDivisionByZeroGivesAllOnes(type: ElementType) throws {
        let (_, hi) = Self.range(type)
        let quotient = try OneOp.binary("stablehlo.divide", OneOp.ints([3, hi], type), OneOp.ints([0, 2], type))
        #expect(quotient?.ints == [hi, Int64(bitPattern: UInt64(bitPattern: hi) / 2)])
        let remainder = try OneOp.binary("stablehlo.remainder", OneOp.ints([3, hi], type), OneOp.ints([0, 2], type))
        #expect(remainder?.ints == [3, 1])
    }

    @Test func shiftsOfAtLeastTheWidth() throws {
        let t = ElementType.si(8)
        let left = try OneOp.binary("stablehlo.shift_left", OneOp.ints([1, 1, 1, 1], t), OneOp.ints([7, 8, 100, -1], t))
        #expect(left?.ints == [-128, 0, 0, 0])
        let arithmetic = try OneOp.binary("stablehlo.shift_right_arithmetic", OneOp.ints([-128, -128, 64, -1], t), OneOp.ints([7, 8, 9, -3], t))
        #expect(arithmetic?.ints == [-1, -1, 0, -1])
        let logical = try OneOp.binary("stablehlo.shift_right_logical", OneOp.ints([-128, -128, -1], t), OneOp.ints([7, 8, 4], t))
        #expect(logical?.ints == [1, 0, 15])
        let u = ElementType.ui(8)
        let unsignedArithmetic = try OneOp.binary("stablehlo.shift_right_arithmetic", OneOp.ints([0x80, 0x40], u), OneOp.ints([1, 1], u))
        #expect(unsignedArithmetic?.ints == [0xC0, 0x20])
    }

    static let bitCountingCases: [(ElementType, [Int64], [Int64], [Int64])] = [
        (.si(4), [1, 0, -1, 7], [3, 4, 0, 1], [1, 0, 4, 3]),
        (.ui(2), [1, 0, 3, 2], [1, 2, 0, 0], [1, 0, 2, 1]),
        (.si(64), [1, 0, -1, .max], [63, 64, 0, 1], [1, 0, 64, 63]),
        (.ui(16), [1, 0, 0xFFFF, 0x00F0], [15, 16, 0, 8], [1, 0, 16, 4]),
    ]

    @Test(arguments: bitCountingCases)
    func bitCounting(type: ElementType, values: [Int64], leadingZeros: [Int64], population: [Int64]) throws {
        let input = OneOp.ints(values, type)
        #expect(try OneOp.unary("stablehlo.count_leading_zeros", input)?.ints == leadingZeros)
        #expect(try OneOp.unary("stablehlo.popcnt", input)?.ints == population)
    }

    @Test func unsignedCompareUsesBitPatterns() throws {
        let u = ElementType.ui(64)
        let lhs = OneOp.ints([-1, 1], u), rhs = OneOp.ints([1, -1], u)
        let gt = try OneOp.run("stablehlo.compare", [lhs, rhs], result: OneOp.type(lhs, .i1),
                               attributes: [OneOp.enumAttribute("comparison_direction", kind: "comparison_direction", "GT")])
        #expect(gt?.ints == [1, 0])
        let s = ElementType.si(64)
        let signed = try OneOp.run("stablehlo.compare", [OneOp.ints([-1, 1], s), OneOp.ints([1, -1], s)], result: OneOp.type(lhs, .i1),
                                   attributes: [OneOp.enumAttribute("comparison_direction", kind: "comparison_direction", "GT"),
                                                OneOp.enumAttribute("compare_type", kind: "comparison_type", "SIGNED")])
        #expect(signed?.ints == [0, 1])
    }

    @Test func integerPowerAndBooleanLogic() throws {
        let t = ElementType.si(64)
        let power = try OneOp.binary("stablehlo.power", OneOp.ints([-1, -1, -3, 1, -3, 0, 2], t), OneOp.ints([1, 0, -3, -3, 3, 2, 62], t))
        #expect(power?.ints == [-1, 1, 0, 1, -27, 0, Int64(1) << 62])
        let b = ElementType.i1
        #expect(try OneOp.binary("stablehlo.add", OneOp.ints([0, 0, 1, 1], b), OneOp.ints([0, 1, 0, 1], b))?.ints == [0, 1, 1, 1])
        #expect(try OneOp.binary("stablehlo.xor", OneOp.ints([0, 0, 1, 1], b), OneOp.ints([0, 1, 0, 1], b))?.ints == [0, 1, 1, 0])
        #expect(try OneOp.unary("stablehlo.not", OneOp.ints([0, 1], b))?.ints == [1, 0])
        #expect(try OneOp.unary("stablehlo.not", OneOp.ints([0, 5], .ui(4)))?.ints == [15, 10])
        #expect(try OneOp.unary("stablehlo.abs", OneOp.ints([-128, -3, 5], .si(8)))?.ints == [-128, 3, 5])
    }

    @Test func floatOnlyOpsRejectIntegers() {
        #expect(throws: InterpreterError.self) { try OneOp.unary("stablehlo.sqrt", OneOp.ints([4], .si(32))) }
    }
}
