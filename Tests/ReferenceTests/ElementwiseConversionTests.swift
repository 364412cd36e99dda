import Reference
import StableHLO
import Testing

/// `convert`, `bitcast_convert`, `constant`, `iota`, `select`, `clamp` and `map`.
@Suite struct ElementwiseConversionTests {
    /// (target, inputs, expected): float → integer truncates toward zero, saturates and
    /// maps NaN to 0.
    static let floatToIntegerCases: [(ElementType, [Double], [Int64])] = [
        (.si(8), [300.7, -300, .nan, -1.9, 1.9, .infinity], [127, -128, 0, -1, 1, 127]),
        (.ui(8), [-5, 255.9, 256, .nan, 3.5, -.infinity], [0, 255, 255, 0, 3, 0]),
        (.si(64), [1e19, -1e19, 0x1p62, -0x1p63, -0.5, .nan], [.max, .min, 1 << 62, .min, 0, 0]),
        (.ui(64), [1e20, 0x1p63, -1, 0.99, 0, 42], [-1, .min, 0, 0, 0, 42]),
        (.si(4), [7.9, 8, -8.5, -9, 0.5, -0.5], [7, 7, -8, -8, 0, 0]),
        (.i1, [0, -0.0, 0.5, .nan, -2, 1], [0, 0, 1, 1, 1, 1]),
    ]

    @Test(arguments: floatToIntegerCases)
    func floatToInteger(target: ElementType, inputs: [Double], expected: [Int64]) throws {
        let r = try OneOp.unary("stablehlo.convert", OneOp.floats(inputs, .f64), to: target)
        #expect(r?.ints == expected)
    }

    @Test func integerToFloatRoundsOnceTiesToEven() throws {
        let big: Int64 = (1 << 60) | (1 << 52) | 1  // just above a bf16 halfway point
        let r = try OneOp.unary("stablehlo.convert", OneOp.ints([big, 257, -257, 16_777_217], .si(64)), to: .float(.bf16))
        #expect(r?.floats == [0x1p60 + 0x1p53, 256, -256, 16_777_216])
        let f32 = try OneOp.unary("stablehlo.convert", OneOp.ints([16_777_217, 16_777_219], .si(64)), to: .float(.f32))
        #expect(f32?.floats == [16_777_216, 16_777_220])
        let unsigned = try OneOp.unary("stablehlo.convert", OneOp.ints([-1], .ui(64)), to: .float(.f64))
        #expect(unsigned?.floats == [0x1p64])
        let half = try OneOp.unary("stablehlo.convert", OneOp.ints([65519, 65520, -70000], .si(32)), to: .float(.f16))
        #expect(half?.floats == [65504, .infinity, -.infinity])
    }

    @Test func integerToIntegerWrapsAndBooleansNormalize() throws {
        let r = try OneOp.unary("stablehlo.convert", OneOp.ints([-1, 300, 5], .si(32)), to: .ui(8))
        #expect(r?.ints == [255, 44, 5])
        let b = try OneOp.unary("stablehlo.convert", OneOp.ints([-1, 0, 2], .si(64)), to: .i1)
        #expect(b?.ints == [1, 0, 1])
        let fromBool = try OneOp.unary("stablehlo.convert", OneOp.ints([1, 0], .i1), to: .complex(.f64))
        #expect(fromBool?.complexes == [1, 0, 0, 0])
        let widened = try OneOp.unary("stablehlo.convert", OneOp.ints([-8, 7], .si(4)), to: .ui(64))
        #expect(widened?.ints == [-8, 7])
    }

    @Test func floatAndComplexConversions() throws {
        let narrowed = try OneOp.unary("stablehlo.convert", OneOp.floats([1 + 0x1p-11, 1 + 3 * 0x1p-11, 1e6], .f64), to: .float(.f16))
        #expect(narrowed?.floats == [1, 1 + 0x1p-9, .infinity])
        let real = try OneOp.unary("stablehlo.convert", OneOp.complexes([(1.5, -2), (0, 3)], .f32), to: .float(.f32))
        #expect(real?.floats == [1.5, 0])
        let toBool = try OneOp.unary("stablehlo.convert", OneOp.complexes([(0, 3)], .f64), to: .i1)
        #expect(toBool?.ints == [0])
        let toComplex = try OneOp.unary("stablehlo.convert", OneOp.floats([2.5], .bf16), to: .complex(.f32))
        #expect(toComplex?.complexes == [2.5, 0])
    }

