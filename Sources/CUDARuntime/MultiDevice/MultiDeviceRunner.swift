import CUDA
import Foundation
import Runtime

/// An executable loaded as every process of its grid, one GPU per process: a context and a
/// stream per GPU (`CUDAQueue`), an NCCL communicator per distinct process group, and one
/// host thread per GPU that runs the steps (collectives are queued on that GPU's stream).
///
/// Process `p` (flattened id `replica_id * num_partitions + partition_id`) runs on GPU
/// `devices[p]`.
public final class MultiDeviceRunner: @unchecked Sendable {
    /// What was loaded.
    public let executable: Executable
    /// GPU ordinal per process.
    public let devices: [Int]
    /// One runner per process.
    public let runners: [CUDAExecutableRunner]
    /// The NCCL that was loaded (nil when the executable has no communication).
    public let nccl: NCCL?

    /// Opens `processCount` GPUs through `driver` and loads `executable` on each.
    /// - Parameter devices: the GPU per process (default: GPU `p` for process `p`).
    public init(executable: Executable, driver: CUDADriver, devices: [Int]? = nil,
                hostFallback: (any HostFallback)?, loadNCCL: () throws -> NCCL = { try NCCL.load() }) throws {
        let count = executable.processCount
        let available = try driver.deviceCount()
        let chosen = devices ?? Array(0..<count)
        guard chosen.count == count else {
            throw RuntimeError("the program runs as \(count) processes (\(executable.replicas ?? 1) replicas × \(executable.partitions ?? 1) partitions), \(chosen.count) GPUs were named")
        }
        guard chosen.allSatisfy({ $0 >= 0 && $0 < available }), Set(chosen).count == count else {
            throw RuntimeError("the program runs as \(count) processes (\(executable.replicas ?? 1) replicas × \(executable.partitions ?? 1) partitions), one GPU each, but the CUDA driver reports \(available) GPU\(available == 1 ? "" : "s")")
        }
        let queues = try chosen.map { try CUDAQueue(driver: driver, ordinal: $0) }
        let groups = CommunicatorPlan.groups(of: executable)
        let library = groups.isEmpty ? nil : try loadNCCL()
        var backends: [NCCLCollectives?] = Array(repeating: nil, count: count)
        if let library {
            let communicators = try CommunicatorPlan.communicators(for: groups, devices: chosen, nccl: library)
            for process in 0..<count {
                backends[process] = NCCLCollectives(process: process, nccl: library, communicators: communicators[process],
                                                    stream: queues[process].stream)
            }
        }
        self.executable = executable
        self.devices = chosen
        self.nccl = library
        self.runners = try (0..<count).map { process in
            try CUDAExecutableRunner(executable: executable, queue: queues[process], hostFallback: hostFallback,
                                     collectives: backends[process] ?? LocalOnlyCollectives(process: process))
        }
    }

    /// Runs every process on its inputs (`inputs[p]` for process `p`), each on its own
    /// thread, and returns each process's results. The first failure (by process) is thrown
    /// after every thread finished.
    public func invoke(inputs: [[HostTensor]]) throws -> [[HostTensor]] {
        try onEveryProcess(inputs: inputs) { runner, input in try runner.invoke(inputs: input) }
    }

    /// Times the program on every GPU at once (`CUDAExecutableRunner.time` per process, the
    /// inputs staged first); collectives make the processes wait for each other, so each
    /// process's marks span the whole grid's work.
    public func time(inputs: [[HostTensor]], warmup: Int = 3, count: Int = 20) throws -> [RunTimings] {
        try onEveryProcess(inputs: inputs) { runner, input in
            try runner.stage(inputs: input)
            return try runner.time(warmup: warmup, count: count)
        }
    }

    /// `body` on one thread per process; results in process order.
    private func onEveryProcess<T>(inputs: [[HostTensor]], _ body: @escaping @Sendable (CUDAExecutableRunner, [HostTensor]) throws -> T) throws -> [T] {
        guard inputs.count == runners.count else {
            throw RuntimeError("the program runs as \(runners.count) processes and takes one input set per process, got \(inputs.count)")
        }
        let results = ProcessResults<T>(count: runners.count)
        var threads: [Thread] = []
        let done = DispatchGroup()
        for (process, runner) in runners.enumerated() {
            done.enter()
            let input = inputs[process]
            let thread = Thread {
                defer { done.leave() }
                do {
                    results.set(process, .success(try body(runner, input)))
                } catch {
                    results.set(process, .failure(error))
                    // Peers may be waiting inside a collective for this process: abort every
                    // communicator so their streams fail instead of hanging.
                    for other in self.runners { other.collectives?.abort() }
                }
            }
            thread.name = "nvgpu process \(process)"
            thread.stackSize = 8 << 20
            threads.append(thread)
        }
        for thread in threads { thread.start() }
        done.wait()
        return try results.collect()
    }
}

/// A backend for executables whose collective steps are only local writes
/// (`replica_id`, `partition_id`): any communication call is an error.
final class LocalOnlyCollectives: CollectiveBackend, @unchecked Sendable {
    let process: Int
    init(process: Int) { self.process = process }

    func abort() {}

    func communicate(_ calls: [ResolvedCommunicationCall], more: Bool) throws {
        if calls.isEmpty { return }
        throw RuntimeError("process \(process): \(calls.first.map { "\($0.call)" } ?? "a call") needs NCCL, which was not loaded")
    }
}

/// Per-process outcomes, filled by the process threads.
private final class ProcessResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Result<T, any Error>?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func set(_ process: Int, _ outcome: Result<T, any Error>) {
        lock.lock()
        outcomes[process] = outcome
        lock.unlock()
    }

    func collect() throws -> [T] {
        lock.lock()
        defer { lock.unlock() }
        return try outcomes.enumerated().map { process, outcome in
            switch outcome {
            case .success(let value)?: return value
            case .failure(let error)?: throw RuntimeError("process \(process): \(error)")
            case nil: throw RuntimeError("process \(process) did not finish")
            }
        }
    }
}
