import Reference
import StableHLO
import Testing

/// Data-movement ops over every element type: results must equal the sample tensor read
/// through a hand-written index map.
@Suite struct StructuralDataMovementTests {
    typealias P = StructuralProgram

    @Test(arguments: P.allTypes)
    func transpose(_ et: ElementType) throws {
        let x = P.sample(et, [2, 3])
        let y = try P.run1("stablehlo.transpose", [x], P.type([3, 2], et), ["permutation": P.i64s([1, 0])])
        #expect(y == P.sample(et, [3, 2], [0, 3, 1, 4, 2, 5]))
        // Rank 3, permutation [2, 0, 1]: result[i][j][k] = x[j][k][i].
        let z = P.sample(et, [2, 2, 3])
        let w = try P.run1("stablehlo.transpose", [z], P.type([3, 2, 2], et), ["permutation": P.i64s([2, 0, 1])])
        #expect(w == P.sample(et, [3, 2, 2], [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]))
    }

    @Test(arguments: P.allTypes)
    func broadcastInDim(_ et: ElementType) throws {
        let x = P.sample(et, [3, 1])
        let y = try P.run1("stablehlo.broadcast_in_dim", [x], P.type([2, 3, 2], et), ["broadcast_dimensions": P.i64s([1, 2])])
        #expect(y == P.sample(et, [2, 3, 2], [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]))
        // A scalar broadcasts everywhere; an empty result has no elements.
        let s = P.sample(et, [], [7])
        #expect(try P.run1("stablehlo.broadcast_in_dim", [s], P.type([2, 2], et), ["broadcast_dimensions": P.i64s([])])
                == P.sample(et, [2, 2], [7, 7, 7, 7]))
        #expect(try P.run1("stablehlo.broadcast_in_dim", [s], P.type([0, 2], et), ["broadcast_dimensions": P.i64s([])])
                == P.sample(et, [0, 2], []))
        // Legacy broadcast prepends sizes.
        let v = P.sample(et, [2])
        #expect(try P.run1("stablehlo.broadcast", [v], P.type([3, 2], et), ["broadcast_sizes": P.i64s([3])])
                == P.sample(et, [3, 2], [0, 1, 0, 1, 0, 1]))
    }

    @Test func broadcastRejectsMismatchedSizes() {
        let x = P.sample(.float(.f32), [3])
        #expect(throws: InterpreterError.self) {
            try P.run1("stablehlo.broadcast_in_dim", [x], P.type([2, 4], .float(.f32)), ["broadcast_dimensions": P.i64s([1])])
        }
    }

    @Test(arguments: P.allTypes)
    func reshapeAndReverse(_ et: ElementType) throws {
        let x = P.sample(et, [2, 3])
        #expect(try P.run1("stablehlo.reshape", [x], P.type([3, 2], et)) == P.sample(et, [3, 2]))
        #expect(try P.run1("stablehlo.reverse", [x], P.type([2, 3], et), ["dimensions": P.i64s([1])])
                == P.sample(et, [2, 3], [2, 1, 0, 5, 4, 3]))
        #expect(try P.run1("stablehlo.reverse", [x], P.type([2, 3], et), ["dimensions": P.i64s([0, 1])])
                == P.sample(et, [2, 3], [5, 4, 3, 2, 1, 0]))
    }

    @Test(arguments: P.allTypes)
    func slice(_ et: ElementType) throws {
        let x = P.sample(et, [3, 5])
        let y = try P.run1("stablehlo.slice", [x], P.type([2, 2], et), [
            "start_indices": P.i64s([1, 0]), "limit_indices": P.i64s([3, 4]), "strides": P.i64s([1, 2]),
        ])
        #expect(y == P.sample(et, [2, 2], [5, 7, 10, 12]))
        let empty = try P.run1("stablehlo.slice", [x], P.type([0, 5], et), [
            "start_indices": P.i64s([2, 0]), "limit_indices": P.i64s([2, 5]), "strides": P.i64s([1, 1]),
        ])
        #expect(empty.elementCount == 0)
    }

    @Test func sliceRejectsOutOfRangeBounds() {
        let x = P.sample(.si(8), [3])
        #expect(throws: InterpreterError.self) {
            try P.run1("stablehlo.slice", [x], P.type([2], .si(8)), [
                "start_indices": P.i64s([2]), "limit_indices": P.i64s([4]), "strides": P.i64s([1]),
            ])
        }
    }

    @Test(arguments: P.allTypes)
    func concatenate(_ et: ElementType) throws {
        let a = P.sample(et, [2, 1], [0, 1]), b = P.sample(et, [2, 2], [10, 11, 12, 13])
        let y = try P.run1("stablehlo.concatenate", [a, b], P.type([2, 3], et), ["dimension": P.int(1)])
        #expect(y == P.sample(et, [2, 3], [0, 10, 11, 1, 12, 13]))
        let c = P.sample(et, [0, 2], [])
        let z = try P.run1("stablehlo.concatenate", [b, c, b], P.type([4, 2], et), ["dimension": P.int(0)])
        #expect(z == P.sample(et, [4, 2], [10, 11, 12, 13, 10, 11, 12, 13]))
    }

    @Test(arguments: P.allTypes)
    func pad(_ et: ElementType) throws {
        let x = P.sample(et, [2, 3])
        let v = P.sample(et, [], [99])
        // Low 1 / high 0 / interior 1 on dim 0; low -1 / high 1 on dim 1.
        let y = try P.run1("stablehlo.pad", [x, v], P.type([4, 3], et), [
            "edge_padding_low": P.i64s([1, -1]), "edge_padding_high": P.i64s([0, 1]), "interior_padding": P.i64s([1, 0]),
        ])
        #expect(y == P.sample(et, [4, 3], [99, 99, 99, 1, 2, 99, 99, 99, 99, 4, 5, 99]))
    }

    @Test func padOfEmptyOperandIsAllPadding() throws {
        let x = P.sample(.si(8), [0]), v = P.sample(.si(8), [], [4])
        let y = try P.run1("stablehlo.pad", [x, v], P.type([3], .si(8)), [
            "edge_padding_low": P.i64s([1]), "edge_padding_high": P.i64s([2]), "interior_padding": P.i64s([5]),
        ])
        #expect(y == P.sample(.si(8), [3], [4, 4, 4]))
    }

    @Test func dynamicPadMatchesTheInterpreterTest() throws {
        let x = P.tensor(.si(64), [5, 4], ints: [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0, 0, 0, 0])
        let v = P.tensor(.si(64), [], ints: [-1])
        let low = P.tensor(.si(64), [2], ints: [1, -1]), high = P.tensor(.si(64), [2], ints: [1, -1])
        let interior = P.tensor(.si(64), [2], ints: [0, 1])
        let y = try P.run1("stablehlo.dynamic_pad", [x, v, low, high, interior], P.type([7, 5], .si(64)))
        #expect(y == P.tensor(.si(64), [7, 5], ints: [
            -1, -1, -1, -1, -1, -1, 0, -1, 0, -1, -1, 1, -1, 2, -1, -1, 3, -1, 4, -1,
            -1, 5, -1, 6, -1, -1, 0, -1, 0, -1, -1, -1, -1, -1, -1,
        ]))
    }

    @Test(arguments: [ElementType.si(64), .ui(8), .float(.f32), .complex(.f64)])
    func dynamicIota(_ et: ElementType) throws {
        let shape = P.tensor(.si(64), [2], ints: [2, 3])
        let y = try P.run1("stablehlo.dynamic_iota", [shape], P.type([TensorType.dynamic, 3], et), ["iota_dimension": P.int(1)])
        #expect(y.shape == [2, 3])
        switch et {
        case .float: #expect(y.storage == .floats([0, 1, 2, 0, 1, 2]))
        case .complex: #expect(y.storage == .complexes([0, 0, 1, 0, 2, 0, 0, 0, 1, 0, 2, 0]))
        default: #expect(y.storage == .ints([0, 1, 2, 0, 1, 2]))
        }
    }

    @Test func dynamicBroadcastReshapeAndSlice() throws {
        let x = P.tensor(.si(64), [3, 1], ints: [1, 2, 3])
        let dims = P.tensor(.si(64), [3], ints: [3, 2, 2])
        let b = try P.run1("stablehlo.dynamic_broadcast_in_dim", [x, dims], P.type([3, 2, 2], .si(64)),
                           ["broadcast_dimensions": P.i64s([0, 2])])
        #expect(b.storage == .ints([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]))
        let r = try P.run1("stablehlo.dynamic_reshape", [b, P.tensor(.si(32), [2], ints: [6, 2])], P.type([6, 2], .si(64)))
        #expect(r.shape == [6, 2])
        let s = try P.run1("stablehlo.real_dynamic_slice", [r, P.tensor(.si(64), [2], ints: [1, 0]),
                                                             P.tensor(.si(64), [2], ints: [6, 1]), P.tensor(.si(64), [2], ints: [2, 1])],
                           P.type([TensorType.dynamic, 1], .si(64)))
        #expect(s.shape == [3, 1])
        #expect(s.storage == .ints([1, 2, 3]))
    }

    @Test func getDimensionSize() throws {
        let x = P.sample(.float(.f32), [2, 5])
        let y = try P.run1("stablehlo.get_dimension_size", [x], P.type([], .si(32)), ["dimension": P.int(1)])
        #expect(y.storage == .ints([5]))
    }
}
