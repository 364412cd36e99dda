import ArgumentParser
import Compiler

/// The compiler flags shared by the commands that compile: which plugins run, which passes
/// dump the module, and whether vendor libraries may be used.
struct PluginOptions: ParsableArguments {
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

    /// A compiler session over `registry` with the chosen plugins and `--dump-after` observer.
    func session(registry: PluginRegistry) throws -> CompilerSession {
        var session = try CompilerSession(registry: registry, plugins: plugins)
        if !dumpAfter.isEmpty { session.observer = .dumping(after: dumpAfter) }
        return session
    }

    /// The compile options these flags select for `entry`.
    func compileOptions(entry: String = "main", architecture: String? = nil) -> CompileOptions {
        CompileOptions(entry: entry, architecture: architecture, useVendorLibraries: !noVendorLibs)
    }
}
