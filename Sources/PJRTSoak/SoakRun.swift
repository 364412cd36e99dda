import Foundation

/// A soak of the PJRT plugin (issue 14): `threads` threads each run `executions`
/// executions of the program mix on one client, creating their input buffers, donating or
/// deleting some of them while the run is still pending, reading every output back and
/// checking it. After a warm-up tenth, the bytes in use (live buffers; on a GPU all device
/// memory handed out), the device allocator's reserve and the host RSS are read at
/// checkpoints; a healthy runtime holds the first flat, the second level and the third
/// within a slack.
public struct SoakRun: Sendable {
    public var backend: String
    public var threads: Int
    public var executions: Int
    public var scale: SoakProgram.Scale
    /// Host RSS may drift by this much after warm-up (allocator arenas settle).
    public var rssSlackBytes: Int
    /// The programs run; nil: `SoakProgram.mix(scale)`.
    public var programs: [SoakProgram]?

    public init(backend: String, threads: Int, executions: Int, scale: SoakProgram.Scale, rssSlackBytes: Int = 32 << 20) {
        self.backend = backend
        self.threads = threads
        self.executions = executions
        self.scale = scale
        self.rssSlackBytes = rssSlackBytes
    }

    /// Memory read at one point of the run.
    public struct Checkpoint: Sendable, Codable {
        public var executionsDone: Int
        public var bytesInUse: Int64
        public var bytesReserved: Int64?
        public var residentBytes: Int
    }

    /// What the soak saw.
    public struct Report: Sendable, Codable {
        public var backend: String
        public var scale: String
        public var threads: Int
        public var executionsPerThread: Int
        public var executionsChecked: Int
        public var donations: Int
        public var deletesWhilePending: Int
        public var seconds: Double
        /// The first checkpoint is after warm-up; the last after every execution.
        public var checkpoints: [Checkpoint]
        public var failures: [String]
        public var rssSlackBytes: Int

        /// Growth of each measure from the first checkpoint to the largest later one.
        public var bytesInUseGrowth: Int64 { (checkpoints.map(\.bytesInUse).max() ?? 0) - (checkpoints.first?.bytesInUse ?? 0) }
        public var bytesReservedGrowth: Int64? {
            guard let first = checkpoints.first?.bytesReserved else { return nil }
            return (checkpoints.compactMap(\.bytesReserved).max() ?? first) - first
        }
        public var residentGrowth: Int { (checkpoints.map(\.residentBytes).max() ?? 0) - (checkpoints.first?.residentBytes ?? 0) }

        /// Growth of the device reserve over the second half of the run. The caching
        /// allocator keeps freed blocks for reuse, so its reserve is the high-water mark of
        /// memory live at once and may still rise by chance as threads interleave; a leak
        /// raises it chunk after chunk.
        public var bytesReservedLateGrowth: Int64? {
            let reserves = checkpoints.compactMap(\.bytesReserved)
            guard reserves.count == checkpoints.count, let last = reserves.last else { return nil }
            return last - reserves[reserves.count / 2]
        }

        /// Every result right; device memory in use after warm-up flat at every checkpoint
        /// (buffers, executables' arenas, workspaces); the device reserve level over the
        /// second half; host growth within the slack.
        public var passed: Bool {
            failures.isEmpty && bytesInUseGrowth == 0 && (bytesReservedLateGrowth ?? 0) <= 0 && residentGrowth <= rssSlackBytes
        }
    }

    /// Counts shared by the soak's threads.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var checked = 0
        private(set) var donations = 0
        private(set) var deletesWhilePending = 0
        private(set) var failures: [String] = []

