import Reference
import StableHLO
import Testing

/// `reduce` and `reduce_window`: fast-path bodies per element type, the generic region
/// path, padding, dilations and empty dimensions, against values worked out by hand.
@Suite struct StructuralReductionTests {
    typealias P = StructuralProgram

    func reduce(_ x: Tensor, _ initial: Tensor, dims: [Int], body: Region, result: [Int]) throws -> Tensor {
        try P.run1("stablehlo.reduce", [x, initial], P.type(result, x.elementType), ["dimensions": P.i64s(dims)], regions: [body])
    }

    struct IntCase: Sendable, CustomStringConvertible {
        var op: String, type: ElementType, input: [Int64], initial: Int64, expected: [Int64]
        var description: String { "\(op) \(type)" }
    }

    static let intCases: [IntCase] = [
        IntCase(op: "add", type: .si(32), input: [1, 2, 3, 4, 5, 6], initial: 0, expected: [6, 15]),
        IntCase(op: "add", type: .si(8), input: [100, 27, 1, 1, 1, 1], initial: 0, expected: [-128, 3]),
        IntCase(op: "multiply", type: .ui(8), input: [16, 16, 1, 2, 3, 4], initial: 1, expected: [0, 24]),
        IntCase(op: "maximum", type: .ui(32), input: [0xFFFF_FFFF, 1, 2, 3, 4, 5], initial: 0, expected: [0xFFFF_FFFF, 5]),
        IntCase(op: "minimum", type: .si(16), input: [-7, 3, 9, 4, 8, 6], initial: 32767, expected: [-7, 4]),
        IntCase(op: "add", type: .i1, input: [0, 1, 1, 0, 0, 0], initial: 0, expected: [1, 0]),
        IntCase(op: "and", type: .i1, input: [1, 1, 1, 1, 0, 1], initial: 1, expected: [1, 0]),
        IntCase(op: "xor", type: .ui(64), input: [1, 2, 4, 8, 8, 1], initial: 0, expected: [7, 1]),
    ]

    @Test(arguments: intCases)
    func reduceIntegersAlongRows(_ c: IntCase) throws {
        let x = P.tensor(c.type, [2, 3], ints: c.input)
        let y = try reduce(x, P.tensor(c.type, [], ints: [c.initial]), dims: [1], body: P.binaryBody("stablehlo.\(c.op)", c.type), result: [2])
        #expect(y == P.tensor(c.type, [2], ints: c.expected))
    }

    @Test func reduceRoundsF16AtEveryStep() throws {
        // 2048 + 1 rounds back to 2048 in f16, so adding 1 twice leaves 2048.
        let x = P.tensor(.float(.f16), [3], floats: [2048, 1, 1])
        let y = try reduce(x, P.tensor(.float(.f16), [], floats: [0]), dims: [0], body: P.binaryBody("stablehlo.add", .float(.f16)), result: [])
        #expect(y.storage == .floats([2048]))
    }

    @Test(arguments: [FloatFormat.bf16, .f32, .f64])
    func reduceFloatsOverSeveralDimensions(_ f: FloatFormat) throws {
        let x = P.tensor(.float(f), [2, 2, 2], floats: [1, 2, 3, 4, 5, 6, 7, 8])
        let zero = P.tensor(.float(f), [], floats: [0])
        let sum = try reduce(x, zero, dims: [0, 2], body: P.binaryBody("stablehlo.add", .float(f)), result: [2])
        #expect(sum.storage == .floats([14, 22]))
        let maxima = try reduce(P.tensor(.float(f), [3], floats: [1, .nan, 2]), P.tensor(.float(f), [], floats: [-.infinity]),
                                dims: [0], body: P.binaryBody("stablehlo.maximum", .float(f)), result: [])
        #expect(maxima.floats?.first?.isNaN == true)
    }

    @Test func reduceComplexProduct() throws {
        let et = ElementType.complex(.f64)
        let x = P.tensor(et, [2], complexes: [1, 2, 3, 4])
        let y = try reduce(x, P.tensor(et, [], complexes: [1, 0]), dims: [0], body: P.binaryBody("stablehlo.multiply", et), result: [])
        #expect(y.storage == .complexes([-5, 10]))
    }

    @Test func reduceOverEmptyDimensionGivesInit() throws {
        let x = P.tensor(.si(32), [2, 0], ints: [])
        let y = try reduce(x, P.tensor(.si(32), [], ints: [7]), dims: [1], body: P.binaryBody("stablehlo.add", .si(32)), result: [2])
        #expect(y.storage == .ints([7, 7]))
    }

    /// A body that returns its second argument(s): the fold yields the last element.
    static func lastBody(_ types: [ElementType]) -> Region {
        let n = types.count
        let args = (0..<(2 * n)).map { Value(id: 1000 + $0, type: P.scalarType(types[$0 % n])) }
        return Region(blocks: [Block(arguments: args, operations: [
            Operation(name: "stablehlo.return", operands: Array(args[n...])),
        ])])
    }

