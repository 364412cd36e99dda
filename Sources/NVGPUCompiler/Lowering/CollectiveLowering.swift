import Runtime
import StableHLO

/// Lowers StableHLO collectives (after `CollectiveLayout` put them in leading-dimension
/// form) to `.collective` steps: the NCCL element type and reduction, and the spec's
/// process groups as flattened process ids.
enum CollectiveLowering {
    /// Ops that become `.collective` steps.
    static let operationNames: Set<String> = [
        "stablehlo.all_reduce", "stablehlo.all_gather", "stablehlo.reduce_scatter", "stablehlo.all_to_all",
        "stablehlo.collective_permute", "stablehlo.collective_broadcast", "stablehlo.replica_id",
        "stablehlo.partition_id",
    ]

    /// The program's process grid: `mhlo.num_replicas × mhlo.num_partitions` (1 when absent).
    static func grid(of module: Module) throws -> ProcessGrid {
        func count(_ key: String) -> Int { module[attribute: key]?.intValue.map { Int($0) } ?? 1 }
        let replicas = count("mhlo.num_replicas"), partitions = count("mhlo.num_partitions")
        do {
            return try ProcessGrid(replicas: replicas, partitions: partitions)
        } catch {
            throw CodeGenError("module: \(error)", at: module.location)
        }
    }

    /// NCCL's element type for `type`: the name and bytes per element. Types NCCL has no
    /// enumerator for move as bytes (`ncclUint8`) when `reducing` is false.
    static func dataType(_ type: ElementType, reducing: Bool) -> (name: String, bytes: Int)? {
        switch type {
        case .i1: return ("ncclUint8", 1)
        case .si(8): return ("ncclInt8", 1)
        case .ui(8): return ("ncclUint8", 1)
        case .si(32): return ("ncclInt32", 4)
        case .ui(32): return ("ncclUint32", 4)
        case .si(64), .index: return ("ncclInt64", 8)
        case .ui(64): return ("ncclUint64", 8)
        case .float(.f16): return ("ncclFloat16", 2)
        case .float(.bf16): return ("ncclBfloat16", 2)
        case .float(.f32): return ("ncclFloat32", 4)
        case .float(.f64): return ("ncclFloat64", 8)
        case .float(.f8E4M3FN): return ("ncclFloat8e4m3", 1)
        case .float(.f8E5M2): return ("ncclFloat8e5m2", 1)
        default: return reducing ? nil : ("ncclUint8", 1)
        }
    }

    /// The NCCL reduction for a one-op reduction region over `type`
    /// (`add` → `ncclSum`; on `i1`, `or`/`add`/`maximum` → `ncclMax`, `and`/`multiply`/`minimum` → `ncclMin`).
    static func reduction(of op: Operation, type: ElementType) throws -> String {
        let shapes = op.operands.map { "\($0.type)" }.joined(separator: ", ")
        guard op.regions.count == 1, let block = op.regions[0].entry, block.arguments.count == 2,
              block.operations.count == 2, block.operations[1].operands.count == 1,
              block.operations[0].results.first == block.operations[1].operands[0],
              Set(block.operations[0].operands.map(\.id)) == Set(block.arguments.map(\.id)),
              block.operations[0].operands.count == 2 else {
            throw CodeGenError("\(op.name) on \(shapes): only a one-op reduction (add, multiply, maximum, minimum) maps to NCCL", at: op.location)
        }
        let apply = block.operations[0].name
        switch (apply, type.isBool) {
        case ("stablehlo.add", false): return "ncclSum"
        case ("stablehlo.multiply", false): return "ncclProd"
        case ("stablehlo.maximum", _), ("stablehlo.add", true), ("stablehlo.or", true): return "ncclMax"
        case ("stablehlo.minimum", _), ("stablehlo.multiply", true), ("stablehlo.and", true): return "ncclMin"
        default:
            throw CodeGenError("\(op.name) on \(shapes): reduction \(apply) has no NCCL equivalent (add, multiply, maximum, minimum)", at: op.location)
        }
    }

