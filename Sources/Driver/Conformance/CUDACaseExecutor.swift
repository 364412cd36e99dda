import CUDARuntime
import Conformance
import Foundation
import NVGPUCompiler
import Reference
import Runtime
import StableHLO

/// Runs conformance cases on the GPU (`nvgpu conformance --device=cuda`): each entry
/// function is compiled for the `cuda` target with constant folding off (the programs take
/// their inputs as constants; folded, the reference would compute everything at compile
/// time) and run on GPU 0. `check.*` ops and ops with no kernel run as host steps on the
/// reference backend; the outcome says whether any non-check op needed such a fallback.
/// With no queue it only compiles (`--compile-only`: NVRTC, no GPU).
public struct CUDACaseExecutor: CaseExecutor {
    /// Where to run; nil compiles only.
    public var queue: (any DeviceQueue)?
    /// The compiler configuration (its `foldsConstants` should be false).
    public var compilation: ExecutableCompilation
    /// Set once a GPU error may have left the context unusable.
    private let health = ContextHealth()

    public init(queue: (any DeviceQueue)?, compilation: ExecutableCompilation) {
        self.queue = queue
        self.compilation = compilation
    }

    /// After a GPU error other than a failed check, the (primary) context may hold a sticky
    /// error; the worker then retires and the pool starts a fresh process.
    public var needsFreshProcess: Bool { health.isSuspect }

    public func run(_ entries: [Function], of module: Module, deadline: ContinuousClock.Instant) throws -> CaseExecution {
        var reasons: [String] = []
        var ioReasons: [String] = []
        for entry in entries {
            let executable: Executable
            do {
                executable = try compilation.compile(module, function: entry.name).executable
            } catch {
                throw CaseFailure(cause: Self.compileCause(error), message: "@\(entry.name): compile: " + Self.oneLine(error))
            }
            let inventory = HostStepInventory(executable)
            for reason in inventory.fallbackReasons where !reasons.contains(reason) {
                reasons.append(reason)
            }
            for reason in inventory.ioReasons where !ioReasons.contains(reason) {
                ioReasons.append(reason)
            }
            guard let queue else { continue }
            let placed = CaseExecution(placement: Self.placement(reasons, io: ioReasons), hostFallbacks: reasons + ioReasons)
            let record = HostStepRecord()
            let fallback = ConformanceHostFallback(deadline: deadline, record: record)
            do {
                let runner = try CUDAExecutableRunner(executable: executable, queue: queue, hostFallback: fallback)
                // With loops or branches, run again so that each is also checked as a CUDA
                // graph (the first run is host-driven; a loop is captured on the second, a
                // branch on the third); every run's checks must pass.
                for _ in 0..<(Self.hasControlFlow(executable) ? 3 : 1) {
                    _ = try runner.invoke(inputs: [])
                }
            } catch {
                if let check = record.checkFailure {
                    throw CaseFailure(cause: "check failed", message: "@\(entry.name): " + check, execution: placed)
                }
                if record.timedOut {
                    throw CaseFailure(cause: "timeout", message: "@\(entry.name): a host step ran past the time budget",
                                      execution: placed)
                }
                if let cause = record.hostFailureCause {
                    throw CaseFailure(cause: cause, message: "@\(entry.name): " + Self.oneLine(error), execution: placed)
                }
                health.markSuspect()
                throw CaseFailure(cause: Self.runCause(error), message: "@\(entry.name): " + Self.oneLine(error),
                                  execution: placed)
            }
        }
        return CaseExecution(placement: Self.placement(reasons, io: ioReasons), hostFallbacks: reasons + ioReasons)
    }

    /// `.device`, `.deviceWithHostIO` or `.hostFallback` from the reasons collected.
    static func placement(_ fallbacks: [String], io: [String]) -> CasePlacement {
        fallbacks.isEmpty ? (io.isEmpty ? .device : .deviceWithHostIO) : .hostFallback
    }

    /// Whether `executable` has a loop or branch step.
    static func hasControlFlow(_ executable: Executable) -> Bool {
        executable.allSteps.contains { step in
            switch step {
            case .loop, .branch: return true
            default: return false
            }
        }
    }

    /// `nvrtc error` for a kernel NVRTC rejected, else `compile error`.
    static func compileCause(_ error: any Error) -> String {
        error is KernelCompilationError ? "nvrtc error" : "compile error"
    }

    /// `gpu run error` plus the first `CUDA_ERROR_*`/`CUBLAS_STATUS_*` name in the message.
    static func runCause(_ error: any Error) -> String {
        let text = "\(error)"
        for prefix in ["CUDA_ERROR_", "CUBLAS_STATUS_"] {
            guard let start = text.range(of: prefix) else { continue }
            let name = text[start.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return "gpu run error \(name)"
        }
        return "gpu run error"
    }

    static func oneLine(_ error: any Error) -> String {
        let text = "\(error)".split(separator: "\n", omittingEmptySubsequences: true).joined(separator: " | ")
        return text.count > 600 ? String(text.prefix(600)) + "…" : text
    }
}

/// Whether a GPU error happened that may have poisoned the context.
final class ContextHealth: @unchecked Sendable {
    private let lock = NSLock()
    private var suspect = false

    var isSuspect: Bool {
        lock.lock()
        defer { lock.unlock() }
        return suspect
    }

    func markSuspect() {
        lock.lock()
        suspect = true
        lock.unlock()
    }
}

/// What the host steps of one run reported: the first failed check, a timeout, or why the
/// reference backend could not run a host step (the GPU context is not at fault then).
final class HostStepRecord: @unchecked Sendable {
    /// The probes of every host step of the case (a probe inside a device loop and the check
    /// reading it land in different host steps).
    let probes = ProbeLog()
    private let lock = NSLock()
    private var check: String?
    private var timeout = false
    private var hostFailure: String?

