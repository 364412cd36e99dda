import Foundation
import Reference
import StableHLO

/// Runs the entry functions of one parsed and verified conformance case. The reference
/// interpreter is the default; `nvgpu conformance --device=cuda` injects one that compiles
/// for the GPU and runs there (this module does not depend on the CUDA modules).
public protocol CaseExecutor: Sendable {
    /// Runs every function of `entries` (none takes arguments) of `module`; `check.*` ops
    /// assert inside the run. Throws the first failure; a `CaseFailure` names its cause.
    func run(_ entries: [Function], of module: Module, deadline: ContinuousClock.Instant) throws -> CaseExecution

    /// Whether the worker process should be replaced before its next case (say, after a
    /// device error that may have left the device context unusable).
    var needsFreshProcess: Bool { get }
}

extension CaseExecutor {
    public var needsFreshProcess: Bool { false }
}

/// Where a passing (or compiled) case's ops ran.
public enum CasePlacement: String, Codable, Hashable, Sendable {
    /// Every op other than the `check.*` assertions ran on the device.
    case device
    /// Some ops ran on the host (the reference backend) as fallbacks.
    case hostFallback
    /// Every op ran on the device except host I/O (`interpreter.probe`/`print`, `infeed`,
    /// `outfeed`), which runs on the host by nature.
    case deviceWithHostIO
}

/// What an executor reports about one case it ran.
public struct CaseExecution: Hashable, Sendable {
    /// nil when the executor has one place to run (the reference interpreter).
    public var placement: CasePlacement?
    /// Why ops ran on the host (one entry per distinct reason, in order of appearance).
    public var hostFallbacks: [String]

    public init(placement: CasePlacement? = nil, hostFallbacks: [String] = []) {
        self.placement = placement
        self.hostFallbacks = hostFallbacks
    }
}

/// A case failure an executor classifies itself: `cause` is what the summary groups by
/// (`check failed`, `compile error`, `cuda error`), `message` the one-line detail.
public struct CaseFailure: Error, CustomStringConvertible, Sendable {
    public var cause: String
    public var message: String
    /// Where the failing case's ops ran, when known (compiled before it failed).
    public var execution: CaseExecution?

    public init(cause: String, message: String, execution: CaseExecution? = nil) {
        self.cause = cause
        self.message = message
        self.execution = execution
    }

    public var description: String { message }
}

/// The default executor: the spec-exact reference interpreter.
public struct ReferenceCaseExecutor: CaseExecutor {
    public init() {}

    public func run(_ entries: [Function], of module: Module, deadline: ContinuousClock.Instant) throws -> CaseExecution {
        for entry in entries {
            let interpreter = Interpreter(module: module, deadline: deadline)
            _ = try interpreter.run(entry.name, inputs: [])
        }
        return CaseExecution()
    }
}
