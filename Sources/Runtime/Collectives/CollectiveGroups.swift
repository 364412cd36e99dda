/// The collective ops of StableHLO, for choosing how each splits the process grid.
public enum CollectiveKind: String, Hashable, Sendable, CaseIterable {
    case allGather = "all_gather"
    case allReduce = "all_reduce"
    case reduceScatter = "reduce_scatter"
    case allToAll = "all_to_all"
    case collectivePermute = "collective_permute"
    case collectiveBroadcast = "collective_broadcast"
    /// Not in the spec's op list yet; the interpreter tests use it (root gets the reduction).
    case collectiveReduce = "collective_reduce"

    /// The kind for a full op name (`stablehlo.all_reduce`), or nil.
    public init?(opName: String) {
        let short = opName.hasPrefix("stablehlo.") ? String(opName.dropFirst("stablehlo.".count)) : opName
        self.init(rawValue: short)
    }
}

/// The spec's four ways of splitting the process grid into process groups
/// ("Collective ops" section).
public enum GroupStrategy: String, Hashable, Sendable {
    /// Groups of replica ids, one copy per partition: only cross-replica communication.
    case crossReplica = "cross_replica"
    /// Groups of partition ids, one copy per replica: only cross-partition communication.
    case crossPartition = "cross_partition"
    /// Groups of replica ids, each spanning every partition.
    case crossReplicaAndPartition = "cross_replica_and_partition"
    /// Groups of flattened ids `replica_id * num_partitions + partition_id`.
    case flattenedIDs = "flattened_ids"

    /// The strategy op `kind` uses for `channel_id` (`channel_handle.handle`, 0 when absent)
    /// and `use_global_device_ids`, as each op's section of the spec defines it.
    public init(for kind: CollectiveKind, channelID: Int64, useGlobalDeviceIDs: Bool) throws(CollectiveGroupError) {
        switch kind {
        case .allGather, .allReduce, .reduceScatter:
            switch (channelID > 0, useGlobalDeviceIDs) {
            case (false, false): self = .crossReplica
            case (true, false): self = .crossReplicaAndPartition
            case (true, true): self = .flattenedIDs
            case (false, true): throw .globalDeviceIDsWithoutChannel(channelID: channelID)
            }
        case .allToAll, .collectivePermute, .collectiveBroadcast, .collectiveReduce:
            guard !useGlobalDeviceIDs else { throw .globalDeviceIDsWithoutChannel(channelID: channelID) }
            self = channelID > 0 ? .crossPartition : .crossReplica
        }
    }

    /// How many ids the groups must draw from: `num_replicas`, `num_partitions` or
    /// `num_processes`.
    public func idLimit(in grid: ProcessGrid) -> Int {
        switch self {
        case .crossReplica, .crossReplicaAndPartition: return grid.replicaCount
        case .crossPartition: return grid.partitionCount
        case .flattenedIDs: return grid.processCount
        }
    }

    /// What an id in `replica_groups` names under this strategy.
    var idNoun: String {
        switch self {
        case .crossReplica, .crossReplicaAndPartition: return "replica id"
        case .crossPartition: return "partition id"
        case .flattenedIDs: return "flattened process id"
        }
    }
}

/// The process groups of one collective op: the spec's `process_groups`, computed from
/// `replica_groups` with one of the four strategies. Backend-neutral: the reference
/// interpreter and the NCCL path both use it.
public struct CollectiveGroups: Hashable, Sendable {
    public let grid: ProcessGrid
    public let strategy: GroupStrategy
    /// The process groups, in the order the spec's Python definitions yield them.
    public let groups: [[ProcessID]]
    private let position: [ProcessID: GroupPosition]

    /// Where a process sits: group index and index within that group.
    public struct GroupPosition: Hashable, Sendable {
        public let group: Int
        public let index: Int

        public init(group: Int, index: Int) {
            self.group = group
            self.index = index
        }
    }

