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
    /// Whether the standard pipeline folds ops on constants at compile time. Off for
    /// `nvgpu conformance --device=cuda`, whose programs take their inputs as constants:
    /// folded, the reference would compute them and the GPU would check nothing.
    public var foldsConstants: Bool
    /// Whether f32 matrix products of precision DEFAULT may round their inputs to TF32 on
    /// the tensor cores, as XLA does on GPUs; false computes them in full f32 (like
    /// `jax_default_matmul_precision="highest"`). HIGH/HIGHEST never use TF32.
    public var allowsTF32: Bool
    /// Whether fused bf16/f16 arithmetic may keep f32 values between ops, rounding only
    /// where values leave a kernel or a `convert` asks (XLA's default on GPUs); false rounds
    /// after every op, as the reference does (`--exact-half-precision`).
    public var allowsExcessPrecision: Bool

    public init(entry: String = "main", architecture: String? = nil, useVendorLibraries: Bool = true,
                foldsConstants: Bool = true, allowsTF32: Bool = true, allowsExcessPrecision: Bool = true) {
        self.entry = entry
        self.architecture = architecture
        self.useVendorLibraries = useVendorLibraries
        self.foldsConstants = foldsConstants
        self.allowsTF32 = allowsTF32
        self.allowsExcessPrecision = allowsExcessPrecision
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
