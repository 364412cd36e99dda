import Reference
import StableHLO
import Testing

/// `triangular_solve`, `cholesky` and the batch-norm ops against values worked out by hand.
@Suite struct StructuralLinearAlgebraTests {
    typealias P = StructuralProgram

    func close(_ a: [Double]?, _ b: [Double], tolerance: Double = 1e-5) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    func solve(_ a: Tensor, _ b: Tensor, left: Bool, lower: Bool, unit: Bool = false, transpose: String = "NO_TRANSPOSE") throws -> Tensor {
        try P.run1("stablehlo.triangular_solve", [a, b], b.type, [
            "left_side": .bool(left), "lower": .bool(lower), "unit_diagonal": .bool(unit),
            "transpose_a": .enumCase(dialect: "stablehlo", kind: "transpose", value: transpose),
        ])
    }

    static let a = P.tensor(.float(.f32), [2, 2], floats: [2, 0, 1, 4])  // lower: [[2, 0], [1, 4]]

    @Test func leftLowerSolve() throws {
        // [[2,0],[1,4]] x = [4, 6] → x = [2, 1].
        let x = try solve(Self.a, P.tensor(.float(.f32), [2, 1], floats: [4, 6]), left: true, lower: true)
        #expect(close(x.floats, [2, 1]))
    }

    @Test func leftLowerTransposedSolve() throws {
        // [[2,1],[0,4]] x = [4, 8] → x = [1, 2].
        let x = try solve(Self.a, P.tensor(.float(.f32), [2, 1], floats: [4, 8]), left: true, lower: true, transpose: "TRANSPOSE")
        #expect(close(x.floats, [1, 2]))
    }

    @Test func rightLowerSolveAndUnitDiagonal() throws {
        // x [[2,0],[1,4]] = [5, 8] → x = [1.5, 2].
        let x = try solve(Self.a, P.tensor(.float(.f64), [1, 2], floats: [5, 8]).converted(.float(.f32)), left: false, lower: true)
        #expect(close(x.floats, [1.5, 2]))
        // Unit diagonal: [[1,0],[1,1]] x = [4, 6] → x = [4, 2].
        let y = try solve(Self.a, P.tensor(.float(.f32), [2, 1], floats: [4, 6]), left: true, lower: true, unit: true)
        #expect(close(y.floats, [4, 2]))
    }

    @Test func upperSolveIgnoresTheLowerTriangle() throws {
        // Upper triangle of [[2,0],[1,4]] is [[2,0],[0,4]].
        let x = try solve(Self.a, P.tensor(.float(.f32), [2, 1], floats: [4, 8]), left: true, lower: false)
        #expect(close(x.floats, [2, 2]))
    }

    @Test func complexAdjointSolve() throws {
        // a = [[i, 0], [0, 2]] lower; adjoint = [[-i, 0], [0, 2]]; (-i) x0 = 1 → x0 = i.
        let et = ElementType.complex(.f32)
        let a = P.tensor(et, [2, 2], complexes: [0, 1, 0, 0, 0, 0, 2, 0])
        let x = try solve(a, P.tensor(et, [2, 1], complexes: [1, 0, 4, 2]), left: true, lower: true, transpose: "ADJOINT")
        #expect(close(x.complexes, [0, 1, 2, 1]))
    }

    @Test(arguments: [true, false])
    func cholesky(_ lower: Bool) throws {
        // [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]].
        let a = P.tensor(.float(.f64), [2, 2], floats: [4, 2, 2, 5])
        let l = try P.run1("stablehlo.cholesky", [a], a.type, ["lower": .bool(lower)])
        #expect(close(l.floats, lower ? [2, 0, 1, 2] : [2, 1, 0, 2]))
    }

    static let epsilon: Attribute = .float(0, type: .scalar(.float(.f32)))

    @Test func batchNormTrainingAndInference() throws {
        let et = ElementType.float(.f32)
        // Features along dimension 1: feature 0 holds [1, 3], feature 1 holds [2, 6].
        let x = P.tensor(et, [2, 2], floats: [1, 2, 3, 6])
        let scale = P.tensor(et, [2], floats: [1, 2]), offset = P.tensor(et, [2], floats: [0, 10])
        let out = try P.run("stablehlo.batch_norm_training", [x, scale, offset],
                            results: [x.type, scale.type, scale.type], ["epsilon": Self.epsilon, "feature_index": P.int(1)])
        #expect(close(out[0].floats, [-1, 8, 1, 12]))
        #expect(close(out[1].floats, [2, 4]))
        #expect(close(out[2].floats, [1, 4]))
        let y = try P.run1("stablehlo.batch_norm_inference", [x, scale, offset, out[1], out[2]], x.type,
                           ["epsilon": Self.epsilon, "feature_index": P.int(1)])
        #expect(close(y.floats, [-1, 8, 1, 12]))
    }

    @Test func batchNormGrad() throws {
        let et = ElementType.float(.f64)
        let x = P.tensor(et, [2, 1], floats: [1, 3])
        let scale = P.tensor(et, [1], floats: [2]), mean = P.tensor(et, [1], floats: [2]), variance = P.tensor(et, [1], floats: [1])
        let dy = P.tensor(et, [2, 1], floats: [1, 0])
        let out = try P.run("stablehlo.batch_norm_grad", [x, scale, mean, variance, dy],
                            results: [x.type, scale.type, scale.type], ["epsilon": Self.epsilon, "feature_index": P.int(1)])
        // x̂ = [-1, 1]; Σdy = 1; Σdy·x̂ = -1; dx = 2 · (dy - 1/2 - x̂ · (-1/2)) = [0, 0].
        #expect(close(out[0].floats, [0, 0]))
        #expect(close(out[1].floats, [-1]))
        #expect(close(out[2].floats, [1]))
    }
}

extension Tensor {
    /// The same values as another float type (test convenience).
    fileprivate func converted(_ et: ElementType) -> Tensor {
        Tensor(type: TensorType(shape: shape, elementType: et), storage: storage)
    }
}