    /// The rows of a 2-D integer attribute (`replica_groups`, `source_target_pairs`).
    static func rows(_ op: Operation, _ name: String) -> [[Int64]] {
        guard let attribute = op[attribute: name], let values = attribute.intArray else { return [] }
        if case .dense(let d) = attribute, d.type.shape.count == 2 {
            let width = d.type.shape[1]
            guard width > 0 else { return [] }
            return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<min(values.count, $0 + width)]) }
        }
        if case .array(let items) = attribute { return items.compactMap(\.intArray) }
        return [values]
    }

    /// The `.collective` step for `op` on `grid`, reading `operand` and writing `result`.
    static func call(_ op: Operation, grid: ProcessGrid, operand: Int?, result: Int) throws -> CollectiveCall {
        let shapes = (op.operands + op.results).map { "\($0.type)" }.joined(separator: ", ")
        func fail(_ message: String) -> CodeGenError { CodeGenError("\(op.name) (\(shapes)): \(message)", at: op.location) }
        if op.name == "stablehlo.replica_id" || op.name == "stablehlo.partition_id" {
            return CollectiveCall(kind: op.name == "stablehlo.replica_id" ? .replicaID : .partitionID, operand: nil,
                                  result: result, dataType: "ncclUint32", elementBytes: 4, count: 1)
        }
        guard op.operands.count == 1, op.results.count == 1, let input = op.operandTensorType(0),
              let output = op.resultTensorType(0), input.isStatic, output.isStatic else {
            throw fail("expected one static tensor operand and result (CollectiveLayout splits variadic ops)")
        }
        guard let kindName = CollectiveKind(opName: op.name),
              let kind = CollectiveCall.Kind(rawValue: kindName.rawValue) else { throw fail("not a collective NCCL runs") }
        let reducing = kind == .allReduce || kind == .reduceScatter
        guard let type = dataType(input.elementType, reducing: reducing) else {
            throw fail("NCCL cannot reduce \(input.elementType)")
        }
        let movedAsBytes = type.bytes != input.elementType.storageBytes
        let count = movedAsBytes ? input.elementCount * input.elementType.storageBytes : input.elementCount
        let channel = op[attribute: "channel_handle"]?[parameter: "handle"]?.intValue ?? 0
        let useGlobal = op[attribute: "use_global_device_ids"] != nil
        var call = CollectiveCall(kind: kind, operand: operand, result: result, dataType: type.name,
                                  elementBytes: type.bytes, count: count)
        do {
            let strategy = try GroupStrategy(for: kindName, channelID: channel, useGlobalDeviceIDs: useGlobal)
            if kind == .collectivePermute {
                let pairs = try PermutationPairs(grid: grid, strategy: strategy, pairs: rows(op, "source_target_pairs"))
                call.pairs = pairs.pairs.map { [grid.flattenedID(of: $0.source), grid.flattenedID(of: $0.target)] }
                return call
            }
            let groups = try CollectiveGroups(grid: grid, strategy: strategy, replicaGroups: rows(op, "replica_groups"))
            call.groups = groups.groups.map { $0.map(grid.flattenedID(of:)) }
            if kind != .collectiveBroadcast {
                for process in grid.processes { _ = try groups.group(of: process) }
            }
            let size = try groups.uniformGroupSize()
            switch kind {
            case .allReduce, .collectiveBroadcast:
                guard input == output else { throw fail("result type differs from the operand's") }
            case .allGather:
                guard output.elementCount == input.elementCount * size, output.shape.first == input.shape.first.map({ $0 * size }) else {
                    throw fail("result is not \(size) operands stacked on the leading dimension")
                }
            case .reduceScatter, .allToAll:
                guard input.shape.first.map({ $0 % size == 0 }) ?? false else {
                    throw fail("leading dimension is not divisible by the group size \(size)")
                }
            default: break
            }
            if reducing { call.reduction = try reduction(of: op, type: input.elementType) }
        } catch let error as CodeGenError {
            throw error
        } catch {
            throw fail("\(error)")
        }
        return call
    }
}

extension Assembly {
    /// The step indices of the communicating collectives at the end of the plan that would
    /// run as one group with a collective appended now: the last step, if it communicates,
    /// and the run of grouped steps before it.
    func groupChain() -> [Int] {
        guard let last = steps.indices.last, case .collective(let c) = steps[last], c.communicates else { return [] }
        var chain = [last]
        var index = last - 1
        while index >= 0, case .collective(let earlier) = steps[index], earlier.groupsWithNext == true {
            chain.insert(index, at: 0)
            index -= 1
        }
        return chain
    }

    /// Appends the `.collective` step for a collective (or `replica_id` / `partition_id`) op.
    mutating func addCollective(_ op: StableHLO.Operation, grid: ProcessGrid) throws {
        let operand = try op.operands.first.map { try buffer(for: $0, definedBy: String(op.shortName)) }
        let result = try buffer(for: op.results[0], definedBy: String(op.shortName))
        if op.resultTensorType(0)?.elementCount == 0 { return }
        let call = try CollectiveLowering.call(op, grid: grid, operand: operand, result: result)
        var touched = (operand.map { [$0] } ?? []) + [result]
        // A collective right after others that it does not read joins their library group
        // (one ncclGroupStart/End for the pieces of a variadic op, or for gradients reduced
        // one after another). The group runs at its end, so every buffer of the group stays
        // live until then (no step of the group may reuse another's memory).
        let chain = groupChain()
        let chainResults = Set(chain.compactMap { index -> Int? in
            if case .collective(let c) = steps[index] { return c.result } else { return nil }
        })
        if call.communicates, let last = chain.last, operand.map({ !chainResults.contains($0) }) ?? true,
           case .collective(var previous) = steps[last] {
            previous.groupsWithNext = true
            steps[last] = .collective(previous)
            for index in chain { touched += stepBuffers[index] }
        }
        steps.append(.collective(call))
        stepBuffers.append(touched)
    }
}