    @Test(arguments: P.allTypes)
    func reduceVariadicThroughTheRegion(_ et: ElementType) throws {
        let x = P.sample(et, [2, 3]), i = P.tensor(.si(32), [2, 3], ints: [0, 1, 2, 3, 4, 5])
        let results = try P.run("stablehlo.reduce", [x, i, P.sample(et, [], [50]), P.tensor(.si(32), [], ints: [-1])],
                                results: [P.type([2], et), P.type([2], .si(32))], ["dimensions": P.i64s([1])],
                                regions: [Self.lastBody([et, .si(32)])])
        #expect(results[0] == P.sample(et, [2], [2, 5]))
        #expect(results[1].storage == .ints([2, 5]))
    }

    // MARK: reduce_window

    func window(_ x: Tensor, _ initial: Tensor, body: String, result: [Int], _ attrs: [String: Attribute]) throws -> Tensor {
        try P.run1("stablehlo.reduce_window", [x, initial], P.type(result, x.elementType), attrs,
                   regions: [P.binaryBody("stablehlo.\(body)", x.elementType)])
    }

    @Test(arguments: [ElementType.si(8), .ui(32), .float(.f16), .float(.f32)])
    func cumulativeSumWithLowPadding(_ et: ElementType) throws {
        let x = et.isFloat ? P.tensor(et, [4], floats: [1, 2, 3, 4]) : P.tensor(et, [4], ints: [1, 2, 3, 4])
        let zero = et.isFloat ? P.tensor(et, [], floats: [0]) : P.tensor(et, [], ints: [0])
        let y = try window(x, zero, body: "add", result: [4], ["window_dimensions": P.i64s([4]), "padding": P.paddingAttribute([(3, 0)])])
        #expect(y == (et.isFloat ? P.tensor(et, [4], floats: [1, 3, 6, 10]) : P.tensor(et, [4], ints: [1, 3, 6, 10])))
    }

    @Test func windowStridesAndDilations() throws {
        let et = ElementType.si(32)
        let x = P.tensor(et, [5], ints: [1, 2, 3, 4, 5]), zero = P.tensor(et, [], ints: [0])
        #expect(try window(x, zero, body: "add", result: [2], ["window_dimensions": P.i64s([2]), "window_strides": P.i64s([2])])
                == P.tensor(et, [2], ints: [3, 7]))
        #expect(try window(x, zero, body: "add", result: [3], ["window_dimensions": P.i64s([2]), "window_dilations": P.i64s([2])])
                == P.tensor(et, [3], ints: [4, 6, 8]))
        let y = P.tensor(et, [3], ints: [1, 2, 3])
        #expect(try window(y, zero, body: "add", result: [4], ["window_dimensions": P.i64s([2]), "base_dilations": P.i64s([2])])
                == P.tensor(et, [4], ints: [1, 2, 2, 3]))
    }

    @Test func windowPaddingReadsTheInitValue() throws {
        let et = ElementType.float(.f32)
        let x = P.tensor(et, [3], floats: [1, 5, 2])
        let y = try window(x, P.tensor(et, [], floats: [-.infinity]), body: "maximum", result: [3],
                           ["window_dimensions": P.i64s([3]), "padding": P.paddingAttribute([(1, 1)])])
        #expect(y.storage == .floats([5, 5, 5]))
        // With init 100 for minimum, padding positions never win.
        let z = try window(x, P.tensor(et, [], floats: [100]), body: "minimum", result: [3],
                           ["window_dimensions": P.i64s([3]), "padding": P.paddingAttribute([(1, 1)])])
        #expect(z.storage == .floats([1, 1, 2]))
    }

    @Test func twoDimensionalPooling() throws {
        let et = ElementType.si(16)
        let x = P.tensor(et, [4, 4], ints: Array(0..<16))
        let y = try window(x, P.tensor(et, [], ints: [-32768]), body: "maximum", result: [2, 2],
                           ["window_dimensions": P.i64s([2, 2]), "window_strides": P.i64s([2, 2])])
        #expect(y.storage == .ints([5, 7, 13, 15]))
    }

    @Test func windowLargerThanInputGivesEmptyResult() throws {
        let et = ElementType.si(32)
        let y = try window(P.tensor(et, [2], ints: [1, 2]), P.tensor(et, [], ints: [0]), body: "add", result: [0],
                           ["window_dimensions": P.i64s([3])])
        #expect(y.elementCount == 0)
    }

    @Test(arguments: P.allTypes)
    func windowThroughTheRegion(_ et: ElementType) throws {
        // The last element of each window of 2 with stride 1 over 3 elements: elements 1, 2.
        let x = P.sample(et, [3])
        let y = try P.run1("stablehlo.reduce_window", [x, P.sample(et, [], [40])], P.type([2], et),
                           ["window_dimensions": P.i64s([2])], regions: [Self.lastBody([et])])
        #expect(y == P.sample(et, [2], [1, 2]))
    }
}
