import StableHLO

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
