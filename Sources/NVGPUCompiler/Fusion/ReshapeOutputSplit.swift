import StableHLO

extension FusionGroup {
    /// `groups` with each fusion's trailing reshapes moved into groups of their own: a
    /// reshape whose result leaves its group (read by a matmul, a dynamic_update_slice, ...)
    /// and is not read inside it. The reshape then reads the buffer of the value it reshapes
    /// (`ExecutableBuilder.reshapeAlias`) instead of the fusion writing the same elements
    /// twice, in two shapes (two kernels). Split only where that costs nothing: the reshaped
    /// value is already an output of the group, or the reshape's result is not returned from
    /// the block (so its group becomes a buffer alias, not a copy kernel).
    static func splittingReshapeOutputs(_ groups: [FusionGroup], block: Block) -> [FusionGroup] {
        guard !ExecutableBuilder.reshapeAliasDisabled else { return groups }
        let ops = block.operations
        let returned = Set(ops.last?.operands.map(\.id) ?? [])
        var result: [FusionGroup] = []
        for group in groups {
            guard group.kind == .fusion, group.operations.count > 1 else {
                result.append(group)
                continue
            }
            let outputIDs = Set(group.outputs.map(\.id))
            let definedInGroup = Set(group.operations.flatMap { ops[$0].results.map(\.id) })
            let split = group.operations.filter { i in
                let op = ops[i]
                guard op.name == "stablehlo.reshape", op.operands.count == 1, op.results.count == 1,
                      outputIDs.contains(op.results[0].id), definedInGroup.contains(op.operands[0].id),
                      outputIDs.contains(op.operands[0].id) || !returned.contains(op.results[0].id) else { return false }
                return !group.operations.contains { j in j != i && ops[j].operands.contains { $0.id == op.results[0].id } }
            }
            guard !split.isEmpty, split.count < group.operations.count else {
                result.append(group)
                continue
            }
            let splitSet = Set(split)
            var remaining = group
            remaining.operations = group.operations.filter { !splitSet.contains($0) }
            let splitResults = Set(split.map { ops[$0].results[0].id })
            var outputs = group.outputs.filter { !splitResults.contains($0.id) }
            for i in split where !outputs.contains(where: { $0.id == ops[i].operands[0].id }) { outputs.append(ops[i].operands[0]) }
            let definition = Dictionary(uniqueKeysWithValues: remaining.operations.flatMap { i in ops[i].results.map { ($0.id, i) } })
            remaining.outputs = outputs.sorted { (definition[$0.id] ?? 0) < (definition[$1.id] ?? 0) }
            result.append(remaining)
            for i in split {
                result.append(FusionGroup(kind: .fusion, operations: [i], inputs: [ops[i].operands[0]], outputs: [ops[i].results[0]]))
            }
        }
        return result
    }
}
