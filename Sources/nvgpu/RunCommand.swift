import ArgumentParser
import Foundation
import Runtime

/// `nvgpu run FILE.mlir --input=...`: runs one function of a StableHLO program and prints
/// its results.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a StableHLO program.",
        discussion: """
            Inputs use IREE's syntax: --input=2x3xf32=1,2,3,4,5,6, --input=f32=1.5, \
            --input=2xi1=true,false, --input=2xcomplex<f32>=(1,2),(3,4), \
            --input=4xbf16=@a.bin (raw little-endian bytes), --input=@x.npy, \
            --input=2x2xbf16=@x.npy (for ml_dtypes arrays). Results print as \
            2x3xf32=[[1 2 3][4 5 6]], one per line.
            """)

    @Argument(help: "The program (.mlir text), or an executable from 'nvgpu compile' (.nvx, runs on the GPU).")
    var file: String

    @Option(help: "The function to run.")
    var function: String = "main"

    @Option(name: .customLong("input"), help: "An input, in parameter order (repeat for each).")
    var inputs: [String] = []

    @Option(name: .customLong("output"), help: "Write result K to @FILE.npy or @FILE.bin (repeat, in result order).")
    var outputs: [String] = []

    @Option(help: "Print at most this many elements of a result (the rest: use --output).")
    var printMaxElements: Int = 1024

    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        guard printMaxElements >= 0 else { throw ValidationError("--print-max-elements must be 0 or more") }
    }

    func run() throws {
        let results: [HostTensor]
        if file.hasSuffix(".nvx") {
            let invocation = ExecutableInvocation(path: file, inputs: inputs, outputs: outputs)
            results = try reportingErrors { try invocation.run(choice: deviceOptions.device) }
        } else {
            let invocation = ProgramInvocation(programPath: file, function: function, inputs: inputs, outputs: outputs)
            results = try reportingErrors { try invocation.run(on: try deviceOptions.selectedDevice()) }
        }
        let printer = TensorPrinter(maxElements: printMaxElements)
        for result in results { print(printer.format(result)) }
    }
}
