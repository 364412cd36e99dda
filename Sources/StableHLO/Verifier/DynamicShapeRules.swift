/// Ops whose output shape comes from an operand: `dynamic_iota`, `dynamic_broadcast_in_dim`,
/// `dynamic_pad`, `dynamic_reshape`; plus the process-identity ops and `outfeed`.
enum DynamicShapeRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.dynamic_iota": dynamicIota,
        "stablehlo.dynamic_broadcast_in_dim": dynamicBroadcastInDim,
        "stablehlo.dynamic_pad": dynamicPad,
        "stablehlo.dynamic_reshape": dynamicReshape,
        "stablehlo.replica_id": processIdentity,
        "stablehlo.partition_id": processIdentity,
        "stablehlo.outfeed": outfeed,
    ]

    /// Throws unless operand `i` is a 1-D integer tensor of `count` entries (a shape or
    /// per-dimension list).
    static func expectShapeOperand(_ v: VerifiedOperation, _ i: Int, count: Int, _ what: String) throws {
        let t = try v.operand(i)
        try v.expectElementClass(t, .integer, what)
        guard t.rank == 1, TensorType.compatibleDims(t.shape[0], count) else {
            throw v.error("\(what) \(t) must be a 1-D tensor of \(count) entries")
        }
    }

    static func dynamicIota(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let y = try v.result(0)
        try expectShapeOperand(v, 0, count: y.rank, "output_shape")
        let dimension = try v.int("iota_dimension")
        guard dimension >= 0, dimension < y.rank else {
            throw v.error("iota_dimension \(dimension) is out of range for \(y)")
        }
    }

    static func dynamicBroadcastInDim(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        try v.expectSameElementType(x, y, "operand", "result")
        try expectShapeOperand(v, 1, count: y.rank, "output_dimensions")
        let dims = try v.ints("broadcast_dimensions")
        try v.expectSize(dims, x.rank, "broadcast_dimensions")
        try v.expectInRange(dims, rank: y.rank, "broadcast_dimensions")
        try v.expectUnique(dims, "broadcast_dimensions")
        for (i, d) in dims.enumerated() where x.shape[i] != 1 && !TensorType.compatibleDims(x.shape[i], y.shape[d]) {
            throw v.error("operand dimension \(i) of \(x) cannot broadcast to result dimension \(d) of \(y)")
        }
    }

    static func dynamicPad(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(5)
        try v.expectResultCount(1)
        let x = try v.operand(0), value = try v.operand(1), y = try v.result(0)
        try v.expectSameElementType(value, x, "padding_value", "operand")
        try v.expectSameElementType(y, x, "result", "operand")
        guard value.rank == 0 else { throw v.error("padding_value must be a scalar tensor, got \(value)") }
        guard y.rank == x.rank else { throw v.error("result \(y) must have the rank of operand \(x)") }
        for (i, name) in [(2, "edge_padding_low"), (3, "edge_padding_high"), (4, "interior_padding")] {
            try expectShapeOperand(v, i, count: x.rank, name)
        }
    }

    static func dynamicReshape(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        try v.expectSameElementType(x, y, "operand", "result")
        try expectShapeOperand(v, 1, count: y.rank, "output_shape")
        if x.isStatic, y.isStatic, try v.elementCount(x) != v.elementCount(y) {
            throw v.error("operand \(x) has \(try v.elementCount(x)) elements but result \(y) has \(try v.elementCount(y))")
        }
    }

    /// `replica_id` / `partition_id`: no operands, a `tensor<ui32>` result.
    static func processIdentity(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(0)
        try v.expectResultCount(1)
        try v.expectResult(0, TensorType(shape: [], elementType: .ui(32)))
    }

    /// `outfeed(inputs..., token) -> token`.
    static func outfeed(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(1)
        guard v.op.operands.last?.type == .token else { throw v.error("last operand must be a token") }
        guard v.op.results[0].type == .token else { throw v.error("result must be a token, got \(v.op.results[0].type)") }
    }
}
