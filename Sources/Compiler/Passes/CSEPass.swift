import StableHLO

/// Common-subexpression elimination: a pure op without regions that repeats an earlier
/// visible op (same name, operands, attributes and result types) is dropped and its uses
/// read the earlier op's results. Ops with effects (`check.*`, custom calls, probes, random
/// numbers, collectives) are never merged. An op inside a region may reuse an equal op of an
/// enclosing region, never the other way round.
public struct CSEPass: Pass {
    public var name: String { "cse" }

    public init() {}

    /// What makes two ops interchangeable.
    struct OperationKey: Hashable {
        var name: String
        var operands: [Int]
        var attributes: [NamedAttribute]
        var resultTypes: [IRType]

        init(_ op: Operation) {
            name = op.name
            operands = op.operands.map(\.id)
            attributes = op.attributes
            resultTypes = op.results.map(\.type)
        }
    }

    public func run(on module: inout Module) throws {
        let effects = OperationEffects(module: module)
        for i in module.functions.indices {
            var walk = Walk(effects: effects)
            walk.visit(&module.functions[i].body)
        }
    }

    /// One function's walk: the renaming so far and the ops visible at the current point
    /// (one table for all scopes; a block removes what it added when it ends, so nested
    /// regions cost no copies).
    private struct Walk {
        let effects: OperationEffects
        var renamed: [Int: Value] = [:]
        var available: [OperationKey: [Value]] = [:]

        mutating func visit(_ region: inout Region) {
            for b in region.blocks.indices {
                var added: [OperationKey] = []
                var kept: [Operation] = []
                kept.reserveCapacity(region.blocks[b].operations.count)
                for var op in region.blocks[b].operations {
                    for i in op.operands.indices {
                        if let value = renamed[op.operands[i].id] { op.operands[i] = value }
                    }
                    for r in op.regions.indices { visit(&op.regions[r]) }
                    guard op.regions.isEmpty, effects.isPure(op) else {
                        kept.append(op)
                        continue
                    }
                    let key = OperationKey(op)
                    if let earlier = available[key], earlier.count == op.results.count {
                        for (result, value) in zip(op.results, earlier) { renamed[result.id] = value }
                    } else {
                        available[key] = op.results
                        added.append(key)
                        kept.append(op)
                    }
                }
                region.blocks[b].operations = kept
                for key in added { available[key] = nil }
            }
        }
    }
}
