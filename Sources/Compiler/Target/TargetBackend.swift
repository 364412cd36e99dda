import Runtime
import StableHLO

/// Options every target receives.
public struct CompileOptions: Sendable {
    /// The function to compile (default `main`).
    public var entry: String
    /// Target architecture, e.g. `sm_90`; nil picks the present device's or a default.
    public var architecture: String?
    /// `--no-vendor-libs`: compile without cuBLASLt/cuDNN so their gain can be measured.
    public var useVendorLibraries: Bool

    public init(entry: String = "main", architecture: String? = nil, useVendorLibraries: Bool = true) {
        self.entry = entry
        self.architecture = architecture
        self.useVendorLibraries = useVendorLibraries
    }
}

/// A code generator for one kind of device, after IREE's `TargetBackend`: it extends the
/// pipeline with its own passes, then translates the module into a deployable artifact.
public protocol TargetBackend: Sendable {
    /// The name `--target`/`--device` selects (`cuda`, `cpu`).
    var name: String { get }
    /// Passes this target runs after the standard pipeline (fusion, buffer planning, ...).
    func passes(options: CompileOptions) -> [any Pass]
    /// Turns the transformed module into an executable artifact.
    func translate(_ module: Module, options: CompileOptions) throws -> any CompiledArtifact
}