    /// `unsupported op NAME` (as on the reference backend) or `host step error`.
    var hostFailureCause: String? {
        lock.lock()
        defer { lock.unlock() }
        return hostFailure
    }

    var checkFailure: String? {
        lock.lock()
        defer { lock.unlock() }
        return check
    }

    var timedOut: Bool {
        lock.lock()
        defer { lock.unlock() }
        return timeout
    }

    /// A host step failed with an error other than an `InterpreterError`.
    func noteHostError() {
        lock.lock()
        defer { lock.unlock() }
        if hostFailure == nil { hostFailure = "host step error" }
    }

    func note(_ error: InterpreterError) {
        lock.lock()
        defer { lock.unlock() }
        switch error {
        case .checkFailed(let message, _): if check == nil { check = "check failed: " + message }
        case .timedOut: timeout = true
        case .unsupportedOperation(let name, _): if hostFailure == nil { hostFailure = "unsupported op \(name)" }
        case .failed: if hostFailure == nil { hostFailure = "host step error" }
        }
    }
}

/// Runs host steps on the reference backend within the case's deadline, noting failed
/// checks and timeouts in `record` (the executor wraps step errors as text).
struct ConformanceHostFallback: HostFallback {
    var deadline: ContinuousClock.Instant
    var record: HostStepRecord

    func load(program text: String, index: Int) throws -> any LoadedProgram {
        let module = try Module.parse(text, file: "<host program \(index)>")
        return RecordingProgram(module: module, deadline: deadline, record: record)
    }
}

/// A host program that reports check failures and timeouts to its record.
struct RecordingProgram: LoadedProgram {
    var module: Module
    var deadline: ContinuousClock.Instant
    var record: HostStepRecord

    func invoke(function: String, inputs: [HostTensor]) throws -> [HostTensor] {
        let left = deadline - ContinuousClock.now
        do {
            return try ReferenceProgram(module: module, timeLimit: max(left, .milliseconds(1)), probeLog: record.probes)
                .invoke(function: function, inputs: inputs)
        } catch let error as InterpreterError {
            record.note(error)
            throw error
        } catch {
            record.noteHostError()
            throw error
        }
    }
}

/// The host steps of an executable, split into `check.*` assertions (expected on the host:
/// they compare with the expected values) and fallbacks (ops with no GPU kernel).
struct HostStepInventory {
    /// Distinct reasons of host steps that run anything besides checks, constants and I/O.
    var fallbackReasons: [String]
    /// Distinct reasons of host steps that run only I/O ops (besides checks and constants).
    var ioReasons: [String] = []

    init(_ executable: Executable) {
        var reasons: [String] = []
        var io: [String] = []
        for step in executable.allSteps {
            guard case .host(let call) = step else { continue }
            let text = executable.hostPrograms.indices.contains(call.program) ? executable.hostPrograms[call.program] : ""
            guard let reason = Self.fallbackReason(call.reason, program: text, function: call.function) else { continue }
            if Self.isOnlyIO(program: text, function: call.function) {
                if !io.contains(reason) { io.append(reason) }
            } else if !reasons.contains(reason) {
                reasons.append(reason)
            }
        }
        fallbackReasons = reasons
        ioReasons = io
    }

    /// Host I/O: ops that read or write outside the program, on the host by nature.
    static let ioOperations: Set<String> = ["interpreter.probe", "interpreter.print", "stablehlo.infeed", "stablehlo.outfeed"]

    /// Whether `function` of the host program `text` runs only I/O ops besides checks and
    /// constants.
    static func isOnlyIO(program text: String, function: String) -> Bool {
        guard let module = try? Module.parse(text, file: "<host program>"),
              let body = module.function(named: function)?.body else { return false }
        let others = body.blocks.flatMap(\.operations).filter { !isCheckOrTrivial($0) }
        return !others.isEmpty && others.allSatisfy { ioOperations.contains($0.name) }
    }

    /// nil when `function` of the host program `text` holds nothing but checks, constants
    /// and its return; else `reason` with the check ops it names left out (`no CUDA kernel
    /// for stablehlo.custom_call, stablehlo.sort yet` → `... for stablehlo.sort yet`). An
    /// unreadable program counts as a fallback.
    static func fallbackReason(_ reason: String, program text: String, function: String) -> String? {
        guard let module = try? Module.parse(text, file: "<host program>"),
              let body = module.function(named: function)?.body else { return reason }
        let operations = body.blocks.flatMap(\.operations)
        let others = operations.filter { !isCheckOrTrivial($0) }
        if others.isEmpty { return nil }
        let prefix = "no CUDA kernel for ", suffix = " yet"
        guard reason.hasPrefix(prefix), reason.hasSuffix(suffix) else { return reason }
        let kept = Set(others.map(\.name))
        let names = reason.dropFirst(prefix.count).dropLast(suffix.count).components(separatedBy: ", ")
        let remaining = names.filter { kept.contains($0) }
        return remaining.isEmpty ? reason : prefix + remaining.joined(separator: ", ") + suffix
    }

    /// Checks, constants, the return, and token joins (`after_all`, `create_token`: no data
    /// and no effect of their own; a used token keeps them in the host step of the effect
    /// it orders, an unused one is dropped by `drop-unused-tokens`).
    static func isCheckOrTrivial(_ op: StableHLO.Operation) -> Bool {
        switch op.name {
        case "func.return", "stablehlo.constant", "stablehlo.after_all", "stablehlo.create_token": return true
        case "stablehlo.custom_call":
            switch op[attribute: "call_target_name"] {
            case .string(let target)?, .symbolRef(let target)?: return target.hasPrefix("check.")
            default: return false
            }
        default: return op.name.hasPrefix("check.")
        }
    }
}
