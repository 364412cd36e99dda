import Compiler
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO

/// An executable and how long the compiler took.
public struct CompiledExecutable: Sendable {
    public var executable: Executable
    public var seconds: Double

    public init(executable: Executable, seconds: Double) {
        self.executable = executable
        self.seconds = seconds
    }
}

/// One compiler run for the `cuda` target: the NVIDIA plugin plus the configured plugins.
public struct ExecutableCompilation: Sendable {
    public var configuration: CompileConfiguration
    /// The architecture compiled for (`sm_90`).
    public var architecture: String

    /// Compiles with `configuration` for `architecture` (default: the configuration's, else sm_90).
    public init(_ configuration: CompileConfiguration, architecture: String? = nil) {
        self.configuration = configuration
        self.architecture = architecture ?? configuration.resolvedArchitecture()
    }

    /// Compiles `function` of `module` and checks the result is a loadable executable.
    public func compile(_ module: Module, function: String) throws -> CompiledExecutable {
        let start = ContinuousClock.now
        let registry = try PluginRegistry(plugins: [NVGPUPlugin()])
        var session = try CompilerSession(registry: registry, plugins: configuration.plugins)
        if !configuration.dumpAfter.isEmpty { session.observer = .dumping(after: configuration.dumpAfter) }
        let options = CompileOptions(
            entry: function, architecture: architecture, useVendorLibraries: configuration.useVendorLibraries,
            foldsConstants: configuration.foldsConstants, allowsTF32: configuration.allowsTF32,
            allowsExcessPrecision: configuration.allowsExcessPrecision)
        let artifact = try session.compile(module, target: "cuda", options: options)
        let executable: Executable
        if let direct = artifact as? Executable {
            executable = direct
        } else {
            executable = try Executable(decoding: try artifact.serialized(), file: "<compiled \(function)>")
        }
        try executable.validate()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return CompiledExecutable(executable: executable, seconds: seconds)
    }
}
