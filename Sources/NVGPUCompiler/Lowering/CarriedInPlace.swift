import StableHLO

/// A loop-carried value the body may compute straight into its carried buffer, so the
/// iteration needs no copy of it at the end (the copy is a graph node per iteration).
///
/// A candidate is the body's result `result` for carried slot k and the body's argument
/// `argument` k, when the result is computed in the body, returned only there, of the same
/// type, and the argument is not returned. `ExecutableBuilder` keeps it after fusion
/// planning only when the write cannot be seen by a read of the old value
/// (`inPlaceGroup(for:groups:block:)`): every op reading the argument outside the group
/// that computes the result runs before it, and every op of the group that depends on the
/// argument is elementwise over the argument's shape, so the one kernel that writes element
/// i of the result reads element i of the argument, in the same thread, first (the kernel's
/// pointers for the two are then declared without `__restrict__`) — or the group is a
/// `dynamic_update_slice` of the argument, whose in-place kernel stores only the update.
struct CarriedInPlace {
    var result: Value
    var argument: Value
    /// The carried buffer.
    var buffer: Int

    /// The candidates of a `while` body whose slots are stored in `carried`.
    static func candidates(body: Block, carried: [Int], byteSizes: (Int) -> Int) -> [CarriedInPlace] {
        guard let terminator = body.operations.last, terminator.operands.count == carried.count,
              body.arguments.count == carried.count else { return [] }
        let returned = terminator.operands
        var result: [CarriedInPlace] = []
        for (k, (value, argument)) in zip(returned, body.arguments).enumerated() {
            guard value.id != argument.id, value.type == argument.type, byteSizes(carried[k]) > 0,
                  returned.filter({ $0.id == value.id }).count == 1,
                  !returned.contains(where: { $0.id == argument.id }),
                  body.operations.dropLast().contains(where: { $0.results.contains { $0.id == value.id } }) else { continue }
            result.append(CarriedInPlace(result: value, argument: argument, buffer: carried[k]))
        }
        return result
    }

    /// The group that may write `candidate.result` over its argument's buffer, or nil: a
    /// fusion group, or a `dynamic_update_slice` group updating the argument (its in-place
    /// kernel stores only the update). Ops outside the group may read the argument only in
    /// groups emitted before it (their steps have run when it writes; collectives are
    /// excluded, their calls may be deferred to a later library group).
    static func inPlaceGroup(for candidate: CarriedInPlace, groups: [FusionGroup], block: Block) -> Int? {
        let argument = candidate.argument.id
        guard let shape = candidate.argument.type.tensorType?.shape,
              let definition = block.operations.firstIndex(where: { $0.results.contains { $0.id == candidate.result.id } }),
              let g = groups.firstIndex(where: { $0.operations.contains(definition) }) else {
            return nil
        }
        let isUpdate = isUpdateSlice(block.operations[definition], of: argument) && groups[g].kind == .dedicated
        guard groups[g].kind == .fusion || isUpdate else { return nil }
        let members = Set(groups[g].operations)
        if members.contains(where: { block.operations[$0].regions.contains { reads($0, argument) } }) { return nil }
        for (i, op) in block.operations.enumerated() where !members.contains(i) {
            guard op.operands.contains(where: { $0.id == argument }) || op.regions.contains(where: { reads($0, argument) }) else { continue }
            guard let h = groups.firstIndex(where: { $0.operations.contains(i) }), h < g, groups[h].kind != .collective else { return nil }
        }
        if isUpdate { return g }
        var dependent: Set<Int> = [argument]
        for i in groups[g].operations.sorted() {
            let op = block.operations[i]
            guard op.operands.contains(where: { dependent.contains($0.id) }) else { continue }
            guard OperationClass.elementwiseNames.contains(op.name), op.regions.isEmpty,
                  (op.operands + op.results).allSatisfy({ $0.type.tensorType?.shape == shape }) else { return nil }
            for r in op.results { dependent.insert(r.id) }
        }
        return g
    }

    /// Whether `op` is a `dynamic_update_slice` of value `id` that reads `id` only as the
    /// operand it updates.
    static func isUpdateSlice(_ op: Operation, of id: Int) -> Bool {
        op.name == "stablehlo.dynamic_update_slice" && op.operands.first?.id == id
            && !op.operands.dropFirst().contains { $0.id == id }
    }

    /// Whether an op anywhere in `region` reads value `id`.
    static func reads(_ region: Region, _ id: Int) -> Bool {
        region.blocks.contains { block in
            block.operations.contains { op in
                op.operands.contains { $0.id == id } || op.regions.contains { reads($0, id) }
            }
        }
    }
}
