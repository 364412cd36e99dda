import StableHLO

/// Drops the value-preserving annotations a JAX program carries for multi-device placement,
/// which mean nothing on one device: `sdy.sharding_constraint` and the
/// `builtin.unrealized_conversion_cast`s between equal types that StableHLO's serializer
/// leaves in their place. Each result is replaced by its operand everywhere it is used
/// (nested regions included).
enum ShardingAnnotations {
    static func stripped(_ module: Module) -> Module {
        var module = module
        for index in module.functions.indices {
            var substitutions: [Int: Value] = [:]
            module.functions[index].body = removing(from: module.functions[index].body, into: &substitutions)
            guard !substitutions.isEmpty else { continue }
            module.functions[index].body = replacing(in: module.functions[index].body, substitutions)
        }
        return module
    }

    /// Whether `op` passes its operands through unchanged.
    static func isIdentity(_ op: StableHLO.Operation) -> Bool {
        switch op.name {
        case "sdy.sharding_constraint", "sdy.reshard":
            return op.operands.count == 1 && op.results.count == 1 && op.operands[0].type == op.results[0].type
        case "builtin.unrealized_conversion_cast":
            return op.operands.count == op.results.count && zip(op.operands, op.results).allSatisfy { $0.type == $1.type }
        default:
            return false
        }
    }

    private static func removing(from region: Region, into substitutions: inout [Int: Value]) -> Region {
        var region = region
        for b in region.blocks.indices {
            var kept: [StableHLO.Operation] = []
            for var op in region.blocks[b].operations {
                if isIdentity(op) {
                    for (operand, result) in zip(op.operands, op.results) { substitutions[result.id] = operand }
                    continue
                }
                op.regions = op.regions.map { removing(from: $0, into: &substitutions) }
                kept.append(op)
            }
            region.blocks[b].operations = kept
        }
        return region
    }

    private static func replacing(in region: Region, _ substitutions: [Int: Value]) -> Region {
        func resolve(_ value: Value) -> Value {
            var current = value
            var steps = 0
            while let next = substitutions[current.id], steps < substitutions.count {
                current = next
                steps += 1
            }
            return current
        }
        var region = region
        for b in region.blocks.indices {
            for o in region.blocks[b].operations.indices {
                region.blocks[b].operations[o].operands = region.blocks[b].operations[o].operands.map(resolve)
                region.blocks[b].operations[o].regions = region.blocks[b].operations[o].regions.map { replacing(in: $0, substitutions) }
            }
        }
        return region
    }
}
