import CUDA
import Foundation
import Runtime

/// `CollectiveBackend` over NCCL for one process: its communicator in each process group
/// it belongs to, and its compute stream, on which every call is queued.
public final class NCCLCollectives: CollectiveBackend, @unchecked Sendable {
    public let process: Int
    /// The library.
    public let nccl: NCCL
    /// This process's communicator per group (the group's processes in rank order).
    public let communicators: [[Int]: NCCLCommunicator]
    /// The compute stream of this process's GPU.
    public let stream: CUDAStream

    public init(process: Int, nccl: NCCL, communicators: [[Int]: NCCLCommunicator], stream: CUDAStream) {
        self.process = process
        self.nccl = nccl
        self.communicators = communicators
        self.stream = stream
    }

    /// Calls held for the group the next step joins (one process, one thread).
    private var pending: [ResolvedCommunicationCall] = []

    public func communicate(_ calls: [ResolvedCommunicationCall], more: Bool) throws {
        pending += calls
        if more { return }
        let batch = pending
        pending = []
        guard !batch.isEmpty else { return }
        try stream.context.makeCurrent()
        if batch.count == 1 {
            try issue(batch[0])
            return
        }
        try nccl.grouped {
            for call in batch { try issue(call) }
        }
    }

    public func abort() {
        for communicator in communicators.values { communicator.abort() }
    }

    private func issue(_ resolved: ResolvedCommunicationCall) throws {
        let call = resolved.call
        guard let communicator = communicators[call.communicator] else {
            throw RuntimeError("process \(process) has no NCCL communicator for group \(call.communicator)")
        }
        guard let dataType = NCCLDataType(name: call.dataType) else {
            throw RuntimeError("NCCL has no data type \(call.dataType)")
        }
        func pointer(_ p: DevicePointer?, _ role: String) throws -> DevicePointer {
            guard let p else { throw RuntimeError("\(call): no \(role) buffer") }
            return p
        }
        func reduction(_ name: String) throws -> NCCLReduction {
            guard let op = NCCLReduction(name: name) else { throw RuntimeError("NCCL has no reduction \(name)") }
            return op
        }
        switch call.operation {
        case .allReduce(let name):
            try communicator.allReduce(from: try pointer(resolved.source, "send"), to: try pointer(resolved.destination, "receive"),
                                       count: call.count, dataType: dataType, reduction: try reduction(name), stream: stream)
        case .allGather:
            try communicator.allGather(from: try pointer(resolved.source, "send"), to: try pointer(resolved.destination, "receive"),
                                       sendCount: call.count, dataType: dataType, stream: stream)
        case .reduceScatter(let name):
            try communicator.reduceScatter(from: try pointer(resolved.source, "send"), to: try pointer(resolved.destination, "receive"),
                                           receiveCount: call.count, dataType: dataType, reduction: try reduction(name), stream: stream)
        case .broadcast(let root):
            try communicator.broadcast(from: try pointer(resolved.source, "send"), to: try pointer(resolved.destination, "receive"),
                                       count: call.count, dataType: dataType, root: root, stream: stream)
        case .send(let peer):
            try communicator.send(from: try pointer(resolved.source, "send"), count: call.count, dataType: dataType, peer: peer, stream: stream)
        case .receive(let peer):
            try communicator.receive(into: try pointer(resolved.destination, "receive"), count: call.count, dataType: dataType,
                                     peer: peer, stream: stream)
        case .zero, .store:
            throw RuntimeError("\(call) is a local write, not an NCCL call")
        }
    }
}

/// The communicators a set of executables needs on a grid of `processCount` processes:
/// one NCCL clique per distinct process group (`ncclCommInitAll` over the GPUs of the
/// group's processes, process `p` on GPU `devices[p]`).
public enum CommunicatorPlan {
    /// Every distinct communicator of `executable`'s collective steps, in first-use order.
    public static func groups(of executable: Executable) -> [[Int]] {
        var seen = Set<[Int]>()
        var result: [[Int]] = []
        for step in executable.allSteps {
            guard case .collective(let call) = step else { continue }
            for group in call.communicators(processCount: executable.processCount) where seen.insert(group).inserted {
                result.append(group)
            }
        }
        return result
    }

    /// Creates the cliques: for each process, its communicator per group.
    public static func communicators(for groups: [[Int]], devices: [Int], nccl: NCCL) throws -> [[[Int]: NCCLCommunicator]] {
        var perProcess = [[[Int]: NCCLCommunicator]](repeating: [:], count: devices.count)
        for group in groups {
            let clique = try nccl.communicators(devices: group.map { devices[$0] })
            for (rank, process) in group.enumerated() { perProcess[process][group] = clique[rank] }
        }
        return perProcess
    }
}

extension NCCLCollectives {
    /// The backend for `executable` run as one process on `queue`'s GPU: nil when it has
    /// no collective steps, 1-rank NCCL communicators when it communicates (groups of one).
    /// Throws when the program declares more than one process (those run on a
    /// `MultiDeviceRunner`).
    public static func singleProcess(for executable: Executable, queue: any DeviceQueue,
                                     loadNCCL: () throws -> NCCL = { try NCCL.load() }) throws -> (any CollectiveBackend)? {
        guard executable.allSteps.contains(where: { if case .collective = $0 { return true } else { return false } }) else { return nil }
        guard executable.processCount == 1 else {
            throw RuntimeError("the program runs as \(executable.processCount) processes (\(executable.replicas ?? 1) replicas × \(executable.partitions ?? 1) partitions), one GPU each: run it with nvgpu run --replicas=\(executable.replicas ?? 1) --partitions=\(executable.partitions ?? 1)")
        }
        let groups = CommunicatorPlan.groups(of: executable)
        guard !groups.isEmpty else { return LocalOnlyCollectives(process: 0) }
        guard let cuda = queue as? CUDAQueue else {
            throw RuntimeError("collective steps run on a CUDA queue with NCCL")
        }
        let nccl = try loadNCCL()
        let communicators = try CommunicatorPlan.communicators(for: groups, devices: [cuda.context.device.ordinal], nccl: nccl)
        return NCCLCollectives(process: 0, nccl: nccl, communicators: communicators[0], stream: cuda.stream)
    }
}
