/// A collective step: one StableHLO collective op (or `replica_id` / `partition_id`) over the
/// process grid, in the form every process turns into communication-library calls on its
/// compute stream (NCCL on the CUDA target).
///
/// Data always moves along the leading dimension: the compiler puts transposes around ops
/// that gather, scatter or split another dimension, so a block of a tensor is a contiguous
/// byte range. Process ids are flattened (`replica_id * num_partitions + partition_id`).
public struct CollectiveCall: Codable, Sendable, Hashable {
    /// Which operation.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case allReduce = "all_reduce"
        case allGather = "all_gather"
        case reduceScatter = "reduce_scatter"
        case allToAll = "all_to_all"
        case collectivePermute = "collective_permute"
        case collectiveBroadcast = "collective_broadcast"
        case replicaID = "replica_id"
        case partitionID = "partition_id"
    }

    public var kind: Kind
    /// The buffer sent (nil for `replica_id` / `partition_id`).
    public var operand: Int?
    /// The buffer written.
    public var result: Int
    /// The library's element type (`ncclFloat32`); data-movement ops on types NCCL cannot
    /// reduce move bytes (`ncclUint8`).
    public var dataType: String
    /// Bytes per element of `dataType`.
    public var elementBytes: Int
    /// Elements of `dataType` in the operand.
    public var count: Int
    /// The reduction (`ncclSum`) of `all_reduce` / `reduce_scatter`.
    public var reduction: String?
    /// The process groups (flattened ids, rank order within each group).
    public var groups: [[Int]]
    /// `collective_permute`: `[source, target]` pairs of flattened ids.
    public var pairs: [[Int]]
    /// Whether the next step is a collective issued in the same library group (the pieces
    /// of a variadic op, or independent collectives that follow each other); nil is false.
    public var groupsWithNext: Bool?

    public init(kind: Kind, operand: Int?, result: Int, dataType: String, elementBytes: Int, count: Int,
                reduction: String? = nil, groups: [[Int]] = [], pairs: [[Int]] = []) {
        self.kind = kind
        self.operand = operand
        self.result = result
        self.dataType = dataType
        self.elementBytes = elementBytes
        self.count = count
        self.reduction = reduction
        self.groups = groups
        self.pairs = pairs
    }
}

/// A contiguous byte range of a buffer.
public struct BufferRange: Hashable, Sendable, CustomStringConvertible {
    public var buffer: Int
    public var byteOffset: Int
    public var byteCount: Int

    public init(buffer: Int, byteOffset: Int = 0, byteCount: Int) {
        self.buffer = buffer
        self.byteOffset = byteOffset
        self.byteCount = byteCount
    }

    public var description: String { "b\(buffer)" + (byteOffset == 0 ? "" : "+\(byteOffset)") }
}

/// One call a process makes for a collective step: a communication-library call on a
/// communicator (the processes of one group, in rank order), or a local write.
public struct CommunicationCall: Hashable, Sendable, CustomStringConvertible {
    /// What the call does.
    public enum Operation: Hashable, Sendable {
        case allReduce(reduction: String)
        case allGather
        case reduceScatter(reduction: String)
        /// Every rank receives rank `root`'s data.
        case broadcast(root: Int)
        /// Point-to-point to / from rank `peer` of the communicator.
        case send(peer: Int)
        case receive(peer: Int)
        /// Local: zero the destination (a permute target no source sends to, a broadcast
        /// outside every group).
        case zero
        /// Local: store this `ui32` in the destination (`replica_id`, `partition_id`).
        case store(UInt32)
    }

    public var operation: Operation
    /// The communicator's processes in rank order; empty for local calls.
    public var communicator: [Int]
    /// This process's rank in `communicator`.
    public var rank: Int
    public var source: BufferRange?
    public var destination: BufferRange?
    /// Elements of `dataType` the library is told (send count for all-gather, receive
    /// count for reduce-scatter).
    public var count: Int
    public var dataType: String

