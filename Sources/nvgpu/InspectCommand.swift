import ArgumentParser
import CUDARuntime
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO

/// `nvgpu inspect FILE.nvx`: what the compiler made: buffers with sizes and placements,
/// steps, kernels with their launch shapes, host fallbacks with reasons.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the steps, kernels and buffers of a GPU executable.",
        discussion: "Reads an .nvx file, or compiles an .mlir program in memory first.")

    @Argument(help: "The executable (.nvx) or a program (.mlir) to compile first.")
    var file: String

    @Flag(help: "Also print each kernel's CUDA C++ source.")
    var source = false

    @Flag(help: "Also print each host program's StableHLO text.")
    var hostPrograms = false

    @OptionGroup var compileOptions: GPUCompileOptions

    func run() throws {
        let program = try reportingErrors { try GPUProgram(path: file, options: compileOptions) }
        let executable = program.executable
        print(executable.inspection())
        print(ExecutableSizes(executable).text)
        if source {
            for (index, kernel) in executable.kernels.enumerated() {
                print("// ----- kernel \(index): \(kernel.entryPoint) (\(kernel.format), \(kernel.binary.count) bytes)")
                print(kernel.source)
            }
        }
        if hostPrograms {
            for (index, text) in executable.hostPrograms.enumerated() {
                print("// ----- host program \(index)")
                print(text)
            }
        }
    }
}

/// Compiler flags for commands that accept an .mlir program where an executable is wanted.
struct GPUCompileOptions: ParsableArguments {
    @Option(help: "The GPU architecture to compile .mlir programs for (default: the GPU's, else sm_90).")
    var target: String?

    @Option(help: "The function to compile.")
    var function: String = "main"

    @Flag(help: "Generate every kernel (no cuBLASLt).")
    var noVendorLibs = false

    @Option(name: .customLong("plugin"), help: "Activate a compiler plugin (repeat).")
    var plugins: [String] = []
}

/// An executable read from an .nvx file or compiled from an .mlir program (then the module
/// and the compile time are kept too).
struct GPUProgram {
    var executable: Executable
    /// The source program, when compiled from .mlir.
    var module: Module?
    /// Seconds the compiler took, when compiled here.
    var compileSeconds: Double?

    init(path: String, options: GPUCompileOptions, architecture: String? = nil) throws {
        if path.hasSuffix(".nvx") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RuntimeError("\(path): error: cannot read the file")
            }
            executable = try Executable(decoding: [UInt8](data), file: path)
            try executable.validate()
            module = nil
            compileSeconds = nil
        } else {
            let module = try ProgramInvocation(programPath: path, function: options.function).loadModule()
            let compilation = ExecutableCompilation(
                plugins: options.plugins, architecture: options.target ?? architecture ?? "sm_90",
                useVendorLibraries: !options.noVendorLibs)
            let compiled = try compilation.compile(module, function: options.function)
            executable = compiled.executable
            self.module = module
            compileSeconds = compiled.seconds
        }
    }
}

/// Totals `nvgpu inspect` prints under the listing.
struct ExecutableSizes {
    var executable: Executable
    init(_ executable: Executable) { self.executable = executable }

    var inputBytes: Int { executable.inputs.reduce(0) { $0 + executable.buffers[$1].byteSize } }
    var outputBytes: Int { executable.outputs.reduce(0) { $0 + executable.buffers[$1].byteSize } }

    var text: String {
        let constantBytes = executable.constants.reduce(0) { $0 + $1.bytes.count }
        let cubinBytes = executable.kernels.reduce(0) { $0 + $1.binary.count }
        var counts: [String: Int] = [:]
        for step in executable.steps {
            switch step {
            case .launch: counts["launch", default: 0] += 1
            case .matmul: counts["matmul", default: 0] += 1
            case .host: counts["host", default: 0] += 1
            case .copy: counts["copy", default: 0] += 1
            case .collective: counts["collective", default: 0] += 1
            case .convolution: counts["convolution", default: 0] += 1
            }
        }
        let steps = ["launch", "matmul", "convolution", "collective", "host", "copy"].map { "\(counts[$0, default: 0]) \($0)" }.joined(separator: ", ")
        return """
            sizes: inputs \(ByteCount(inputBytes)), outputs \(ByteCount(outputBytes)), arena \(ByteCount(executable.arenaBytes)), \
            constants \(ByteCount(constantBytes)), cubins \(ByteCount(cubinBytes))
            steps: \(steps)
            """
    }
}
