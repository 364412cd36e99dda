/// `triangular_solve`, `cholesky`, `rng_bit_generator` and the CHLO ops JAX emits
/// (element-wise math, `next_after`, `top_k`).
enum LinearAlgebraRules {
    static let table: [String: VerificationRule] = {
        var t: [String: VerificationRule] = [
            "stablehlo.triangular_solve": triangularSolve,
            "stablehlo.cholesky": cholesky,
            "stablehlo.rng_bit_generator": rngBitGenerator,
            "chlo.top_k": topK,
            "chlo.next_after": { try ElementwiseRules.sameTypeBinary($0, .float) },
        ]
        let floatOnly = ["bessel_i1e", "digamma", "erf", "erfc", "erf_inv", "lgamma"]
        let floatOrComplex = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "cosh", "sinh", "tan"]
        for name in floatOnly { t["chlo." + name] = { try ElementwiseRules.sameTypeUnary($0, .float) } }
        for name in floatOrComplex { t["chlo." + name] = { try ElementwiseRules.sameTypeUnary($0, [.float, .complex]) } }
        return t
    }()

    /// Throws unless `type` is a batch of square matrices.
    static func expectSquareMatrices(_ v: VerifiedOperation, _ type: TensorType, _ what: String) throws {
        guard type.rank >= 2, TensorType.compatibleDims(type.shape[type.rank - 1], type.shape[type.rank - 2]) else {
            throw v.error("\(what) \(type) must be a batch of square matrices")
        }
    }

    /// `triangular_solve(a, b)`: `a` square, batch dims shared, the solved dim matching.
    static func triangularSolve(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let a = try v.operand(0), b = try v.operand(1)
        try v.expectElementClass(a, [.float, .complex], "a")
        try v.expectSameElementType(a, b, "a", "b")
        try expectSquareMatrices(v, a, "a")
        guard b.rank == a.rank else { throw v.error("b \(b) must have the rank of a \(a)") }
        guard TensorType.compatibleShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2))) else {
            throw v.error("batch dimensions of a \(a) and b \(b) differ")
        }
        let leftSide = v.op[attribute: "left_side"]?.intValue == 1
        let solved = leftSide ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        guard TensorType.compatibleDims(solved, a.shape[a.rank - 1]) else {
            throw v.error("b \(b) does not match a \(a) on the \(leftSide ? "left" : "right") side")
        }
        if v.enumValue("transpose_a") == "TRANSPOSE_INVALID" { throw v.error("transpose_a must not be TRANSPOSE_INVALID") }
        try v.expectResult(0, b)
    }

    /// `cholesky(a)`: `a` square; the result has its type.
    static func cholesky(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let a = try v.operand(0)
        try v.expectElementClass(a, [.float, .complex], "a")
        try expectSquareMatrices(v, a, "a")
        try v.expectResult(0, a)
    }

    /// `rng_bit_generator(state)`: the output state has the input state's type.
    static func rngBitGenerator(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(2)
        let state = try v.operand(0)
        try v.expectResult(0, state)
        try v.expectElementClass(try v.result(1), [.integer, .float], "output")
    }

    /// `chlo.top_k(operand, k)`: values and `i32` indices shaped `[..., k]`, `k <= last dim`.
    static func topK(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(2)
        let x = try v.operand(0)
        let k = try v.int("k")
        guard let last = x.shape.last else { throw v.error("operand must have rank at least 1, got \(x)") }
        guard k >= 0, last == TensorType.dynamic || k <= last else {
            throw v.error("k = \(k) exceeds the last dimension of \(x)")
        }
        let shape = Array(x.shape.dropLast()) + [k]
        try v.expectResult(0, TensorType(shape: shape, elementType: x.elementType))
        try v.expectResult(1, TensorType(shape: shape, elementType: .si(32)))
    }
}
