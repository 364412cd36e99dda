import CUDA
import Foundation
import Runtime
import StableHLO
import Testing
@testable import CUDARuntime

/// Loop and branch steps on a queue without graphs: run from the host, one scalar read per
/// iteration or branch, with the data flowing through the carried buffers.
@Suite("control-flow steps on a fake device")
struct ControlFlowExecutorTests {
    static func i32(_ values: [Int32]) -> HostTensor {
        HostTensor(type: TensorType(shape: [], elementType: .si(32)), bytes: values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
    }

    /// `while (i < limit) { i += 1; acc = acc + x }` with the loop state in b2 (i) and b3 (acc).
    static func countingLoop(limit: Int32) -> Executable {
        let f32x4 = TensorType(shape: [4], elementType: .float(.f32))
        let scalar = TensorType(shape: [], elementType: .si(32))
        let buffers = [
            BufferSlot(name: "x", type: f32x4, placement: .input(index: 0)),
            BufferSlot(name: "i0", type: scalar, placement: .input(index: 1)),
            BufferSlot(name: "i", type: scalar, placement: .arena(offset: 0)),
            BufferSlot(name: "acc", type: f32x4, placement: .arena(offset: 256)),
            BufferSlot(name: "p", type: TensorType(shape: [], elementType: .i1), placement: .arena(offset: 512)),
            BufferSlot(name: "i+1", type: scalar, placement: .arena(offset: 768)),
            BufferSlot(name: "acc+x", type: f32x4, placement: .arena(offset: 1024)),
        ]
        let kernels = ["below_i32", "increment_i32", "add_f32", ConditionKernel.entryPoint].map {
            KernelImage(entryPoint: $0, binary: Data([1]), source: "")
        }
        let loop = LoopStep(
            condition: [.launch(KernelLaunch(kernel: 0, grid: [1], block: [1], arguments: [.buffer(2), .buffer(4), .int32(limit)]))],
            predicate: 4,
            body: [
                .launch(KernelLaunch(kernel: 1, grid: [1], block: [1], arguments: [.buffer(2), .buffer(5)])),
                .launch(KernelLaunch(kernel: 2, grid: [1], block: [4], arguments: [.buffer(3), .buffer(0), .buffer(6), .int64(4)])),
                .copy(from: 5, to: 2), .copy(from: 6, to: 3),
            ],
            carried: [2, 3], setCondition: 3)
        return Executable(
            target: "cuda", architecture: "sm_90", entry: "main", arenaBytes: 2048, buffers: buffers,
            inputs: [0, 1], outputs: [2, 3], constants: [], kernels: kernels,
            steps: [.copy(from: 1, to: 2), .copy(from: 0, to: 3), .loop(loop)], hostPrograms: [])
    }

    @Test("a loop runs from the host until its predicate is false", arguments: [Int32(0), 1, 5])
    func hostDrivenLoop(limit: Int32) throws {
        let queue = FakeDeviceQueue()
        let runner = try CUDAExecutableRunner(executable: Self.countingLoop(limit: limit), queue: queue)
        let x: [Float] = [1, 2, 3, 4]
        let results = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [4]), Self.i32([0])])
        #expect(results[0].bytes == Self.i32([limit]).bytes)
        #expect(SampleExecutables.floats(results[1]) == x.map { $0 * Float(limit + 1) })
        // One predicate read per condition evaluation: limit + 1.
        #expect(queue.log.filter { $0 == "download 1" }.count == Int(limit) + 1)
        #expect(runner.controlFlowMechanisms[.hostDriven] == 1)
        #expect(runner.graphUnavailableReason != nil)
    }

    @Test("a counted loop queues its body trip-count times and reads nothing back", arguments: [Int32(0), 1, 5])
    func countedLoop(limit: Int32) throws {
        var executable = Self.countingLoop(limit: limit)
        guard case .loop(var loop) = executable.steps[2] else { Issue.record("no loop"); return }
        loop.tripCount = Int(limit)
        executable.steps[2] = .loop(loop)
        let queue = FakeDeviceQueue()
        let runner = try CUDAExecutableRunner(executable: executable, queue: queue)
        let x: [Float] = [1, 2, 3, 4]
        let results = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [4]), Self.i32([0])])
        #expect(results[0].bytes == Self.i32([limit]).bytes)
        #expect(SampleExecutables.floats(results[1]) == x.map { $0 * Float(limit + 1) })
        #expect(queue.log.filter { $0 == "download 1" }.isEmpty)
        #expect(runner.controlFlowMechanisms[.hostCounted] == 1)
    }

    @Test("validation rejects a negative trip count")
    func negativeTripCount() throws {
        var executable = Self.countingLoop(limit: 3)
        guard case .loop(var loop) = executable.steps[2] else { Issue.record("no loop"); return }
        loop.tripCount = -1
        executable.steps[2] = .loop(loop)
        #expect(throws: RuntimeError.self) { try executable.validate() }
    }

    @Test("a branch step runs the branch its index selects; out of range runs the last", arguments: [Int32(0), 1, 2, 9, -3])
    func hostDrivenBranch(index: Int32) throws {
        let f32x2 = TensorType(shape: [2], elementType: .float(.f32))
        let buffers = [
            BufferSlot(name: "k", type: TensorType(shape: [], elementType: .si(32)), placement: .input(index: 0)),
            BufferSlot(name: "a", type: f32x2, placement: .input(index: 1)),
            BufferSlot(name: "b", type: f32x2, placement: .input(index: 2)),
            BufferSlot(name: "c", type: f32x2, placement: .input(index: 3)),
            BufferSlot(name: "r", type: f32x2, placement: .arena(offset: 0)),
        ]
        let branch = BranchStep(selector: 0, selectorKind: .index,
                                branches: [[.copy(from: 1, to: 4)], [.copy(from: 2, to: 4)], [.copy(from: 3, to: 4)]],
                                results: [4], setCondition: 0)
        let executable = Executable(
            target: "cuda", architecture: "sm_90", entry: "main", arenaBytes: 256, buffers: buffers,
            inputs: [0, 1, 2, 3], outputs: [4], constants: [],
            kernels: [KernelImage(entryPoint: ConditionKernel.entryPoint, binary: Data([1]), source: "")],
            steps: [.branch(branch)], hostPrograms: [])
        let runner = try CUDAExecutableRunner(executable: executable, queue: FakeDeviceQueue())
        let inputs: [[Float]] = [[1, 1], [2, 2], [3, 3]]
        let results = try runner.invoke(inputs: [Self.i32([index])] + inputs.map { SampleExecutables.hostTensor($0, shape: [2]) })
        let chosen = index >= 0 && index < 3 ? Int(index) : 2
        #expect(SampleExecutables.floats(results[0]) == inputs[chosen])
    }

    @Test("validation rejects a loop whose predicate is not an i1 scalar")
    func badPredicate() throws {
        var executable = Self.countingLoop(limit: 3)
        guard case .loop(var loop) = executable.steps[2] else { Issue.record("no loop"); return }
        loop.predicate = 3
        executable.steps[2] = .loop(loop)
        #expect(throws: RuntimeError.self) { try executable.validate() }
    }

    @Test("capture blockers: host steps anywhere, cuDNN inside a region")
    func captureBlockers() {
        let host = ExecutionStep.host(HostCall(program: 0, function: "main", inputs: [], outputs: [], reason: "no kernel"))
        #expect(CUDAExecutableRunner.captureBlocker([host]) != nil)
        let loop = ExecutionStep.loop(LoopStep(condition: [], predicate: 0, body: [host], carried: [], setCondition: 0))
        #expect(CUDAExecutableRunner.captureBlocker([loop]) != nil)
        #expect(CUDAExecutableRunner.captureBlocker([.copy(from: 0, to: 1)]) == nil)
    }
}
