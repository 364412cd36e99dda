import Runtime

/// Device-resident timings of one executable: the inputs staged once, no copies in or out.
public struct RunTimings: Sendable, Hashable {
    /// Milliseconds of each single run (marks around one run, then a wait).
    public var singleRuns: [Double]
    /// Milliseconds per run of `backToBackCount` runs queued back to back (one mark pair).
    public var backToBackPerRun: Double
    /// Runs in the back-to-back batch.
    public var backToBackCount: Int

    public init(singleRuns: [Double], backToBackPerRun: Double, backToBackCount: Int) {
        self.singleRuns = singleRuns
        self.backToBackPerRun = backToBackPerRun
        self.backToBackCount = backToBackCount
    }
}

extension CUDAExecutableRunner {
    /// Times the staged executable: `warmup` untimed runs, `count` single runs (each between
    /// two marks, waited for), then `count` runs back to back between one pair of marks.
    /// Call `stage(inputs:)` first.
    public func time(warmup: Int = 3, count: Int = 20) throws -> RunTimings {
        guard count > 0, warmup >= 0 else { throw RuntimeError("timing needs at least one run (got \(count))") }
        for _ in 0..<warmup { try enqueueSteps() }
        try queue.synchronize()
        defer { queue.releaseMarks() }
        var single: [Double] = []
        for _ in 0..<count {
            let start = try queue.recordMark()
            try enqueueSteps()
            let end = try queue.recordMark()
            single.append(try queue.elapsedMilliseconds(from: start, to: end))
            queue.releaseMarks()
        }
        let start = try queue.recordMark()
        for _ in 0..<count { try enqueueSteps() }
        let end = try queue.recordMark()
        let total = try queue.elapsedMilliseconds(from: start, to: end)
        return RunTimings(singleRuns: single, backToBackPerRun: total / Double(count), backToBackCount: count)
    }
}
