import CUDA
import Runtime
import StableHLO

/// One library call of a collective step with its buffers resolved to device addresses.
public struct ResolvedCommunicationCall: Sendable, Hashable {
    /// The call as planned (operation, communicator, counts).
    public var call: CommunicationCall
    public var source: DevicePointer?
    public var destination: DevicePointer?

    public init(call: CommunicationCall, source: DevicePointer?, destination: DevicePointer?) {
        self.call = call
        self.source = source
        self.destination = destination
    }
}

/// Runs the communication calls of `.collective` steps for one process of the grid, on that
/// process's compute stream (`NCCLCollectives`; tests inject a recorder).
public protocol CollectiveBackend: AnyObject, Sendable {
    /// This process's flattened id (`replica_id * num_partitions + partition_id`).
    var process: Int { get }
    /// Issues `calls` (all communication calls, in order) as one library group when there
    /// are several. With `more`, holds them: the next call's calls join the same group.
    func communicate(_ calls: [ResolvedCommunicationCall], more: Bool) throws
    /// Stops this process's unfinished communication (another process failed), so that its
    /// stream does not wait forever for peers that will never come.
    func abort()
}

extension CUDAExecutableRunner {
    /// Runs one `.collective` step: local writes (`replica_id`, zeroed receivers) through the
    /// queue, then the communication calls through the collective backend.
    func runCollective(_ call: CollectiveCall) throws {
        let process = collectives?.process ?? 0
        let calls = try call.calls(forProcess: process, processCount: executable.processCount,
                                   partitions: executable.partitions ?? 1)
        var communication: [ResolvedCommunicationCall] = []
        for planned in calls {
            let destination = try planned.destination.map { try address(of: $0.buffer).advanced(by: $0.byteOffset) }
            switch planned.operation {
            case .zero:
                if let destination, let range = planned.destination {
                    try queue.upload([UInt8](repeating: 0, count: range.byteCount), to: destination)
                }
            case .store(let value):
                if let destination {
                    try queue.upload(withUnsafeBytes(of: value.littleEndian) { Array($0) }, to: destination)
                }
            default:
                let source = try planned.source.map { try address(of: $0.buffer).advanced(by: $0.byteOffset) }
                communication.append(ResolvedCommunicationCall(call: planned, source: source, destination: destination))
            }
        }
        guard call.communicates else { return }
        guard let collectives else {
            if communication.isEmpty { return }
            throw RuntimeError("\(call.kind.rawValue) needs a collective backend (NCCL): run the program with nvgpu run --device=cuda, which sets one up")
        }
        try collectives.communicate(communication, more: call.groupsWithNext == true)
    }
}

extension Executable {
    /// Checks a `.collective` step: buffers in range and of the sizes the call implies,
    /// process ids inside the grid.
    func checkCollective(
        _ call: CollectiveCall, label: String,
        readable: (Int, String) throws(RuntimeError) -> BufferSlot,
        writable: (Int, String) throws(RuntimeError) -> BufferSlot,
        fail: (String) -> RuntimeError
    ) throws(RuntimeError) {
        let result = try writable(call.result, "\(call.kind.rawValue) result")
        guard call.count >= 0, call.elementBytes > 0 else {
            throw fail("\(label): \(call.kind.rawValue) of \(call.count) × \(call.elementBytes) bytes")
        }
        let processes = processCount
        for id in call.groups.flatMap({ $0 }) + call.pairs.flatMap({ $0 }) where id < 0 || id >= processes {
            throw fail("\(label): \(call.kind.rawValue) names process \(id) of \(processes)")
        }
        let size = call.groups.first?.count ?? 1
        let bytes = call.count * call.elementBytes
        switch call.kind {
        case .replicaID, .partitionID:
            guard result.byteSize == 4 else { throw fail("\(label): \(call.kind.rawValue) writes \(result.byteSize) bytes, not a ui32") }
            return
        default:
            break
        }
        guard let operandIndex = call.operand else { throw fail("\(label): \(call.kind.rawValue) without an operand") }
        let operand = try readable(operandIndex, "\(call.kind.rawValue) operand")
        guard operand.byteSize == bytes else {
            throw fail("\(label): \(call.kind.rawValue) operand \(operand.name) has \(operand.byteSize) bytes, the call moves \(bytes)")
        }
        guard call.groups.allSatisfy({ $0.count == size }), size > 0 || call.kind == .collectivePermute else {
            throw fail("\(label): \(call.kind.rawValue) groups differ in size: \(call.groups)")
        }
        let expected: Int
        switch call.kind {
        case .allGather: expected = bytes * size
        case .reduceScatter: expected = bytes / max(1, size)
        default: expected = bytes
        }
        guard result.byteSize == expected else {
            throw fail("\(label): \(call.kind.rawValue) result \(result.name) has \(result.byteSize) bytes, expected \(expected)")
        }
    }
}
