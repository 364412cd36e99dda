import Reference
import Runtime
import StableHLO

/// The `cpu` target: the transformed module itself, run by the reference interpreter.
/// It adds no passes; its artifact is the module's MLIR text.
public struct ReferenceTarget: TargetBackend {
    public var name: String { "cpu" }

    public init() {}

    public func passes(options: CompileOptions) -> [any Pass] { [] }

    public func translate(_ module: Module, options: CompileOptions) throws -> any CompiledArtifact {
        guard module.function(named: options.entry) != nil else {
            let names = module.functions.map { "@" + $0.name }.joined(separator: ", ")
            throw CompileError("no entry function @\(options.entry) (the module has \(names.isEmpty ? "none" : names))")
        }
        return ReferenceArtifact(module: module, entry: options.entry)
    }
}

/// A module compiled for the `cpu` target: its text is the serialized form, and the
/// reference backend runs it.
public struct ReferenceArtifact: CompiledArtifact {
    public var target: String { "cpu" }
    /// The module after every pass.
    public let module: Module
    /// The function `run` invokes.
    public let entry: String

    public init(module: Module, entry: String = "main") {
        self.module = module
        self.entry = entry
    }

    /// Reads an artifact written by `serialized()`.
    public init(serialized bytes: [UInt8], file: String, entry: String = "main") throws {
        self.init(module: try Module.parse(utf8: bytes, file: file), entry: entry)
    }

    public func serialized() throws -> [UInt8] { Array(module.text.utf8) }

    public func inspection() -> String { module.text }

    /// The artifact loaded on the reference backend.
    public func load(timeLimit: Duration? = nil) -> ReferenceProgram {
        ReferenceProgram(module: module, timeLimit: timeLimit)
    }

    /// Runs the entry function on `inputs`.
    public func run(_ inputs: [HostTensor], timeLimit: Duration? = nil) throws -> [HostTensor] {
        try load(timeLimit: timeLimit).invoke(function: entry, inputs: inputs)
    }
}
