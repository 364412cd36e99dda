import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The worker side of `WorkerPool`: reads `ConformanceCase` JSON lines on stdin, runs each
/// in this process and writes one `CaseOutcome` line per case on stdout.
public struct ConformanceWorker: Sendable {
    public var runner: CaseRunner
    /// Address-space cap for the worker, so a runaway case fails alone instead of
    /// exhausting the machine; nil for none.
    public var memoryLimitBytes: UInt64?

    public init(runner: CaseRunner, memoryLimitBytes: UInt64? = 8 << 30) {
        self.runner = runner
        self.memoryLimitBytes = memoryLimitBytes
    }

    /// Serves cases until stdin closes, or until the executor asks for a fresh process
    /// (after announcing it with `WorkerProtocol.retiring`).
    public func serve() {
        #if canImport(Glibc)
        if let memoryLimitBytes {
            var limit = rlimit(rlim_cur: rlim_t(memoryLimitBytes), rlim_max: rlim_t(memoryLimitBytes))
            _ = setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        }
        #endif
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        while let line = readLine(strippingNewline: true) {
            if line.isEmpty { continue }
            let outcome: CaseOutcome
            do {
                let testCase = try decoder.decode(ConformanceCase.self, from: Data(line.utf8))
                outcome = runner.run(testCase)
            } catch {
                outcome = CaseOutcome(name: line, family: "?", status: .failed, message: "bad request: \(error)", cause: "worker error")
            }
            let json = (try? encoder.encode(outcome)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            let retiring = runner.executor.needsFreshProcess
            // The retire line goes first, so the pool knows before it reads the outcome.
            let text = (retiring ? WorkerProtocol.retiring + "\n" : "") + WorkerProtocol.prefix + json + "\n"
            FileHandle.standardOutput.write(Data(text.utf8))
            if retiring { return }
        }
    }
}
