import ArgumentParser
import CUDARuntime
import Driver
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

    @Argument(help: "The executable (.nvx) or a program (.mlir, .mlirbc) to compile first.")
    var file: String

    @Flag(help: "Also print each kernel's CUDA C++ source.")
    var source = false

    @Flag(help: "Also print each host program's StableHLO text.")
    var hostPrograms = false

    @Option(help: "The GPU architecture to compile a program for (default: sm_90).")
    var target: String?

    @Option(help: "The function to compile.")
    var function: String = "main"

    @OptionGroup var compilerOptions: CompilerOptions

    func run() throws {
        let program = try reportingErrors { try GPUProgram(path: file, function: function, configuration: compilerOptions.configuration(architecture: target)) }
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