        func record(checked: Int = 0, donations: Int = 0, deletes: Int = 0, failure: String? = nil) {
            lock.lock()
            self.checked += checked
            self.donations += donations
            deletesWhilePending += deletes
            if let failure, failures.count < 20 { failures.append(failure) }
            lock.unlock()
        }
    }

    /// Runs the soak; `progress` gets one line per checkpoint.
    public func run(progress: (String) -> Void = { _ in }) throws -> Report {
        let caller = try PJRTCaller(backend: backend)
        let mix = programs ?? SoakProgram.mix(scale)
        let shared = try mix.map { try caller.compile($0.text) }
        let tally = Tally()
        let start = Date()
        let warmUp = max(1, executions / 10)
        // Warm-up: every thread also compiles a program of its own (the kernel cache and the
        // compiler under concurrent use).
        runThreads { thread in
            do {
                let own = try caller.compile(mix[thread % mix.count].text)
                try self.execute(caller, mix[thread % mix.count], own, thread: thread, iteration: -1, tally: tally)
            } catch {
                tally.record(failure: "thread \(thread) compile: \(error)")
            }
            self.loop(caller, mix, shared, thread: thread, range: 0..<warmUp, tally: tally)
        }
        var checkpoints = [try checkpoint(caller, done: warmUp * threads)]
        progress(describe(checkpoints[0], label: "after warm-up"))
        let chunks = 4
        let remaining = executions - warmUp
        for chunk in 0..<chunks {
            let lower = warmUp + remaining * chunk / chunks
            let upper = warmUp + remaining * (chunk + 1) / chunks
            runThreads { thread in self.loop(caller, mix, shared, thread: thread, range: lower..<upper, tally: tally) }
            checkpoints.append(try checkpoint(caller, done: upper * threads))
            progress(describe(checkpoints[checkpoints.count - 1], label: "chunk \(chunk + 1)/\(chunks)"))
        }
        return Report(
            backend: backend, scale: scale.rawValue, threads: threads, executionsPerThread: executions,
            executionsChecked: tally.checked, donations: tally.donations, deletesWhilePending: tally.deletesWhilePending,
            seconds: Date().timeIntervalSince(start), checkpoints: checkpoints, failures: tally.failures,
            rssSlackBytes: rssSlackBytes)
    }

    func describe(_ point: Checkpoint, label: String) -> String {
        let reserved = point.bytesReserved.map { ", device reserve \($0) B" } ?? ""
        return "\(label): \(point.executionsDone) executions, live buffers \(point.bytesInUse) B\(reserved), RSS \(point.residentBytes >> 20) MiB"
    }

    /// Runs `body(thread)` on `threads` threads of their own and waits for all of them.
    func runThreads(_ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            let worker = Thread {
                body(thread)
                group.leave()
            }
            worker.stackSize = 8 << 20
            worker.start()
        }
        group.wait()
    }

    func loop(_ caller: PJRTCaller, _ mix: [SoakProgram], _ executables: [PJRTCaller.Executable], thread: Int,
              range: Range<Int>, tally: Tally) {
        for iteration in range {
            let index = (iteration + thread) % mix.count
            do {
                try execute(caller, mix[index], executables[index], thread: thread, iteration: iteration, tally: tally)
            } catch {
                tally.record(failure: "thread \(thread) execution \(iteration) (\(mix[index].name)): \(error)")
            }
        }
    }

    /// One execution: fresh inputs, the run, donation or deletion of inputs while it is
    /// pending, every output read back and checked.
    func execute(_ caller: PJRTCaller, _ program: SoakProgram, _ executable: PJRTCaller.Executable, thread: Int,
                 iteration: Int, tally: Tally) throws {
        var random = SplitMix(seed: UInt64(thread) << 32 | UInt64(UInt32(truncatingIfNeeded: iteration)))
        let inputs: [[Float]] = program.inputShapes.map { shape in
            (0..<shape.reduce(1, *)).map { _ in SoakProgram.quarter(random.next()) }
        }
        let buffers = try zip(inputs, program.inputShapes).map { try caller.buffer($0, dims: $1) }
        // Odd iterations keep their donatable inputs (non_donatable_input_indices).
        let keep = iteration % 2 == 0 ? [] : program.donatable
        let outputs = try caller.execute(
            executable, buffers, outputCount: program.outputCounts.count, keep: keep,
            afterSubmit: {
                // Every third run deletes its other inputs before the run has finished.
                guard iteration % 3 == 0 else { return 0 }
                var deleted = 0
                for (index, buffer) in buffers.enumerated() where !program.donatable.contains(index) || keep.contains(index) {
                    try buffer.delete()
                    deleted += 1
                }
                return deleted
            })
        tally.record(deletes: outputs.deletedAfterSubmit)
        for index in program.donatable {
            let deleted = try buffers[index].isDeleted
            if keep.contains(index) {
                if deleted && iteration % 3 != 0 { throw SoakFailure("argument \(index) was kept but is deleted") }
            } else {
                guard deleted else { throw SoakFailure("argument \(index) was donated but is still live") }
                tally.record(donations: 1)
            }
        }
        for (output, (buffer, count)) in zip(outputs.buffers, program.outputCounts).enumerated() {
            let values = try buffer.floats(count: count)
            let positions = count <= program.samples ? Array(0..<count) : (0..<program.samples).map { _ in Int(random.next() % UInt64(count)) }
            for position in positions {
                let expected = program.expected(inputs, output, position)
                let error = abs(values[position] - expected) / (1 + abs(expected))
                guard error <= program.tolerance else {
                    throw SoakFailure("output \(output)[\(position)] is \(values[position]), expected \(expected)")
                }
            }
        }
        tally.record(checked: 1)
    }

    func checkpoint(_ caller: PJRTCaller, done: Int) throws -> Checkpoint {
        let statistics = try caller.memoryStatistics()
        return Checkpoint(executionsDone: done, bytesInUse: statistics.inUse, bytesReserved: statistics.reserved,
                          residentBytes: Self.residentBytes())
    }

    /// This process's resident set size (`/proc/self/statm`), 0 where there is none.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// A wrong result or a broken PJRT contract seen by the soak.
struct SoakFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A small, fast generator of 64-bit values (SplitMix64) for the soak's inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
