/// `slice`, `dynamic_slice`, `dynamic_update_slice`: index lists sized to the rank,
/// bounds inside the operand, and the result shape they imply.
enum SlicingRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.slice": slice,
        "stablehlo.dynamic_slice": dynamicSlice,
        "stablehlo.dynamic_update_slice": dynamicUpdateSlice,
    ]

    /// `slice`: `0 <= start <= limit <= dim`, `strides > 0`; result dim = ceil((limit - start) / stride).
    static func slice(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        let start = try v.ints("start_indices"), limit = try v.ints("limit_indices")
        let strides = try v.ints("strides")
        try v.expectSize(start, x.rank, "start_indices")
        try v.expectSize(limit, x.rank, "limit_indices")
        try v.expectSize(strides, x.rank, "strides")
        var shape: [Int] = []
        for d in 0..<x.rank {
            guard strides[d] > 0 else { throw v.error("strides \(strides) must be positive") }
            guard start[d] >= 0, start[d] <= limit[d] else {
                throw v.error("start_indices \(start) and limit_indices \(limit) are out of order in dimension \(d)")
            }
            if x.shape[d] != TensorType.dynamic, limit[d] > x.shape[d] {
                throw v.error("limit_indices \(limit) exceed \(x) in dimension \(d)")
            }
            let extent = limit[d] - start[d]  // both non-negative: cannot overflow
            shape.append(extent / strides[d] + (extent % strides[d] == 0 ? 0 : 1))
        }
        try v.expectResult(0, TensorType(shape: shape, elementType: x.elementType))
    }

    /// Throws unless operands `range` are scalar integer tensors of one element type.
    static func expectStartIndices(_ v: VerifiedOperation, _ range: Range<Int>) throws {
        var first: ElementType?
        for i in range {
            let index = try v.operand(i)
            guard index.rank == 0, ElementClass.integer.contains(ElementClass(index.elementType)) else {
                throw v.error("start index operand #\(i) must be a scalar integer tensor, got \(index)")
            }
            if let first, first != index.elementType {
                throw v.error("start indices mix element types \(first) and \(index.elementType)")
            }
            first = index.elementType
        }
    }

    /// `dynamic_slice(operand, start_indices...)`: one index per dimension;
    /// `0 <= slice_sizes <= dim`; the result shape is `slice_sizes`.
    static func dynamicSlice(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        guard v.op.operands.count - 1 == x.rank else {
            throw v.error("expects \(x.rank) start indices for \(x), got \(v.op.operands.count - 1)")
        }
        try expectStartIndices(v, 1..<v.op.operands.count)
        let sizes = try v.ints("slice_sizes")
        try v.expectSize(sizes, x.rank, "slice_sizes")
        for d in 0..<x.rank {
            let bound = x.shape[d]
            guard sizes[d] >= 0, bound == TensorType.dynamic || sizes[d] <= bound else {
                throw v.error("slice_sizes \(sizes) do not fit \(x) in dimension \(d)")
            }
        }
        try v.expectResult(0, TensorType(shape: sizes, elementType: x.elementType))
    }

    /// `dynamic_update_slice(operand, update, start_indices...)`: the update fits in the
    /// operand; the result has the operand's type.
    static func dynamicUpdateSlice(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 2)
        try v.expectResultCount(1)
        let x = try v.operand(0), update = try v.operand(1)
        try v.expectSameElementType(update, x, "update", "operand")
        guard update.rank == x.rank else { throw v.error("update \(update) and operand \(x) differ in rank") }
        guard v.op.operands.count - 2 == x.rank else {
            throw v.error("expects \(x.rank) start indices for \(x), got \(v.op.operands.count - 2)")
        }
        try expectStartIndices(v, 2..<v.op.operands.count)
        for d in 0..<x.rank where x.shape[d] != TensorType.dynamic && update.shape[d] != TensorType.dynamic {
            guard update.shape[d] <= x.shape[d] else {
                throw v.error("update \(update) does not fit in operand \(x) in dimension \(d)")
            }
        }
        try v.expectResult(0, x)
    }
}
