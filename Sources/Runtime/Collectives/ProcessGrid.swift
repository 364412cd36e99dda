/// One StableHLO process: its position `(replica_id, partition_id)` in the process grid.
public struct ProcessID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The replica index, `0 ..< grid.replicaCount`.
    public var replica: Int
    /// The partition index, `0 ..< grid.partitionCount`.
    public var partition: Int

    public init(replica: Int, partition: Int) {
        self.replica = replica
        self.partition = partition
    }

    /// Replica-major order, the order in which the spec flattens process ids.
    public static func < (a: ProcessID, b: ProcessID) -> Bool {
        (a.replica, a.partition) < (b.replica, b.partition)
    }

    public var description: String { "(\(replica), \(partition))" }
}

/// The spec's StableHLO process grid: `num_replicas × num_partitions` processes running the
/// same (or different) programs, communicating only through collective ops.
public struct ProcessGrid: Hashable, Sendable, CustomStringConvertible {
    /// `num_replicas`.
    public let replicaCount: Int
    /// `num_partitions`.
    public let partitionCount: Int

    /// A grid of `replicas × partitions` processes; both must be at least 1.
    public init(replicas: Int, partitions: Int) throws(CollectiveGroupError) {
        guard replicas >= 1, partitions >= 1 else {
            throw .invalidGrid(replicas: replicas, partitions: partitions)
        }
        self.replicaCount = replicas
        self.partitionCount = partitions
    }

    /// A grid of one process.
    public static let single = ProcessGrid(uncheckedReplicas: 1, partitions: 1)

    private init(uncheckedReplicas: Int, partitions: Int) {
        self.replicaCount = uncheckedReplicas
        self.partitionCount = partitions
    }

    /// `num_replicas * num_partitions`.
    public var processCount: Int { replicaCount * partitionCount }

    /// Every process, in flattened-id order (replica-major).
    public var processes: [ProcessID] {
        (0..<processCount).map { ProcessID(replica: $0 / partitionCount, partition: $0 % partitionCount) }
    }

    /// `replica_id * num_partitions + partition_id`: the process's flattened id, which is
    /// also its index in `processes`.
    public func flattenedID(of process: ProcessID) -> Int {
        process.replica * partitionCount + process.partition
    }

    /// The process with flattened id `id`, or nil when `id` is outside the grid.
    public func process(flattenedID id: Int) -> ProcessID? {
        guard id >= 0, id < processCount else { return nil }
        return ProcessID(replica: id / partitionCount, partition: id % partitionCount)
    }

    /// Whether `process` lies in this grid.
    public func contains(_ process: ProcessID) -> Bool {
        process.replica >= 0 && process.replica < replicaCount && process.partition >= 0
            && process.partition < partitionCount
    }

    public var description: String { "\(replicaCount)x\(partitionCount) process grid" }
}