    /// Whether it needs a communicator (false for local writes).
    public var isCommunication: Bool {
        switch operation {
        case .zero, .store: return false
        default: return true
        }
    }

    /// `ncclAllReduce(b1 → b2, 8 × ncclFloat32, ncclSum) on [0, 1] as rank 0`.
    public var description: String {
        let on = " on \(communicator) as rank \(rank)"
        let s = source.map { "\($0)" } ?? "-", d = destination.map { "\($0)" } ?? "-"
        switch operation {
        case .allReduce(let r): return "ncclAllReduce(\(s) → \(d), \(count) × \(dataType), \(r))" + on
        case .allGather: return "ncclAllGather(\(s) → \(d), \(count) × \(dataType))" + on
        case .reduceScatter(let r): return "ncclReduceScatter(\(s) → \(d), \(count) × \(dataType), \(r))" + on
        case .broadcast(let root): return "ncclBroadcast(\(s) → \(d), \(count) × \(dataType), root \(root))" + on
        case .send(let peer): return "ncclSend(\(s), \(count) × \(dataType), peer \(peer))" + on
        case .receive(let peer): return "ncclRecv(\(d), \(count) × \(dataType), peer \(peer))" + on
        case .zero: return "zero \(d) (\(destination?.byteCount ?? 0) bytes)"
        case .store(let value): return "store \(value) in \(d)"
        }
    }
}

extension CollectiveCall {
    /// The calls process `process` (a flattened id) makes for this step, in order. Local
    /// writes come first; the communication calls after them are issued as one library
    /// group (`ncclGroupStart` ... `ncclGroupEnd`) when there are several.
    /// - Parameter partitions: `num_partitions` of the grid (for `replica_id` / `partition_id`).
    public func calls(forProcess process: Int, processCount: Int, partitions: Int) throws(RuntimeError) -> [CommunicationCall] {
        let operandBytes = count * elementBytes
        let resultRange = BufferRange(buffer: result, byteCount: resultBytes(operandBytes))
        func place() throws(RuntimeError) -> (group: [Int], rank: Int) {
            for group in groups {
                if let rank = group.firstIndex(of: process) { return (group, rank) }
            }
            throw RuntimeError("\(kind.rawValue): process \(process) is in no process group of \(groups)")
        }
        func call(_ operation: CommunicationCall.Operation, _ group: [Int], _ rank: Int,
                  source: BufferRange?, destination: BufferRange?, count: Int) -> CommunicationCall {
            CommunicationCall(operation: operation, communicator: group, rank: rank, source: source,
                              destination: destination, count: count, dataType: dataType)
        }
        let zero = call(.zero, [], 0, source: nil, destination: resultRange, count: 0)
        switch kind {
        case .replicaID, .partitionID:
            let value = kind == .replicaID ? process / max(1, partitions) : process % max(1, partitions)
            return [call(.store(UInt32(value)), [], 0, source: nil, destination: resultRange, count: 1)]
        case .allReduce, .allGather, .reduceScatter:
            guard let operand else { throw RuntimeError("\(kind.rawValue) without an operand") }
            let (group, rank) = try place()
            let source = BufferRange(buffer: operand, byteCount: operandBytes)
            switch kind {
            case .allReduce:
                return [call(.allReduce(reduction: reduction ?? "ncclSum"), group, rank, source: source, destination: resultRange, count: count)]
            case .allGather:
                return [call(.allGather, group, rank, source: source, destination: resultRange, count: count)]
            default:
                guard count % group.count == 0 else {
                    throw RuntimeError("reduce_scatter of \(count) elements over a group of \(group.count)")
                }
                return [call(.reduceScatter(reduction: reduction ?? "ncclSum"), group, rank, source: source,
                             destination: resultRange, count: count / group.count)]
            }
        case .allToAll:
            guard let operand else { throw RuntimeError("all_to_all without an operand") }
            let (group, rank) = try place()
            guard count % group.count == 0 else {
                throw RuntimeError("all_to_all of \(count) elements over a group of \(group.count)")
            }
            let chunk = count / group.count, chunkBytes = chunk * elementBytes
            var result: [CommunicationCall] = []
            for peer in group.indices {
                result.append(call(.send(peer: peer), group, rank,
                                   source: BufferRange(buffer: operand, byteOffset: peer * chunkBytes, byteCount: chunkBytes),
                                   destination: nil, count: chunk))
                result.append(call(.receive(peer: peer), group, rank, source: nil,
                                   destination: BufferRange(buffer: self.result, byteOffset: peer * chunkBytes, byteCount: chunkBytes),
                                   count: chunk))
            }
            return result
        case .collectivePermute:
            guard let operand else { throw RuntimeError("collective_permute without an operand") }
            let world = Array(0..<processCount)
            var result: [CommunicationCall] = []
            let source = pairs.first { $0.count == 2 && $0[1] == process }?[0]
            if source == nil { result.append(zero) }
            if let target = pairs.first(where: { $0.count == 2 && $0[0] == process })?[1] {
                result.append(call(.send(peer: target), world, process,
                                   source: BufferRange(buffer: operand, byteCount: operandBytes), destination: nil, count: count))
            }
            if let source {
                result.append(call(.receive(peer: source), world, process, source: nil, destination: resultRange, count: count))
            }
            return result
        case .collectiveBroadcast:
            guard let operand else { throw RuntimeError("collective_broadcast without an operand") }
            guard let (group, rank) = try? place() else { return [zero] }
            return [call(.broadcast(root: 0), group, rank, source: BufferRange(buffer: operand, byteCount: operandBytes),
                         destination: resultRange, count: count)]
        }
    }

