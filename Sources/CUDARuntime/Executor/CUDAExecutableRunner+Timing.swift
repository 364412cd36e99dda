import Foundation
import Runtime

/// Device-resident timings of one executable: the inputs staged once, no copies in or out.
public struct RunTimings: Sendable, Hashable {
    /// Milliseconds of each single run (marks around one run, then a wait).
    public var singleRuns: [Double]
    /// Milliseconds per run of `backToBackCount` runs queued back to back (one mark pair).
    public var backToBackPerRun: Double
    /// Runs in the back-to-back batch.
    public var backToBackCount: Int
    /// Host milliseconds of each single call, queueing its work and waiting for it (what a
    /// caller sees: launch or graph-launch cost plus the device time).
    public var hostSingleRuns: [Double]

    public init(singleRuns: [Double], backToBackPerRun: Double, backToBackCount: Int, hostSingleRuns: [Double] = []) {
        self.singleRuns = singleRuns
        self.backToBackPerRun = backToBackPerRun
        self.backToBackCount = backToBackCount
        self.hostSingleRuns = hostSingleRuns
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
        var host: [Double] = []
        for _ in 0..<count {
            let begin = DispatchTime.now().uptimeNanoseconds
            try enqueueSteps()
            try queue.synchronize()
            host.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
        }
        let start = try queue.recordMark()
        for _ in 0..<count { try enqueueSteps() }
        let end = try queue.recordMark()
        let total = try queue.elapsedMilliseconds(from: start, to: end)
        return RunTimings(singleRuns: single, backToBackPerRun: total / Double(count), backToBackCount: count,
                          hostSingleRuns: host)
    }
}
