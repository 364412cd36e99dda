import Reference
import StableHLO
import Testing

@Suite("Indexed: select_and_scatter and dynamic slices")
struct IndexedWindowAndSliceTests {
    /// `dense<...> : tensor<Nx2xi64>` for a padding attribute.
    static func padding(_ pairs: [(Int64, Int64)]) -> Attribute {
        var bytes: [UInt8] = []
        for v in pairs.flatMap({ [$0.0, $0.1] }) {
            for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(bitPattern: v) >> UInt64(8 * k))) }
        }
        return .dense(DenseElements(type: TensorType(shape: [pairs.count, 2], elementType: .si(64)), bytes: bytes))
    }

    static func selectAndScatter(
        _ operand: Tensor, _ source: Tensor, initValue: Int64, select: String, swapped: Bool = false,
        window: [Int], strides: [Int]? = nil, padding: [(Int64, Int64)]? = nil
    ) throws -> Tensor {
        var attributes = [NamedAttribute("window_dimensions", IndexedProgram.i64s(window))]
        if let strides { attributes.append(NamedAttribute("window_strides", IndexedProgram.i64s(strides))) }
        if let padding { attributes.append(NamedAttribute("padding", Self.padding(padding))) }
        let initTensor = IndexedProgram.numbers(operand.elementType, [], [initValue])
        let out = try IndexedProgram.run("stablehlo.select_and_scatter", [operand, source, initTensor],
            results: [operand.type], attributes: attributes,
            regions: [IndexedProgram.comparing(select, operand.elementType, swapped: swapped),
                      IndexedProgram.combining("stablehlo.add", [operand.elementType])])
        return out[0]
    }

    /// The interpreter test suite's example: a 3x1 window, stride 2, one padded row.
    @Test("select_and_scatter with padding", arguments: [ElementType.si(64), .ui(8), .float(.f32), .float(.bf16), .float(.f64)])
    func selectAndScatterPadded(type: ElementType) throws {
        let operand = IndexedProgram.numbers(type, [4, 2], [1, 5, 2, 5, 3, 6, 4, 4])
        let source = IndexedProgram.numbers(type, [2, 2], [5, 6, 7, 8])
        let out = try Self.selectAndScatter(operand, source, initValue: 0, select: "GE",
                                            window: [3, 1], strides: [2, 1], padding: [(0, 1), (0, 0)])
        #expect(IndexedProgram.values(out) == [0, 0, 0, 0, 5, 14, 7, 0])
    }

    /// Ties: `GE` keeps the first element of the window, `GT` moves to the last; the result
    /// starts at the init value.
    @Test("select_and_scatter tie breaking", arguments: ["GE", "GT"])
    func tieBreaking(direction: String) throws {
        let operand = IndexedProgram.numbers(.si(32), [2, 4], [3, 3, 1, 9, 3, 3, 9, 2])
        let source = IndexedProgram.numbers(.si(32), [1, 2], [10, 20])
        let out = try Self.selectAndScatter(operand, source, initValue: 1, select: direction, window: [2, 2], strides: [2, 2])
        let expected: [Int64] = direction == "GE" ? [11, 1, 1, 21, 1, 1, 1, 1] : [1, 1, 1, 1, 1, 11, 21, 1]
        #expect(out.ints == expected)
    }

    /// `LE candidate, current` runs through the general region path and must select exactly
    /// what `GE current, candidate` selects, padding and overlapping windows included.
    @Test("select_and_scatter general select region", arguments: [ElementType.si(32), .ui(16), .float(.f32)])
    func generalSelect(type: ElementType) throws {
        let values: [Int64] = (0..<30).map { ($0 * 7 + 3) % 11 }
        let operand = IndexedProgram.numbers(type, [5, 6], values)
        let source = IndexedProgram.numbers(type, [3, 3], (1...9).map(Int64.init))
        let direct = try Self.selectAndScatter(operand, source, initValue: 0, select: "GE",
                                               window: [3, 2], strides: [2, 2], padding: [(1, 1), (0, 0)])
        let general = try Self.selectAndScatter(operand, source, initValue: 0, select: "LE", swapped: true,
                                                window: [3, 2], strides: [2, 2], padding: [(1, 1), (0, 0)])
        #expect(general == direct)
        #expect(IndexedProgram.values(direct).reduce(0, +) == 45)
    }

    @Test("select_and_scatter with out-of-range window attributes is an error")
    func selectAndScatterBadWindow() throws {
        let operand = IndexedProgram.numbers(.si(32), [4], [1, 2, 3, 4])
        let source = IndexedProgram.numbers(.si(32), [2], [1, 1])
        #expect(throws: InterpreterError.self) {
            _ = try Self.selectAndScatter(operand, source, initValue: 0, select: "GE", window: [2], strides: [2],
                                          padding: [(Int64.min, 0)])
        }
        #expect(throws: InterpreterError.self) {
            _ = try Self.selectAndScatter(operand, source, initValue: 0, select: "GE", window: [0], strides: [2])
        }
        #expect(throws: InterpreterError.self) {
            _ = try Self.selectAndScatter(operand, source, initValue: 0, select: "GE", window: [3], strides: [2])
        }
    }

    static let indexTypes: [ElementType] = [.si(8), .si(32), .si(64), .ui(8), .ui(64)]

    /// The spec's example: start (-1, 3) clamps to (0, 2).
    @Test("dynamic_slice clamps its start", arguments: indexTypes)
    func dynamicSlice(indexType: ElementType) throws {
        let operand = IndexedProgram.numbers(.si(32), [4, 4], [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        let first: Int64 = indexType.isUnsigned ? 0 : -1
        let starts = [IndexedProgram.integers(indexType, [], [first]), IndexedProgram.integers(indexType, [], [3])]
        let out = try IndexedProgram.run("stablehlo.dynamic_slice", [operand] + starts,
            results: [TensorType(shape: [2, 2], elementType: .si(32))],
            attributes: [NamedAttribute("slice_sizes", IndexedProgram.i64s([2, 2]))])
        #expect(out[0].ints == [1, 1, 1, 1])
    }

    @Test("dynamic_slice with a ui64 start above Int64.max", arguments: [ElementType.complex(.f32), .float(.f16), .i1])
    func dynamicSliceHugeStart(type: ElementType) throws {
        let operand = IndexedProgram.numbers(type, [5], [1, 0, 1, 0, 1])
        let out = try IndexedProgram.run("stablehlo.dynamic_slice", [operand, IndexedProgram.integers(.ui(64), [], [-2])],
            results: [TensorType(shape: [2], elementType: type)],
            attributes: [NamedAttribute("slice_sizes", IndexedProgram.i64s([2]))])
        #expect(IndexedProgram.values(out[0]) == [0, 1])
    }

    /// The interpreter test suite's example: start (4, 4) clamps to (2, 1).
    @Test("dynamic_update_slice clamps its start", arguments: indexTypes)
    func dynamicUpdateSlice(indexType: ElementType) throws {
        let operand = IndexedProgram.numbers(.si(64), [4, 4], [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 2, 2, 2])
        let update = IndexedProgram.numbers(.si(64), [2, 3], [1, 1, 1, 1, 1, 1])
        let starts = [IndexedProgram.integers(indexType, [], [4]), IndexedProgram.integers(indexType, [], [4])]
        let out = try IndexedProgram.run("stablehlo.dynamic_update_slice", [operand, update] + starts,
                                         results: [operand.type])
        #expect(out[0].ints == Array(repeating: 1, count: 16))
    }

    @Test("dynamic_update_slice places the update", arguments: [ElementType.float(.f32), .complex(.f64), .ui(16)])
    func dynamicUpdateSlicePlacement(type: ElementType) throws {
        let operand = IndexedProgram.numbers(type, [3, 3], Array(repeating: 0, count: 9))
        let update = IndexedProgram.numbers(type, [1, 2], [7, 8])
        let starts = [IndexedProgram.integers(.si(32), [], [1]), IndexedProgram.integers(.si(32), [], [-5])]
        let out = try IndexedProgram.run("stablehlo.dynamic_update_slice", [operand, update] + starts,
                                         results: [operand.type])
        #expect(IndexedProgram.values(out[0]) == [0, 0, 0, 7, 8, 0, 0, 0, 0])
    }

    @Test("dynamic ops with a wrong number of start indices are an error")
    func wrongStartCount() throws {
        let operand = IndexedProgram.numbers(.si(32), [4, 4], Array(repeating: 0, count: 16))
        #expect(throws: InterpreterError.self) {
            _ = try IndexedProgram.run("stablehlo.dynamic_slice", [operand, IndexedProgram.integers(.si(32), [], [0])],
                results: [TensorType(shape: [2, 2], elementType: .si(32))],
                attributes: [NamedAttribute("slice_sizes", IndexedProgram.i64s([2, 2]))])
        }
        #expect(throws: InterpreterError.self) {
            _ = try IndexedProgram.run("stablehlo.dynamic_slice",
                [operand, IndexedProgram.integers(.si(32), [], [0]), IndexedProgram.integers(.si(32), [], [0])],
                results: [TensorType(shape: [5, 2], elementType: .si(32))],
                attributes: [NamedAttribute("slice_sizes", IndexedProgram.i64s([5, 2]))])
        }
    }
}
