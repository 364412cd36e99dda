import CUDA
import Foundation
import Runtime
import StableHLO
import Testing
@testable import CUDARuntime

/// Records the communication calls a runner hands over and plays an all-reduce of two
/// identical processes (the destination becomes twice the source) on the fake memory.
final class RecordingCollectives: CollectiveBackend, @unchecked Sendable {
    let process: Int
    let memory: FakeMemory
    private(set) var batches: [[ResolvedCommunicationCall]] = []
    /// `more` of each call.
    private(set) var holds: [Bool] = []

    init(process: Int, memory: FakeMemory) {
        self.process = process
        self.memory = memory
    }

    func abort() {}

    func communicate(_ calls: [ResolvedCommunicationCall], more: Bool) throws {
        batches.append(calls)
        holds.append(more)
        for resolved in calls {
            guard case .allReduce = resolved.call.operation, let source = resolved.source, let destination = resolved.destination
            else { continue }
            let values = try memory.floats(source, resolved.call.count)
            try memory.writeFloats(values.map { $0 * 2 }, at: destination)
        }
    }
}

@Suite("Collective steps on a fake device")
struct CollectiveExecutorTests {
    /// Process grid 2 replicas x 2 partitions: all_reduce f32[4] over {1, 3}; all_to_all
    /// f32[4] over {0, 1} and {2, 3}; replica_id and partition_id.
    static func executable() -> Executable {
        let f32x4 = TensorType(shape: [4], elementType: .float(.f32))
        let scalar = TensorType(shape: [], elementType: .ui(32))
        let buffers = [
            BufferSlot(name: "arg0", type: f32x4, placement: .input(index: 0)),
            BufferSlot(name: "%1 = all_reduce", type: f32x4, placement: .arena(offset: 0)),
            BufferSlot(name: "%2 = all_to_all", type: f32x4, placement: .arena(offset: 256)),
            BufferSlot(name: "%3 = replica_id", type: scalar, placement: .arena(offset: 512)),
            BufferSlot(name: "%4 = partition_id", type: scalar, placement: .arena(offset: 768)),
        ]
        var executable = Executable(
            target: "cuda", architecture: "sm_90", entry: "main", arenaBytes: 1024, buffers: buffers, inputs: [0],
            outputs: [1, 2, 3, 4], constants: [], kernels: [],
            steps: [
                .collective(CollectiveCall(kind: .allReduce, operand: 0, result: 1, dataType: "ncclFloat32", elementBytes: 4,
                                           count: 4, reduction: "ncclSum", groups: [[1, 3], [0, 2]])),
                .collective(CollectiveCall(kind: .allToAll, operand: 0, result: 2, dataType: "ncclFloat32", elementBytes: 4,
                                           count: 4, groups: [[0, 1], [2, 3]])),
                .collective(CollectiveCall(kind: .replicaID, operand: nil, result: 3, dataType: "ncclUint32", elementBytes: 4, count: 1)),
                .collective(CollectiveCall(kind: .partitionID, operand: nil, result: 4, dataType: "ncclUint32", elementBytes: 4, count: 1)),
            ],
            hostPrograms: [])
        executable.replicas = 2
        executable.partitions = 2
        return executable
    }

    static func input(_ values: [Float]) -> HostTensor {
        HostTensor(type: TensorType(shape: [values.count], elementType: .float(.f32)), bytes: values.flatMap(\.littleEndianBytes))
    }

    @Test(arguments: [0, 1, 2, 3])
    func eachProcessResolvesItsOwnCallsAndIDs(process: Int) throws {
        let queue = FakeDeviceQueue()
        let backend = RecordingCollectives(process: process, memory: queue.memory)
        let runner = try CUDAExecutableRunner(executable: Self.executable(), queue: queue, collectives: backend)
        let results = try runner.invoke(inputs: [Self.input([1, 2, 3, 4])])
        #expect(SampleExecutables.floats(results[0]) == [2, 4, 6, 8])
        #expect(results[2].bytes == withUnsafeBytes(of: UInt32(process / 2).littleEndian) { Array($0) })
        #expect(results[3].bytes == withUnsafeBytes(of: UInt32(process % 2).littleEndian) { Array($0) })
        #expect(backend.batches.count == 2)
        let reduce = try #require(backend.batches.first?.first)
        #expect(reduce.call.communicator == (process % 2 == 1 ? [1, 3] : [0, 2]))
        #expect(reduce.call.rank == process / 2)
        // all_to_all: one batch of a send and a receive per peer, 8 bytes apart.
        let exchange = backend.batches[1]
        #expect(exchange.map(\.call.operation) == [.send(peer: 0), .receive(peer: 0), .send(peer: 1), .receive(peer: 1)])
        let sources = exchange.compactMap(\.source), destinations = exchange.compactMap(\.destination)
        #expect(sources.count == 2 && destinations.count == 2)
        #expect(sources[1].rawValue - sources[0].rawValue == 8)
        #expect(destinations[1].rawValue - destinations[0].rawValue == 8)
        #expect(sources[0] != destinations[0])
    }

    @Test func aStepGroupedWithTheNextIsHeldUntilTheGroupEnds() throws {
        var executable = Self.executable()
        guard case .collective(var first) = executable.steps[0] else { return }
        first.groupsWithNext = true
        executable.steps[0] = .collective(first)
        let queue = FakeDeviceQueue()
        let backend = RecordingCollectives(process: 0, memory: queue.memory)
        _ = try CUDAExecutableRunner(executable: executable, queue: queue, collectives: backend)
            .invoke(inputs: [Self.input([1, 2, 3, 4])])
        #expect(backend.holds == [true, false])
        #expect(backend.batches.map(\.count) == [1, 4])
    }

    @Test func communicationWithoutABackendIsAnErrorNamingTheStep() throws {
        let runner = try CUDAExecutableRunner(executable: Self.executable(), queue: FakeDeviceQueue())
        #expect {
            _ = try runner.invoke(inputs: [Self.input([1, 2, 3, 4])])
        } throws: { error in
            let text = "\(error)"
            return text.contains("step 0") && text.contains("all_reduce") && text.contains("collective backend")
        }
    }

    @Test func validationRejectsAnOperandOfTheWrongSize() {
        var executable = Self.executable()
        executable.steps[0] = .collective(CollectiveCall(kind: .allReduce, operand: 0, result: 1, dataType: "ncclFloat32",
                                                         elementBytes: 4, count: 8, reduction: "ncclSum", groups: [[0, 1, 2, 3]]))
        #expect(throws: RuntimeError.self) { try executable.validate() }
        var outside = Self.executable()
        outside.steps[0] = .collective(CollectiveCall(kind: .allReduce, operand: 0, result: 1, dataType: "ncclFloat32",
                                                      elementBytes: 4, count: 4, reduction: "ncclSum", groups: [[0, 4]]))
        #expect(throws: RuntimeError.self) { try outside.validate() }
    }

    @Test func theCommunicatorsOfAnExecutableAreItsDistinctGroupsInFirstUseOrder() {
        #expect(CommunicatorPlan.groups(of: Self.executable()) == [[1, 3], [0, 2], [0, 1], [2, 3]])
    }
}
