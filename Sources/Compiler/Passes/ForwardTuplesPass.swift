import StableHLO

/// `forward-tuples`: `get_tuple_element(tuple(a, b, ...), i)` reads the element itself (also
/// through nested tuples), and `tuple` ops nothing reads any more are dropped, so tuples
/// built only to be taken apart leave no op behind. Tuples that are returned or passed on
/// stay.
public struct ForwardTuplesPass: Pass {
    public var name: String { "forward-tuples" }

    public init() {}

    public func run(on module: inout Module) throws {
        let changed = try OperationRewriter.rewrite(&module) { op, context in
            guard op.name == "stablehlo.get_tuple_element", op.operands.count == 1, op.results.count == 1,
                  let index = op[attribute: "index"]?.intValue,
                  let tuple = context.definingOperation(of: op.operands[0]), tuple.name == "stablehlo.tuple",
                  index >= 0, Int(index) < tuple.operands.count,
                  tuple.operands[Int(index)].type == op.results[0].type else { return .keep }
            return .replace(with: [tuple.operands[Int(index)]])
        }
        if changed { UnreadOperations.remove(from: &module) { $0.name == "stablehlo.tuple" } }
    }
}

/// `drop-unused-tokens`: removes `after_all` and `create_token` ops whose token nothing
/// reads (also chains of them: an `after_all` that only joins tokens for another unused
/// `after_all`). They have no effect of their own: a token only orders the effects of the
/// ops that take it, and the ops that produced the joined tokens stay.
public struct DropUnusedTokensPass: Pass {
    public var name: String { "drop-unused-tokens" }

    public init() {}

    public func run(on module: inout Module) throws {
        UnreadOperations.remove(from: &module) { $0.name == "stablehlo.after_all" || $0.name == "stablehlo.create_token" }
    }
}

/// Removes ops chosen by a predicate when none of their results is read, in one backward
/// walk per function (so chains of such ops go at once).
enum UnreadOperations {
    static func remove(from module: inout Module, where removable: (Operation) -> Bool) {
        for i in module.functions.indices {
            var live: Set<Int> = []
            sweep(&module.functions[i].body, live: &live, removable: removable)
        }
    }

    private static func sweep(_ region: inout Region, live: inout Set<Int>, removable: (Operation) -> Bool) {
        for b in region.blocks.indices.reversed() {
            var kept: [Operation] = []
            for var op in region.blocks[b].operations.reversed() {
                if removable(op), op.regions.isEmpty, !op.results.contains(where: { live.contains($0.id) }) { continue }
                for r in op.regions.indices.reversed() { sweep(&op.regions[r], live: &live, removable: removable) }
                for operand in op.operands { live.insert(operand.id) }
                kept.append(op)
            }
            region.blocks[b].operations = kept.reversed()
        }
    }
}
