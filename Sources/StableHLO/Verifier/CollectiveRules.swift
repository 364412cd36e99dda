/// Constraints of the collective ops that hold without knowing the process grid:
/// `all_gather`, `reduce_scatter`, `all_to_all`, `collective_permute`,
/// `collective_broadcast`, `collective_reduce` (`all_reduce` is in `ReductionRules`).
/// Whether ids fit the grid is checked when the program runs on one.
enum CollectiveRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.all_gather": allGather,
        "stablehlo.reduce_scatter": reduceScatter,
        "stablehlo.all_to_all": allToAll,
        "stablehlo.collective_permute": collectivePermute,
        "stablehlo.collective_broadcast": collectiveBroadcast,
        "stablehlo.collective_reduce": collectiveReduce,
    ]

    /// The rows of `replica_groups` (empty when absent); ids must be unique and
    /// non-negative, `-1` pads ragged rows. Returns the common row size when no row is
    /// padded, else nil.
    static func groupSize(_ v: VerifiedOperation) throws -> Int? {
        guard let attribute = v.op[attribute: "replica_groups"] else { return nil }
        guard case .dense(let d) = attribute, let values = d.int64Values else {
            if case .opaque = attribute { return nil }  // mesh-axes groups: checked at run time
            throw v.error("replica_groups must be a 2-D integer tensor constant")
        }
        if d.type.elementCount == 0 { return nil }
        guard d.type.rank == 2 else { throw v.error("replica_groups must be 2-dimensional, got \(d.type)") }
        var seen = Set<Int64>()
        for id in values where id != -1 {
            guard id >= 0 else { throw v.error("replica_groups holds \(id); ids must be non-negative (-1 pads)") }
            guard seen.insert(id).inserted else { throw v.error("replica_groups holds \(id) more than once") }
        }
        return values.contains(-1) ? nil : d.type.shape[1]
    }

    /// The group size of an op whose groups may span partitions: with a channel and
    /// without `use_global_device_ids` (cross_replica_and_partition) each group also
    /// spans every partition, which only the grid knows.
    static func spanningGroupSize(_ v: VerifiedOperation) throws -> Int? {
        let size = try groupSize(v)
        let channel = v.op[attribute: "channel_handle"]?[parameter: "handle"]?.intValue ?? 0
        let global: Bool
        switch v.op[attribute: "use_global_device_ids"] {
        case nil, .bool(false)?: global = false
        default: global = true
        }
        return channel > 0 && !global ? nil : size
    }

    /// `use_global_device_ids` needs a positive `channel_handle.handle`.
    static func expectChannelForGlobalIDs(_ v: VerifiedOperation) throws {
        guard let flag = v.op[attribute: "use_global_device_ids"] else { return }
        if case .bool(false) = flag { return }
        let channel = v.op[attribute: "channel_handle"]?[parameter: "handle"]?.intValue ?? 0
        guard channel > 0 else { throw v.error("use_global_device_ids needs a channel_handle with handle > 0, got \(channel)") }
    }

    /// Operand `i`'s type with dimension `d` replaced by `size` (`?` when unknown).
    static func replacing(_ type: TensorType, dimension d: Int, with size: Int?, element: ElementType? = nil) -> TensorType {
        var shape = type.shape
        shape[d] = size ?? TensorType.dynamic
        return TensorType(shape: shape, elementType: element ?? type.elementType)
    }

    static func allGather(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        let size = try spanningGroupSize(v)
        try expectChannelForGlobalIDs(v)
        let d = try v.int("all_gather_dim")
        for (i, operand) in try v.operands(0..<v.op.operands.count).enumerated() {
            guard d >= 0, d < operand.rank else { throw v.error("all_gather_dim \(d) is out of range for operand #\(i) \(operand)") }
            let gathered = operand.shape[d] == TensorType.dynamic ? nil
                : try size.map { try v.multiply(operand.shape[d], $0, "gathered dimension") }
            try v.expectResult(i, replacing(operand, dimension: d, with: gathered))
            let result = try v.result(i)
            if gathered == nil, operand.shape[d] > 0, result.shape[d] >= 0, result.shape[d] % operand.shape[d] != 0 {
                throw v.error("result #\(i) dimension \(d) of size \(result.shape[d]) is not a multiple of the operand's \(operand.shape[d])")
            }
        }
    }

    static func reduceScatter(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        let size = try spanningGroupSize(v)
        try expectChannelForGlobalIDs(v)
        let d = try v.int("scatter_dimension")
        let inputs = try v.operands(0..<v.op.operands.count)
        let body = try v.block(0, named: "computation")
        let elements = try ReductionRules.reductionBody(v, body, inputs: [inputs[0].elementType], name: "computation")
        for (i, operand) in inputs.enumerated() {
            guard d >= 0, d < operand.rank else { throw v.error("scatter_dimension \(d) is out of range for operand #\(i) \(operand)") }
            guard isPromotable(operand.elementType, to: elements[0]) else {
                throw v.error("computation type tensor<\(elements[0])> cannot hold operand #\(i) element type \(operand.elementType)")
            }
            var scattered: Int?
            if let size, operand.shape[d] != TensorType.dynamic {
                guard size > 0, operand.shape[d] % size == 0 else {
                    throw v.error("operand #\(i) dimension \(d) of size \(operand.shape[d]) does not split into \(size) parts")
                }
                scattered = operand.shape[d] / size
            }
            try v.expectResult(i, replacing(operand, dimension: d, with: scattered, element: elements[0]))
            let result = try v.result(i)
            if scattered == nil, result.shape[d] > 0, operand.shape[d] >= 0, operand.shape[d] % result.shape[d] != 0 {
                throw v.error("result #\(i) dimension \(d) of size \(result.shape[d]) does not divide the operand's \(operand.shape[d])")
            }
        }
    }

    static func allToAll(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        let size = try groupSize(v)
        let split = try v.int("split_dimension")
        let concat = try v.int("concat_dimension")
        let count = try v.int("split_count")
        guard count > 0 else { throw v.error("split_count must be positive, got \(count)") }
        if let size, size != count { throw v.error("split_count \(count) differs from the replica group size \(size)") }
        for (i, operand) in try v.operands(0..<v.op.operands.count).enumerated() {
            try v.expectInRange([split, concat], rank: operand.rank, "split and concat dimensions")
            var shape = operand.shape
            if shape[split] != TensorType.dynamic {
                guard shape[split] % count == 0 else {
                    throw v.error("operand #\(i) dimension \(split) of size \(shape[split]) does not split into \(count) parts")
                }
                shape[split] /= count
            }
            if shape[concat] != TensorType.dynamic { shape[concat] = try v.multiply(shape[concat], count, "concatenated dimension") }
            try v.expectResult(i, TensorType(shape: shape, elementType: operand.elementType))
        }
    }

    static func collectivePermute(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        guard case .dense(let d)? = v.op[attribute: "source_target_pairs"], let values = d.int64Values else {
            throw v.error("source_target_pairs must be a 2-D integer tensor constant")
        }
        if d.type.elementCount > 0 {
            guard d.type.rank == 2, d.type.shape[1] == 2 else {
                throw v.error("source_target_pairs must have shape [N, 2], got \(d.type.shape)")
            }
            var sources = Set<Int64>(), targets = Set<Int64>()
            for k in stride(from: 0, to: values.count, by: 2) {
                guard values[k] >= 0, values[k + 1] >= 0 else {
                    throw v.error("source_target_pairs holds a negative id in [\(values[k]), \(values[k + 1])]")
                }
                guard sources.insert(values[k]).inserted else { throw v.error("source_target_pairs has source \(values[k]) more than once") }
                guard targets.insert(values[k + 1]).inserted else { throw v.error("source_target_pairs has target \(values[k + 1]) more than once") }
            }
        }
        for i in 0..<v.op.operands.count { try v.expectResult(i, try v.operand(i)) }
    }

    static func collectiveBroadcast(_ v: VerifiedOperation) throws {
        _ = try groupSize(v)
        let dynamicRoot: Bool
        switch v.op[attribute: "has_dynamic_root"] {
        case nil, .bool(false)?: dynamicRoot = false
        default: dynamicRoot = true
        }
        let count = v.op.operands.count - (dynamicRoot ? 1 : 0)
        guard count >= 1 else { throw v.error("expects at least one data operand\(dynamicRoot ? " and a root operand" : "")") }
        try v.expectResultCount(count)
        for i in 0..<count { try v.expectResult(i, try v.operand(i)) }
        if dynamicRoot {
            let root = try v.operand(count)
            guard root.rank == 1, root.elementType.isInteger, root.shape[0] == count || root.shape[0] == TensorType.dynamic else {
                throw v.error("the root operand must be tensor<\(count)xi32>, got \(root)")
            }
        }
    }

    static func collectiveReduce(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        _ = try groupSize(v)
        let inputs = try v.operands(0..<v.op.operands.count)
        let body = try v.block(0, named: "computation")
        let elements = try ReductionRules.reductionBody(v, body, inputs: [inputs[0].elementType], name: "computation")
        for (i, input) in inputs.enumerated() {
            guard isPromotable(input.elementType, to: elements[0]) else {
                throw v.error("computation type tensor<\(elements[0])> cannot hold operand #\(i) element type \(input.elementType)")
            }
            try v.expectResult(i, TensorType(shape: input.shape, elementType: elements[0]))
        }
    }
}
