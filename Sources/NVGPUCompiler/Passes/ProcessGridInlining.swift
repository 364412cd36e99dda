import Compiler
import Runtime
import StableHLO

/// `nvgpu-process-grid`: runs the process grid of an `interpreter.run_parallel` on one
/// device, as ordinary ops.
///
/// Every process's function is inlined into the caller with its operands, `replica_id` and
/// `partition_id` become that process's constants, and each collective becomes the data
/// movement it means once every process's values live in one program: `all_reduce` a fold
/// of the group's operands in group order (`stablehlo.map` with the op's computation, as
/// the reference folds), `all_gather` a `concatenate`, `reduce_scatter` a fold and a
/// `slice`, `all_to_all` slices and a `concatenate`, `collective_permute` the source's
/// operand (zeros without one), `collective_broadcast` the root's operand and
/// `collective_reduce` the fold at the group's first process (zeros elsewhere). Processes
/// are interleaved the way the reference's rendezvous pairs them: each runs up to its next
/// collective, then a group whose members all wait at the same op meets.
///
/// A grid this cannot express exactly stays an `interpreter.run_parallel` (the reference
/// runs it as a host step, and reports its errors): `infeed` functions, `send`/`recv`,
/// collectives inside control flow or called functions, `has_dynamic_root`, groups that
/// the spec rejects, and processes that would never meet.
struct ProcessGridPass: Pass {
    var name: String { "nvgpu-process-grid" }

    func run(on module: inout Module) throws {
        var functions: [String: Function] = [:]
        for f in module.functions where functions[f.name] == nil { functions[f.name] = f }
        for f in module.functions.indices where ProcessGridInlining.contains(module.functions[f].body) {
            var inlining = ProcessGridInlining(functions: functions, nextID: module.functions[f].nextValueID)
            module.functions[f].body = inlining.rewriting(module.functions[f].body)
        }
    }
}

/// The rewrite of one function's `interpreter.run_parallel` ops (`ProcessGridPass`).
struct ProcessGridInlining {
    let functions: [String: Function]
    /// The next fresh value id of the function being rewritten.
    var nextID: Int
    /// run_parallel results → the values that replace them.
    private var renamed: [Int: Value] = [:]

    init(functions: [String: Function], nextID: Int) {
        self.functions = functions
        self.nextID = nextID
    }

    static let runParallel = "interpreter.run_parallel"
    /// The ops at which processes meet.
    static let collectives: Set<String> = [
        "stablehlo.all_reduce", "stablehlo.all_gather", "stablehlo.reduce_scatter", "stablehlo.all_to_all",
        "stablehlo.collective_permute", "stablehlo.collective_broadcast", "stablehlo.collective_reduce",
    ]
    /// Ops whose meaning in a grid this rewrite does not model.
    static let unmodelled: Set<String> = [
        "stablehlo.send", "stablehlo.recv", "stablehlo.infeed", runParallel, "func.call", "call",
    ]

    /// Whether `region` holds a run_parallel at any depth.
    static func contains(_ region: Region) -> Bool {
        region.blocks.contains { $0.operations.contains { $0.name == runParallel || $0.regions.contains(where: contains) } }
    }

    /// `region` with each run_parallel it can express replaced by its processes' ops.
    mutating func rewriting(_ region: Region) -> Region {
        var region = region
        for b in region.blocks.indices {
            var output: [Operation] = []
            for original in region.blocks[b].operations {
                var op = original
                op.operands = op.operands.map(resolve)
                for r in op.regions.indices { op.regions[r] = rewriting(op.regions[r]) }
                if op.name == Self.runParallel, let expansion = expand(op) {
                    output += expansion.operations
                    for (result, value) in zip(op.results, expansion.results) { renamed[result.id] = value }
                } else {
                    output.append(op)
                }
            }
            region.blocks[b].operations = output
        }
        return region
    }

    private func resolve(_ value: Value) -> Value {
        var value = value
        while let next = renamed[value.id] { value = next }
        return value
    }

    // MARK: the grid

    /// One process while its function is replayed.
    struct Process {
        var id: ProcessID
        var operations: [Operation]
        var returned: [Value]
        /// The function's values → the caller's.
        var map: [Int: Value] = [:]
        var cursor = 0

        var finished: Bool { cursor >= operations.count }
        var current: Operation { operations[cursor] }
    }

