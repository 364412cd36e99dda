import Runtime

/// Runs the `.host` steps of an executable: the ops the compiler left on the CPU.
///
/// The runtime does not depend on the reference interpreter; the CLI (and the PJRT plugin)
/// inject one that parses the StableHLO text with `Module.parse` and runs it on the
/// `ReferenceDevice`. Tests inject fakes.
public protocol HostFallback: Sendable {
    /// Prepares `Executable.hostPrograms[index]` (StableHLO module text) for invocation.
    func load(program text: String, index: Int) throws -> any LoadedProgram
}
