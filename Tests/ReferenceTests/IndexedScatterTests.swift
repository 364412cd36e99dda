import Reference
import StableHLO
import Testing

@Suite("Indexed: scatter")
struct IndexedScatterTests {
    static let indexTypes: [ElementType] = [.si(16), .si(32), .si(64), .ui(32), .ui(64)]

    static func scatterAttributes(
        window: [Int], inserted: [Int], inputBatching: [Int] = [], indicesBatching: [Int] = [],
        toOperand: [Int], indexVectorDim: Int
    ) -> [NamedAttribute] {
        var ps: [NamedAttribute] = []
        if !window.isEmpty { ps.append(NamedAttribute("update_window_dims", IndexedProgram.list(window))) }
        if !inserted.isEmpty { ps.append(NamedAttribute("inserted_window_dims", IndexedProgram.list(inserted))) }
        if !inputBatching.isEmpty { ps.append(NamedAttribute("input_batching_dims", IndexedProgram.list(inputBatching))) }
        if !indicesBatching.isEmpty {
            ps.append(NamedAttribute("scatter_indices_batching_dims", IndexedProgram.list(indicesBatching)))
        }
        ps.append(NamedAttribute("scatter_dims_to_operand_dims", IndexedProgram.list(toOperand)))
        if indexVectorDim != 0 { ps.append(NamedAttribute("index_vector_dim", .integer(Int64(indexVectorDim), type: nil))) }
        return [
            NamedAttribute("scatter_dimension_numbers", .dialect(name: "stablehlo.scatter", parameters: ps)),
            NamedAttribute("indices_are_sorted", .bool(false)),
            NamedAttribute("unique_indices", .bool(false)),
        ]
    }

    /// 1-D scatter of `updates` at `at` (by default 0, 0, 3 and 9, which is out of bounds and skipped).
    static func scatter1D(_ opName: String?, _ input: Tensor, _ updates: Tensor, at: [Int64] = [0, 0, 3, 9]) throws -> Tensor {
        let indices = IndexedProgram.integers(.si(64), [at.count, 1], at)
        let out = try IndexedProgram.run("stablehlo.scatter", [input, indices, updates], results: [input.type],
            attributes: scatterAttributes(window: [], inserted: [0], toOperand: [0], indexVectorDim: 1),
            regions: [IndexedProgram.combining(opName, [input.elementType])])
        return out[0]
    }

    /// The interpreter test suite's example: a window of 2x2, duplicate targets, and the
    /// update at `[0, 9]` skipped element by element where it leaves the input.
    @Test("spec example", arguments: indexTypes)
    func specExample(indexType: ElementType) throws {
        let input = IndexedProgram.numbers(.si(64), [3, 4, 2], (1...24).map(Int64.init))
        let indices = IndexedProgram.integers(indexType, [2, 3, 2], [0, 2, 1, 0, 2, 1, 0, 1, 1, 0, 0, 9])
        let updates = IndexedProgram.numbers(.si(64), [2, 3, 2, 2], Array(repeating: 1, count: 24))
        let out = try IndexedProgram.run("stablehlo.scatter", [input, indices, updates], results: [input.type],
            attributes: Self.scatterAttributes(window: [2, 3], inserted: [0], toOperand: [1, 0], indexVectorDim: 2),
            regions: [IndexedProgram.combining("stablehlo.add", [.si(64)])])
        #expect(out[0].ints == [1, 2, 5, 6, 7, 8, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 21, 22, 23, 24])
    }

