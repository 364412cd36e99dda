import ArgumentParser
import Compiler
import CUDARuntime
import Driver
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

    @Argument(help: "The program (.mlir text or .mlirbc bytecode).")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write the executable (default: FILE with .nvx).")
    var output: String?

    @Option(help: "The GPU architecture to compile for.")
    var target: String = "sm_90"

    @Option(help: "The function to compile.")
    var function: String = "main"

    @OptionGroup var compilerOptions: CompilerOptions

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
            let module = try ProgramSource.load(path: file)
            let compilation = ExecutableCompilation(compilerOptions.configuration(architecture: target))
            let compiled = try compilation.compile(module, function: function)
            let bytes = try compiled.executable.encoded()
            guard OutputFile.write(Data(bytes), to: destination) else {
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

