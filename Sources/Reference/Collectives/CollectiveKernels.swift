import Runtime
import StableHLO

/// The collective ops: `all_reduce`, `all_gather`, `reduce_scatter`, `all_to_all`,
/// `collective_permute`, `collective_broadcast`, `collective_reduce`, exactly as the spec
/// splits the process grid for each (see `CollectiveGroups`).
enum CollectiveKernels {
    static let table: [String: Kernel] = [
        "stablehlo.all_reduce": allReduce,
        "stablehlo.all_gather": allGather,
        "stablehlo.reduce_scatter": reduceScatter,
        "stablehlo.all_to_all": allToAll,
        "stablehlo.collective_permute": collectivePermute,
        "stablehlo.collective_broadcast": collectiveBroadcast,
        "stablehlo.collective_reduce": collectiveReduce,
        "stablehlo.replica_id": { call in [try processIndex(call, \.replica)] },
        "stablehlo.partition_id": { call in [try processIndex(call, \.partition)] },
        "stablehlo.send": send,
        "stablehlo.recv": receive,
        "stablehlo.outfeed": outfeed,
        "stablehlo.infeed": infeed,
        "interpreter.run_parallel": ParallelRun.runParallel,
    ]

    // MARK: attributes

    /// `channel_handle.handle` (or a plain `channel_id`), 0 when absent.
    static func channelID(_ call: KernelCall) throws -> Int64 {
        switch call.op[attribute: "channel_handle"] {
        case nil:
            return call.op[attribute: "channel_id"]?.intValue ?? 0
        case let handle?:
            guard let id = handle[parameter: "handle"]?.intValue else {
                throw call.error("channel_handle has no integer 'handle'")
            }
            return id
        }
    }