    @Test("spec example with batching dimensions", arguments: indexTypes)
    func batchingExample(indexType: ElementType) throws {
        let input = IndexedProgram.numbers(.si(64), [2, 3, 4, 2], (1...48).map(Int64.init))
        let indices = IndexedProgram.integers(indexType, [2, 2, 3, 2], [
            0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 0, 9,
            0, 0, 2, 1, 2, 2, 1, 2, 0, 1, 1, 0,
        ])
        let updates = IndexedProgram.numbers(.si(64), [2, 2, 3, 2, 2], Array(repeating: 1, count: 48))
        let out = try IndexedProgram.run("stablehlo.scatter", [input, indices, updates], results: [input.type],
            attributes: Self.scatterAttributes(window: [3, 4], inserted: [1], inputBatching: [0], indicesBatching: [1],
                                               toOperand: [2, 1], indexVectorDim: 3),
            regions: [IndexedProgram.combining("stablehlo.add", [.si(64)])])
        #expect(out[0].ints == [
            3, 4, 6, 7, 6, 7, 7, 8, 9, 10, 11, 12, 15, 16, 17, 18, 17, 18, 19, 20, 22, 23, 24, 25,
            25, 26, 28, 29, 30, 31, 31, 32, 35, 36, 38, 39, 38, 39, 39, 40, 41, 42, 44, 45, 46, 47, 47, 48,
        ])
    }

    /// One case of a directly evaluated update: input, updates, expected result.
    struct CombineCase: CustomTestStringConvertible, Sendable {
        var op: String?
        var type: ElementType
        var input: [Int64]
        var updates: [Int64]
        var expected: [Double]
        var testDescription: String { "\(op ?? "replace") on \(type)" }
    }

    static let combineCases: [CombineCase] = [
        // Integers wrap at their width; unsigned compare as unsigned.
        CombineCase(op: "stablehlo.add", type: .ui(8), input: [250, 1, 2, 3], updates: [3, 4, 200, 9], expected: [1, 1, 2, 203]),
        CombineCase(op: "stablehlo.add", type: .si(8), input: [125, 1, 2, 3], updates: [3, 4, -100, 9], expected: [-124, 1, 2, -97]),
        CombineCase(op: "stablehlo.multiply", type: .si(16), input: [300, 1, 2, 3], updates: [10, 11, 5, 9], expected: [-32536, 1, 2, 15]),
        CombineCase(op: "stablehlo.maximum", type: .ui(32), input: [5, 1, 2, 3], updates: [-1, 4, 2, 9], expected: [4294967295, 1, 2, 3]),
        CombineCase(op: "stablehlo.minimum", type: .si(32), input: [5, 1, 2, 3], updates: [-1, 4, 2, 9], expected: [-1, 1, 2, 2]),
        // Booleans: add is or, multiply is and.
        CombineCase(op: "stablehlo.add", type: .i1, input: [0, 0, 1, 0], updates: [1, 0, 1, 1], expected: [1, 0, 1, 1]),
        CombineCase(op: "stablehlo.multiply", type: .i1, input: [1, 0, 1, 1], updates: [1, 0, 1, 1], expected: [0, 0, 1, 1]),
        // Floats round after every step: 2048 + 1 + 1 stays 2048 in f16.
        CombineCase(op: "stablehlo.add", type: .float(.f16), input: [2048, 1, 2, 3], updates: [1, 1, 4, 9], expected: [2048, 1, 2, 7]),
        CombineCase(op: "stablehlo.add", type: .float(.bf16), input: [256, 1, 2, 3], updates: [1, 1, 4, 9], expected: [256, 1, 2, 7]),
        CombineCase(op: "stablehlo.add", type: .float(.f32), input: [16_777_216, 1, 2, 3], updates: [1, 1, 4, 9], expected: [16_777_216, 1, 2, 7]),
        CombineCase(op: "stablehlo.add", type: .float(.f64), input: [16_777_216, 1, 2, 3], updates: [1, 1, 4, 9], expected: [16_777_218, 1, 2, 7]),
        CombineCase(op: "stablehlo.multiply", type: .complex(.f64), input: [2, 1, 2, 3], updates: [3, 5, 4, 9], expected: [30, 1, 2, 12]),
        // Replacement: the later update at a duplicate index wins.
        CombineCase(op: nil, type: .ui(64), input: [1, 2, 3, 4], updates: [7, -1, 5, 9], expected: [Double(UInt64.max), 2, 3, 5]),
        CombineCase(op: nil, type: .float(.bf16), input: [1, 2, 3, 4], updates: [7, 8, 5, 9], expected: [8, 2, 3, 5]),
    ]

    @Test("update computations evaluated directly", arguments: combineCases)
    func directCombination(_ c: CombineCase) throws {
        let input = IndexedProgram.numbers(c.type, [4], c.input)
        let updates = IndexedProgram.numbers(c.type, [4], c.updates)
        let out = try Self.scatter1D(c.op, input, updates)
        #expect(out.type == input.type)
        if c.type.isUnsigned, let v = out.ints {
            #expect(v.map { Double(UInt64(bitPattern: $0)) } == c.expected)
        } else {
            #expect(IndexedProgram.values(out) == c.expected)
        }
    }

    /// IEEE maximum: NaN propagates, and +0 beats -0.
    @Test("float maximum propagates NaN and orders signed zeros")
    func floatMaximum() throws {
        let type = TensorType(shape: [4], elementType: .float(.f32))
        let input = Tensor(type: type, storage: .floats([1, 0, -0.0, 3]))
        let updates = Tensor(type: type, storage: .floats([.nan, 5, 0.0, 1]))
        let out = try Self.scatter1D("stablehlo.maximum", input, updates, at: [0, 0, 2, 3])
        let v = try #require(out.floats)
        #expect(v[0].isNaN)
        #expect(v[1] == 0 && v[3] == 3)
        #expect(v[2] == 0 && v[2].sign == .plus)
    }

    /// A region the kernel does not recognize runs per element and gives the same result
    /// (the later update wins) as the direct path.
    @Test("general region evaluation matches the direct path", arguments: [ElementType.si(32), .float(.f32), .complex(.f32)])
    func generalRegion(type: ElementType) throws {
        let input = IndexedProgram.numbers(type, [5], [0, 0, 0, 0, 0])
        let indices = IndexedProgram.integers(.si(32), [4], [2, 0, 2, 1])
        let updates = IndexedProgram.numbers(type, [4], [10, 20, 30, 40])
        let attributes = Self.scatterAttributes(window: [], inserted: [0], toOperand: [0], indexVectorDim: 1)
        let general = try IndexedProgram.run("stablehlo.scatter", [input, indices, updates], results: [input.type],
            attributes: attributes, regions: [IndexedProgram.replacingThroughTuple(type)])
        let direct = try IndexedProgram.run("stablehlo.scatter", [input, indices, updates], results: [input.type],
            attributes: attributes, regions: [IndexedProgram.combining(nil, [type])])
        #expect(IndexedProgram.values(general[0]) == [20, 40, 30, 0, 0])
        #expect(general == direct)
    }

    @Test("variadic scatter updates every input")
    func variadic() throws {
        let a = IndexedProgram.numbers(.float(.f32), [2, 3], [1, 2, 3, 4, 5, 6])
        let b = IndexedProgram.numbers(.si(32), [2, 3], [10, 20, 30, 40, 50, 60])
        let indices = IndexedProgram.integers(.si(64), [2, 1], [1, 1])
        let ua = IndexedProgram.numbers(.float(.f32), [2, 3], [1, 1, 1, 2, 2, 2])
        let ub = IndexedProgram.numbers(.si(32), [2, 3], [5, 6, 7, 8, 9, 10])
        let out = try IndexedProgram.run("stablehlo.scatter", [a, b, indices, ua, ub], results: [a.type, b.type],
            attributes: Self.scatterAttributes(window: [1], inserted: [0], toOperand: [0], indexVectorDim: 1),
            regions: [IndexedProgram.combining("stablehlo.add", [.float(.f32), .si(32)])])
        #expect(IndexedProgram.values(out[0]) == [1, 2, 3, 7, 8, 9])
        #expect(out[1].ints == [10, 20, 30, 53, 65, 77])
    }

    @Test("inconsistent dimension numbers are an error, not a trap")
    func badAttributes() throws {
        let input = IndexedProgram.numbers(.si(32), [4], [1, 2, 3, 4])
        let indices = IndexedProgram.integers(.si(64), [2, 1], [0, 1])
        let updates = IndexedProgram.numbers(.si(32), [2], [1, 1])
        let region = IndexedProgram.combining("stablehlo.add", [.si(32)])
        for attributes in [
            Self.scatterAttributes(window: [], inserted: [0], toOperand: [0], indexVectorDim: 5),
            Self.scatterAttributes(window: [], inserted: [3], toOperand: [0], indexVectorDim: 1),
            Self.scatterAttributes(window: [0], inserted: [0], toOperand: [0], indexVectorDim: 1),
            Self.scatterAttributes(window: [], inserted: [0], toOperand: [0, 0], indexVectorDim: 1),
        ] {
            #expect(throws: InterpreterError.self) {
                _ = try IndexedProgram.run("stablehlo.scatter", [input, indices, updates], results: [input.type],
                                           attributes: attributes, regions: [region])
            }
        }
    }
}