    /// Computes the process groups for `replicaGroups` (the rows of the `replica_groups`
    /// attribute). `-1` entries are padding of ragged groups and are dropped. An empty
    /// list (`tensor<0x0xi64>`, or only padding) means one group of every id, as XLA reads
    /// it. Throws when an id is out of range or appears twice.
    public init(grid: ProcessGrid, strategy: GroupStrategy, replicaGroups: [[Int64]]) throws(CollectiveGroupError) {
        let limit = strategy.idLimit(in: grid)
        var rows: [[Int]] = []
        var seen = Set<Int>()
        for row in replicaGroups {
            var ids: [Int] = []
            for raw in row where raw != -1 {
                guard raw >= 0, raw < Int64(limit) else {
                    throw .idOutOfRange(id: raw, limit: limit, strategy: strategy)
                }
                let id = Int(raw)
                guard seen.insert(id).inserted else { throw .duplicateID(id: id, strategy: strategy) }
                ids.append(id)
            }
            if !ids.isEmpty { rows.append(ids) }
        }
        if rows.isEmpty { rows = [Array(0..<limit)] }

        var groups: [[ProcessID]] = []
        switch strategy {
        case .crossReplica:
            for row in rows {
                for p in 0..<grid.partitionCount {
                    groups.append(row.map { ProcessID(replica: $0, partition: p) })
                }
            }
        case .crossPartition:
            for row in rows {
                for r in 0..<grid.replicaCount {
                    groups.append(row.map { ProcessID(replica: r, partition: $0) })
                }
            }
        case .crossReplicaAndPartition:
            for row in rows {
                var group: [ProcessID] = []
                for p in 0..<grid.partitionCount {
                    for r in row { group.append(ProcessID(replica: r, partition: p)) }
                }
                groups.append(group)
            }
        case .flattenedIDs:
            for row in rows {
                groups.append(row.map { ProcessID(replica: $0 / grid.partitionCount, partition: $0 % grid.partitionCount) })
            }
        }
        self.init(grid: grid, strategy: strategy, groups: groups)
    }

    private init(grid: ProcessGrid, strategy: GroupStrategy, groups: [[ProcessID]]) {
        self.grid = grid
        self.strategy = strategy
        self.groups = groups
        var position: [ProcessID: GroupPosition] = [:]
        for (g, group) in groups.enumerated() {
            for (i, process) in group.enumerated() { position[process] = GroupPosition(group: g, index: i) }
        }
        self.position = position
    }

    /// The group holding `process` and its index there, or nil when no group names it.
    public func position(of process: ProcessID) -> GroupPosition? { position[process] }

    /// The group holding `process`, or an error when no group names it (ops that need every
    /// process in a group: all_reduce, all_gather, reduce_scatter, all_to_all).
    public func group(of process: ProcessID) throws(CollectiveGroupError) -> [ProcessID] {
        guard let p = position[process] else { throw .processInNoGroup(process: process, strategy: strategy) }
        return groups[p.group]
    }

    /// The common size of every group; throws when ragged groups differ in size (ops whose
    /// result shape depends on the group size need them equal).
    public func uniformGroupSize() throws(CollectiveGroupError) -> Int {
        let sizes = groups.map(\.count)
        guard let first = sizes.first, sizes.allSatisfy({ $0 == first }) else {
            throw .unequalGroupSizes(sizes: sizes)
        }
        return first
    }
}

/// The `source_target_pairs` of `collective_permute`, as process pairs: with
/// `cross_replica` each pair of replica ids applies in every partition, with
/// `cross_partition` each pair of partition ids in every replica.
public struct PermutationPairs: Hashable, Sendable {
    public let grid: ProcessGrid
    public let strategy: GroupStrategy
    /// The process pairs, in the spec's order (pairs of the first partition (or replica)
    /// copy first).
    public let pairs: [ProcessPair]
    /// For each target process, the process it receives from.
    public let sourceOfTarget: [ProcessID: ProcessID]
    /// For each source process, the process it sends to.
    public let targetOfSource: [ProcessID: ProcessID]

