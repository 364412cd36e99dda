import ArgumentParser
import Driver

/// The compiler flags every command that compiles shares (`compile`, `run`, `inspect`,
/// `bench`): which plugins run, which passes dump the module, whether vendor libraries may
/// be used. They fill in the one `CompileConfiguration` the PJRT plugin fills in too.
struct CompilerOptions: ParsableArguments {
    @Option(
        name: .customLong("plugin"),
        help: ArgumentHelp("Activate a compiler plugin (repeat for several; default: the default-active plugins).",
                           valueName: "name"))
    var plugins: [String] = []

    @Option(
        name: .customLong("dump-after"),
        help: ArgumentHelp("Print the module to stderr after this pass (repeat for several; 'all' for every pass).",
                           valueName: "pass"))
    var dumpAfter: [String] = []

    @Flag(help: "Compile without cuBLASLt/cuDNN, to measure what the vendor libraries gain.")
    var noVendorLibs = false

    @Flag(help: "Round fused bf16/f16 arithmetic after every op, as the reference does (default: keep f32 between ops, as XLA).")
    var exactHalfPrecision = false

    /// The configuration these flags select, for `architecture` (nil: the GPU's, else sm_90).
    func configuration(architecture: String? = nil) -> CompileConfiguration {
        CompileConfiguration(plugins: plugins, dumpAfter: dumpAfter, useVendorLibraries: !noVendorLibs,
                             architecture: architecture, allowsExcessPrecision: !exactHalfPrecision)
    }
}
