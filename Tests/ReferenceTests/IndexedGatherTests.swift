import Reference
import StableHLO
import Testing

@Suite("Indexed: gather")
struct IndexedGatherTests {
    static let indexTypes: [ElementType] = [.si(8), .si(32), .si(64), .ui(8), .ui(32), .ui(64)]
    static let dataTypes: [ElementType] = [.si(32), .ui(16), .float(.f32), .float(.bf16), .float(.f64), .complex(.f32)]

    static func gatherAttributes(
        offset: [Int], collapsed: [Int] = [], operandBatching: [Int] = [], indicesBatching: [Int] = [],
        startIndexMap: [Int], indexVectorDim: Int, sliceSizes: [Int]
    ) -> [NamedAttribute] {
        var ps: [NamedAttribute] = []
        if !offset.isEmpty { ps.append(NamedAttribute("offset_dims", IndexedProgram.list(offset))) }
        if !collapsed.isEmpty { ps.append(NamedAttribute("collapsed_slice_dims", IndexedProgram.list(collapsed))) }
        if !operandBatching.isEmpty { ps.append(NamedAttribute("operand_batching_dims", IndexedProgram.list(operandBatching))) }
        if !indicesBatching.isEmpty { ps.append(NamedAttribute("start_indices_batching_dims", IndexedProgram.list(indicesBatching))) }
        ps.append(NamedAttribute("start_index_map", IndexedProgram.list(startIndexMap)))
        if indexVectorDim != 0 { ps.append(NamedAttribute("index_vector_dim", .integer(Int64(indexVectorDim), type: nil))) }
        return [
            NamedAttribute("dimension_numbers", .dialect(name: "stablehlo.gather", parameters: ps)),
            NamedAttribute("slice_sizes", IndexedProgram.i64s(sliceSizes)),
            NamedAttribute("indices_are_sorted", .bool(false)),
        ]
    }

    /// The spec's example: batching dims, a clamped start index (`[0, 9]`), two offset dims.
    @Test("spec example with batching dimensions", arguments: dataTypes, indexTypes)
    func specExample(dataType: ElementType, indexType: ElementType) throws {
        let operand = IndexedProgram.numbers(dataType, [2, 3, 4, 2], (1...48).map(Int64.init))
        let indices = IndexedProgram.integers(indexType, [2, 2, 3, 2], [
            0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 0, 9,
            0, 0, 2, 1, 2, 2, 1, 2, 0, 1, 1, 0,
        ])
        let resultType = TensorType(shape: [2, 2, 3, 2, 2], elementType: dataType)
        let out = try IndexedProgram.run("stablehlo.gather", [operand, indices], results: [resultType],
            attributes: Self.gatherAttributes(offset: [3, 4], collapsed: [1], operandBatching: [0], indicesBatching: [1],
                                              startIndexMap: [2, 1], indexVectorDim: 3, sliceSizes: [1, 1, 2, 2]))
        let expected: [Double] = [
            1, 2, 3, 4, 3, 4, 5, 6, 13, 14, 15, 16,
            33, 34, 35, 36, 35, 36, 37, 38, 41, 42, 43, 44,
            1, 2, 3, 4, 13, 14, 15, 16, 21, 22, 23, 24,
            43, 44, 45, 46, 33, 34, 35, 36, 27, 28, 29, 30,
        ]
        #expect(out[0].type == resultType)
        #expect(IndexedProgram.values(out[0]) == expected)
    }

    /// Start indices are clamped so the whole slice fits: -3 → 0, 10 → 3, and a `ui64`
    /// index above `Int64.max` → 3.
    @Test("start indices are clamped", arguments: [ElementType.si(32), .si(64), .ui(64)])
    func clamping(indexType: ElementType) throws {
        let operand = IndexedProgram.numbers(.float(.f32), [5], [10, 11, 12, 13, 14])
        let big: Int64 = indexType == .ui(64) ? -5 : 10  // -5 as ui64 is 2^64 - 5
        let starts: [Int64] = indexType.isUnsigned ? [2, big] : [-3, big, 2]
        let indices = IndexedProgram.integers(indexType, [starts.count, 1], starts)
        let resultType = TensorType(shape: [starts.count, 2], elementType: .float(.f32))
        let out = try IndexedProgram.run("stablehlo.gather", [operand, indices], results: [resultType],
            attributes: Self.gatherAttributes(offset: [1], startIndexMap: [0], indexVectorDim: 1, sliceSizes: [2]))
        let expected: [Double] = indexType.isUnsigned ? [12, 13, 13, 14] : [10, 11, 13, 14, 12, 13]
        #expect(IndexedProgram.values(out[0]) == expected)
    }

    /// `index_vector_dim` equal to the index rank: each index element is a whole start index.
    @Test("implicit index vector dimension")
    func implicitIndexVector() throws {
        let operand = IndexedProgram.numbers(.si(64), [3, 4], (0..<12).map(Int64.init))
        let indices = IndexedProgram.integers(.si(32), [2], [2, 0])
        let resultType = TensorType(shape: [4, 2], elementType: .si(64))
        let out = try IndexedProgram.run("stablehlo.gather", [operand, indices], results: [resultType],
            attributes: Self.gatherAttributes(offset: [0], collapsed: [0], startIndexMap: [0], indexVectorDim: 1,
                                              sliceSizes: [1, 4]))
        #expect(out[0].ints == [8, 0, 9, 1, 10, 2, 11, 3])
    }

    /// `dynamic_gather` takes `slice_sizes` as an operand; the start (0, 3) clamps to (0, 2).
    @Test("dynamic_gather", arguments: [ElementType.si(32), .ui(64)])
    func dynamicGather(sizeType: ElementType) throws {
        let operand = IndexedProgram.numbers(.float(.f16), [3, 4], (0..<12).map(Int64.init))
        let indices = IndexedProgram.integers(.si(64), [2, 2], [2, 1, 0, 3])
        let sizes = IndexedProgram.integers(sizeType, [2], [1, 2])
        var attributes = Self.gatherAttributes(offset: [1], collapsed: [0], startIndexMap: [0, 1], indexVectorDim: 1,
                                               sliceSizes: [])
        attributes.removeAll { $0.name == "slice_sizes" }
        let out = try IndexedProgram.run("stablehlo.dynamic_gather", [operand, indices, sizes],
            results: [TensorType(shape: [2, 2], elementType: .float(.f16))], attributes: attributes)
        #expect(IndexedProgram.values(out[0]) == [9, 10, 2, 3])
    }

    @Test("a result type that does not match is an error, not a trap")
    func mismatchedResult() throws {
        let operand = IndexedProgram.numbers(.si(64), [3, 4], (0..<12).map(Int64.init))
        let indices = IndexedProgram.integers(.si(32), [2, 1], [2, 0])
        #expect(throws: InterpreterError.self) {
            _ = try IndexedProgram.run("stablehlo.gather", [operand, indices],
                results: [TensorType(shape: [2, 5], elementType: .si(64))],
                attributes: Self.gatherAttributes(offset: [1], collapsed: [0], startIndexMap: [0], indexVectorDim: 1,
                                                  sliceSizes: [1, 5]))
        }
        #expect(throws: InterpreterError.self) {
            _ = try IndexedProgram.run("stablehlo.gather", [operand, indices],
                results: [TensorType(shape: [2, 4], elementType: .si(64))],
                attributes: Self.gatherAttributes(offset: [1], collapsed: [0], startIndexMap: [7], indexVectorDim: 1,
                                                  sliceSizes: [1, 4]))
        }
    }
}
