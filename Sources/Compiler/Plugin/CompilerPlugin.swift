import StableHLO

/// A self-contained extension of the compiler, after IREE's compiler plugins: it registers
/// ops, passes, pipeline extensions and target backends in one call. Plugins are chosen with
/// `--plugin=NAME` (repeatable) or are active by default.
public protocol CompilerPlugin: Sendable {
    /// The name `--plugin=` selects.
    var name: String { get }
    /// Whether the plugin is active when no `--plugin` flag names it.
    var isActiveByDefault: Bool { get }
    /// Adds the plugin's ops, passes, pipeline extensions and targets.
    func register(in registrar: inout PluginRegistrar)
}

/// Where a plugin's pipeline extension runs.
public enum PipelinePoint: String, Sendable, CaseIterable {
    /// Before the standard passes (lower custom ops to stablehlo here).
    case beforeStandardPasses
    /// After the standard passes, before the target's own passes.
    case afterStandardPasses
}

/// An op a plugin adds: its name and an optional structural check.
public struct OperationDefinition: Sendable {
    public var name: String
    public var summary: String
    /// Checks one op; throws a `Diagnostic` naming the op and its location.
    public var verify: @Sendable (Operation) throws -> Void

    public init(name: String, summary: String, verify: @escaping @Sendable (Operation) throws -> Void = { _ in }) {
        self.name = name
        self.summary = summary
        self.verify = verify
    }
}

/// What plugins register into; the `PluginRegistry` builds one from the active plugins.
public struct PluginRegistrar: Sendable {
    public private(set) var operations: [String: OperationDefinition] = [:]
    public private(set) var passes: [String: any Pass] = [:]
    public private(set) var extensions: [PipelinePoint: [any Pass]] = [:]
    public private(set) var targets: [String: any TargetBackend] = [:]

    public init() {}

    public mutating func addOperation(_ definition: OperationDefinition) {
        operations[definition.name] = definition
    }
    /// Makes `pass` available by name (for `--pass=NAME` and tests).
    public mutating func addPass(_ pass: any Pass) { passes[pass.name] = pass }
    /// Runs `pass` at `point` of every compilation while the plugin is active.
    public mutating func extendPipeline(at point: PipelinePoint, with pass: any Pass) {
        extensions[point, default: []].append(pass)
        passes[pass.name] = pass
    }
    public mutating func addTarget(_ target: any TargetBackend) { targets[target.name] = target }
}
