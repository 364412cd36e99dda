import StableHLO

/// A module-to-module transformation: one pass per file under `Passes/`.
public protocol Pass: Sendable {
    /// The name used by `--dump-after=NAME`, pipeline listings and plugin registration.
    var name: String { get }
    /// Rewrites `module` in place; throws a `Diagnostic` for programs it cannot handle.
    func run(on module: inout Module) throws
}

/// An ordered list of passes, run top to bottom. `observer` sees the module after each
/// stage (for `--dump-after`, `nvgpu compile --report` and tests).
public struct Pipeline: Sendable {
    public var passes: [any Pass]

    public init(_ passes: [any Pass]) { self.passes = passes }

    public func run(
        on module: inout Module,
        observer: ((_ passName: String, _ module: Module) -> Void)? = nil
    ) throws {
        for pass in passes {
            try pass.run(on: &module)
            observer?(pass.name, module)
        }
    }
}
