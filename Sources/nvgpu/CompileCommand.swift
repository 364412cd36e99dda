import ArgumentParser
import Compiler
import CUDARuntime
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO

/// `nvgpu compile FILE.mlir -o FILE.nvx`: compiles a program for the GPU into a
/// self-contained executable (steps, cubins, constants, host fallbacks).
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a StableHLO program into a GPU executable (.nvx).",
        discussion: """
            Runs the verifier, the standard passes and the cuda target (fusion, CUDA C++ through \
            NVRTC, cuBLASLt matmuls, host fallbacks for ops with no kernel yet) and writes the \
            executable. --report lists each kernel, each host fallback with its reason and the \
            arena size. Run the result with 'nvgpu run FILE.nvx --input=...'.
            """)

    @Argument(help: "The program (.mlir text).")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write the executable (default: FILE with .nvx).")
    var output: String?

    @Option(help: "The GPU architecture to compile for.")
    var target: String = "sm_90"

    @Option(help: "The function to compile.")
    var function: String = "main"

    @OptionGroup var pluginOptions: PluginOptions

    @Flag(help: "List kernels, host fallbacks and their reasons, and the arena size.")
    var report = false

    func validate() throws {
        guard target.hasPrefix("sm_"), Int(target.dropFirst(3)) != nil else {
            throw ValidationError("--target must be an architecture like sm_90, got '\(target)'")
        }
    }

    func run() throws {
        let destination = output ?? ((file as NSString).deletingPathExtension + ".nvx")
        let compiled = try reportingErrors { () throws -> CompiledExecutable in
            let module = try ProgramInvocation(programPath: file, function: function).loadModule()
            let compilation = ExecutableCompilation(pluginOptions, architecture: target)
            let compiled = try compilation.compile(module, function: function)
            let bytes = try compiled.executable.encoded()
            guard FileManager.default.createFile(atPath: destination, contents: Data(bytes)) else {
                throw RuntimeError("\(destination): error: cannot write the executable")
            }
            return compiled
        }
        if report { print(ExecutableReport(compiled).text) }
        let executable = compiled.executable
        print("wrote \(destination): \(executable.kernels.count) kernel(s), \(executable.steps.count) step(s), "
              + "\(executable.hostPrograms.count) host program(s), arena \(ByteCount(executable.arenaBytes)), "
              + "compiled in \(String(format: "%.2f", compiled.seconds)) s")
    }
}

/// An executable and how long the compiler took.
struct CompiledExecutable {
    var executable: Executable
    var seconds: Double
}

/// One compiler configuration for the `cuda` target: the NVIDIA plugin plus `plugins`.
struct ExecutableCompilation {
    var plugins: [String]
    var architecture: String
    var useVendorLibraries: Bool
    /// Off for conformance on the GPU, so ops on constant inputs run as kernels.
    var foldsConstants = true
    /// Passes after which the module is printed to stderr (`--dump-after`).
    var dumpAfter: [String] = []
    /// Whether f32 products of precision DEFAULT may use TF32 (`CompileOptions.allowsTF32`).
    var allowsTF32 = true

    /// The configuration `PluginOptions` (`--plugin`, `--dump-after`, `--no-vendor-libs`) selects.
    init(_ options: PluginOptions, architecture: String) {
        self.init(plugins: options.plugins, architecture: architecture, useVendorLibraries: !options.noVendorLibs,
                  dumpAfter: options.dumpAfter)
    }

    init(plugins: [String], architecture: String, useVendorLibraries: Bool, foldsConstants: Bool = true,
         dumpAfter: [String] = []) {
        self.plugins = plugins
        self.architecture = architecture
        self.useVendorLibraries = useVendorLibraries
        self.foldsConstants = foldsConstants
        self.dumpAfter = dumpAfter
    }

    /// Compiles `function` of `module` and checks the result is a loadable executable.
    func compile(_ module: Module, function: String) throws -> CompiledExecutable {
        let start = ContinuousClock.now
        let registry = try PluginRegistry(plugins: [NVGPUPlugin()])
        var session = try CompilerSession(registry: registry, plugins: plugins)
        if !dumpAfter.isEmpty { session.observer = .dumping(after: dumpAfter) }
        let options = CompileOptions(entry: function, architecture: architecture, useVendorLibraries: useVendorLibraries,
                                     foldsConstants: foldsConstants, allowsTF32: allowsTF32)
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

/// `nvgpu compile --report`: kernels, host fallbacks with reasons, the arena.
struct ExecutableReport {
    var compiled: CompiledExecutable

    init(_ compiled: CompiledExecutable) { self.compiled = compiled }

    var text: String {
        let executable = compiled.executable
        var lines = ["compiled @\(executable.entry) for \(executable.target) \(executable.architecture) in \(String(format: "%.2f", compiled.seconds)) s"]
        lines.append("arena: \(ByteCount(executable.arenaBytes)) (\(executable.buffers.count) buffers)")
        lines.append("kernels: \(executable.kernels.count)")
        for (index, kernel) in executable.kernels.enumerated() {
            let launches = executable.steps.filter { if case .launch(let l) = $0 { return l.kernel == index }; return false }.count
            let sourceLines = kernel.source.split(separator: "\n").count
            lines.append("  k\(index) \(kernel.entryPoint): \(kernel.format) \(ByteCount(kernel.binary.count)), \(sourceLines) source lines, launched \(launches)x")
        }
        let matmuls = executable.steps.compactMap { if case .matmul(let m) = $0 { return m }; return nil }
        lines.append("vendor matmuls (cuBLASLt): \(matmuls.count)")
        for call in matmuls {
            lines.append("  " + ExecutionStep.matmul(call).summary)
        }
        lines += ConvolutionReport(executable: executable).lines
        let hosts = executable.steps.compactMap { if case .host(let h) = $0 { return h }; return nil }
        lines.append("host fallbacks: \(hosts.count)")
        for call in hosts {
            lines.append("  host program \(call.program) @\(call.function): \(call.reason)")
        }
        return lines.joined(separator: "\n")
    }
}

/// A byte count for people: `512 B`, `3.0 MiB`.
struct ByteCount: CustomStringConvertible {
    var bytes: Int
    init(_ bytes: Int) { self.bytes = bytes }

    var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