    /// Validates and expands `pairs` (rows of two ids). Sources must be unique, targets
    /// must be unique, ids must be below `num_replicas` (`cross_replica`) or
    /// `num_partitions` (`cross_partition`).
    public init(grid: ProcessGrid, strategy: GroupStrategy, pairs: [[Int64]]) throws(CollectiveGroupError) {
        guard strategy == .crossReplica || strategy == .crossPartition else {
            throw .unsupportedStrategy(strategy: strategy, op: .collectivePermute)
        }
        let limit = strategy.idLimit(in: grid)
        var sources = Set<Int>(), targets = Set<Int>()
        var idPairs: [(Int, Int)] = []
        for (i, row) in pairs.enumerated() {
            guard row.count == 2 else { throw .malformedPair(index: i, count: row.count) }
            for raw in row where raw < 0 || raw >= Int64(limit) {
                throw .idOutOfRange(id: raw, limit: limit, strategy: strategy)
            }
            let s = Int(row[0]), t = Int(row[1])
            guard sources.insert(s).inserted else { throw .duplicateSource(id: s) }
            guard targets.insert(t).inserted else { throw .duplicateTarget(id: t) }
            idPairs.append((s, t))
        }
        var sourceOfTarget: [ProcessID: ProcessID] = [:], targetOfSource: [ProcessID: ProcessID] = [:]
        var expanded: [ProcessPair] = []
        let copies = strategy == .crossReplica ? grid.partitionCount : grid.replicaCount
        for copy in 0..<copies {
            for (s, t) in idPairs {
                let source = strategy == .crossReplica
                    ? ProcessID(replica: s, partition: copy) : ProcessID(replica: copy, partition: s)
                let target = strategy == .crossReplica
                    ? ProcessID(replica: t, partition: copy) : ProcessID(replica: copy, partition: t)
                sourceOfTarget[target] = source
                targetOfSource[source] = target
                expanded.append(ProcessPair(source: source, target: target))
            }
        }
        self.grid = grid
        self.strategy = strategy
        self.pairs = expanded
        self.sourceOfTarget = sourceOfTarget
        self.targetOfSource = targetOfSource
    }
}

/// A `collective_permute` transfer: `source` sends its operand to `target`.
public struct ProcessPair: Hashable, Sendable {
    public let source: ProcessID
    public let target: ProcessID

    public init(source: ProcessID, target: ProcessID) {
        self.source = source
        self.target = target
    }
}

/// Why a collective's process groups could not be formed (the spec's constraints on
/// `replica_groups`, `source_target_pairs`, `channel_id` and `use_global_device_ids`).
public enum CollectiveGroupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `num_replicas` or `num_partitions` below 1.
    case invalidGrid(replicas: Int, partitions: Int)
    /// `use_global_device_ids` set with `channel_id <= 0` (or on an op that has no such flag).
    case globalDeviceIDsWithoutChannel(channelID: Int64)
    /// An id outside `0 ..< limit`.
    case idOutOfRange(id: Int64, limit: Int, strategy: GroupStrategy)
    /// An id listed twice in `replica_groups`.
    case duplicateID(id: Int, strategy: GroupStrategy)
    /// Ragged groups where the op needs groups of one size.
    case unequalGroupSizes(sizes: [Int])
    /// A process that no group names, for an op every process must take part in.
    case processInNoGroup(process: ProcessID, strategy: GroupStrategy)
    /// A `source_target_pairs` row that does not hold two ids.
    case malformedPair(index: Int, count: Int)
    /// Two pairs with the same source.
    case duplicateSource(id: Int)
    /// Two pairs with the same target.
    case duplicateTarget(id: Int)
    /// A strategy the op does not use.
    case unsupportedStrategy(strategy: GroupStrategy, op: CollectiveKind)

    public var description: String {
        switch self {
        case .invalidGrid(let r, let p):
            return "process grid needs at least one replica and one partition, got \(r)x\(p)"
        case .globalDeviceIDsWithoutChannel(let c):
            return "use_global_device_ids needs a channel_id > 0, got \(c)"
        case .idOutOfRange(let id, let limit, let s):
            return "\(s.idNoun) \(id) is out of range 0..<\(limit) (\(s.rawValue))"
        case .duplicateID(let id, let s):
            return "\(s.idNoun) \(id) appears more than once in replica_groups (\(s.rawValue))"
        case .unequalGroupSizes(let sizes):
            return "process groups differ in size (\(sizes.map(String.init).joined(separator: ", ")))"
        case .processInNoGroup(let p, let s):
            return "process \(p) is in no process group (\(s.rawValue))"
        case .malformedPair(let i, let n):
            return "source_target_pairs row \(i) has \(n) ids, expected 2"
        case .duplicateSource(let id): return "source_target_pairs has source \(id) more than once"
        case .duplicateTarget(let id): return "source_target_pairs has target \(id) more than once"
        case .unsupportedStrategy(let s, let op): return "\(op.rawValue) does not split by \(s.rawValue)"
        }
    }
}