    /// The rows of a 2-D integer attribute (`replica_groups`, `source_target_pairs`).
    static func rows(_ name: String, _ call: KernelCall) throws -> [[Int64]] {
        guard let attribute = call.op[attribute: name] else {
            if name == "replica_groups" { return [] }
            throw call.error("missing attribute '\(name)'")
        }
        guard case .dense(let d) = attribute, let values = d.int64Values else {
            throw call.error("attribute '\(name)' must be a 2-D integer tensor constant (mesh-axes groups are not supported)")
        }
        let shape = d.type.shape
        if d.type.elementCount == 0 { return [] }
        guard shape.count == 2, shape[1] > 0, values.count == shape[0] * shape[1] else {
            throw call.error("attribute '\(name)' must be a 2-D integer tensor, got \(d.type)")
        }
        return (0..<shape[0]).map { Array(values[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }

    /// The op's process groups in this process's grid.
    static func groups(_ kind: CollectiveKind, _ call: KernelCall) throws -> CollectiveGroups {
        let grid = call.processContext.grid
        do {
            let strategy = try GroupStrategy(for: kind, channelID: try channelID(call),
                                             useGlobalDeviceIDs: try call.bool("use_global_device_ids", default: false))
            return try CollectiveGroups(grid: grid, strategy: strategy, replicaGroups: try rows("replica_groups", call))
        } catch let error as CollectiveGroupError {
            throw call.error("\(error) in a \(grid)")
        }
    }

    /// The group this process belongs to; every process must be in one for this op.
    static func ownGroup(_ kind: CollectiveKind, _ call: KernelCall) throws -> (group: [ProcessID], index: Int) {
        let groups = try groups(kind, call)
        let me = call.processContext.process
        guard let position = groups.position(of: me) else {
            throw call.error("\(CollectiveGroupError.processInNoGroup(process: me, strategy: groups.strategy))")
        }
        return (groups.groups[position.group], position.index)
    }

    static func tensors(_ values: [RuntimeValue], _ call: KernelCall) throws -> [Tensor] {
        try values.map { v in
            guard let t = v.tensor else { throw call.error("operands must be tensors") }
            return t
        }
    }

    // MARK: ops

    static func allReduce(_ call: KernelCall) throws -> [RuntimeValue] {
        let (group, _) = try ownGroup(.allReduce, call)
        guard let region = call.op.regions.first else { throw call.error("missing computation region") }
        let all = try call.processContext.exchange(call, group: group, values: call.operands)
        return try (0..<call.operands.count).map { i in
            let type = try call.resultType(i)
            let values = try tensors(all.map { $0[i] }, call)
            let storage = try CollectiveComputation.fold(values, region: region, elementType: type.elementType, call)
            return try call.result(i, shape: values[0].shape, storage: storage)
        }
    }

    static func allGather(_ call: KernelCall) throws -> [RuntimeValue] {
        let (group, _) = try ownGroup(.allGather, call)
        let dimension = try call.int("all_gather_dim")
        let all = try call.processContext.exchange(call, group: group, values: call.operands)
        return try (0..<call.operands.count).map { i in
            let joined = try CollectiveComputation.concatenate(try tensors(all.map { $0[i] }, call), dimension: dimension, call)
            return try call.result(i, shape: joined.shape, storage: joined.storage)
        }
    }

    static func reduceScatter(_ call: KernelCall) throws -> [RuntimeValue] {
        let (group, index) = try ownGroup(.reduceScatter, call)
        guard let region = call.op.regions.first else { throw call.error("missing computation region") }
        let dimension = try call.int("scatter_dimension")
        let all = try call.processContext.exchange(call, group: group, values: call.operands)
        return try (0..<call.operands.count).map { i in
            let type = try call.resultType(i)
            let values = try tensors(all.map { $0[i] }, call)
            let storage = try CollectiveComputation.fold(values, region: region, elementType: type.elementType, call)
            let reduced = Tensor(type: TensorType(shape: values[0].shape, elementType: type.elementType), storage: storage)
            let mine = try CollectiveComputation.part(index, of: group.count, reduced, dimension: dimension, call)
            return try call.result(i, shape: mine.shape, storage: mine.storage)
        }
    }

    static func allToAll(_ call: KernelCall) throws -> [RuntimeValue] {
        let (group, index) = try ownGroup(.allToAll, call)
        let splitDimension = try call.int("split_dimension")
        let concatDimension = try call.int("concat_dimension")
        let splitCount = try call.int("split_count")
        guard splitCount == group.count else {
            throw call.error("split_count \(splitCount) differs from the process group size \(group.count)")
        }
        let all = try call.processContext.exchange(call, group: group, values: call.operands)
        return try (0..<call.operands.count).map { i in
            let parts = try tensors(all.map { $0[i] }, call).map {
                try CollectiveComputation.part(index, of: splitCount, $0, dimension: splitDimension, call)
            }
            let joined = try CollectiveComputation.concatenate(parts, dimension: concatDimension, call)
            return try call.result(i, shape: joined.shape, storage: joined.storage)
        }
    }

    static func collectivePermute(_ call: KernelCall) throws -> [RuntimeValue] {
        let context = call.processContext
        let me = context.process
        let pairs: PermutationPairs
        do {
            let strategy = try GroupStrategy(for: .collectivePermute, channelID: try channelID(call), useGlobalDeviceIDs: false)
            pairs = try PermutationPairs(grid: context.grid, strategy: strategy, pairs: try rows("source_target_pairs", call))
        } catch let error as CollectiveGroupError {
            throw call.error("\(error) in a \(context.grid)")
        }
        // The processes linked to this one through pairs meet; the others are not involved.
        let members = connectedProcesses(me, pairs)
        let zeros = try (0..<call.operands.count).map { RuntimeValue.tensor(Tensor.zeros(try call.resultType($0))) }
        guard members.count > 1 || pairs.sourceOfTarget[me] != nil else { return zeros }
        let all = try context.exchange(call, group: members, values: call.operands)
        guard let source = pairs.sourceOfTarget[me], let at = members.firstIndex(of: source) else { return zeros }
        return all[at]
    }

    /// Every process reachable from `start` along pairs in either direction, sorted.
    static func connectedProcesses(_ start: ProcessID, _ pairs: PermutationPairs) -> [ProcessID] {
        var seen: Set<ProcessID> = [start]
        var stack = [start]
        while let p = stack.popLast() {
            for q in [pairs.sourceOfTarget[p], pairs.targetOfSource[p]].compactMap({ $0 }) where seen.insert(q).inserted {
                stack.append(q)
            }
        }
        return seen.sorted()
    }

    /// The source of result `j` is the group's first process, or with `has_dynamic_root`
    /// the group member at index `roots[j]` (the last operand, as this process holds it).
    static func collectiveBroadcast(_ call: KernelCall) throws -> [RuntimeValue] {
        let dynamicRoot = try call.bool("has_dynamic_root", default: false)
        let count = call.operands.count - (dynamicRoot ? 1 : 0)
        guard count >= 1, count == call.op.results.count else {
            throw call.error("expects \(call.op.results.count) data operands\(dynamicRoot ? " and a root operand" : ""), got \(call.operands.count) operands")
        }
        let groups = try groups(.collectiveBroadcast, call)
        let context = call.processContext
        guard let position = groups.position(of: context.process) else {
            return try (0..<count).map { .tensor(Tensor.zeros(try call.resultType($0))) }
        }
        let group = groups.groups[position.group]
        var roots = [Int](repeating: 0, count: count)
        if dynamicRoot {
            guard let values = try call.tensor(count).ints, values.count == count else {
                throw call.error("the root operand must hold \(count) integers")
            }
            roots = try values.map { v in
                guard v >= 0, v < Int64(group.count) else {
                    throw call.error("root \(v) is out of range for a process group of \(group.count)")
                }
                return Int(v)
            }
        }
        let all = try context.exchange(call, group: group, values: Array(call.operands.prefix(count)))
        return (0..<count).map { j in all[roots[j]][j] }
    }

    /// Not in the spec's op list: every group member gets zeros except the group's first
    /// process, which gets the reduction of all members' operands.
    static func collectiveReduce(_ call: KernelCall) throws -> [RuntimeValue] {
        guard try !call.bool("has_dynamic_root", default: false) else {
            throw call.error("has_dynamic_root is not supported")
        }
        let groups = try groups(.collectiveReduce, call)
        let context = call.processContext
        let zeros = try (0..<call.operands.count).map { RuntimeValue.tensor(Tensor.zeros(try call.resultType($0))) }
        guard let position = groups.position(of: context.process) else { return zeros }
        guard let region = call.op.regions.first else { throw call.error("missing computation region") }
        let group = groups.groups[position.group]
        let all = try context.exchange(call, group: group, values: call.operands)
        guard position.index == 0 else { return zeros }
        return try (0..<call.operands.count).map { i in
            let type = try call.resultType(i)
            let values = try tensors(all.map { $0[i] }, call)
            let storage = try CollectiveComputation.fold(values, region: region, elementType: type.elementType, call)
            return try call.result(i, shape: values[0].shape, storage: storage)
        }
    }

    /// `replica_id` / `partition_id`: a `tensor<ui32>` scalar.
    static func processIndex(_ call: KernelCall, _ field: KeyPath<ProcessID, Int>) throws -> RuntimeValue {
        let value = Int64(call.processContext.process[keyPath: field])
        return try call.result(shape: [], storage: .ints([value]))
    }

    /// `send(inputs..., token) -> token`: queues the tensors on the channel
    /// `channel_handle.handle` names, for a `recv` on the same channel in any process.
    static func send(_ call: KernelCall) throws -> [RuntimeValue] {
        let values = call.operands.filter { $0 != .token }
        try call.processContext.send(call, channel: try channelID(call), values: values)
        return [.token]
    }

    /// `recv(token) -> (results..., token)`: the oldest values sent on the channel, waiting
    /// for a `send` when there are none (a run where none can come stops with an error).
    static func receive(_ call: KernelCall) throws -> [RuntimeValue] {
        let values = try call.processContext.receive(call, channel: try channelID(call))
        guard values.count == call.op.results.count - 1 else {
            throw call.error("received \(values.count) values on channel \(try channelID(call)), the op has \(call.op.results.count - 1) tensor results")
        }
        for (i, v) in values.enumerated() {
            let declared = try call.resultType(i)
            guard let t = v.tensor, t.elementType == declared.elementType, t.shape.count == declared.rank,
                  zip(t.shape, declared.shape).allSatisfy({ $1 == TensorType.dynamic || $0 == $1 })
            else { throw call.error("received value #\(i) does not have the result type \(declared)") }
        }
        return values + [.token]
    }

    /// `outfeed(inputs..., token) -> token`: the tensors go to this process's outfeed.
    static func outfeed(_ call: KernelCall) throws -> [RuntimeValue] {
        call.processContext.recordOutfeed(call.operands.compactMap(\.tensor))
        return [.token]
    }

    /// `infeed(token) -> (results..., token)`: the next function of the run's infeed
    /// queue supplies the tensors.
    static func infeed(_ call: KernelCall) throws -> [RuntimeValue] {
        guard let queue = call.processContext.infeed, let name = queue.next() else {
            throw call.error("the infeed is empty")
        }
        let values = try call.call(name, [])
        guard values.count == call.op.results.count - 1 else {
            throw call.error("infeed function @\(name) yields \(values.count) values, the op takes \(call.op.results.count - 1)")
        }
        return values + [.token]
    }
}