    @Test func bitcastConvertChangesRankWithWidth() throws {
        let one = OneOp.floats([1.0], .f32, shape: [])
        let asInt = try OneOp.run("stablehlo.bitcast_convert", [one], result: TensorType(shape: [], elementType: .si(32)))
        #expect(asInt?.ints == [0x3F80_0000])
        let bytes = try OneOp.run("stablehlo.bitcast_convert", [one], result: TensorType(shape: [4], elementType: .ui(8)))
        #expect(bytes?.ints == [0, 0, 0x80, 0x3F])
        let pairs = OneOp.ints([0x34, 0x12, 0xFF, 0xFF], .ui(8), shape: [2, 2])
        let joined = try OneOp.run("stablehlo.bitcast_convert", [pairs], result: TensorType(shape: [2], elementType: .si(16)))
        #expect(joined?.ints == [0x1234, -1])
        let halves = try OneOp.run("stablehlo.bitcast_convert", [OneOp.ints([0x0123_4567_89AB_CDEF], .si(64), shape: [])],
                                   result: TensorType(shape: [4], elementType: .float(.f16)))
        let expected: [UInt64] = [0xCDEF, 0x89AB, 0x4567, 0x0123]
        #expect(halves?.floats == expected.map { FloatFormat.f16.decode($0) })
        let nibbles = try OneOp.run("stablehlo.bitcast_convert", [OneOp.ints([0x9F], .ui(8), shape: [])],
                                    result: TensorType(shape: [2], elementType: .si(4)))
        #expect(nibbles?.ints == [-1, -7])
        let complexBits = try OneOp.run("stablehlo.bitcast_convert", [OneOp.complexes([(1, -2)], .f64)],
                                        result: TensorType(shape: [1], elementType: .complex(.f64)))
        #expect(complexBits?.complexes == [1, -2])
    }

    @Test func bitcastConvertRejectsMismatchedShapes() {
        #expect(throws: InterpreterError.self) {
            try OneOp.run("stablehlo.bitcast_convert", [OneOp.ints([1, 2, 3], .ui(8))],
                          result: TensorType(shape: [], elementType: .si(32)))
        }
    }

    @Test func constantIotaSelectClamp() throws {
        let type = TensorType(shape: [2, 3], elementType: .float(.bf16))
        let dense = DenseElements(type: type, bytes: [0x80, 0x3F], isSplat: true)  // bf16 1.0
        let c = try OneOp.run("stablehlo.constant", [], result: type, attributes: [NamedAttribute("value", .dense(dense))])
        #expect(c?.floats == [1, 1, 1, 1, 1, 1])
        let iota = try OneOp.run("stablehlo.iota", [], result: TensorType(shape: [2, 3], elementType: .ui(8)),
                                 attributes: [NamedAttribute("iota_dimension", .integer(1, type: nil))])
        #expect(iota?.ints == [0, 1, 2, 0, 1, 2])
        let pred = OneOp.ints([1, 0, 1], .i1)
        let picked = try OneOp.run("stablehlo.select", [pred, OneOp.floats([1, 2, 3], .f32), OneOp.floats([4, 5, 6], .f32)],
                                   result: TensorType(shape: [3], elementType: .float(.f32)))
        #expect(picked?.floats == [1, 5, 3])
        let scalarPred = try OneOp.run("stablehlo.select", [OneOp.ints([0], .i1, shape: []), OneOp.ints([1, 2], .si(8)), OneOp.ints([3, 4], .si(8))],
                                       result: TensorType(shape: [2], elementType: .si(8)))
        #expect(scalarPred?.ints == [3, 4])
        let clamped = try OneOp.run("stablehlo.clamp", [OneOp.ints([0], .ui(8), shape: []), OneOp.ints([250, 3, 7], .ui(8)), OneOp.ints([5], .ui(8), shape: [])],
                                    result: TensorType(shape: [3], elementType: .ui(8)))
        #expect(clamped?.ints == [5, 3, 5])
        let floatClamp = try OneOp.run("stablehlo.clamp", [OneOp.floats([-1, -1], .f32), OneOp.floats([.nan, -3], .f32), OneOp.floats([1, 1], .f32)],
                                       result: TensorType(shape: [2], elementType: .float(.f32)))
        let v = try #require(floatClamp?.floats)
        #expect(v[0].isNaN && v[1] == -1)
    }

    @Test func mapAppliesTheRegionPerElement() throws {
        let scalar = IRType.tensor(TensorType(shape: [], elementType: .si(32)))
        let a = Value(id: 100, type: scalar), b = Value(id: 101, type: scalar), m = Value(id: 102, type: scalar)
        let body = Block(arguments: [a, b], operations: [
            Operation(name: "stablehlo.multiply", operands: [a, b], results: [m]),
            Operation(name: "stablehlo.return", operands: [m]),
        ])
        let r = try OneOp.run("stablehlo.map", [OneOp.ints([1, 2, 3], .si(32)), OneOp.ints([4, 5, 6], .si(32))],
                              result: TensorType(shape: [3], elementType: .si(32)),
                              attributes: [NamedAttribute("dimensions", .denseInts(.si(64), [0]))],
                              regions: [Region(blocks: [body])])
        #expect(r?.ints == [4, 10, 18])
    }
}
