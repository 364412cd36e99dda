import Runtime

/// How a program is compiled for the `cuda` target: the one set of compiler settings the
/// CLI (`--plugin`, `--dump-after`, `--no-vendor-libs`, `--target`) and the PJRT plugin
/// (its compile options) both fill in.
public struct CompileConfiguration: Hashable, Sendable {
    /// Compiler plugins to activate besides the default-active ones (`--plugin`).
    public var plugins: [String]
    /// Passes after which the module is printed to stderr (`--dump-after`; `all` for every pass).
    public var dumpAfter: [String]
    /// Whether cuBLASLt/cuDNN may be used (`--no-vendor-libs` turns them off).
    public var useVendorLibraries: Bool
    /// The GPU architecture (`sm_90`); nil means the GPU's own, else `sm_90`.
    public var architecture: String?
    /// Off for conformance on the GPU, so ops on constant inputs run as kernels.
    public var foldsConstants: Bool
    /// Whether f32 products of precision DEFAULT may use TF32 (as XLA does).
    public var allowsTF32: Bool
    /// Whether fused bf16/f16 arithmetic may keep f32 values between ops (as XLA does);
    /// `--exact-half-precision` turns it off.
    public var allowsExcessPrecision: Bool

    public init(
        plugins: [String] = [], dumpAfter: [String] = [], useVendorLibraries: Bool = true,
        architecture: String? = nil, foldsConstants: Bool = true, allowsTF32: Bool = true,
        allowsExcessPrecision: Bool = true
    ) {
        self.plugins = plugins
        self.dumpAfter = dumpAfter
        self.useVendorLibraries = useVendorLibraries
        self.architecture = architecture
        self.foldsConstants = foldsConstants
        self.allowsTF32 = allowsTF32
        self.allowsExcessPrecision = allowsExcessPrecision
    }

    /// The architecture to compile for when the GPU's own is `deviceArchitecture` (nil: none open).
    public func resolvedArchitecture(device deviceArchitecture: String? = nil) -> String {
        architecture ?? deviceArchitecture ?? "sm_90"
    }
}
