import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs cases in a pool of worker processes, `jobs` at a time. A case that passes its
/// time budget or kills its worker (a trap, a signal) fails, named, and the worker is
/// replaced, so one bad case never stops the run.
public struct WorkerPool: Sendable {
    public var executable: URL
    /// Arguments that start a worker (`["conformance", "--worker", "--timeout", "20"]`).
    public var arguments: [String]
    public var jobs: Int
    /// How long a case may take before its worker is killed (the worker's own cooperative
    /// budget should be a little shorter).
    public var timeLimit: Duration

    public init(executable: URL, arguments: [String], jobs: Int, timeLimit: Duration) {
        self.executable = executable
        self.arguments = arguments
        self.jobs = max(1, jobs)
        self.timeLimit = timeLimit
    }

    /// Runs every case; `progress` is called (serially) after each one.
    public func run(_ cases: [ConformanceCase], progress: @escaping @Sendable (CaseOutcome) -> Void) -> [CaseOutcome] {
        // A worker that died before reading its case must give a write error, not kill us.
        signal(SIGPIPE, SIG_IGN)
        let queue = CaseQueue(cases)
        let done = DispatchGroup()
        for _ in 0..<min(jobs, max(1, cases.count)) {
            done.enter()
            let slot = Thread { [self] in
                runSlot(queue, progress: progress)
                done.leave()
            }
            slot.stackSize = 1 << 20
            slot.start()
        }
        done.wait()
        return queue.outcomes
    }

    private func runSlot(_ queue: CaseQueue, progress: @Sendable (CaseOutcome) -> Void) {
        var worker: WorkerProcess?
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        while let (index, testCase) = queue.next() {
            let start = ContinuousClock.now
            func elapsed() -> Double {
                let d = ContinuousClock.now - start
                return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            }
            var outcome: CaseOutcome
            do {
                let current = try worker ?? WorkerProcess(executable: executable, arguments: arguments)
                worker = current
                let request = String(decoding: try encoder.encode(testCase), as: UTF8.self)
                guard current.send(request) else {
                    throw WorkerFailure(message: current.stop())
                }
                switch current.receive(until: start + timeLimit) {
                case .line(let json):
                    outcome = try decoder.decode(CaseOutcome.self, from: Data(json.utf8))
                    if current.isRetiring {
                        current.stop()
                        worker = nil
                    }
                case .timedOut:
                    current.stop()
                    worker = nil
                    outcome = .failure(testCase, cause: "timeout",
                                       message: "\(testCase.name): over its time budget of \(timeLimit), stopped", seconds: elapsed())
                case .exited(let how):
                    worker = nil
                    outcome = .failure(testCase, cause: "crash", message: "\(testCase.name): worker \(how)", seconds: elapsed())
                }
            } catch {
                worker?.stop()
                worker = nil
                outcome = .failure(testCase, cause: "worker error", message: "\(testCase.name): \(error)", seconds: elapsed())
            }
            queue.record(outcome, at: index)
            progress(outcome)
        }
        worker?.stop()
    }
}

struct WorkerFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { "worker \(message)" }
}

/// The cases left to run and the outcomes so far, shared by the pool's threads.
final class CaseQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let cases: [ConformanceCase]
    private var nextIndex = 0
    private var results: [CaseOutcome?]

    init(_ cases: [ConformanceCase]) {
        self.cases = cases
        self.results = Array(repeating: nil, count: cases.count)
    }

    func next() -> (Int, ConformanceCase)? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < cases.count else { return nil }
        nextIndex += 1
        return (nextIndex - 1, cases[nextIndex - 1])
    }

    func record(_ outcome: CaseOutcome, at index: Int) {
        lock.lock()
        results[index] = outcome
        lock.unlock()
    }

    var outcomes: [CaseOutcome] {
        lock.lock()
        defer { lock.unlock() }
        return results.compactMap { $0 }
    }
}
