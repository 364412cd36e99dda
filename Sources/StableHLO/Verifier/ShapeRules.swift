/// Ops that make or reshape tensors: `constant`, `iota`, `broadcast_in_dim`, `reshape`,
/// `transpose`, `concatenate`, `pad`, `reverse`, `get_dimension_size`.
enum ShapeRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.constant": constant,
        "stablehlo.iota": iota,
        "stablehlo.broadcast_in_dim": broadcastInDim,
        "stablehlo.reshape": reshape,
        "stablehlo.transpose": transpose,
        "stablehlo.concatenate": concatenate,
        "stablehlo.pad": pad,
        "stablehlo.reverse": reverse,
        "stablehlo.get_dimension_size": getDimensionSize,
    ]

    /// `constant`: the literal's type is the result type, and it holds the right bytes.
    static func constant(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(0)
        try v.expectResultCount(1)
        let declared = try v.result(0)
        guard let value = v.op[attribute: "value"] else { throw v.error("missing attribute 'value'") }
        guard case .dense(let literal) = value else { return }  // dense_resource etc.: kept verbatim
        guard literal.type == declared else {
            throw v.error("literal type \(literal.type) differs from result type \(declared)")
        }
        let width = literal.type.elementType.storageBytes
        let expected = literal.isSplat ? width : try v.multiply(width, try v.elementCount(literal.type), "literal size")
        guard literal.bytes.count == expected else {
            throw v.error("literal holds \(literal.bytes.count) bytes, \(declared) needs \(expected)")
        }
    }

    /// `iota`: `0 <= iota_dimension < rank(result)`.
    static func iota(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(0)
        try v.expectResultCount(1)
        let y = try v.result(0)
        let dimension = try v.int("iota_dimension")
        guard dimension >= 0, dimension < y.rank else {
            throw v.error("iota_dimension \(dimension) is out of range for \(y)")
        }
        try v.expectElementClass(y, [.integer, .float, .complex], "result")
    }

    /// `broadcast_in_dim`: operand dim `i` maps to result dim `broadcast_dimensions[i]`,
    /// where it must be 1 or equal.
    static func broadcastInDim(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        try v.expectSameElementType(x, y, "operand", "result")
        let dims = try v.ints("broadcast_dimensions")
        try v.expectSize(dims, x.rank, "broadcast_dimensions")
        try v.expectInRange(dims, rank: y.rank, "broadcast_dimensions")
        try v.expectUnique(dims, "broadcast_dimensions")
        for (i, d) in dims.enumerated() where x.shape[i] != 1 {
            guard TensorType.compatibleDims(x.shape[i], y.shape[d]) else {
                throw v.error("operand dimension \(i) of \(x) (size \(x.shape[i])) cannot broadcast to result dimension \(d) of \(y) (size \(y.shape[d]))")
            }
        }
    }

    /// `reshape`: same element type and element count.
    static func reshape(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        try v.expectSameElementType(x, y, "operand", "result")
        if x.isStatic, y.isStatic, try v.elementCount(x) != v.elementCount(y) {
            throw v.error("operand \(x) has \(try v.elementCount(x)) elements but result \(y) has \(try v.elementCount(y))")
        }
    }

    /// `transpose`: `permutation` permutes `0..<rank`; result dim `i` is operand dim `permutation[i]`.
    static func transpose(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        let permutation = try v.ints("permutation")
        guard permutation.count == x.rank, permutation.isPermutation else {
            throw v.error("permutation \(permutation) is not a permutation of the \(x.rank) dimensions of \(x)")
        }
        try v.expectResult(0, TensorType(shape: permutation.map { x.shape[$0] }, elementType: x.elementType))
    }

    /// `concatenate`: same rank and element type, equal sizes off `dimension`, summed on it.
    static func concatenate(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(1)
        let inputs = try v.operands(0..<v.op.operands.count)
        let first = inputs[0]
        let dimension = try v.int("dimension")
        guard dimension >= 0, dimension < first.rank else {
            throw v.error("dimension \(dimension) is out of range for \(first)")
        }
        var shape = first.shape
        for (i, input) in inputs.enumerated().dropFirst() {
            try v.expectSameElementType(input, first, "operand #\(i)", "operand #0")
            guard input.rank == first.rank else { throw v.error("operand #\(i) \(input) has a different rank from operand #0 \(first)") }
            for d in 0..<first.rank where d != dimension {
                guard TensorType.compatibleDims(input.shape[d], first.shape[d]) else {
                    throw v.error("operand #\(i) \(input) differs from operand #0 \(first) in dimension \(d)")
                }
            }
            shape[dimension] = (shape[dimension] == TensorType.dynamic || input.shape[dimension] == TensorType.dynamic)
                ? TensorType.dynamic : try v.add(shape[dimension], input.shape[dimension], "concatenated dimension")
        }
        try v.expectResult(0, TensorType(shape: shape, elementType: first.elementType))
    }

    /// `pad`: scalar padding value; result dim = low + dim + high + (dim - 1) * interior.
    static func pad(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let x = try v.operand(0), value = try v.operand(1)
        try v.expectSameElementType(value, x, "padding_value", "operand")
        guard value.rank == 0 else { throw v.error("padding_value must be a scalar tensor, got \(value)") }
        let low = try v.ints("edge_padding_low"), high = try v.ints("edge_padding_high")
        let interior = try v.ints("interior_padding")
        try v.expectSize(low, x.rank, "edge_padding_low")
        try v.expectSize(high, x.rank, "edge_padding_high")
        try v.expectSize(interior, x.rank, "interior_padding")
        if let bad = interior.first(where: { $0 < 0 }) { throw v.error("interior_padding \(interior) has negative entry \(bad)") }
        var shape: [Int] = []
        for d in 0..<x.rank {
            let n = x.shape[d]
            guard n != TensorType.dynamic else { shape.append(n); continue }
            let what = "padded dimension \(d)"
            let interiorTotal = try v.multiply(max(n - 1, 0), interior[d], what)
            let size = try v.add(try v.add(try v.add(low[d], n, what), high[d], what), interiorTotal, what)
            guard size >= 0 else { throw v.error("padding makes dimension \(d) of \(x) negative (\(size))") }
            shape.append(size)
        }
        try v.expectResult(0, TensorType(shape: shape, elementType: x.elementType))
    }

    /// `reverse`: unique in-range `dimensions`; the type is unchanged.
    static func reverse(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        let dims = try v.ints("dimensions")
        try v.expectUnique(dims, "dimensions")
        try v.expectInRange(dims, rank: x.rank, "dimensions")
        try v.expectResult(0, x)
    }

    /// `get_dimension_size`: an in-range `dimension`, a `tensor<i32>` result.
    static func getDimensionSize(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        let dimension = try v.int("dimension")
        guard dimension >= 0, dimension < x.rank else {
            throw v.error("dimension \(dimension) is out of range for \(x)")
        }
        try v.expectResult(0, TensorType(shape: [], elementType: .si(32)))
    }
}