    /// Bytes of the result for an operand of `operandBytes` (group sizes are uniform).
    private func resultBytes(_ operandBytes: Int) -> Int {
        let size = max(1, groups.first?.count ?? 1)
        switch kind {
        case .allGather: return operandBytes * size
        case .reduceScatter: return operandBytes / size
        case .replicaID, .partitionID: return 4
        default: return operandBytes
        }
    }

    /// Whether the step makes communication-library calls (not just local writes).
    public var communicates: Bool { kind != .replicaID && kind != .partitionID }

    /// Every distinct communicator the step uses on a grid of `processCount` processes.
    public func communicators(processCount: Int) -> [[Int]] {
        switch kind {
        case .replicaID, .partitionID: return []
        case .collectivePermute: return pairs.isEmpty ? [] : [Array(0..<processCount)]
        default: return groups
        }
    }
}

extension CollectiveCall {
    /// `all_reduce 8 × ncclFloat32 ncclSum, groups [[0, 1], [2, 3]]`.
    public var summary: String {
        var text = "\(kind.rawValue)"
        if kind == .replicaID || kind == .partitionID { return text }
        text += " \(count) × \(dataType)"
        if let reduction { text += " \(reduction)" }
        text += kind == .collectivePermute ? ", pairs \(pairs)" : ", groups \(groups)"
        if groupsWithNext == true { text += ", grouped with the next step" }
        return text
    }
}

extension Executable {
    /// The listing of collective step `step` for `nvgpu inspect`: the call, then for each
    /// process the library calls it makes, in order (`[group]` marks calls issued as one
    /// NCCL group).
    public func collectivePlanLines(_ call: CollectiveCall, step: Int) -> [String] {
        let operand = call.operand.map { "b\($0)" } ?? ""
        var lines = ["  \(step): collective \(call.summary) (\(operand)) → b\(call.result)"]
        for process in 0..<processCount {
            do {
                let calls = try call.calls(forProcess: process, processCount: processCount, partitions: partitions ?? 1)
                let grouped = calls.filter(\.isCommunication).count > 1
                for (index, c) in calls.enumerated() {
                    let mark = grouped && c.isCommunication ? " [group]" : ""
                    lines.append("       p\(process)\(index == 0 ? ":" : " ") \(c)\(mark)")
                }
            } catch {
                lines.append("       p\(process): \(error)")
            }
        }
        return lines
    }
}
