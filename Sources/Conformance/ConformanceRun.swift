import Foundation

/// A whole `nvgpu conformance` run: find the cases, run them (in worker processes or in
/// this process), show progress, and judge the result.
public struct ConformanceRun: Sendable {
    /// How the cases are executed.
    public enum Execution: Sendable {
        /// In child processes started as `executable arguments...` (see `WorkerPool`).
        case workers(executable: URL, arguments: [String], jobs: Int)
        /// One after another in this process (no protection from traps or hangs).
        case inProcess
    }

    public var suite: ConformanceSuite
    public var filter: String?
    public var timeLimit: Duration
    public var execution: Execution
    public var showProgress: Bool
    /// Runs each case in-process (`.inProcess`); workers are configured by their arguments.
    public var executor: any CaseExecutor

    public init(suite: ConformanceSuite, filter: String? = nil, timeLimit: Duration = .seconds(20),
                execution: Execution, showProgress: Bool = true, executor: any CaseExecutor = ReferenceCaseExecutor()) {
        self.executor = executor
        self.suite = suite
        self.filter = filter
        self.timeLimit = timeLimit
        self.execution = execution
        self.showProgress = showProgress
    }

    /// Runs the suite and returns the report.
    public func run() throws -> ConformanceReport {
        let cases = try suite.cases(filter: filter)
        let display = showProgress ? ProgressDisplay(total: cases.count) : nil
        var outcomes: [CaseOutcome]
        switch execution {
        case .inProcess:
            let runner = CaseRunner(timeLimit: timeLimit, executor: executor)
            outcomes = cases.map { c in
                let o = runner.run(c)
                display?.record(o)
                return o
            }
        case .workers(let executable, let arguments, let jobs):
            let pool = WorkerPool(executable: executable, arguments: arguments, jobs: jobs,
                                  timeLimit: timeLimit + .seconds(5))
            outcomes = pool.run(cases) { display?.record($0) }
        }
        let disabled = Dictionary(cases.compactMap { c in c.upstreamDisabled.map { (c.name, $0) } }) { first, _ in first }
        for i in outcomes.indices { outcomes[i].upstreamDisabled = disabled[outcomes[i].name] }
        return ConformanceReport(outcomes: outcomes)
    }
}

/// Reads the pass-count floor CI holds the suite to (a file with one integer).
public enum PassCountFloor {
    public static func read(_ path: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConformanceError("cannot read the pass-count file '\(path)'")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let n = Int(text.split(separator: "\n").first ?? "") else {
            throw ConformanceError("'\(path)' must hold one integer, found '\(text.prefix(40))'")
        }
        return n
    }
}

/// A problem with the conformance run itself (not with a case).
public struct ConformanceError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
