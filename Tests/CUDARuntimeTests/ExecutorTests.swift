import CUDA
import Foundation
import Runtime
import StableHLO
import Testing
@testable import CUDARuntime

@Suite("CUDAExecutableRunner on a fake device")
struct ExecutorTests {
    let x: [Float] = [1, 2, 3, 4, 5, 6]
    let w: [Float] = [1, 0, 0, 1, 1, 1]

    /// What the sample computes, on the host: `-(x + c) · w (+ bias, relu)`.
    func expected(epilogue: MatmulCall.Epilogue) -> [Float] {
        let c: [Float] = [10, 20, 30, 40, 50, 60]
        let negated = zip(x, c).map { -($0 + $1) }
        var out: [Float] = []
        for i in 0..<2 {
            for j in 0..<2 {
                var sum: Float = 0
                for p in 0..<3 { sum += negated[i * 3 + p] * w[p * 2 + j] }
                if epilogue != .none { sum += [Float(0.5), -100][j] }
                if epilogue == .biasRelu { sum = max(sum, 0) }
                out.append(sum)
            }
        }
        return out
    }

    @Test("every step kind runs in order and the data flows through", arguments: [MatmulCall.Epilogue.none, .bias, .biasRelu])
    func dataFlow(epilogue: MatmulCall.Epilogue) throws {
        let queue = FakeDeviceQueue()
        let runner = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(epilogue: epilogue),
                                              queue: queue, hostFallback: FakeHostFallback())
        let loaded = queue.log.count
        let results = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [2, 3]),
                                                 SampleExecutables.hostTensor(w, shape: [3, 2])])
        #expect(results.count == 2)
        #expect(results[0].type == SampleExecutables.f32([2, 2]))
        #expect(SampleExecutables.floats(results[0]) == expected(epilogue: epilogue))
        #expect(SampleExecutables.floats(results[1]) == zip(x, [10, 20, 30, 40, 50, 60]).map { $0 + $1 })
        #expect(Array(queue.log.dropFirst(loaded)) == [
            "upload 24", "upload 24",  // inputs in
            "launch add_f32",
            "sync", "download 24", "upload 24",  // host step: wait, input out, result back
            "matmul 2x2x3", "copy 16",
            "sync", "download 16", "download 24",  // outputs out
        ])
    }

    @Test("device-resident inputs are read in place; outputs come back in new allocations")
    func deviceResidentInputs() throws {
        let queue = FakeDeviceQueue()
        let runner = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(),
                                              queue: queue, hostFallback: FakeHostFallback())
        let start = queue.log.count
        let host = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [2, 3]),
                                              SampleExecutables.hostTensor(w, shape: [3, 2])])
        let hostUploads = queue.log.dropFirst(start).filter { $0.hasPrefix("upload") }.count
        let xs = try queue.allocate(byteCount: 24), ws = try queue.allocate(byteCount: 24)
        try queue.upload(x.flatMap(\.littleEndianBytes), to: xs.pointer)
        try queue.upload(w.flatMap(\.littleEndianBytes), to: ws.pointer)
        let before = queue.log.count
        let outputs = try runner.invoke(deviceInputs: [xs.pointer, ws.pointer])
        #expect(outputs.count == host.count)
        // The two inputs are not uploaded again (host steps still upload their results).
        #expect(queue.log.dropFirst(before).filter { $0.hasPrefix("upload") }.count == hostUploads - 2, "\(queue.log)")
        for (allocation, expected) in zip(outputs, host) {
            #expect(try queue.download(from: allocation.pointer, byteCount: expected.bytes.count) == expected.bytes)
        }
        #expect(throws: RuntimeError.self) { _ = try runner.invoke(deviceInputs: [xs.pointer]) }
    }

    @Test("loading uploads constants and loads each kernel once")
    func loading() throws {
        let queue = FakeDeviceQueue()
        _ = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(), queue: queue, hostFallback: FakeHostFallback())
        #expect(queue.log == ["load add_f32", "upload 24", "upload 8"])
    }

    @Test("kernel arguments: buffers become device addresses, scalars pass through")
    func argumentPacking() throws {
        let queue = FakeDeviceQueue()
        var executable = SampleExecutables.everyStepKind()
        executable.kernels.append(KernelImage(entryPoint: "scale_f32", binary: Data([1]), source: ""))
        executable.steps = [.launch(KernelLaunch(kernel: 1, grid: [3, 2], block: [32, 4, 2], sharedMemoryBytes: 64,
                                                 arguments: [.buffer(4), .buffer(3), .float32(2.5), .int32(6)]))]
        let runner = try CUDAExecutableRunner(executable: executable, queue: queue, hostFallback: FakeHostFallback())
        _ = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [2, 3]), SampleExecutables.hostTensor(w, shape: [3, 2])])
        let launch = try #require(queue.launches.first)
        #expect(launch.entry == "scale_f32")
        #expect(launch.configuration == LaunchConfiguration(grid: (3, 2, 1), block: (32, 4, 2), sharedMemoryBytes: 64))
        let arenaBase = try runner.address(of: 3)
        guard launch.arguments.count == 4,
              case .pointer(let first) = launch.arguments[0], case .pointer(let second) = launch.arguments[1],
              case .float32(let scale) = launch.arguments[2], case .int32(let count) = launch.arguments[3] else {
            Issue.record("unexpected arguments \(launch.arguments)")
            return
        }
        #expect(first == arenaBase.advanced(by: 256))
        #expect(second == arenaBase)
        #expect(scale == 2.5)
        #expect(count == 6)
        #expect(try runner.address(of: 0) != runner.address(of: 1))
    }

    @Test("a bad host program result is an error naming the step")
    func hostResultMismatch() throws {
        let queue = FakeDeviceQueue()
        var executable = SampleExecutables.everyStepKind()
        executable.hostPrograms = ["broken"]
        let runner = try CUDAExecutableRunner(executable: executable, queue: queue, hostFallback: FakeHostFallback())
        #expect {
            _ = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [2, 3]), SampleExecutables.hostTensor(w, shape: [3, 2])])
        } throws: { error in
            "\(error)".contains("step 1 (host program 0 @main") && "\(error)".contains("returned 0 result(s)")
        }
    }

    @Test("host steps need a host fallback")
    func missingFallback() {
        #expect(throws: RuntimeError.self) {
            _ = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(), queue: FakeDeviceQueue(), hostFallback: nil)
        }
    }

    @Test("wrong inputs are refused with the expected type")
    func inputMismatch() throws {
        let runner = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(), queue: FakeDeviceQueue(),
                                              hostFallback: FakeHostFallback())
        #expect { _ = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [2, 3])]) } throws: { error in
            "\(error)".contains("takes 2 input(s), got 1")
        }
        #expect {
            _ = try runner.invoke(inputs: [SampleExecutables.hostTensor(x, shape: [3, 2]), SampleExecutables.hostTensor(w, shape: [3, 2])])
        } throws: { error in
            "\(error)".contains("input #0 must be tensor<2x3xf32>")
        }
    }

    @Test("device-resident timing: single runs and one back-to-back batch, no copies")
    func timing() throws {
        let queue = FakeDeviceQueue()
        var executable = SampleExecutables.everyStepKind()
        executable.steps = [executable.steps[0]]
        executable.hostPrograms = []
        let runner = try CUDAExecutableRunner(executable: executable, queue: queue)
        try runner.stage(inputs: [SampleExecutables.hostTensor(x, shape: [2, 3]), SampleExecutables.hostTensor(w, shape: [3, 2])])
        queue.markDuration = { start, end in start == 0 && end == 1 ? 4 : -1 }
        let timings = try runner.time(warmup: 2, count: 5)
        #expect(timings.singleRuns == [4, 4, 4, 4, 4])
        #expect(timings.backToBackPerRun == 0.8)
        let afterStaging = queue.log.drop { $0 != "launch add_f32" }
        #expect(!afterStaging.contains { $0.hasPrefix("upload") || $0.hasPrefix("download") })
        // warmup + single runs timed on the device + single runs timed on the host + back to back
        #expect(afterStaging.filter { $0 == "launch add_f32" }.count == 2 + 5 + 5 + 5)
        #expect(timings.hostSingleRuns.count == 5)
        #expect(SampleExecutables.floats(try runner.downloadOutputs()[1]) == [11, 22, 33, 44, 55, 66])
    }

    @Test("memory goes back to the allocator's cache when a runner is released")
    func release() throws {
        let queue = FakeDeviceQueue()
        do {
            _ = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(), queue: queue, hostFallback: FakeHostFallback())
        }
        #expect(queue.allocator.stats.bytesInUse == 0)
        _ = try CUDAExecutableRunner(executable: SampleExecutables.everyStepKind(), queue: queue, hostFallback: FakeHostFallback())
        #expect(queue.allocator.stats.cacheHits == 5)
    }
}
