import StableHLO

/// Dead-code elimination: removes pure ops none of whose results is read, in one backward
/// walk per function (an op's operands become live only if the op itself stays, so whole
/// dead chains go at once). Terminators and ops with effects always stay.
public struct DCEPass: Pass {
    public var name: String { "dce" }

    public init() {}

    public func run(on module: inout Module) throws {
        let effects = OperationEffects(module: module)
        for i in module.functions.indices {
            var live: Set<Int> = []
            Self.sweep(&module.functions[i].body, live: &live, effects: effects)
        }
    }

    /// Walks `region` from its end, dropping dead pure ops and marking what the kept ops read.
    private static func sweep(_ region: inout Region, live: inout Set<Int>, effects: OperationEffects) {
        for b in region.blocks.indices.reversed() {
            var kept: [Operation] = []
            for var op in region.blocks[b].operations.reversed() {
                let isRead = op.results.contains { live.contains($0.id) }
                if !isRead, effects.isPure(op) { continue }
                for r in op.regions.indices.reversed() { sweep(&op.regions[r], live: &live, effects: effects) }
                for operand in op.operands { live.insert(operand.id) }
                kept.append(op)
            }
            region.blocks[b].operations = kept.reversed()
        }
    }
}