    /// The ops of every process, interleaved, and the run_parallel's results; nil when the
    /// grid cannot be expressed (the op then stays).
    private mutating func expand(_ op: Operation) -> (operations: [Operation], results: [Value])? {
        guard op[attribute: "infeed"] == nil, let names = Self.programs(op),
              let partitions = names.first?.count, partitions > 0, names.allSatisfy({ $0.count == partitions }),
              let grid = try? ProcessGrid(replicas: names.count, partitions: partitions) else { return nil }
        var processes: [Process] = []
        var next = 0
        for (flat, name) in names.joined().enumerated() {
            guard let f = functions[name], f.body.blocks.count == 1, let block = f.body.entry,
                  let terminator = block.operations.last, terminator.name == "func.return" || terminator.name == "return",
                  next + block.arguments.count <= op.operands.count else { return nil }
            var process = Process(id: grid.processes[flat], operations: Array(block.operations.dropLast()),
                                  returned: terminator.operands)
            for (argument, operand) in zip(block.arguments, op.operands[next...]) { process.map[argument.id] = operand }
            next += block.arguments.count
            guard process.operations.allSatisfy(Self.isExpressible) else { return nil }
            processes.append(process)
        }
        guard next == op.operands.count else { return nil }
        var output: [Operation] = []
        while true {
            for p in processes.indices { runLocally(&processes[p], into: &output) }
            let waiting = processes.indices.filter { !processes[$0].finished }
            if waiting.isEmpty { break }
            guard meet(&processes, waiting: waiting, grid: grid, into: &output) else { return nil }
        }
        let results = processes.flatMap { p in p.returned.map { p.map[$0.id] ?? $0 } }
        guard results.count == op.results.count, zip(results, op.results).allSatisfy({ $0.type == $1.type }) else { return nil }
        return (output, results)
    }

    /// `programs = [[@f, @g], [@h, @i]]`.
    static func programs(_ op: Operation) -> [[String]]? {
        guard case .array(let rows)? = op[attribute: "programs"] else { return nil }
        var names: [[String]] = []
        for row in rows {
            guard case .array(let items) = row else { return nil }
            var symbols: [String] = []
            for item in items {
                guard case .symbolRef(let s) = item else { return nil }
                symbols.append(s)
            }
            names.append(symbols)
        }
        return names
    }

    /// A process op this rewrite can replay: nothing unmodelled, and collectives only at
    /// the function's top level (where the processes' meetings follow program order).
    static func isExpressible(_ op: Operation) -> Bool {
        guard !unmodelled.contains(op.name) else { return false }
        return op.regions.allSatisfy { region in
            region.blocks.allSatisfy { $0.operations.allSatisfy { !collectives.contains($0.name) && isExpressible($0) } }
        }
    }

    /// Replays `process` up to its next collective.
    private mutating func runLocally(_ process: inout Process, into output: inout [Operation]) {
        while !process.finished, !Self.collectives.contains(process.current.name) {
            output.append(clone(process.current, in: process.id, map: &process.map))
            process.cursor += 1
        }
    }

    /// Lets one group of waiting processes meet: the first waiting process whose whole group
    /// waits at the same op. False when none can (the run would deadlock or mismatch) or
    /// the op is one this rewrite does not express.
    private mutating func meet(_ processes: inout [Process], waiting: [Int], grid: ProcessGrid,
                               into output: inout [Operation]) -> Bool {
        for w in waiting {
            let op = processes[w].current
            guard let members = Self.members(of: op, at: processes[w].id, grid: grid) else { return false }
            let indices = members.map(grid.flattenedID(of:))
            guard indices.allSatisfy({ i in
                !processes[i].finished && processes[i].current.name == op.name
                    && processes[i].current.attributes == op.attributes
                    && processes[i].current.operands.count == op.operands.count
            }) else { continue }
            let local = indices.isEmpty ? [w] : indices
            guard emitCollective(op.name, members: indices, at: local, processes: &processes, grid: grid, into: &output) else {
                return false
            }
            for i in local { processes[i].cursor += 1 }
            return true
        }
        return false
    }

    /// The processes that meet at `op` with `process`, in group order; empty when it meets
    /// none (its results are zeros); nil when the op's groups are invalid or unsupported.
    static func members(of op: Operation, at process: ProcessID, grid: ProcessGrid) -> [ProcessID]? {
        guard let kind = CollectiveKind(opName: op.name) else { return nil }
        let channel = op[attribute: "channel_handle"]?[parameter: "handle"]?.intValue ?? op[attribute: "channel_id"]?.intValue ?? 0
        let useGlobal: Bool
        switch op[attribute: "use_global_device_ids"] {
        case nil, .bool(false)?: useGlobal = false
        default: useGlobal = true
        }
        guard let strategy = try? GroupStrategy(for: kind, channelID: channel, useGlobalDeviceIDs: useGlobal) else { return nil }
        if kind == .collectivePermute {
            guard let pairs = try? PermutationPairs(grid: grid, strategy: strategy, pairs: CollectiveLowering.rows(op, "source_target_pairs"))
            else { return nil }
            var seen: Set<ProcessID> = [process]
            var stack = [process]
            while let p = stack.popLast() {
                for q in [pairs.sourceOfTarget[p], pairs.targetOfSource[p]].compactMap({ $0 }) where seen.insert(q).inserted {
                    stack.append(q)
                }
            }
            return seen.count == 1 && pairs.sourceOfTarget[process] == nil ? [] : seen.sorted()
        }
        if op[attribute: "has_dynamic_root"].map({ $0 != .bool(false) }) ?? false { return nil }
        guard let groups = try? CollectiveGroups(grid: grid, strategy: strategy, replicaGroups: CollectiveLowering.rows(op, "replica_groups"))
        else { return nil }
        guard let position = groups.position(of: process) else {
            return kind == .collectiveBroadcast || kind == .collectiveReduce ? [] : nil
        }
        return groups.groups[position.group]
    }
}
