import Foundation
import Reference
import StableHLO

/// Runs one conformance case in this process: parse (with the chunk's real line numbers),
/// verify, then run `main` (programs) or every function without arguments (chunks);
/// `check.*` ops assert inside the run.
public struct CaseRunner: Sendable {
    /// The budget for one case; the interpreter stops cooperatively when it passes.
    public var timeLimit: Duration
    /// Runs the parsed, verified case (the reference interpreter unless injected).
    public var executor: any CaseExecutor

    public init(timeLimit: Duration = .seconds(20), executor: any CaseExecutor = ReferenceCaseExecutor()) {
        self.timeLimit = timeLimit
        self.executor = executor
    }

    /// Op names whose cases run a process grid (`interpreter.run_parallel` and the
    /// collectives). The reference interpreter runs them (one thread per process); an
    /// executor for a single device may use this list to skip them.
    public static let multiDeviceOps = [
        "interpreter.run_parallel", "stablehlo.all_reduce", "stablehlo.all_gather", "stablehlo.all_to_all",
        "stablehlo.reduce_scatter", "stablehlo.collective_permute", "stablehlo.collective_broadcast",
    ]

    public func run(_ testCase: ConformanceCase) -> CaseOutcome {
        let start = ContinuousClock.now
        func seconds() -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        guard let data = FileManager.default.contents(atPath: testCase.path) else {
            return .failure(testCase, cause: "unreadable file", message: "cannot read \(testCase.path)", seconds: 0)
        }
        let whole = String(decoding: data, as: UTF8.self)
        let text: String
        switch testCase.kind {
        case .program: text = whole
        case .chunk:
            let chunks = SplitInput.chunks(of: whole)
            guard testCase.chunkIndex < chunks.count else {
                return .failure(testCase, cause: "missing chunk", message: "\(testCase.path) has no chunk #\(testCase.chunkIndex)", seconds: 0)
            }
            text = chunks[testCase.chunkIndex].text
        }
        if let reason = Self.multiDeviceReason(text) {
            return CaseOutcome(name: testCase.name, family: testCase.family, status: .skipped,
                               message: "needs several devices (\(reason))", cause: "several devices", seconds: seconds())
        }
        do {
            let module = try Module.parse(text, file: testCase.path, firstLine: testCase.firstLine)
            do {
                try module.verify()
            } catch {
                return .failure(testCase, cause: Self.cause(of: error, stage: "verify error"), message: "\(error)", seconds: seconds())
            }
            let entries: [Function]
            switch testCase.kind {
            case .program:
                guard let main = module.function(named: "main") else {
                    return .failure(testCase, cause: "no main", message: "\(testCase.path): no function @main", seconds: seconds())
                }
                entries = [main]
            case .chunk:
                entries = module.functions.filter { $0.inputTypes.isEmpty && !$0.body.blocks.isEmpty }
            }
            let deadline = ContinuousClock.now + timeLimit
            let execution = try executor.run(entries, of: module, deadline: deadline)
            var outcome = CaseOutcome(name: testCase.name, family: testCase.family, status: .passed, seconds: seconds())
            outcome.record(execution)
            return outcome
        } catch {
            let stage = error is Diagnostic ? "parse error" : "run error"
            var outcome = CaseOutcome.failure(testCase, cause: Self.cause(of: error, stage: stage), message: Self.oneLine("\(error)"), seconds: seconds())
            if let execution = (error as? CaseFailure)?.execution { outcome.record(execution) }
            return outcome
        }
    }

    /// Why `text` needs several devices, or nil: a module declaring more than one replica
    /// or partition (the case executors run `main` once; the suite's testdata has no such
    /// program today). `interpreter.run_parallel` cases are not skipped.
    static func multiDeviceReason(_ text: String) -> String? {
        for key in ["mhlo.num_replicas", "mhlo.num_partitions"] {
            guard let r = text.range(of: key + " = ") else { continue }
            let digits = text[r.upperBound...].prefix { $0.isNumber }
            if let n = Int(digits), n > 1 { return "\(key) = \(n)" }
        }
        return nil
    }

    /// A short cause for the failure summary.
    static func cause(of error: any Error, stage: String) -> String {
        switch error {
        case let failure as CaseFailure: return failure.cause
        case InterpreterError.unsupportedOperation(let name, _): return "unsupported op \(name)"
        case InterpreterError.checkFailed: return "check failed"
        case InterpreterError.timedOut: return "timeout"
        case InterpreterError.failed(let d): return "run error" + opSuffix(d.message)
        case let d as Diagnostic: return (d.stage == .verify ? "verify error" : d.stage == .run ? "run error" : stage) + opSuffix(d.message)
        default: return stage
        }
    }

    /// ` in stablehlo.op` when a message starts with an op name (`stablehlo.op: ...`).
    private static func opSuffix(_ message: String) -> String {
        guard let colon = message.firstIndex(of: ":") else { return "" }
        let head = message[..<colon]
        guard head.contains("."), !head.contains(" "), head.count < 60 else { return "" }
        return " in \(head)"
    }

    static func oneLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.count > 400 ? String(line.prefix(400)) + "…" : line
    }
}
